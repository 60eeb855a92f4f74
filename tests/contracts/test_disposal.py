"""Disposal (处置) as a viewflow process: notice, response, review, record and letter."""

import datetime as dt

import pytest
from pypdf import PdfReader

from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
from contracts.disposal.selectors import disposal_current_step
from contracts.models import Contract, DisposalCase, GovernmentDishonestyRecord, Warning
from contracts.services import milestone_record_delivery
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Document, OutboxMessage, User
from workflow.selectors import tasks_for_user

D = dt.date
pytestmark = pytest.mark.django_db


def u(name):
    return User.objects.get(username=name)


@pytest.fixture
def overdue(make_contract, clerk, travel, sweep):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    return c, Warning.objects.get(rule="payment.overdue")


@pytest.fixture
def opened(overdue, travel):
    contract, warning = overdue
    travel("2026-10-12")
    case = disposal_open(
        contract=contract, warning=warning, grounds="第一期货款100,000.00元逾期未付。", acting_user=u("supervisor")
    )
    return case


def pdf_text(doc):
    from workflow.documents import document_render

    document_render(doc.pk)  # the q2 task queued on commit; the test transaction never commits
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(fh).pages).replace("\n", "")


def test_opening_issues_the_rectification_notice(opened):
    case = opened
    assert case.rectification_due_on == D(2026, 10, 27)  # 10-12 + 15 days, a Tuesday
    case.contract.refresh_from_db()
    case.warning.refresh_from_db()
    assert (case.contract.status, case.warning.status) == (Contract.Status.IN_DISPOSAL, Warning.Status.ESCALATED)
    notice = Document.objects.get(doc_type="rectification_notice")
    assert notice.doc_number == "X发改信用整改〔2026〕1号"
    text = pdf_text(notice)
    assert "整改通知书" in text and "HT-XJTJ-2026-08-03" in text and "2026年10月27日" in text


def test_the_response_task_is_in_the_right_queue_only(opened):
    case = opened
    assert [r.task.flow_task.name for r in tasks_for_user(u("agency_clerk"))] == ["respond"]
    assert tasks_for_user(u("agency_clerk2")) == []
    assert tasks_for_user(u("supervisor")) == []
    assert disposal_current_step(case=case, user=u("agency_head")) == "respond"
    with pytest.raises(Conflict):
        disposal_task_respond(case=case, response="已付款", user=u("agency_clerk2"))


def test_dishonest_outcome_records_writes_the_letter_and_tells_the_platform(opened, travel):
    case = opened
    travel("2026-10-20")
    with pytest.raises(ValidationFailed):
        disposal_task_respond(case=case, response="  ", user=u("agency_clerk"))
    disposal_task_respond(case=case, response="资金正在筹措，预计11月底前支付。", user=u("agency_clerk"))
    assert disposal_current_step(case=case, user=u("supervisor")) == "review"
    travel("2026-10-28")
    with pytest.raises(ValidationFailed) as exc:
        disposal_task_review(case=case, outcome="dishonest", note="未按期整改", record_kind=None, user=u("supervisor"))
    assert exc.value.errors == {"record_kind": [exc.value.message]}
    assert disposal_current_step(case=case, user=u("supervisor")) == "review"  # nothing half-done
    disposal_task_review(
        case=case, outcome="dishonest", note="整改期满仍未支付。", record_kind="arrears", user=u("supervisor")
    )
    case.refresh_from_db()
    assert (case.outcome, case.closed_on) == ("dishonest", D(2026, 10, 28))
    record = GovernmentDishonestyRecord.objects.get()
    assert (record.agency.code, record.kind, record.decided_on) == ("XJTJ", "arrears", D(2026, 10, 28))
    case.contract.refresh_from_db()
    assert case.contract.status == Contract.Status.BREACHED
    letter = Document.objects.get(doc_type="supervision_letter")
    assert letter.doc_number == "X发改信用督办〔2026〕1号"
    assert "督办函" in pdf_text(letter) and "整改期满仍未支付" in pdf_text(letter)
    message = OutboxMessage.objects.get(topic="government_dishonesty_record")
    assert (message.payload["kind"], message.payload["agency"]["code"]) == ("arrears", "XJTJ")
    assert tasks_for_user(u("supervisor")) == [] and tasks_for_user(u("agency_clerk")) == []


def test_rectified_outcome_puts_the_contract_back(opened, travel):
    case = opened
    travel("2026-10-20")
    disposal_task_respond(case=case, response="已于10月19日全额支付。", user=u("agency_head"))
    disposal_task_review(
        case=case, outcome="rectified", note="已核实支付凭证。", record_kind=None, user=u("supervisor")
    )
    case.refresh_from_db()
    case.contract.refresh_from_db()
    assert (case.outcome, case.contract.status) == ("rectified", Contract.Status.PERFORMING)
    assert GovernmentDishonestyRecord.objects.count() == 0
    assert not Document.objects.filter(doc_type="supervision_letter").exists()


def test_only_supervisors_open_and_only_once(overdue, travel):
    contract, warning = overdue
    travel("2026-10-12")
    with pytest.raises(PermissionDenied):
        disposal_open(contract=contract, grounds="x", acting_user=u("agency_clerk"))
    disposal_open(contract=contract, grounds="逾期未付", acting_user=u("supervisor"))
    with pytest.raises(Conflict):
        disposal_open(contract=contract, grounds="再次", acting_user=u("supervisor"))
    assert DisposalCase.objects.count() == 1


def test_the_rectification_deadline_is_a_viewflow_timer_fed_by_our_calendar(opened, travel):
    from workflow.models import AuditLog
    from workflow.tasks import fire_workflow_timers

    case = opened  # rectify by Tuesday 2026-10-27: the timer is due at 00:00 on the 28th, Asia/Shanghai
    travel("2026-10-27")
    assert fire_workflow_timers()["timers"] == 0
    assert disposal_current_step(case=case, user=u("agency_clerk")) == "respond"
    travel("2026-10-28")
    assert fire_workflow_timers()["timers"] == 1
    assert fire_workflow_timers()["timers"] == 0  # fired once
    # The agency's task is interrupted and the supervisor reviews the case without a response.
    assert disposal_current_step(case=case, user=u("agency_clerk")) is None
    assert disposal_current_step(case=case, user=u("supervisor")) == "review"
    assert AuditLog.objects.filter(action="disposal.no_response", object_id=str(case.pk)).count() == 1
    disposal_task_review(
        case=case, outcome="dishonest", note="逾期未整改，也未作出说明。", record_kind="arrears", user=u("supervisor")
    )
    case.refresh_from_db()
    assert (case.outcome, case.responded_on) == ("dishonest", None)
