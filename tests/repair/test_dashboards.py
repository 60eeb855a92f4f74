"""The workbench chart of credit repair: exact figures on known data, and who sees which units."""

import datetime as dt

import pytest

from repair.process import application_submit, application_task
from repair.services.records import record_create, record_publish, record_serve_notices
from tests.factories import UserFactory
from workflow import roles
from workflow.models import Agency, Enterprise, User

D = dt.date
pytestmark = pytest.mark.django_db

URL = "/staff/repair/dashboard/measures.json"


def u(name):
    return User.objects.get(username=name)


def published(officer, travel, number, decided, uscc="91410100AY4CL12THU", name="X市恒信建材有限公司"):
    travel(decided)
    r = record_create(
        data={
            "subject": {"uscc": uscc, "name": name},
            "type": "admin_penalty",
            "category": "general",
            "decision_number": number,
            "decided_on": decided,
            "facts": "原认定事实。",
            "basis": "《产品质量法》",
            "subject_address": "X市东区建材大道66号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "obligations": [],
        },
        acting_user=officer,
    )
    return record_publish(record=r, acting_user=officer)


@pytest.fixture
def two_units(officer, travel):
    """市场监管局 (penalty_officer): two records, one notice served, one application approved in 3 working
    days. 交通运输局 (its own penalty officer): one record, no notice, no application."""
    a = published(officer, travel, "M-1", "2025-11-03")
    published(officer, travel, "M-2", "2025-11-10")
    travel("2025-11-12")
    record_serve_notices(
        record=a, method="in_person", delivered_on=D(2025, 11, 12), recipient="张伟", acting_user=officer
    )
    transport = UserFactory(role=roles.PENALTY_OFFICER, agency=Agency.objects.get(code="XJTJ"))
    published(transport, travel, "J-1", "2025-12-01", uscc="91410105DD272HD1TJ", name="X市明达软件科技有限公司")
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
    return transport


def figures(payload):
    return {k["label"]: k["value"] for k in payload["kpis"]}


def series(chart):
    return {s["name"]: s["data"] for s in chart["series"]}


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_supervisor_sees_every_unit(client, two_units):
    r = get(client, u("supervisor"), period="2025-11-01..2026-03-31")
    assert r.status_code == 200
    data = r.json()
    assert figures(data) == {
        "认定失信信息": 3,
        "已送达修复告知书": 1,
        "告知率": 1 / 3,
        "信用修复申请": 1,
        "准予修复": 1,
        "修复率": 1.0,
        "按时受理": 1.0,
        "按时办结": 1.0,
        "平均办结工作日": 3.0,  # 03-03, 03-04, 03-05
    }
    by_unit, days = data["charts"]
    assert by_unit["categories"] == ["X市交通运输局", "X市市场监督管理局"]  # by code: XJTJ, XSCJ
    s = series(by_unit)
    assert (s["认定失信信息"], s["已送达修复告知书"], s["信用修复申请"], s["准予修复"]) == (
        [1, 2],
        [0, 1],
        [0, 1],
        [0, 1],
    )
    assert (s["告知率"], s["修复率"]) == ([0.0, 0.5], [None, 1.0])
    assert series(days) == {"平均办结工作日": [None, 3.0]}


def test_the_penalty_unit_sees_its_notices_applications_and_timeliness(client, two_units, officer):
    data = get(client, officer, period="2025-11-01..2026-03-31").json()
    f = figures(data)
    assert (f["认定失信信息"], f["已送达修复告知书"], f["告知率"]) == (2, 1, 0.5)
    assert (f["信用修复申请"], f["按时受理"], f["按时办结"]) == (1, 1.0, 1.0)
    assert data["charts"][0]["categories"] == ["X市市场监督管理局"]


def test_an_agency_head_sees_their_own_agency_only(client, two_units):
    data = get(client, u("agency_head"), period="2025-11-01..2026-03-31").json()  # 交通运输局
    f = figures(data)
    assert (f["认定失信信息"], f["已送达修复告知书"], f["告知率"], f["信用修复申请"]) == (1, 0, 0.0, 0)
    assert data["charts"][0]["categories"] == ["X市交通运输局"]


@pytest.mark.parametrize("username", ["enterprise_user", "agency_clerk", "window_clerk", "complaint_officer"])
def test_other_roles_are_refused(client, demo, username):
    r = get(client, u(username))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
