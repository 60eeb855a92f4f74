"""Twenty clerks record the whole of one overdue payable at the same moment (PostgreSQL, one connection a
thread): it is paid once. The payment locks its milestone, so a second full payment finds nothing left
and is refused as an overpayment; the evaluation's past-period figures (KpiEventMonth) rely on this."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import ArrearsCase, Payment
from contracts.services import milestone_record_delivery, payment_record
from tests.concurrency.race import race
from tests.contracts.test_kpi_figures import assert_kept
from workflow.errors import ValidationFailed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

D = dt.date


def test_twenty_clerks_paying_one_overdue_payable_in_full_at_once_pay_it_once(make_contract, clerk, travel, sweep):
    contract = make_contract(
        number="RACE-PAY",
        signed_on="2026-07-01",
        milestones=[{"kind": "payment", "title": "货款", "amount": "100000.00", "planned_on": D(2026, 8, 1)}],
    )
    milestone = contract.milestones.get()
    travel("2026-07-31")
    milestone_record_delivery(milestone=milestone, delivered_on=D(2026, 7, 6), acting_user=clerk)  # due 08-05
    sweep(D(2026, 8, 20))  # overdue: an arrears case of 100,000
    travel("2026-08-25")

    outcomes = race(
        20,
        lambda i: payment_record(
            contract=contract, milestone=milestone, amount="100000", paid_on=D(2026, 8, 25), acting_user=clerk
        ),
    )

    paid = [o for o in outcomes if isinstance(o, Payment)]
    refused = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert (len(paid), len(refused)) == (1, 19), outcomes
    assert {e.code for e in refused} == {"overpayment"}
    assert Payment.objects.filter(milestone=milestone).count() == 1
    milestone.refresh_from_db()
    assert (milestone.paid_amount, milestone.status, milestone.completed_on) == (
        Decimal("100000.00"),
        "met_late",
        D(2026, 8, 25),
    )
    case = ArrearsCase.objects.get(milestone=milestone)
    assert (case.status, case.repaid, case.resolved_on) == ("resolved", Decimal("100000.00"), D(2026, 8, 25))
    assert_kept()  # the kept KPI figures, the event months included, equal a fresh GROUP BY
