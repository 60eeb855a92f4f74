"""Policy numbers that used to be literals — the rectification period, the "due soon" horizon and the
warning levels — are rule rows: a supervisor's change to the row changes what the system does."""

import datetime as dt

import pytest

from contracts.disposal.process import disposal_open
from contracts.disposal.views import OpenForm
from contracts.models import Warning
from contracts.services import milestone_record_delivery
from workflow.errors import ValidationFailed
from workflow.models import Rule, User
from workflow.rules import rule_in_force, rule_update

D = dt.date
pytestmark = pytest.mark.django_db


def u(name):
    return User.objects.get(username=name)


def change_rule(code, on, **data):
    rule_update(rule=rule_in_force(code, on), data=data, acting_user=u("supervisor"), reason="政策调整")


@pytest.fixture
def delivered(make_contract, clerk, travel):
    c = make_contract()
    travel("2026-09-02")
    m = milestone_record_delivery(
        milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk
    )
    assert m.payment_due_on == D(2026, 10, 8)
    return c, m


def test_the_rules_carry_their_basis_and_are_marked_unverified_local_policy(demo):
    for code in ("contract.disposal.rectify", "warning.payment.due_soon", "warning.levels.payment.overdue"):
        rule = rule_in_force(code, D(2026, 11, 30))
        assert rule.local_policy and not rule.verified and rule.basis_document, code
    rectify = rule_in_force("contract.disposal.rectify", D(2026, 11, 30))
    assert (rectify.amount, rectify.ceiling, rectify.unit, rectify.kind) == (15, 90, "calendar_days", "deadline")
    assert rule_in_force("warning.payment.due_soon", D(2026, 11, 30)).amount == 7
    assert rule_in_force("warning.levels.payment.overdue", D(2026, 11, 30)).params == {"levels": [[30, 3], [0, 2]]}


def test_the_rectification_period_and_its_ceiling_come_from_the_rule(delivered, travel):
    contract, _m = delivered
    travel("2026-10-12")
    assert OpenForm().fields["rectification_days"].initial == 15
    with pytest.raises(ValidationFailed) as exc:
        disposal_open(contract=contract, grounds="货款逾期未付。", acting_user=u("supervisor"), rectification_days=91)
    assert (exc.value.code, list(exc.value.errors)) == ("invalid", ["rectification_days"])
    assert str(exc.value.message).startswith("整改期限应为 1 至 90 日（")
    change_rule("contract.disposal.rectify", D(2026, 10, 12), amount=20, ceiling=60)
    assert OpenForm().fields["rectification_days"].initial == 20
    with pytest.raises(ValidationFailed):
        disposal_open(contract=contract, grounds="货款逾期未付。", acting_user=u("supervisor"), rectification_days=61)
    case = disposal_open(contract=contract, grounds="货款逾期未付。", acting_user=u("supervisor"))
    # 10-12 + 20 days = Sunday 11-01: the last day moves to Monday 11-02.
    assert (case.rectification_days, case.rectification_due_on) == (20, D(2026, 11, 2))


def test_the_due_soon_horizon_comes_from_the_rule(delivered, sweep):
    _c, m = delivered
    sweep(D(2026, 9, 28))  # 10 days ahead: outside the 7 days
    assert not Warning.objects.filter(milestone=m).exists()
    change_rule("warning.payment.due_soon", D(2026, 9, 28), amount=10)
    sweep(D(2026, 9, 28))
    assert list(Warning.objects.filter(milestone=m).values_list("rule", "level")) == [("payment.due_soon", 1)]


def test_the_warning_levels_come_from_the_rule(delivered, sweep):
    _c, m = delivered
    sweep(D(2026, 10, 19))  # 11 days late
    w = Warning.objects.get(milestone=m, rule="payment.overdue")
    assert w.level == 2
    change_rule("warning.levels.payment.overdue", D(2026, 10, 19), params={"levels": [[10, 3], [0, 2]]})
    sweep(D(2026, 10, 19))
    w.refresh_from_db()
    assert w.level == 3
    assert Rule.objects.get(code="warning.levels.payment.overdue").params == {"levels": [[10, 3], [0, 2]]}


def test_the_supervision_notice_reads_its_reporting_time_from_the_rule(demo):
    """The draft 督办书 asks for a report within `complaint.supervision.report` working days (local policy)."""
    import datetime as dt

    from contracts.complaints.services import supervision_notice_text
    from contracts.models import Complaint
    from workflow.models import Agency, Enterprise

    rule = Rule.objects.get(code="complaint.supervision.report")
    assert (rule.amount, rule.unit, rule.local_policy, rule.verified) == (5, "working_days", True, False)
    complaint = Complaint(
        code="TS20260914AAAAAA",
        complainant=Enterprise.objects.first(),
        handling_agency=Agency.objects.get(code="XJTJ"),
        transferred_on=dt.date(2026, 9, 14),
    )
    assert "之日起5个工作日内办结" in supervision_notice_text(complaint, dt.date(2026, 10, 14))
    change_rule("complaint.supervision.report", dt.date(2026, 10, 14), amount=3)
    assert "之日起3个工作日内办结" in supervision_notice_text(complaint, dt.date(2026, 10, 14))
