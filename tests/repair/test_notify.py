"""Every step of credit repair tells the next actor, and only them (issue 10, item 2)."""

import datetime as dt

import pytest

from repair.process import application_task
from repair.services.applications import application_supplement, application_supplement_received
from tests.repair.test_applications import apply, record
from workflow.models import Notification, User

D = dt.date
pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, mobile, text):
        SENT_SMS.append((mobile, text))


@pytest.fixture
def sms(settings, demo):
    settings.GOVCREDIT_SMS_BACKEND = f"{__name__}.RecordingSmsBackend"
    SENT_SMS.clear()
    User.objects.filter(username="enterprise_user").update(mobile="13900001111")
    return SENT_SMS


def u(name):
    return User.objects.get(username=name)


def told(category):
    return {
        n.recipient.username: (n.title, n.case_code, n.party, n.step, n.due_on)
        for n in Notification.objects.filter(category=category).select_related("recipient")
    }


@pytest.fixture
def accepted(officer, travel, sms, django_capture_on_commit_callbacks):
    r = record(officer, travel)
    with django_capture_on_commit_callbacks(execute=True):
        a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    return a


def test_acceptance_tells_the_enterprise_and_the_deciding_units_officers(accepted, sms):
    a = accepted
    code = f"第 {a.pk} 号信用修复申请"
    assert told("repair.accepted") == {
        "enterprise_user": (
            f"{code}已受理，将于2026-03-16前告知修复结果",
            code,
            "X市恒信建材有限公司",
            "审核信用修复申请",
            None,
        ),
        "penalty_officer": (
            f"X市恒信建材有限公司的{code}已受理，请于2026-03-16前审核",
            code,
            "X市恒信建材有限公司",
            "审核信用修复申请",
            D(2026, 3, 16),
        ),
    }
    assert sms == [
        (
            "13900001111",
            f"{code}已受理，将于2026-03-16前告知修复结果 http://127.0.0.1:8000/staff/repair/applications/{a.pk}/",
        )
    ]


def test_supplement_requested_tells_the_enterprise_and_received_tells_the_officer(
    accepted, officer, travel, sms, django_capture_on_commit_callbacks
):
    a = accepted
    sms.clear()
    travel("2026-03-04")
    with django_capture_on_commit_callbacks(execute=True):
        application_supplement(application=a, items="请补充罚款缴纳凭证", acting_user=officer)
    assert set(told("repair.supplement")) == {"enterprise_user"}
    title, code, party, step, due = told("repair.supplement")["enterprise_user"]
    assert (title, step, due) == (f"{code}需补正材料：请补充罚款缴纳凭证", "补正材料", None)
    assert [m for m, _t in sms] == ["13900001111"]
    travel("2026-03-10")
    application_supplement_received(application=a, acting_user=u("enterprise_user"))
    received = told("repair.supplement_received")
    assert set(received) == {"penalty_officer"}  # not the enterprise, not the supervisor
    # The clock runs again: 8 working days were left on 03-04, counted again after 03-10.
    assert received["penalty_officer"][0] == f"X市恒信建材有限公司的{code}：补正材料已提交"
    assert received["penalty_officer"][4] == D(2026, 3, 20)


def test_the_decision_tells_the_enterprise_only(accepted, officer, travel, sms, django_capture_on_commit_callbacks):
    a = accepted
    sms.clear()
    travel("2026-03-12")
    with django_capture_on_commit_callbacks(execute=True):
        application_task(application=a, step="review", user=officer, approve=True, reason="罚款已缴清，整改到位。")
    code = f"第 {a.pk} 号信用修复申请"
    assert told("repair.decision") == {
        "enterprise_user": (f"{code}：您的信用已修复。", code, "X市恒信建材有限公司", "出具决定", None)
    }
    assert sms == [("13900001111", f"{code}：您的信用已修复。 http://127.0.0.1:8000/staff/repair/applications/{a.pk}/")]


def test_a_refusal_says_so(officer, travel, demo):
    r = record(officer, travel)
    a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    application_task(application=a, step="review", user=officer, approve=False, reason="罚款尚未缴纳。")
    assert (
        told("repair.decision")["enterprise_user"][0] == f"第 {a.pk} 号信用修复申请：申请未获准予修复，理由详见决定书。"
    )


def test_a_serious_case_proposed_for_repair_tells_the_supervisors_only(officer, travel, demo):
    r = record(officer, travel, category="serious", decided="2025-01-10")
    a = apply(travel, "2026-01-12", [r], proof_held_by_unit=True)
    application_task(application=a, step="review", user=officer, approve=True, reason="已整改")
    asked = told("repair.approval")
    assert set(asked) == {"supervisor"}
    title, code, party, step, due = asked["supervisor"]
    assert title == f"X市恒信建材有限公司的{code}：认定单位拟准予修复，请审批"
    assert step == "批准严重失信信息的信用修复"
    assert told("repair.decision") == {}  # not decided yet
