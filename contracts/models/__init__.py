from .arrears import ArrearsCase, RepaymentInstalment
from .contracts import Contract, ContractAttachment, ContractVersion
from .milestones import Milestone, Payment, PerformanceReport
from .warnings import Warning

__all__ = [
    "ArrearsCase",
    "Contract",
    "ContractAttachment",
    "ContractVersion",
    "Milestone",
    "Payment",
    "PerformanceReport",
    "RepaymentInstalment",
    "Warning",
]
