"""Late-payment interest (保障中小企业款项支付条例 第十七条).

The agreed daily rate when the contract has one, otherwise the statutory rate of the regulation in
force when the contract was signed (rule `sme.late_interest`: 0.05 % a day under both the 2020 text,
第728号 第十五条, and the 2025 text, 第802号 第十七条), on the unpaid principal, for each day after
the due date up to and including the payment day. 100,000.00 due 2026-10-08 and paid in full on
2026-10-19 → 11 days → 550.00.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from workflow.models import Rule
from workflow.rules import rule_in_force

CENT = Decimal("0.01")


def interest_rule(contract) -> Rule:
    """The version of `sme.late_interest` that governs the contract (the one in force when it was signed)."""
    return rule_in_force("sme.late_interest", contract.signed_on)


def daily_rate(contract) -> Decimal:
    if contract.late_interest_daily is not None:
        return contract.late_interest_daily
    rate = interest_rule(contract).rate
    assert rate is not None, "sme.late_interest is a rule of kind rate: it has a rate"
    return rate


def late_interest(
    *, amount: Decimal, due_on: dt.date, payments: list[tuple[dt.date, Decimal]], rate: Decimal, as_of: dt.date
) -> Decimal:
    """Interest on `amount` due `due_on`, given (paid_on, amount) payments, counted up to `as_of`.

    Once the principal is fully paid, interest stops on the payment day whatever `as_of` is.
    """
    balance = Decimal(amount)
    for paid_on, paid in payments:
        if paid_on <= due_on:
            balance -= paid
    interest = Decimal(0)
    since = due_on
    for paid_on, paid in sorted(payments):
        if paid_on <= due_on or paid_on > as_of:
            continue
        if balance > 0:
            interest += balance * rate * (paid_on - since).days
        balance -= paid
        since = paid_on
    if balance > 0 and as_of > since:
        interest += balance * rate * (as_of - since).days
    return interest.quantize(CENT, rounding=ROUND_HALF_UP)


def milestone_interest(milestone, *, as_of: dt.date) -> Decimal:
    if milestone.payment_due_on is None or milestone.amount is None:
        return Decimal("0.00")
    payments = [(p.paid_on, p.amount) for p in milestone.payments.all()]
    return late_interest(
        amount=milestone.amount,
        due_on=milestone.payment_due_on,
        payments=payments,
        rate=daily_rate(milestone.contract),
        as_of=as_of,
    )


def contract_interest(contract, *, as_of: dt.date) -> Decimal:
    """Late-payment interest on every payment milestone of `contract` that fell due before `as_of`,
    counted up to and including `as_of`."""
    milestones = contract.milestones.filter(kind="payment", payment_due_on__lt=as_of).prefetch_related("payments")
    return sum((milestone_interest(m, as_of=as_of) for m in milestones), Decimal("0.00"))
