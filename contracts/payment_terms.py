"""When a payment to an SME falls due (保障中小企业款项支付条例, 第九条、第十条).

- A government body or public institution pays within 30 days of delivery; a contract may agree a
  longer term, never more than 60 days (`sme.pay.government`). A large (e.g. state) enterprise pays
  within 60 days (`sme.pay.large_enterprise`).
- Where payment follows acceptance, the clock starts at acceptance; when acceptance comes later
  than the agreed acceptance period, it starts when that period ends (`sme.pay.acceptance`).
- A payee that is not an SME is paid on the contract's own terms (agreed days from delivery, or
  the planned date); the regulation's ceilings do not apply.
- Like every deadline, a payment date on a rest day moves to the next working day.
"""

import datetime as dt
from dataclasses import dataclass

from workflow import workdays
from workflow.deadlines import due_for


@dataclass(frozen=True)
class PaymentDue:
    clock_starts_on: dt.date | None
    due_on: dt.date | None
    rule: str  # rule code, or "contract.term" / "contract.planned" for non-SME payees
    provisional: bool = False  # acceptance still outstanding: the latest possible date so far


def statutory_rule(contract) -> str | None:
    if not contract.payee_is_sme:
        return None
    return "sme.pay.government" if contract.payer_is_government else "sme.pay.large_enterprise"


def clock_start(milestone, *, delivered_on: dt.date, accepted_on: dt.date | None) -> tuple[dt.date | None, bool]:
    """(start date, provisional) for the payment clock of `milestone` given the delivery facts."""
    if not milestone.payment_after_acceptance:
        return delivered_on, False
    period_end = None
    if milestone.acceptance_period_days is not None:
        period_end = delivered_on + dt.timedelta(days=milestone.acceptance_period_days)
    if accepted_on is not None:
        if period_end is not None and accepted_on > period_end:
            return period_end, False
        return accepted_on, False
    # Not accepted yet: the clock starts at the latest when the agreed acceptance period ends.
    return period_end, period_end is not None


def payment_due(contract, milestone, *, delivered_on: dt.date, accepted_on: dt.date | None) -> PaymentDue:
    start, provisional = clock_start(milestone, delivered_on=delivered_on, accepted_on=accepted_on)
    rule = statutory_rule(contract)
    if start is None:
        return PaymentDue(None, None, rule or "contract.term")
    if rule is not None:
        due = due_for(rule, start, amount=contract.payment_term_days)
        return PaymentDue(start, due.due, rule, provisional)
    if contract.payment_term_days is not None:
        due_on = workdays.next_working_day(start + dt.timedelta(days=contract.payment_term_days))
        return PaymentDue(start, due_on, "contract.term", provisional)
    return PaymentDue(start, milestone.planned_on, "contract.planned", provisional)
