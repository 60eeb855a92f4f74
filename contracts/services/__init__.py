"""Writes for government contracts, one module per topic; this package re-exports them so callers
write `from contracts.services import contract_register` whatever module holds it."""

from contracts.services.arrears import arrears_plan_set
from contracts.services.contracts import (
    contract_amend,
    contract_fulfil,
    contract_register,
    contract_terminate,
    contract_terms_problems,
    enterprise_for_counterparty,
)
from contracts.services.milestones import milestone_record_delivery, milestone_waive, payment_record, report_submit
from contracts.services.rates import loan_prime_rate_save
from contracts.services.warnings import (
    warning_acknowledge,
    warning_escalate,
    warning_escalation_close,
    warning_resolve,
)

__all__ = [
    "arrears_plan_set",
    "contract_amend",
    "contract_fulfil",
    "contract_register",
    "contract_terminate",
    "contract_terms_problems",
    "enterprise_for_counterparty",
    "loan_prime_rate_save",
    "milestone_record_delivery",
    "milestone_waive",
    "payment_record",
    "report_submit",
    "warning_acknowledge",
    "warning_escalate",
    "warning_escalation_close",
    "warning_resolve",
]
