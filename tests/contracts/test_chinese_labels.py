"""Pages speak Chinese: 请选择 in selects, labels instead of codes, people's names instead of login names
(issue 10, item 4)."""

import datetime as dt
import re

import pytest
from django.test import Client

from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
from contracts.models import Warning
from contracts.services import milestone_record_delivery
from workflow.models import User

D = dt.date
pytestmark = pytest.mark.django_db


def login(name):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(User.objects.get(username=name))
    return c


def options(html: str, name: str, which: int = 0) -> list[str]:
    """The options of the `which`-th select named `name` on the page."""
    selects = re.findall(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert selects, name
    return [o.strip() for o in re.findall(r"<option[^>]*>(.*?)</option>", selects[which], re.S)]


def test_selects_say_please_choose_and_payments_show_the_unpaid_amount_in_chinese(make_contract, travel, clerk):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    html = login("agency_clerk").get(f"/staff/contracts/{c.pk}/").content.decode()
    assert options(html, "milestone", which=-1) == [
        "请选择",
        "第一期付款 · 付款 · 100,000.00（未付 100,000.00 元）",
    ]  # the payment form
    assert options(html, "milestone", which=0)[0] == "请选择"  # the delivery form
    assert "---------" not in html and "outstanding" not in html
    new = login("agency_clerk").get("/staff/contracts/new/").content.decode()
    assert options(new, "kind")[0] == "请选择"
    assert "---------" not in new


def test_disposal_history_names_people_and_steps(make_contract, clerk, travel, sweep):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    travel("2026-10-12")
    supervisor = User.objects.get(username="supervisor")
    case = disposal_open(
        contract=c, warning=Warning.objects.get(rule="payment.overdue"), grounds="货款逾期未付", acting_user=supervisor
    )
    travel("2026-10-20")
    disposal_task_respond(case=case, response="已安排付款", user=clerk)
    disposal_task_review(case=case, outcome="rectified", note="已付清", record_kind=None, user=supervisor)
    html = login("supervisor").get(f"/staff/contracts/disposals/{case.pk}/").content.decode()
    history = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "李文清 · 单位已答复 — 已安排付款" in history
    assert "陈思远 · 监管人员已审核 — 已付清" in history
    assert "陈思远 · 已结案" in history
    for raw in ("disposal.close", "disposal.respond", "disposal.review", "agency_clerk", "supervisor ·"):
        assert raw not in history, raw


def test_contract_history_names_milestones_and_warnings_not_their_codes(make_contract, clerk, travel, sweep):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))  # the payment is overdue: the sweep writes its audit rows
    html = login("agency_clerk").get(f"/staff/contracts/{c.pk}/").content.decode()
    audit = re.search(r'<details class="card" id="audit">(.*?)</details>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", audit).split())
    assert "系统 履约节点逾期（每日巡检） 第一期付款" in text
    assert not re.search(r"\b(milestone|warning|contract)[ .]\w", text), text
