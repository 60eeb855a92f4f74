import datetime as dt

import pytest

from repair.metrics import repair_measures
from repair.models import Objection
from repair.process import application_submit, application_task
from repair.services.objections import objection_answer, objection_file
from repair.services.records import record_create, record_publish, record_serve_notices
from workflow.deadlines import deadlines_for
from workflow.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from workflow.models import AuditLog, Enterprise, User

D = dt.date
pytestmark = pytest.mark.django_db


def u(name):
    return User.objects.get(username=name)


def published(officer, travel, number="X市监罚〔2026〕7号", decided="2026-03-02"):
    travel(decided)
    r = record_create(
        data={
            "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
            "type": "admin_penalty",
            "category": "general",
            "decision_number": number,
            "decided_on": decided,
            "facts": "原认定事实。",
            "basis": "《产品质量法》",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "obligations": [],
        },
        acting_user=officer,
    )
    return record_publish(record=r, acting_user=officer)


def test_an_upheld_objection_corrects_the_record_with_history(officer, travel):
    r = published(officer, travel)
    with pytest.raises(NotFound):  # only the subject objects
        objection_file(
            record=r, target="content", text="认定的货值金额有误，应为1.2万元。", acting_user=u("enterprise_user2")
        )
    o = objection_file(
        record=r, target="content", text="认定的货值金额有误，应为1.2万元。", acting_user=u("enterprise_user")
    )
    r.refresh_from_db()
    assert r.under_objection is True
    assert deadlines_for(o).get(purpose="answer").due_on == D(2026, 3, 16)  # 10 working days
    with pytest.raises(Conflict):
        objection_file(record=r, target="period", text="公示期限计算有误，请核查。", acting_user=u("enterprise_user"))
    with pytest.raises(PermissionDenied):
        objection_answer(objection=o, upheld=True, answer="x", acting_user=officer, corrections={"facts": "y"})
    with pytest.raises(ValidationFailed):
        objection_answer(objection=o, upheld=True, answer="成立", acting_user=u("supervisor"))
    travel("2026-03-10")
    o = objection_answer(
        objection=o,
        upheld=True,
        answer="经复核，货值金额应为1.2万元，予以更正。",
        acting_user=u("supervisor"),
        corrections={"facts": "更正后的事实：货值金额1.2万元。"},
    )
    r.refresh_from_db()
    assert (o.status, r.under_objection, r.facts) == ("upheld", False, "更正后的事实：货值金额1.2万元。")
    assert o.changes["facts"] == ["原认定事实。", "更正后的事实：货值金额1.2万元。"]
    assert AuditLog.objects.filter(action="objection.answer", object_id=str(r.pk)).count() == 1
    assert deadlines_for(o).get(purpose="answer").status == "met"


def test_an_upheld_objection_can_revoke_and_a_dismissed_one_changes_nothing(officer, travel):
    r = published(officer, travel)
    o = objection_file(
        record=r, target="content", text="该处罚决定已被行政复议撤销。", acting_user=u("enterprise_user")
    )
    objection_answer(
        objection=o, upheld=True, revoke=True, answer="复议决定已撤销原处罚。", acting_user=u("supervisor")
    )
    r.refresh_from_db()
    assert (r.status, r.ended_on) == ("revoked", D(2026, 3, 2))
    r2 = published(officer, travel, number="B-2")
    o2 = objection_file(
        record=r2, target="period", text="公示期限应自送达之日起计算。", acting_user=u("enterprise_user")
    )
    o2 = objection_answer(
        objection=o2, upheld=False, answer="公示期限自决定作出之日起计算，异议不成立。", acting_user=u("supervisor")
    )
    r2.refresh_from_db()
    assert (o2.status, r2.status, r2.under_objection, o2.changes) == ("dismissed", "published", False, {})


def test_measures(officer, travel):
    a = published(officer, travel, number="M-1", decided="2025-11-03")  # earliest repair 2026-02-03
    published(officer, travel, number="M-2", decided="2025-11-10")
    travel("2025-11-12")
    record_serve_notices(
        record=a, method="in_person", delivered_on=D(2025, 11, 12), recipient="张伟", acting_user=officer
    )
    travel("2026-03-02")
    app = application_submit(
        enterprise=Enterprise.objects.get(uscc="91410100AY4CL12THU"),
        record_ids=[a.pk],
        correction="已整改",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=u("enterprise_user"),
    )
    travel("2026-03-05")
    application_task(application=app, step="review", user=officer, approve=True, reason="整改到位")
    m = repair_measures(start=D(2025, 11, 1), end=D(2026, 3, 31))
    assert (m["records"], m["notices_served"], m["notice_rate"]) == (2, 1, 0.5)
    assert (m["eligible"], m["repaired"], m["repair_rate"]) == (1, 1, 1.0)
    assert (m["accepted_on_time_rate"], m["feedback_on_time_rate"]) == (1.0, 1.0)
    assert m["average_working_days_to_decision"] == 3.0  # 03-03, 03-04, 03-05
    assert Objection.objects.count() == 0
