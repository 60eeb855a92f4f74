"""When a payment to an SME falls due (保障中小企业款项支付条例, 第九条、第十条).

- A government body or public institution pays within 30 days of delivery; a contract may agree a
  longer term, never more than 60 days (`sme.pay.government`).
- A large (e.g. state) enterprise pays within 60 days of delivery unless the contract agrees otherwise
  (`sme.pay.large_enterprise`, 第802号 第九条第二款: "合同另有约定的，从其约定，但应当按照行业规范、交易习惯
  合理约定付款期限并及时支付款项"): 60 days is a default, not a ceiling. A longer agreed term applies and
  is flagged for review (`payment_term_above_default`). Under the 2020 text (第728号 第九条) there is
  no statutory number: the agreed term applies, or the planned date.
- Where payment follows acceptance, the clock starts at acceptance; when acceptance comes later
  than the agreed acceptance period, it starts when that period ends (`sme.pay.acceptance`).
- A payee that is not an SME is paid on the contract's own terms (agreed days from delivery, or
  the planned date); the regulation's ceilings do not apply.
- Like every deadline, a payment date on a rest day moves to the next working day.
"""

import datetime as dt
from dataclasses import dataclass

from workflow import workdays
from workflow.deadlines import compute_due
from workflow.rules import rule_in_force


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


def payment_term_above_default(contract) -> bool:
    """Whether the agreed term is longer than the statutory default of a rule without a ceiling (a large
    enterprise paying an SME): lawful, but to be looked at for reasonableness (第七条、第九条第二款)."""
    rule = statutory_rule(contract)
    if rule is None or contract.payment_term_days is None:
        return False
    statutory = rule_in_force(rule, contract.signed_on)
    return statutory.ceiling is None and statutory.amount is not None and contract.payment_term_days > statutory.amount


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
        statutory = rule_in_force(rule, start)
        if statutory.amount is None and contract.payment_term_days is None:
            # No statutory number (large enterprises under the 2020 text) and none agreed.
            return PaymentDue(start, milestone.planned_on, "contract.planned", provisional)
        due = compute_due(statutory, start, amount=contract.payment_term_days)
        return PaymentDue(start, due.due, rule, provisional)
    if contract.payment_term_days is not None:
        due_on = workdays.next_working_day(start + dt.timedelta(days=contract.payment_term_days))
        return PaymentDue(start, due_on, "contract.term", provisional)
    return PaymentDue(start, milestone.planned_on, "contract.planned", provisional)
