import datetime as dt
import re

import pytest
from django.test import Client

from contracts.models import DisposalCase
from contracts.services import milestone_record_delivery
from workflow.models import User

D = dt.date
pytestmark = pytest.mark.django_db


def login(name):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(User.objects.get(username=name))
    return c


@pytest.fixture
def overdue_contract(make_contract, clerk, travel, sweep):
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    travel("2026-10-12")
    return c


def steps(page: str) -> dict[str, tuple[str, str]]:
    """The stepper: {step name: (state, its text)}."""
    found = re.findall(r'<li class="stepper-step ([a-z_ ]+)" id="step-([a-z]+)"[^>]*>(.*?)</li>', page, flags=re.S)
    return {name: (state.strip(), " ".join(re.sub(r"<[^>]+>", " ", body).split())) for state, name, body in found}


def test_the_disposal_journey_through_the_pages(overdue_contract, travel):
    c = overdue_contract
    sup = login("supervisor")
    assert login("agency_clerk").get(f"/staff/contracts/disposals/new/?contract={c.pk}").status_code == 403
    r = sup.post(f"/staff/contracts/disposals/new/?contract={c.pk}", {"grounds": "", "rectification_days": 15})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    assert DisposalCase.objects.count() == 0
    r = sup.post(
        f"/staff/contracts/disposals/new/?contract={c.pk}", {"grounds": "货款逾期未付", "rectification_days": 15}
    )
    case = DisposalCase.objects.get()
    assert r.status_code == 302 and r.url == f"/staff/contracts/disposals/{case.pk}/"
    page = sup.get(r.url).content.decode()
    assert "2026-10-27" in page and "整改通知书" in page
    assert steps(page) == {
        "opened": ("done", "发出整改通知书 · 2026-10-12"),
        "response": ("current", "单位答复 截止日期 2026-10-27"),
        "review": ("pending", "监管人员复核"),
        "outcome": ("pending", "处理结果"),
    }
    # The other agency's clerk cannot see it; the contract's clerk can and has the response form.
    assert login("agency_clerk2").get(r.url).status_code == 404
    clerk = login("agency_clerk")
    page = clerk.get(r.url).content.decode()
    assert 'name="response"' in page
    inbox = clerk.get("/staff/inbox/").content.decode()
    assert f"/staff/contracts/disposals/{case.pk}/" in inbox
    travel("2026-10-20")
    assert clerk.post(r.url, {"response": "已安排付款"}).status_code == 302
    # The supervisor now reviews; the clerk has nothing left to do.
    page = clerk.get(r.url).content.decode()
    assert 'name="response"' not in page
    assert steps(page)["response"] == ("done", "单位答复 · 2026-10-20") and steps(page)["review"][0] == "current"
    travel("2026-10-28")
    sup.post(r.url, {"outcome": "dishonest", "record_kind": "arrears", "note": "逾期仍未支付"})
    case.refresh_from_db()
    assert case.outcome == "dishonest"
    page = sup.get(r.url).content.decode()
    assert "政务诚信督办函" in page  # the supervision letter is listed with the case's documents
    assert case.dishonesty_record.kind == "arrears"
    assert 'name="outcome"' not in page  # the review is done
    assert steps(page)["review"] == ("done", "监管人员复核 · 2026-10-28")
    assert steps(page)["outcome"] == ("stopped", "认定政务失信 · 2026-10-28")
