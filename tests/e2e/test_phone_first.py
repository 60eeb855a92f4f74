"""Phone first (issue 10 item 5) and the workbench charts (item 3), in Chromium at 390×844 and 1366×900.

Every public page and every page of the enterprise's credit repair is opened at both sizes: nothing may
scroll sideways, neither the page (`document.documentElement.scrollWidth <= window.innerWidth`) nor a box
inside it (a table in an `overflow-x: auto` wrapper that is wider than its box hides the amount and the
dates behind a sideways scroll: that is what the tables-as-cards layout removes). The supervisor's
workbench draws its charts with the vendored ECharts and keeps the figures as tables.

Screenshots: test-artifacts/e2e-phone-<page>-<390|1366>.png.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

PASSWORD = "demo-pass-2026"
SIZES = [(390, 844), (1366, 900)]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Boxes that scroll sideways: the page must have none, at any size.
SIDEWAYS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)"""


@pytest.fixture
def cases(demo_data, settings, travel):
    """The demo's contracts in every stage (two published), two published penalty records of 恒信建材 with
    one repair application, and a complaint transferred to 交通运输局."""
    from django.core.management import call_command

    from contracts.complaints.process import complaint_submit, complaint_task
    from contracts.models import ContractPublication
    from repair.process import application_submit
    from repair.services.records import record_create, record_publish, record_serve_notices
    from workflow.models import Agency, Enterprise, User

    travel("2026-11-30")
    settings.GOVCREDIT_DEMO_CASES = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    officer = User.objects.get(username="penalty_officer")
    records = []
    for number, day in (("X市监罚〔2026〕31号", "2026-05-06"), ("X市监罚〔2026〕45号", "2026-06-10")):
        r = record_create(
            data={
                "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
                "type": "admin_penalty",
                "category": "general",
                "decision_number": number,
                "decided_on": day,
                "facts": "销售不合格建材产品，货值金额1.2万元。",
                "basis": "《中华人民共和国产品质量法》第四十九条",
                "subject_address": "X市东区建材大道66号",
                "evidence": "现场检查笔录、抽样检验报告。",
                "obligations": [],
            },
            acting_user=officer,
        )
        r = record_publish(record=r, acting_user=officer)
        record_serve_notices(
            record=r,
            method="in_person",
            delivered_on=dt.date.fromisoformat(day) + dt.timedelta(days=2),
            recipient="张伟",
            acting_user=officer,
        )
        records.append(r)
    application = application_submit(
        enterprise=Enterprise.objects.get(uscc="91410100AY4CL12THU"),
        record_ids=[records[0].pk],
        correction="已召回全部不合格产品并缴纳罚款。",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=User.objects.get(username="enterprise_user"),
    )
    complaint = complaint_submit(
        data={
            "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
            "contact": {"name": "张伟", "mobile": "13812345678"},
            "respondent": {"agency": "XJTJ"},
            "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
            "amount_claimed": "180000.00",
            "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
            "declaration": True,
        },
        ip="203.0.113.50",
    )
    complaint_task(complaint=complaint, step="accept", user=User.objects.get(username="complaint_officer"))
    complaint_task(
        complaint=complaint,
        step="transfer",
        user=User.objects.get(username="complaint_officer"),
        agency=Agency.objects.get(code="XJTJ"),
    )
    published = ContractPublication.objects.filter(status="published").order_by("contract_id")
    return {
        "contract": published.first().contract_id,
        "redacted": published.last().contract_id,
        "record": records[1].pk,
        "application": application.pk,
        "complaint": complaint.code,
    }


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/staff/$"))


def check(page, artifacts, name, width, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{path} at {width} px scrolls sideways: {scroll_width} > {inner_width}"
    assert page.evaluate(SIDEWAYS) == [], f"{path} at {width} px has a box that scrolls sideways"
    page.screenshot(path=str(artifacts / f"e2e-phone-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_public_and_enterprise_pages_never_scroll_sideways(browser, live_server, cases, artifacts, width, height):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        public = {
            "portal": "/",
            "contracts": "/public/contracts/",
            "contract": f"/public/contracts/{cases['contract']}/",
            "contract-redacted": f"/public/contracts/{cases['redacted']}/",
            "records": "/public/records/",
            "complaint-new": "/complaints/new/",
            "complaint-track": f"/complaints/track/?code={cases['complaint']}&mobile_last4=5678",
        }
        for name, path in public.items():
            check(page, artifacts, name, width, path)
        # The tracking page shows the steps as a stepper: the handling is the step in progress, with its dates.
        page.goto(public["complaint-track"])
        expect(page.locator("#track-steps li[aria-current=step]")).to_have_attribute("id", "step-handling")
        expect(page.locator("#step-handling")).to_contain_text("2026-11-30")
        # On a phone, the amount and the dates of a contract are on the card, next to their labels.
        page.goto(public["contracts"])
        row = page.locator("#contract-results tbody tr").first
        expect(row.locator("td[data-label='签订日期']")).to_be_visible()
        if width < 720:
            assert page.locator("#contract-results thead").bounding_box()["height"] <= 1  # labels on the cards

        log_in(page, "enterprise_user")
        enterprise = {
            "workbench-enterprise": "/staff/",
            "repair-mine": "/staff/repair/mine/",
            "repair-apply": "/staff/repair/apply/",
            "repair-application": f"/staff/repair/applications/{cases['application']}/",
            "repair-record": f"/staff/repair/records/{cases['record']}/",
            "repair-objection": f"/staff/repair/records/{cases['record']}/objection/",
        }
        for name, path in enterprise.items():
            check(page, artifacts, name, width, path)
        # The legal basis of each clock is readable: its box is at least half the card wide on a phone.
        page.goto(enterprise["repair-application"])
        basis = page.locator("#clock-accept td[data-label='规则']")
        expect(basis).to_contain_text("信用修复管理办法")
        box = basis.bounding_box()
        assert box["width"] >= min(width, 1366) * 0.25
        expect(page.locator("#progress-steps li[aria-current=step]")).to_contain_text("认定单位审核")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_supervisor_workbench_draws_its_charts(browser, live_server, cases, artifacts, width, height):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    panel_requests = []
    page.on("request", lambda r: panel_requests.append(r.url) if "/dashboard/" in r.url else None)
    try:
        log_in(page, "supervisor")
        expect(page.locator("#panel-contracts-arrears-by_agency .chart canvas")).to_have_count(1)
        expect(page.locator("#panel-contracts-arrears-by_agency .chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#panel-contracts-warnings-by_age .chart")).to_have_attribute("data-chart-ready", "true")
        expect(page.locator("#panel-repair-measures-by_unit .chart")).to_have_attribute("data-chart-ready", "true")
        # The charts are drawn from the figures embedded in the page: no panel endpoint is asked again.
        assert panel_requests == []
        # The same figures as a table, one click away.
        page.locator("#panel-repair-measures-by_unit summary").click()
        expect(page.locator("#panel-repair-measures-by_unit table")).to_contain_text("X市市场监督管理局")
        check(page, artifacts, "workbench-supervisor", width, "/staff/")
        page.get_by_role("button", name="退出登录").click()
        expect(page.locator(".user-menu")).to_have_count(0)
        log_in(page, "penalty_officer")
        expect(page.locator("section.dash-panel")).to_have_count(1)
        expect(page.locator("#panel-repair-measures .kpi").first).to_contain_text("2")  # records decided in 2026
        check(page, artifacts, "workbench-penalty-officer", width, "/staff/")
    finally:
        context.close()
