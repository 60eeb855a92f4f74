from contracts.models.arrears import ArrearsCase, RepaymentInstalment
from contracts.models.complaints import (
    Complaint,
    ComplaintEvidence,
    ComplaintProcess,
    ComplaintSupervisionNotice,
)
from contracts.models.contracts import Contract, ContractAttachment, ContractVersion
from contracts.models.disposal import DisposalCase, DisposalProcess, EscalationProcess, GovernmentDishonestyRecord
from contracts.models.evaluation import EvaluationWeights, KpiDay, KpiEventMonth, KpiMonth, OpenWarningDay
from contracts.models.imports import ContractImport
from contracts.models.lpr import LoanPrimeRate
from contracts.models.milestones import Milestone, Payment, PerformanceReport
from contracts.models.publication import ContractPublication, OcdsRelease
from contracts.models.warnings import Warning

__all__ = [
    "ArrearsCase",
    "Complaint",
    "ComplaintEvidence",
    "ComplaintProcess",
    "ComplaintSupervisionNotice",
    "Contract",
    "ContractAttachment",
    "ContractImport",
    "ContractPublication",
    "DisposalCase",
    "DisposalProcess",
    "EscalationProcess",
    "EvaluationWeights",
    "GovernmentDishonestyRecord",
    "KpiDay",
    "KpiEventMonth",
    "KpiMonth",
    "LoanPrimeRate",
    "OpenWarningDay",
    "ContractVersion",
    "Milestone",
    "OcdsRelease",
    "Payment",
    "PerformanceReport",
    "RepaymentInstalment",
    "Warning",
]
