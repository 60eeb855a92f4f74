"""Every lifecycle step on a page, in the browser, at desktop (1366 px) and phone (390 px) sizes.

Each user enters at the login page and from there only clicks (no API call, no typed URL):
- the agency clerk records the redaction review, escalates a warning (提请督办), agrees a repayment
  plan and records a repayment in the arrears ledger, waives a milestone, is refused 履约完毕 while a
  milestone is open, and terminates another contract (missing reason: an error first);
- the agency head checks what the public will see and publishes, confirming it;
- the supervisor finds the escalation in 我的任务, opens a disposal from it, opens another from a
  contract's page, picks a contract on /disposals/new/ and sees the city-wide ledger;
- the window clerk applies for an enterprise with the agent and the power of attorney, and prints
  the 受理回执.
On the phone, every page is checked for sideways scrolling. Screenshots: test-artifacts/e2e-i10-*.png.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from contracts.models import ArrearsCase, Contract, ContractPublication, DisposalCase, Milestone
from repair.models import RepairApplication
from workflow import clock

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Visit:
    """A browser context at one size, with a check of every page it lands on."""

    def __init__(self, browser, live_server, size: str, artifacts):
        self.size, self.artifacts = size, artifacts
        self.context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=SIZES[size],
            is_mobile=size == "phone",
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def log_in(self, username):
        page = self.page
        page.goto("/accounts/login/")  # the entry point
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        expect(page).to_have_url(re.compile(r"/staff/"))

    def check(self, name: str):
        """No sideways scrolling on a phone; a screenshot of the page at this size."""
        page = self.page
        page.wait_for_load_state("load")
        if self.size == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            assert width <= inner, f"{name} scrolls sideways on a phone ({width}px > {inner}px)"
        page.screenshot(path=str(self.artifacts / f"e2e-i10-{name}-{self.size}.png"), full_page=True)

    def nav(self, href: str):
        self.page.locator(f".main-nav a[href='{href}']").first.click()

    def close(self):
        self.context.close()


@pytest.fixture
def demo_contracts(demo_data):
    """The demo contracts in every stage (test settings leave them out of seed_demo)."""
    from contracts.demo import seed

    seed()


def open_contract(v: Visit, number: str):
    v.nav("/staff/contracts/")
    v.page.fill("#id_q", number)
    v.page.locator("form.filters button[type=submit]").click()
    v.page.locator("a", has_text=number).first.click()
    expect(v.page.locator("h1")).to_contain_text(number)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_contract_lifecycle_on_pages(browser, live_server, demo_contracts, artifacts, size):
    today = clock.today()
    c2 = Contract.objects.get(number="DEMO-JT-002")
    first, second = c2.milestones.order_by("planned_on", "id")
    case = ArrearsCase.objects.get(milestone=first)

    # 1. The agency clerk.
    v = Visit(browser, live_server, size, artifacts)
    v.log_in("agency_clerk")
    open_contract(v, "DEMO-JT-002")
    v.check("contract-detail-clerk")
    # Publication: the redaction review (withholding the amount needs the reason).
    v.page.click("#go-publication")
    v.check("publication-clerk")
    v.page.check("#id_redacted_0")
    v.page.click("#save-review")
    expect(v.page.locator("#row-id_review_note .errorlist")).to_be_visible()
    v.page.check("#id_redacted_0")
    v.page.fill("#id_review_note", "单价构成涉及商业秘密")
    v.page.click("#save-review")
    expect(v.page.locator(".messages")).to_contain_text("公示审查意见已登记")
    expect(v.page.locator("#do-publish")).to_have_count(0)  # the head publishes
    v.page.locator("a", has_text="合同 DEMO-JT-002").first.click()

    # 提请督办 on the overdue payment's warning.
    row = v.page.locator("#warnings tr.is-open", has_text="上半年运维费").first
    row.locator("input[name=note]").fill("财政资金未到位，请求信用办督办")
    row.get_by_role("button", name="提请督办").click()
    expect(v.page.locator(".messages")).to_contain_text("信用办已收到督办任务")

    # Waive the second payment milestone, with the reason on a confirmation page.
    v.page.locator(f"#milestone-{second.pk} a", has_text="免除").click()
    v.check("waive")
    v.page.locator("#confirm-waive button[type=submit]").click()
    expect(v.page.locator("#row-id_reason .errorlist")).to_contain_text("请填写理由")
    v.page.fill("#id_reason", "采购需求调整，下半年服务取消")
    v.page.locator("#confirm-waive button[type=submit]").click()
    expect(v.page.locator(f"#milestone-{second.pk}")).to_contain_text("已免除")

    # 履约完毕 is refused while the first payment is open.
    v.page.click("#go-fulfil")
    expect(v.page.locator("#open-milestones")).to_contain_text("上半年运维费")
    v.check("fulfil")
    v.page.fill("#id_reason", "合同履行完毕")
    v.page.locator("#confirm-fulfil button[type=submit]").click()
    expect(v.page.locator(".errorlist.nonfield")).to_be_visible()
    v.page.get_by_role("link", name="取消").click()

    # The arrears ledger: a repayment plan and a repayment.
    v.nav("/staff/contracts/")
    v.page.click("#go-arrears")
    expect(v.page.locator("#kpi-cases")).not_to_have_text("0")
    v.check("arrears-ledger-agency")
    v.page.locator(f"#arrears-{case.pk} a.btn").click()
    v.check("arrears-case")
    v.page.locator("#plan-form summary").click()
    d1, d2 = today + dt.timedelta(days=30), today + dt.timedelta(days=61)
    v.page.fill("#id_plan-0-due_on", d1.isoformat())
    v.page.fill("#id_plan-0-amount", "60000.00")
    v.page.fill("#id_plan-1-due_on", d2.isoformat())
    v.page.fill("#id_plan-1-amount", "50000.00")
    v.page.click("#save-plan")
    expect(v.page.locator("#plan-form .errorlist")).to_contain_text("120000.00")  # must add up to what is owed
    v.page.fill("#id_plan-1-amount", "60000.00")
    v.page.click("#save-plan")
    expect(v.page.locator(".messages")).to_contain_text("还款计划已登记")
    expect(v.page.locator("#plan table.data")).to_contain_text(d2.isoformat())
    v.page.fill("#id_amount", "60000.00")
    v.page.locator("#repay-form button[type=submit]").click()
    expect(v.page.locator("#case-repaid")).to_contain_text("60,000.00")

    # Terminate another contract: the reason is required.
    open_contract(v, "DEMO-JT-004")
    v.page.click("#go-terminate")
    v.check("terminate")
    v.page.locator("#confirm-terminate button[type=submit]").click()
    expect(v.page.locator("#row-id_reason .errorlist")).to_contain_text("请填写理由")
    v.page.fill("#id_reason", "双方协商一致解除合同")
    v.page.locator("#confirm-terminate button[type=submit]").click()
    expect(v.page.locator("#contract-status")).to_have_text("已终止")
    v.close()

    # 2. The agency head publishes, confirming what the public will see.
    v = Visit(browser, live_server, size, artifacts)
    v.log_in("agency_head")
    open_contract(v, "DEMO-JT-002")
    v.page.click("#go-publication")
    expect(v.page.locator("tr.is-withheld")).to_contain_text("240,000.00")
    v.page.click("#do-publish")
    expect(v.page.locator("#row-id_confirm .errorlist")).to_be_visible()
    v.page.check("#id_confirm")
    v.check("publication-head")
    v.page.click("#do-publish")
    expect(v.page.locator("#publication-status")).to_have_text("已公示")
    v.close()

    # 3. The supervisor: the escalation task, disposals from a warning and from a contract, the picker.
    v = Visit(browser, live_server, size, artifacts)
    v.log_in("supervisor")
    v.nav("/staff/inbox/")
    v.page.locator("tr", has_text="办理督办预警").first.get_by_role("link").click()
    expect(v.page.locator("#escalation-note")).to_contain_text("财政资金未到位")
    v.check("escalation")
    v.page.click("#escalation-disposal")
    v.page.fill("#id_grounds", "拖欠中小企业账款逾期未付，经提请督办")
    v.page.locator("#disposal-open button[type=submit]").click()
    expect(v.page).to_have_url(re.compile(r"/staff/contracts/disposals/\d+/$"))

    open_contract(v, "DEMO-JT-003")
    v.check("contract-detail-supervisor")
    v.page.click("#go-disposal")
    v.page.fill("#id_grounds", "逾期付款部分清偿后仍未结清")
    v.page.locator("#disposal-open button[type=submit]").click()
    expect(v.page).to_have_url(re.compile(r"/staff/contracts/disposals/\d+/$"))

    v.nav("/staff/contracts/disposals/")
    v.page.click("#new-disposal")
    v.check("disposal-pick")
    v.page.fill("#pick-q", "DEMO-JT-00")
    v.page.locator("#pick-contract button[type=submit]").click()
    # The two contracts now in disposal and the terminated one are no longer offered.
    for number in ("DEMO-JT-002", "DEMO-JT-003", "DEMO-JT-004"):
        expect(v.page.locator("#pick-contract")).not_to_contain_text(number)
    choice = v.page.locator("#pick-contract li").first
    number = choice.locator("strong").inner_text()
    choice.get_by_role("link").click()
    expect(v.page.locator(".lead")).to_contain_text(number)
    v.check("disposal-new")

    v.nav("/staff/contracts/")
    v.page.click("#go-arrears")
    expect(v.page.locator("#ledger")).to_contain_text("DEMO-JT-002")
    v.check("arrears-ledger-city")
    v.close()

    # What the pages did, in the database.
    publication = ContractPublication.objects.get(contract=c2)
    assert (publication.status, publication.redacted) == ("published", ["amount"])
    second.refresh_from_db()
    assert second.status == Milestone.Status.WAIVED
    assert list(case.instalments.order_by("due_on").values_list("due_on", flat=True)) == [d1, d2]
    case.refresh_from_db()
    assert case.repaid == 60000
    assert Contract.objects.get(number="DEMO-JT-004").status == Contract.Status.TERMINATED
    assert DisposalCase.objects.filter(contract=c2, warning__milestone=first).exists()
    assert DisposalCase.objects.filter(contract__number="DEMO-JT-003").exists()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_window_clerk_agent_power_of_attorney_and_receipt(browser, live_server, demo_data, artifacts, travel, size):
    from tests.repair.test_pages import published

    record = published(travel)
    travel("2026-03-02")
    v = Visit(browser, live_server, size, artifacts)
    v.log_in("window_clerk")
    v.nav("/staff/repair/")
    v.page.fill("#id_uscc", record.enterprise.uscc)
    v.page.locator("form.filters button[type=submit]").click()
    v.page.locator("a.btn", has_text="申请信用修复").first.click()
    v.check("window-apply")
    v.page.fill("#id_agent_name", "张伟")
    v.page.fill("#id_agent_id_number", "110105194912310021")  # wrong check digit
    v.page.fill("#id_agent_relationship", "公司员工")
    v.page.check(f"#rec-{record.pk}")
    v.page.fill("#id_correction", "罚款已缴清，整改完毕。")
    v.page.check("#id_proof_held_by_unit")
    v.page.fill("#id_signer_name", "张伟")
    v.page.check("#id_accepted")
    v.page.set_input_files(
        "#id_power_of_attorney", files=[{"name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    v.page.locator("#apply-form button[type=submit]").click()
    expect(v.page.locator("#row-id_agent_id_number .errorlist")).to_contain_text("居民身份证号码")
    assert not RepairApplication.objects.exists()
    v.page.fill("#id_agent_id_number", "11010519491231002X")
    v.page.set_input_files(
        "#id_power_of_attorney", files=[{"name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    if not v.page.is_checked("#id_accepted"):
        v.page.check("#id_accepted")
    v.page.locator("#apply-form button[type=submit]").click()
    expect(v.page.locator("#answer")).to_be_visible()
    v.check("window-answer")
    v.page.click("#go-receipt")
    receipt = v.page.locator("#receipt")
    expect(receipt).to_contain_text("信用修复申请受理回执")
    expect(receipt).to_contain_text("张伟 · 110105********002X · 公司员工")
    expect(receipt).to_contain_text("授权委托书.pdf")
    expect(receipt).to_contain_text("刘敏")
    assert "11010519491231002X" not in v.page.content()
    v.check("window-receipt")
    v.page.emulate_media(media="print")
    expect(v.page.locator(".site-header")).to_be_hidden()
    v.page.screenshot(path=str(artifacts / f"e2e-i10-window-receipt-print-{size}.png"), full_page=True)
    v.page.emulate_media(media="screen")
    v.page.get_by_role("link", name="查看申请进度").first.click()
    expect(v.page.locator("#agent")).to_contain_text("110105********002X")
    v.check("window-application-detail")
    v.close()
    application = RepairApplication.objects.get()
    assert (application.channel, application.agent_name) == ("window", "张伟")
