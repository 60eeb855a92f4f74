"""Every step of the contracts floor tells the next actor, and only them (issue 10, item 2)."""

import datetime as dt

import pytest
from django.core import mail

from contracts.complaints.process import complaint_submit, complaint_task
from contracts.disposal.process import disposal_open, disposal_task_respond
from contracts.models import Warning
from contracts.services import milestone_record_delivery, warning_escalate
from workflow.models import Agency, Notification, PartyMessage, User
from workflow.notifications import party_message_send

D = dt.date
pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    def send(self, mobile, text):
        SENT_SMS.append((mobile, text))


@pytest.fixture
def sms(settings):
    settings.GOVCREDIT_SMS_BACKEND = f"{__name__}.RecordingSmsBackend"
    SENT_SMS.clear()
    return SENT_SMS


def u(name):
    return User.objects.get(username=name)


def told(category):
    """{username: (title, case_code, party, step, due_on)} of the notifications of `category`."""
    return {
        n.recipient.username: (n.title, n.case_code, n.party, n.step, n.due_on)
        for n in Notification.objects.filter(category=category).select_related("recipient")
    }


@pytest.fixture
def overdue(make_contract, clerk, travel, sweep):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    return c, Warning.objects.get(rule="payment.overdue")


def test_a_new_warning_tells_the_agencys_clerk_and_head_with_the_case(overdue):
    warned = {u: v for u, v in told("contract.warning").items() if "付款逾期" in v[0]}
    assert set(warned) == {"agency_clerk", "agency_head"}  # not 教育局's clerk, not the supervisor
    assert warned["agency_clerk"][1:] == (
        "HT-XJTJ-2026-08-03",
        "X市恒信建材有限公司",
        "处理预警（确认、化解或提请督办）",
        None,
    )


def test_escalation_tells_the_supervisors_only(overdue, travel, clerk, django_capture_on_commit_callbacks):
    contract, warning = overdue
    travel("2026-10-10")
    with django_capture_on_commit_callbacks(execute=True):
        warning_escalate(warning=warning, acting_user=clerk, note="财政资金未到位，请求督办")
    assert told("warning.escalated") == {
        "supervisor": (
            "合同HT-XJTJ-2026-08-03的预警已由李文清提请督办",
            "HT-XJTJ-2026-08-03",
            "X市交通运输局",
            "决定是否督办",
            None,
        )
    }
    assert [m.to for m in mail.outbox if "提请督办" in m.subject] == [["supervisor@demo.govcredit.local"]]


def test_opening_a_disposal_tells_the_agency_staff_and_the_answer_tells_the_supervisor(overdue, travel):
    contract, warning = overdue
    travel("2026-10-12")
    case = disposal_open(contract=contract, warning=warning, grounds="货款逾期未付。", acting_user=u("supervisor"))
    opened = told("disposal.opened")
    assert set(opened) == {"agency_clerk", "agency_head"}  # 交通运输局; not 教育局's clerk, not the supervisor
    assert opened["agency_clerk"] == (
        "合同HT-XJTJ-2026-08-03已启动处置：请于2026-10-27前整改",
        "HT-XJTJ-2026-08-03",
        "X市交通运输局",
        "答复整改通知书",
        D(2026, 10, 27),
    )
    travel("2026-10-20")
    disposal_task_respond(case=case, response="已于10月19日付清。", user=u("agency_clerk"))
    assert told("disposal.answered") == {
        "supervisor": (
            "X市交通运输局已对合同HT-XJTJ-2026-08-03的整改通知作出回应",
            "HT-XJTJ-2026-08-03",
            "X市交通运输局",
            "审核整改情况",
            None,
        )
    }


BODY = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "respondent": {"agency": "XJTJ"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}


@pytest.fixture
def complaint(demo, travel):
    travel("2026-09-14")
    return complaint_submit(data=BODY, ip="203.0.113.9")


def test_acceptance_tells_the_complaint_officer_and_texts_the_complainant(
    complaint, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint_task(complaint=complaint, step="accept", user=u("complaint_officer"))
    code = complaint.code
    accepted = told("complaint.accepted")
    assert accepted == {
        "complaint_officer": (
            f"投诉{code}已受理：请于2026-09-28前转交办理单位",
            code,
            "X市恒信建材有限公司",
            "将投诉转办至办理单位",
            D(2026, 9, 28),
        ),
        # the complainant's own account (张伟 of 恒信建材) sees it in-app too
        "enterprise_user": (f"您的投诉{code}已受理。", code, "X市恒信建材有限公司", "", None),
    }
    assert sms == [("13812345678", f"您的投诉{code}已受理。")]


def test_the_complainants_mobile_never_enters_the_job_queue_and_a_repeated_job_texts_once(
    complaint, sms, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("workflow.jobs.enqueue", lambda func, *args, **kw: queued.append((func, args, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        complaint_task(complaint=complaint, step="accept", user=u("complaint_officer"))
    party_jobs = [(args, kw) for func, args, kw in queued if func == "workflow.tasks.party_message_send"]
    assert len(party_jobs) == 1
    assert "13812345678" not in repr(queued)
    (message_id,), _ = party_jobs[0]
    assert party_message_send(message_id) is True
    assert party_message_send(message_id) is False  # q2 delivering the task twice texts once
    assert sms == [("13812345678", f"您的投诉{complaint.code}已受理。")]
    assert PartyMessage.objects.get(pk=message_id).sent_at is not None


def test_transfer_tells_the_handling_body_only(complaint, sms, django_capture_on_commit_callbacks):
    complaint_task(complaint=complaint, step="accept", user=u("complaint_officer"))
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_task(
            complaint=complaint, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ")
        )
    transferred = told("complaint.transferred")
    assert set(transferred) == {"agency_clerk", "agency_head", "enterprise_user"}  # not 教育局's clerk
    assert transferred["agency_head"][1:] == (complaint.code, "X市恒信建材有限公司", "办理投诉", D(2026, 10, 14))
    assert sms == [("13812345678", f"您的投诉{complaint.code}已转交X市交通运输局办理。")]


def test_the_written_answer_tells_the_complainant_and_the_officer(
    complaint, travel, sms, django_capture_on_commit_callbacks
):
    complaint_task(complaint=complaint, step="accept", user=u("complaint_officer"))
    complaint_task(
        complaint=complaint, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ")
    )
    travel("2026-09-30")
    complaint_task(
        complaint=complaint,
        step="handle",
        user=u("agency_clerk"),
        findings="经核实，货款确未支付。",
        amount_confirmed="180000.00",
        disputed=False,
    )
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_task(complaint=complaint, step="feedback", user=u("agency_clerk"), text="我局将于10月底前付清。")
    answered = told("complaint.answered")
    assert set(answered) == {"complaint_officer", "enterprise_user"}
    assert answered["complaint_officer"][0] == f"投诉{complaint.code}已由X市交通运输局答复"
    assert sms == [("13812345678", f"您的投诉{complaint.code}已书面答复，请对办理情况作出评价。")]


def test_an_overdue_handling_tells_the_handling_body_officers_and_supervisors(complaint, sweep):
    complaint_task(complaint=complaint, step="accept", user=u("complaint_officer"))
    complaint_task(
        complaint=complaint, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ")
    )
    sweep(D(2026, 10, 15))
    sweep(D(2026, 10, 16))  # told once
    late = told("complaint.overdue")
    assert set(late) == {"agency_clerk", "agency_head", "complaint_officer", "supervisor"}
    assert Notification.objects.filter(category="complaint.overdue").count() == 4
    title, code, party, step, due = late["agency_clerk"]
    assert (code, party, step, due) == (complaint.code, "X市恒信建材有限公司", "办理投诉", D(2026, 10, 14))
    assert "handle" not in title and "办理投诉" in title


def test_a_clock_ending_within_three_working_days_reminds_its_owner_once_a_day(complaint, sweep):
    # The acceptance clock runs from 09-14 and ends on Monday 09-28 (10 working days); 中秋 rests 09-25..27.
    sweep(D(2026, 9, 21))  # 09-22, 23, 24, 28 left: 4 working days, too early
    assert told("deadline.soon") == {}
    sweep(D(2026, 9, 22))  # 3 working days left
    sweep(D(2026, 9, 22))  # the same day again: nothing new
    soon = Notification.objects.filter(category="deadline.soon")
    assert [(n.recipient.username, n.due_on, n.case_code, n.party) for n in soon] == [
        ("complaint_officer", D(2026, 9, 28), complaint.code, "X市恒信建材有限公司")
    ]
    assert soon.get().title == f"{complaint.code}：“决定是否受理投诉”将于2026-09-28到期（剩余3个工作日）"
    sweep(D(2026, 9, 23))  # the next day: told again, 2 left
    soon = Notification.objects.filter(category="deadline.soon")
    assert soon.count() == 2
    assert soon.order_by("-id").first().title.endswith("（剩余2个工作日）")
    # No one else is reminded of it.
    assert set(soon.values_list("recipient__username", flat=True)) == {"complaint_officer"}
