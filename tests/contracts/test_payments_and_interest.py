"""Payment due dates (SME payment regulation Arts. 9–10), payments, and late-payment interest (Art. 17)."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.interest import late_interest, milestone_interest
from contracts.models import ArrearsCase, Contract, Milestone
from contracts.services import milestone_record_delivery, payment_record
from workflow.errors import ValidationFailed

D = dt.date
pytestmark = pytest.mark.django_db


def pay_milestone(contract):
    return contract.milestones.get(kind="payment")


def deliver(contract, clerk, travel, delivered, accepted=None, today=None):
    travel(today or delivered)
    return milestone_record_delivery(
        milestone=pay_milestone(contract), delivered_on=delivered, accepted_on=accepted, acting_user=clerk
    )


def test_government_payer_pays_an_sme_within_30_days_moved_off_the_holiday(make_contract, clerk, travel):
    contract = make_contract()
    m = deliver(contract, clerk, travel, D(2026, 9, 2))
    assert (m.payment_due_on, m.payment_rule, m.status) == (D(2026, 10, 8), "sme.pay.government", "due")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.PERFORMING


def test_agreed_term_within_the_ceiling(make_contract, clerk, travel):
    contract = make_contract(payment_term_days=45)
    assert deliver(contract, clerk, travel, D(2026, 9, 2)).payment_due_on == D(2026, 10, 19)


def test_state_enterprise_pays_within_60_days(make_contract, clerk, travel):
    contract = make_contract(agency_code="XCTJT")
    m = deliver(contract, clerk, travel, D(2026, 8, 3))
    assert (m.payment_due_on, m.payment_rule) == (D(2026, 10, 8), "sme.pay.large_enterprise")


def _after_acceptance(period):
    return [
        {
            "kind": "payment",
            "title": "验收后付款",
            "amount": "100000.00",
            "planned_on": D(2026, 10, 1),
            "payment_after_acceptance": True,
            "acceptance_period_days": period,
        },
    ]


def test_payment_after_acceptance_counts_from_acceptance(make_contract, clerk, travel):
    contract = make_contract(milestones=_after_acceptance(15))
    m = deliver(contract, clerk, travel, D(2026, 9, 1), accepted=D(2026, 9, 10), today=D(2026, 9, 10))
    # 09-10 + 30 days = Saturday 10-10, an adjusted working day: it stays.
    assert m.payment_due_on == D(2026, 10, 10)


def test_late_acceptance_counts_from_the_end_of_the_agreed_period(make_contract, clerk, travel):
    contract = make_contract(milestones=_after_acceptance(15))
    m = deliver(contract, clerk, travel, D(2026, 9, 1), accepted=D(2026, 10, 20), today=D(2026, 10, 20))
    assert m.payment_due_on == D(2026, 10, 16)  # period ends 09-16; + 30 days


def test_acceptance_outstanding_gives_the_latest_possible_date(make_contract, clerk, travel):
    contract = make_contract(milestones=_after_acceptance(15))
    assert deliver(contract, clerk, travel, D(2026, 9, 1)).payment_due_on == D(2026, 10, 16)
    contract = make_contract(number="HT-2", milestones=_after_acceptance(None))
    m = deliver(contract, clerk, travel, D(2026, 9, 1))
    assert (m.payment_due_on, m.status) == (None, "planned")


def test_a_large_payee_is_paid_on_the_contract_terms(make_contract, clerk, travel):
    contract = make_contract(
        counterparty={"name": "X市宏图工程建设集团有限公司", "uscc": "91410102JJC171HU49", "size": "large"},
        payment_term_days=90,
    )
    m = deliver(contract, clerk, travel, D(2026, 9, 2))
    # 09-02 + 90 days = Tuesday 12-01; no statutory ceiling applies.
    assert (m.payment_due_on, m.payment_rule) == (D(2026, 12, 1), "contract.term")


def test_the_interest_example_of_the_issue(make_contract, clerk, travel):
    contract = make_contract()
    m = deliver(contract, clerk, travel, D(2026, 9, 2))
    travel("2026-10-19")
    payment_record(contract=contract, milestone=m, amount="100000.00", paid_on=D(2026, 10, 19), acting_user=clerk)
    m.refresh_from_db()
    assert m.status == Milestone.Status.MET_LATE
    assert milestone_interest(m, as_of=D(2026, 12, 31)) == Decimal("550.00")  # stops on the payment day


@pytest.mark.parametrize(
    "payments, rate, as_of, expected",
    [
        ([(D(2026, 10, 19), Decimal("100000"))], "0.0005", D(2026, 10, 19), "550.00"),
        ([(D(2026, 10, 8), Decimal("100000"))], "0.0005", D(2026, 10, 30), "0.00"),  # paid on the due day
        ([], "0.0005", D(2026, 10, 18), "500.00"),  # unpaid: 10 days so far
        ([], "0.0005", D(2026, 10, 8), "0.00"),
        # 40,000 on 10-12 (4 days on 100,000 = 200) then 60,000 on 10-22 (10 days on 60,000 = 300)
        (
            [(D(2026, 10, 12), Decimal("40000")), (D(2026, 10, 22), Decimal("60000"))],
            "0.0005",
            D(2026, 11, 1),
            "500.00",
        ),
        ([(D(2026, 10, 19), Decimal("100000"))], "0.0003", D(2026, 10, 19), "330.00"),  # agreed rate
        ([(D(2026, 10, 1), Decimal("30000"))], "0.0005", D(2026, 10, 18), "350.00"),  # paid part before due
    ],
)
def test_late_interest_table(payments, rate, as_of, expected):
    got = late_interest(
        amount=Decimal("100000.00"), due_on=D(2026, 10, 8), payments=payments, rate=Decimal(rate), as_of=as_of
    )
    assert got == Decimal(expected)


def test_partial_then_full_payment_moves_the_arrears_case(make_contract, clerk, travel, sweep):

    contract = make_contract()
    m = deliver(contract, clerk, travel, D(2026, 9, 2))
    travel("2026-10-09")
    sweep(D(2026, 10, 9))
    case = ArrearsCase.objects.get(milestone=m)
    assert (case.status, case.owed, case.due_on, case.identified_on) == (
        "identified",
        Decimal("100000.00"),
        D(2026, 10, 8),
        D(2026, 10, 9),
    )
    travel("2026-10-12")
    payment_record(contract=contract, milestone=m, amount="40000", paid_on=D(2026, 10, 12), acting_user=clerk)
    case.refresh_from_db()
    assert (case.status, case.repaid) == ("in_repayment", Decimal("40000.00"))
    travel("2026-10-22")
    payment_record(contract=contract, milestone=m, amount="60000", paid_on=D(2026, 10, 22), acting_user=clerk)
    case.refresh_from_db()
    m.refresh_from_db()
    assert (case.status, case.repaid, case.resolved_on) == ("resolved", Decimal("100000.00"), D(2026, 10, 22))
    assert m.status == "met_late"
    assert milestone_interest(m, as_of=D(2026, 12, 1)) == Decimal("500.00")


@pytest.mark.parametrize(
    "amount, paid_on, field, code",
    [
        ("0", D(2026, 10, 1), "amount", "invalid"),
        ("100000.01", D(2026, 10, 1), "amount", "overpayment"),
        ("100", D(2026, 12, 1), "paid_on", "invalid"),  # in the future
        ("100", D(2026, 7, 1), "paid_on", "invalid"),  # before signing
    ],
)
def test_bad_payments_are_refused_and_change_nothing(make_contract, clerk, travel, amount, paid_on, field, code):
    contract = make_contract()
    m = deliver(contract, clerk, travel, D(2026, 9, 2))
    travel("2026-10-01")
    with pytest.raises(ValidationFailed) as exc:
        payment_record(contract=contract, milestone=m, amount=amount, paid_on=paid_on, acting_user=clerk)
    assert (exc.value.code, list(exc.value.errors)) == (code, [field])
    m.refresh_from_db()
    assert (m.paid_amount, m.payments.count()) == (Decimal("0"), 0)
