from .arrears import ArrearsCase, RepaymentInstalment
from .complaints import (
    Complaint,
    ComplaintEvidence,
    ComplaintProcess,
    ComplaintSupervisionNotice,
    SubmissionThrottle,
)
from .contracts import Contract, ContractAttachment, ContractVersion
from .disposal import DisposalCase, DisposalProcess, GovernmentDishonestyRecord
from .evaluation import EvaluationWeights
from .imports import ContractImport
from .milestones import Milestone, Payment, PerformanceReport
from .publication import ContractPublication
from .warnings import Warning

__all__ = [
    "ArrearsCase",
    "Complaint",
    "ComplaintEvidence",
    "ComplaintProcess",
    "ComplaintSupervisionNotice",
    "SubmissionThrottle",
    "Contract",
    "ContractAttachment",
    "ContractImport",
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
