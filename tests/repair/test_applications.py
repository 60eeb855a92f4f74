"""Credit repair applications: 即申即办 instant check, statutory clocks, 补正, decisions."""

import datetime as dt

import pytest
from pypdf import PdfReader

from repair.models import DishonestyRecord, Obligation
from repair.process import application_submit, application_task
from repair.selectors import applications_visible_to as applications_for_user
from repair.services.applications import application_supplement, application_supplement_received
from repair.services.records import record_create, record_publish
from workflow.deadlines import deadlines_for
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Document, Enterprise, OutboxMessage, User
from workflow.selectors import tasks_for_user

D = dt.date
pytestmark = pytest.mark.django_db


def u(name):
    return User.objects.get(username=name)


def record(officer, travel, category="general", number="X市监罚〔2025〕118号", decided="2025-11-30"):
    travel("2025-12-01" if decided < "2025-12-01" else decided)
    r = record_create(
        data={
            "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
            "type": "admin_penalty",
            "category": category,
            "publish": category == "minor",
            "decision_number": number,
            "decided_on": decided,
            "facts": "销售不合格建材。",
            "basis": "《产品质量法》第四十九条",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
        },
        acting_user=officer,
    )
    return record_publish(record=r, acting_user=officer)


def apply(travel, day, records, **over):
    travel(day)
    kwargs = {
        "enterprise": Enterprise.objects.get(uscc="91410100AY4CL12THU"),
        "record_ids": [r.pk for r in records],
        "correction": "已停止销售并召回，罚款已缴清。",
        "proof_held_by_unit": False,
        "commitment": {"signer_name": "张伟", "accepted": True},
        "acting_user": u("enterprise_user"),
    }
    kwargs.update(over)
    return application_submit(**kwargs)


def pdf_text(doc):
    from workflow.documents import document_render

    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def test_not_eligible_is_answered_at_once_with_every_reason_and_the_earliest_date(officer, travel):
    r = record(officer, travel)
    a = apply(travel, "2026-02-20", [r])
    assert (a.status, a.eligible, a.earliest_date) == ("ineligible", False, D(2026, 3, 1))
    assert sorted(x["code"] for x in a.reasons) == ["obligations_open", "too_early"]
    assert not deadlines_for(a).exists()
    assert "信用承诺书" in pdf_text(Document.objects.get(doc_type="credit_commitment"))


def test_accepted_at_once_then_supplement_pauses_the_clock_then_approval(officer, travel):
    r = record(officer, travel)
    a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    assert (a.status, a.accepted_on) == ("accepted", D(2026, 3, 2))
    clocks = {d.purpose: d for d in deadlines_for(a)}
    assert (clocks["accept"].status, clocks["accept"].due_on) == ("met", D(2026, 3, 5))
    assert clocks["feedback"].due_on == D(2026, 3, 16)
    assert [t.task.flow_task.name for t in tasks_for_user(officer)] == ["review"]
    assert tasks_for_user(u("agency_clerk")) == []
    travel("2026-03-04")
    application_supplement(application=a, items="请补充罚款缴纳凭证", acting_user=officer)
    travel("2026-03-10")
    application_supplement_received(application=a, acting_user=u("enterprise_user"))
    # 8 working days were left on 03-04; counting again after 03-10 ends on 03-20.
    assert deadlines_for(a).get(purpose="feedback").due_on == D(2026, 3, 20)
    travel("2026-03-12")
    a = application_task(application=a, step="review", user=officer, approve=True, reason="罚款已缴清，整改到位。")
    r.refresh_from_db()
    assert (a.status, r.status, r.ended_on) == ("approved", "repaired", D(2026, 3, 12))
    assert deadlines_for(a).get(purpose="feedback").status == "met"
    decision = Document.objects.get(doc_type="repair_decision")
    assert decision.doc_number == "X市监信修决〔2026〕1号"
    assert "准予信用修复" in pdf_text(decision) and "X市监罚〔2025〕118号" in pdf_text(decision)
    assert OutboxMessage.objects.get(topic="dishonesty_record.repaired").payload["records"][0]["id"] == r.pk
    assert deadlines_for(a).get(purpose="sync").due_on == D(2026, 3, 17)  # 3 working days
    assert u("enterprise_user").notifications.filter(category="repair.decision").count() == 1


def test_serious_repairs_need_a_supervisor(officer, travel):
    r = record(officer, travel, category="serious", decided="2025-01-10")
    a = apply(travel, "2026-01-12", [r], proof_held_by_unit=True)
    a = application_task(application=a, step="review", user=officer, approve=True, reason="已整改")
    assert a.status == "awaiting_approval"
    r.refresh_from_db()
    assert r.status == "published"
    with pytest.raises(Conflict):
        application_task(application=a, step="approve", user=officer, approve=True, reason="x")
    a = application_task(application=a, step="approve", user=u("supervisor"), approve=True, reason="同意修复")
    r.refresh_from_db()
    assert (a.status, r.status) == ("approved", "repaired")


def test_rejection_gives_a_reasoned_decision(officer, travel):
    r = record(officer, travel)
    a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    a = application_task(application=a, step="review", user=officer, approve=False, reason="罚款尚未缴纳。")
    r.refresh_from_db()
    assert (a.status, r.status) == ("rejected", "published")
    text = pdf_text(Document.objects.get(doc_type="repair_decision"))
    assert "不予信用修复" in text and "罚款尚未缴纳" in text


def test_straight_through_when_everything_is_machine_verifiable(officer, travel):
    r = record(officer, travel, category="minor", number="M-1", decided="2026-06-10")
    Obligation.objects.filter(record=r).update(confirmed_by_unit=True, fulfilled_on=D(2026, 6, 12))
    a = apply(travel, "2026-06-15", [r])
    r.refresh_from_db()
    assert (a.status, r.status, a.decided_on) == ("approved", "repaired", D(2026, 6, 15))
    assert tasks_for_user(officer) == []


def test_bad_applications_change_nothing(officer, travel):
    r = record(officer, travel)
    other = Enterprise.objects.get(uscc="91410105DD272HD1TJ")
    with pytest.raises(ValidationFailed) as exc:
        apply(travel, "2026-03-02", [r], enterprise=other, commitment={"signer_name": "", "accepted": False})
    assert set(exc.value.errors) == {"records", "commitment.signer_name", "commitment.accepted"}
    a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    with pytest.raises(Conflict) as exc:  # still pending: a second open application is refused
        apply(travel, "2026-03-03", [r], proof_held_by_unit=True)
    assert exc.value.code == "application_exists"
    assert list(applications_for_user(u("enterprise_user"))) == [a]
    assert list(applications_for_user(u("enterprise_user2"))) == []
    assert DishonestyRecord.objects.get(pk=r.pk).status == "published"


def test_the_working_day_clocks_cross_the_national_day_holiday(officer, travel):
    r = record(officer, travel, decided="2026-06-29")  # earliest repair 2026-09-29
    a = apply(travel, "2026-09-30", [r], proof_held_by_unit=True)
    clocks = {d.purpose: d for d in deadlines_for(a)}
    # 3 working days: 10-08, 10-09, Saturday 10-10 (an adjusted working day).
    assert clocks["accept"].due_on == D(2026, 10, 10)
    # 10 working days: 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20.
    assert clocks["feedback"].due_on == D(2026, 10, 20)
