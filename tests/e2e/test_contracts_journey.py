"""Government contracts in the browser: a clerk records a contract and its delivery, the daily sweep
finds the payment overdue, the clerk sees the warning, and the supervisor sees it in the warnings list.

The live server runs in this process, so moving the clock (`travel`) moves it for the pages too.
Screenshots go to test-artifacts/e2e-contracts-*.png.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from contracts.models import Contract, Warning
from workflow.models import Notification

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_clerk_records_a_contract_the_sweep_warns_the_supervisor_sees_it(page, demo_data, artifacts, travel):
    from workflow.sweeps import sweep_run

    # 1. The day after signing, the clerk records the contract through the form.
    travel("2026-08-04")
    log_in(page, "agency_clerk")
    page.goto("/staff/contracts/new/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.fill("#id_number", "JT-2026-088")
    page.fill("#id_title", "国道G310养护材料采购")
    page.select_option("#id_kind", "goods")
    page.fill("#id_amount", "300000.00")
    page.fill("#id_signed_on", "2026-08-03")
    page.fill("#id_ends_on", "2027-08-02")
    page.fill("#id_counterparty_name", "X市恒信建材有限公司")
    page.fill("#id_counterparty_uscc", "91410100AY4CL12THU")
    page.select_option("#id_counterparty_size", "small")
    page.select_option("#id_milestones-0-kind", "delivery")
    page.fill("#id_milestones-0-title", "第一批材料交付")
    page.fill("#id_milestones-0-planned_on", "2026-09-01")
    page.select_option("#id_milestones-1-kind", "payment")
    page.fill("#id_milestones-1-title", "第一期付款")
    page.fill("#id_milestones-1-amount", "100000.00")
    page.fill("#id_milestones-1-planned_on", "2026-10-01")
    # A fourth row, added in the browser.
    page.click("#add-milestone")
    expect(page.locator("#id_milestones-3-kind")).to_be_focused()
    page.select_option("#id_milestones-3-kind", "acceptance")
    page.fill("#id_milestones-3-title", "终验")
    page.fill("#id_milestones-3-planned_on", "2026-12-15")
    page.set_input_files(
        "#id_attachment", files=[{"name": "合同扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.screenshot(path=str(artifacts / "e2e-contracts-new.png"), full_page=True)
    page.locator("#contract-form button[type=submit]").click()

    contract = Contract.objects.get(number="JT-2026-088")
    expect(page).to_have_url(re.compile(rf"/staff/contracts/{contract.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("JT-2026-088")
    expect(page.locator("#statutory")).to_contain_text("2026-08-12")  # 7 working days after signing
    expect(page.locator("#milestones tbody tr")).to_have_count(3)
    expect(page.locator("#attachments")).to_contain_text("合同扫描件.pdf")
    payment = contract.milestones.get(kind="payment")

    # 2. On 2026-09-02 the goods are delivered: the payment falls due 30 days later, moved off the
    #    National Day holiday to 2026-10-08.
    travel("2026-09-02")
    page.reload()
    page.select_option("#delivery select[name=milestone]", str(payment.pk))
    expect(page.locator("#delivery input[name=delivered_on]")).to_have_value("2026-09-02")
    page.locator("#delivery button[type=submit]").click()
    due = page.locator(f"#milestone-{payment.pk} .payment-due")
    expect(due).to_contain_text("2026-10-08")
    expect(due).to_contain_text("机关、事业单位向中小企业支付款项")
    expect(page.locator(".messages")).to_contain_text("2026-10-08")
    page.screenshot(path=str(artifacts / "e2e-contracts-delivery.png"), full_page=True)

    # 3. Nothing is paid. The daily sweep of 2026-10-09 finds the payment overdue.
    travel("2026-10-09")
    run = sweep_run(as_of=dt.date(2026, 10, 9))
    assert run.error == ""
    warning = Warning.objects.get(milestone=payment, rule=Warning.Rule.PAYMENT_OVERDUE)
    # The clerk is notified of this contract's two warnings: the overdue payment and the missing report.
    unread = Notification.objects.filter(recipient__username="agency_clerk", read_at__isnull=True)
    assert unread.filter(title__contains="JT-2026-088").count() == 2
    page.reload()
    row = page.locator(f"#warning-{warning.pk}")
    expect(row).to_contain_text("付款逾期")
    expect(row).to_contain_text("待处理")
    expect(page.locator(".main-nav .badge")).to_have_text(str(unread.count()))
    expect(page.locator("#arrears")).to_contain_text("¥100,000.00")
    page.screenshot(path=str(artifacts / "e2e-contracts-warning-clerk.png"), full_page=True)

    # The clerk acknowledges it.
    row.locator("input[name=note]").fill("已联系财政局，正在办理支付")
    row.locator("button[value=acknowledge]").click()
    expect(page.locator(f"#warning-{warning.pk}")).to_contain_text("已签收")

    page.get_by_role("button", name="退出登录").click()

    # 4. The supervisor sees the warning in the list of all warnings and opens the contract.
    log_in(page, "supervisor")
    page.goto("/staff/contracts/warnings/")
    page.select_option("#id_rule", "payment.overdue")
    page.select_option("#id_agency", "XJTJ")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"rule=payment.overdue"))
    listed = page.locator(f"#warnings #warning-{warning.pk}")
    expect(listed).to_contain_text("JT-2026-088")
    expect(listed).to_contain_text("付款逾期")
    expect(listed).to_contain_text("X市交通运输局")
    page.screenshot(path=str(artifacts / "e2e-contracts-warnings-supervisor.png"), full_page=True)
    # The contracts list counts the warnings still open (or acknowledged) per contract.
    page.goto("/staff/contracts/")
    expect(page.locator(f"#contract-{contract.pk} .count-badge")).to_have_text("2")
    page.screenshot(path=str(artifacts / "e2e-contracts-list-supervisor.png"), full_page=True)
    page.go_back()
    listed.get_by_role("link", name="JT-2026-088").click()
    expect(page).to_have_url(re.compile(rf"/staff/contracts/{contract.pk}/#warning-{warning.pk}$"))
    expect(page.locator(f"#warning-{warning.pk}")).to_contain_text("已签收")
    expect(page.locator("#clerk-actions")).to_have_count(0)  # read-only for the credit office
    expect(page.locator(f"#warning-{warning.pk} form")).to_have_count(0)
    page.screenshot(path=str(artifacts / "e2e-contracts-detail-supervisor.png"), full_page=True)
