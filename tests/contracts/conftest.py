import datetime as dt

import pytest
from django.core.management import call_command

from contracts.services import contract_register, milestone_record_delivery, payment_record
from workflow.models import Agency, User


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def clerk(demo):
    return User.objects.get(username="agency_clerk")


@pytest.fixture
def make_contract(demo, clerk, travel):
    """Register a contract through the service; today defaults to the day after signing."""

    def _make(agency_code="XJTJ", signed_on="2026-08-03", today=None, milestones=None, **over):
        travel(today or (dt.date.fromisoformat(signed_on) + dt.timedelta(days=1)).isoformat())
        data = {
            "number": over.pop("number", f"HT-{agency_code}-{signed_on}"),
            "title": "道路养护服务采购",
            "kind": "services",
            "procurement": False,
            "counterparty": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
            "amount": "300000.00",
            "signed_on": dt.date.fromisoformat(signed_on),
            "ends_on": dt.date(2027, 8, 2),
            "payment_term_days": None,
            "milestones": milestones
            if milestones is not None
            else [
                {"kind": "delivery", "title": "第一批交付", "amount": None, "planned_on": dt.date(2026, 9, 1)},
                {"kind": "payment", "title": "第一期付款", "amount": "100000.00", "planned_on": dt.date(2026, 10, 1)},
            ],
            **over,
        }
        return contract_register(agency=Agency.objects.get(code=agency_code), data=data, acting_user=clerk)

    return _make


@pytest.fixture
def sweep(travel):
    """Run the daily sweep as the scheduler would on `day` (the clock moves there first)."""
    from workflow.sweeps import sweep_run

    def _sweep(day):
        travel(day.isoformat())
        return sweep_run(as_of=day)

    return _sweep


def _payment(amount):
    return [{"kind": "payment", "title": "货款", "amount": amount, "planned_on": dt.date(2026, 8, 1)}]


@pytest.fixture
def q3(make_contract, clerk, travel, sweep):
    """交通运输局 in 2026 Q3: one contract registered and paid on time, one late on both counts."""
    a = make_contract(number="A", signed_on="2026-07-01", milestones=_payment("100000.00"))
    b = make_contract(number="B", signed_on="2026-07-10", today="2026-07-25", milestones=_payment("50000.00"))
    ma, mb = a.milestones.get(), b.milestones.get()
    travel("2026-07-20")
    milestone_record_delivery(milestone=ma, delivered_on=dt.date(2026, 7, 6), acting_user=clerk)  # due 08-05
    milestone_record_delivery(milestone=mb, delivered_on=dt.date(2026, 7, 20), acting_user=clerk)  # due 08-19
    travel("2026-08-05")
    payment_record(contract=a, milestone=ma, amount="100000", paid_on=dt.date(2026, 8, 5), acting_user=clerk)
    sweep(dt.date(2026, 8, 20))  # B overdue, arrears case opened
    travel("2026-08-25")
    payment_record(contract=b, milestone=mb, amount="30000", paid_on=dt.date(2026, 8, 25), acting_user=clerk)
    travel("2026-10-10")
    payment_record(contract=b, milestone=mb, amount="20000", paid_on=dt.date(2026, 10, 10), acting_user=clerk)
    travel("2026-11-01")
