"""Registration deadlines, amendments, and the warning sweep (idempotent, set-based)."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import ArrearsCase, Contract, ContractVersion, Milestone, Warning
from contracts.services import contract_amend, milestone_record_delivery, payment_record, report_submit
from workflow.errors import ValidationFailed
from workflow.models import AuditLog, Notification

D = dt.date
pytestmark = pytest.mark.django_db


def test_registration_sets_the_statutory_dates(make_contract):
    c = make_contract(signed_on="2026-09-29", procurement=True)
    assert (c.status, c.registered_on) == (Contract.Status.REGISTERED, D(2026, 9, 30))
    assert c.register_due_on == D(2026, 10, 14)  # 7 working days: 09-30, 10-08, 09, 10 (Sat), 12, 13, 14
    assert c.publish_due_on == D(2026, 10, 8)  # 2 working days: 09-30, 10-08
    assert c.next_report_due_on == D(2026, 10, 29)  # one month
    assert AuditLog.objects.filter(action="contract.register", object_id=str(c.pk)).count() == 1


@pytest.mark.parametrize(
    "over, field, code",
    [
        ({"payment_term_days": 61}, "payment_term_days", "above_legal_ceiling"),
        (
            {"counterparty": {"name": "x", "uscc": "91410100AY4CL12THX", "size": "small"}},
            "counterparty.uscc",
            "invalid_uscc",
        ),
        ({"amount": "0"}, "amount", "invalid"),
        ({"ends_on": D(2026, 1, 1)}, "ends_on", "invalid"),
        ({"signed_on_future": True}, "signed_on", "invalid"),
    ],
)
def test_bad_contracts_are_refused_and_nothing_is_saved(make_contract, over, field, code):
    if over.pop("signed_on_future", False):
        with pytest.raises(ValidationFailed) as exc:
            make_contract(signed_on="2026-08-03", today="2026-08-01")
    else:
        with pytest.raises(ValidationFailed) as exc:
            make_contract(**over)
    assert (exc.value.code, list(exc.value.errors)) == (code, [field])
    assert Contract.objects.count() == 0 and Milestone.objects.count() == 0


def test_duplicate_number_per_agency(make_contract):
    make_contract(number="HT-1")
    with pytest.raises(ValidationFailed) as exc:
        make_contract(number="HT-1")
    assert exc.value.code == "duplicate_number"
    make_contract(number="HT-1", agency_code="XJYJ")  # another agency may use the same number


def test_amendment_keeps_the_previous_terms(make_contract, clerk):
    c = make_contract()
    c = contract_amend(contract=c, changes={"amount": "320000.00"}, reason="增加养护路段", acting_user=clerk)
    assert (c.amount, c.version) == (Decimal("320000.00"), 2)
    v = ContractVersion.objects.get(contract=c)
    assert (v.version, v.snapshot["amount"], v.reason) == (1, "300000.00", "增加养护路段")
    with pytest.raises(ValidationFailed):
        contract_amend(contract=c, changes={"number": "X"}, reason="改号", acting_user=clerk)


@pytest.fixture
def delivered(make_contract, clerk, travel):
    c = make_contract()
    travel("2026-09-02")
    m = milestone_record_delivery(
        milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk
    )
    assert m.payment_due_on == D(2026, 10, 8)
    return c, m


def warnings(**kw):
    return list(Warning.objects.filter(**kw).values_list("rule", "level", "status").order_by("rule", "id"))


def test_the_sweep_warns_before_and_after_the_due_date(delivered, travel, sweep):
    c, m = delivered
    travel("2026-10-01")
    sweep(D(2026, 10, 1))  # 7 days ahead
    assert warnings(milestone=m) == [("payment.due_soon", 1, "open")]
    travel("2026-10-09")
    sweep(D(2026, 10, 9))
    m.refresh_from_db()
    assert m.status == Milestone.Status.OVERDUE
    assert warnings(milestone=m) == [("payment.due_soon", 1, "resolved"), ("payment.overdue", 2, "open")]
    assert ArrearsCase.objects.filter(milestone=m).count() == 1
    # Running again for the same day, or for a past day, adds nothing.
    sweep(D(2026, 10, 9))
    sweep(D(2026, 10, 2))
    assert Warning.objects.filter(milestone=m).count() == 2
    assert ArrearsCase.objects.count() == 1
    # More than 30 days late: the open warning becomes serious.
    sweep(D(2026, 11, 7))  # 30 days late
    assert warnings(milestone=m, rule="payment.overdue") == [("payment.overdue", 2, "open")]
    sweep(D(2026, 11, 8))  # 31 days late
    assert warnings(milestone=m, rule="payment.overdue") == [("payment.overdue", 3, "open")]


def test_the_clerks_of_the_agency_are_notified_once(delivered, travel, sweep):
    travel("2026-10-09")
    sweep(D(2026, 10, 9))
    sweep(D(2026, 10, 9))
    got = sorted(Notification.objects.filter(category="contract.warning").values_list("recipient__username", flat=True))
    # Two warnings on 10-09: the overdue payment and the missing September report. 交通运输局 has a
    # clerk and a head, each told once per warning however often the sweep runs; 教育局 hears nothing.
    assert sorted(Warning.objects.values_list("rule", flat=True)) == ["payment.overdue", "report.missing"]
    assert got.count("agency_clerk") == 2 and got.count("agency_head") == 2
    assert "agency_clerk2" not in got
    assert any("HT-XJTJ" in t for t in Notification.objects.values_list("title", flat=True))


def test_paying_resolves_the_warning(delivered, clerk, travel, sweep):
    c, m = delivered
    travel("2026-10-09")
    sweep(D(2026, 10, 9))
    travel("2026-10-19")
    payment_record(contract=c, milestone=m, amount="100000", paid_on=D(2026, 10, 19), acting_user=clerk)
    assert warnings(milestone=m, rule="payment.overdue") == [("payment.overdue", 2, "resolved")]
    sweep(D(2026, 10, 20))
    assert Warning.objects.filter(milestone=m, status="open").count() == 0


def test_a_large_payee_gets_warnings_but_no_arrears_case(make_contract, clerk, travel, sweep):
    c = make_contract(
        counterparty={"name": "X市宏图工程建设集团有限公司", "uscc": "91410102JJC171HU49", "size": "large"},
        payment_term_days=30,
    )
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    assert ArrearsCase.objects.count() == 0
    assert Warning.objects.filter(rule="payment.overdue").count() == 1


def test_late_registration_is_warned_once_ever(make_contract, clerk, sweep):
    c = make_contract(signed_on="2026-09-29", today="2026-10-15")  # due 10-14
    sweep(D(2026, 10, 15))
    w = Warning.objects.get(rule="register.late")
    assert (w.contract, w.reference_on, w.level) == (c, D(2026, 10, 14), 1)
    from contracts.services import warning_resolve

    warning_resolve(warning=w, acting_user=clerk, note="已补录")
    sweep(D(2026, 10, 16))
    assert Warning.objects.filter(rule="register.late").count() == 1


def test_missing_report_and_ended_term(make_contract, clerk, travel, sweep):
    c = make_contract(signed_on="2026-08-03", ends_on=D(2026, 9, 30))
    # First report due one month after signing: 09-03.
    sweep(D(2026, 9, 3))
    assert Warning.objects.filter(rule="report.missing").count() == 0
    sweep(D(2026, 9, 4))
    assert warnings(contract=c, rule="report.missing") == [("report.missing", 1, "open")]
    travel("2026-09-05")
    report_submit(contract=c, period_start=D(2026, 8, 3), progress="按计划推进", acting_user=clerk)
    assert warnings(contract=c, rule="report.missing") == [("report.missing", 1, "resolved")]
    c.refresh_from_db()
    assert c.next_report_due_on == D(2026, 10, 8)  # period ends 09-03; a month later is 10-03, a holiday
    sweep(D(2026, 10, 1))
    assert warnings(contract=c, rule="term.ended") == [("term.ended", 1, "open")]
