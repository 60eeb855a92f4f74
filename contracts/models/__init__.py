from .arrears import ArrearsCase, RepaymentInstalment
from .contracts import Contract, ContractAttachment, ContractVersion
from .disposal import DisposalCase, DisposalProcess, GovernmentDishonestyRecord
from .evaluation import EvaluationWeights
from .milestones import Milestone, Payment, PerformanceReport
from .publication import ContractPublication
from .warnings import Warning

__all__ = [
    "ArrearsCase",
    "Contract",
    "ContractAttachment",
    "ContractPublication",
    "DisposalCase",
    "DisposalProcess",
    "EvaluationWeights",
    "GovernmentDishonestyRecord",
    "ContractVersion",
    "Milestone",
    "Payment",
    "PerformanceReport",
    "RepaymentInstalment",
    "Warning",
]
