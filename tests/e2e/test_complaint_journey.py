"""The complaint column in the browser: a member of the public files a complaint (solving the check
question), keeps the code and the receipt and follows it by code + mobile digits; the complaint officer
accepts and transfers it to 交通运输局; the agency's clerk handles it and replies; the complainant says
"satisfied" on the tracking page; the supervisor sees it closed and the measures.

The live server runs in this process, so moving the clock (`travel`) moves it for the pages too.
Screenshots go to test-artifacts/e2e-complaint-*.png (and the receipt to e2e-complaint-receipt.pdf).
"""

import re

import pytest
from playwright.sync_api import expect

from contracts.models import Complaint
from workflow.models import Document

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def log_out(page):
    page.get_by_role("button", name="退出登录").click()


def track(page, code, digits):
    page.goto("/complaints/track/")
    page.fill("#id_code", code)
    page.fill("#id_mobile_last4", digits)
    page.locator("#track-lookup button[type=submit]").click()
    expect(page.locator("#track-result")).to_be_visible()


def register_contract(travel):
    """交通运输局's contract with the enterprise, registered the day after signing."""
    import datetime as dt

    from contracts.services import contract_register
    from workflow.models import Agency, User

    travel("2025-06-11")
    return contract_register(
        agency=Agency.objects.get(code="XJTJ"),
        data={
            "number": "JT-2025-031",
            "title": "国道G310养护材料采购",
            "kind": "goods",
            "procurement": False,
            "counterparty": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
            "amount": "300000.00",
            "signed_on": dt.date(2025, 6, 10),
            "ends_on": dt.date(2026, 12, 31),
            "payment_term_days": None,
            "milestones": [],
        },
        acting_user=User.objects.get(username="agency_clerk"),
    )


def test_a_complaint_from_the_form_to_the_supervisor(page, demo_data, artifacts, travel):
    contract = register_contract(travel)
    # 1. Monday 2026-09-14: a member of the public files the complaint, without an account.
    travel("2026-09-14")
    page.goto("/")
    page.goto("/complaints/new/")
    page.fill("#id_complainant_name", "X市恒信建材有限公司")
    page.fill("#id_complainant_uscc", "91410100AY4CL12THU")
    page.select_option("#id_complainant_size", "small")
    page.fill("#id_contact_name", "张伟")
    page.fill("#id_contact_mobile", "13812345678")
    page.select_option("#id_respondent_agency", "XJTJ")
    page.fill("#id_contract_number", "JT-2025-031")
    page.fill("#id_contract_signed_on", "2025-06-10")
    page.fill("#id_amount_claimed", "180000.00")
    page.fill("#id_facts", "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。")
    page.set_input_files("#id_evidence", files=[{"name": "验收单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.check("#id_declaration")
    # A wrong answer first: the form says so, keeps what was typed and asks a new question.
    page.fill("#id_challenge_answer", "99")
    page.locator("#complaint-form button[type=submit]").click()
    expect(page.locator("#row-id_challenge_answer .errorlist")).to_be_visible()
    expect(page.locator("#id_contact_mobile")).to_have_value("13812345678")
    assert Complaint.objects.count() == 0
    page.screenshot(path=str(artifacts / "e2e-complaint-form-error.png"), full_page=True)
    a, b = map(int, re.match(r"(\d+) \+ (\d+)", page.locator("#challenge-question").inner_text()).groups())
    page.fill("#id_challenge_answer", str(a + b))
    page.set_input_files("#id_evidence", files=[{"name": "验收单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.screenshot(path=str(artifacts / "e2e-complaint-form.png"), full_page=True)
    page.locator("#complaint-form button[type=submit]").click()

    # 2. The done page: the code, the receipt, what happens next.
    expect(page).to_have_url(re.compile(r"/complaints/new/done/$"))
    code = page.locator("#tracking-code").inner_text().strip()
    complaint = Complaint.objects.get(code=code)
    assert (complaint.source, complaint.evidence.count(), complaint.contract) == ("web", 1, contract)
    expect(page.locator("#what-happens")).to_contain_text("2026-09-28")
    page.screenshot(path=str(artifacts / "e2e-complaint-done.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#receipt-link")
    receipt = artifacts / "e2e-complaint-receipt.pdf"
    download.value.save_as(receipt)
    assert receipt.read_bytes().startswith(b"%PDF")

    # 3. Following it by code and the last four digits: progress, no personal data.
    track(page, code, "5678")
    expect(page.locator("#step-acceptance")).to_contain_text("2026-09-28")
    expect(page.locator("#track-result")).to_contain_text("X市交通运输局")
    for secret in ("张伟", "13812345678", "180,000", "养护材料"):
        expect(page.locator("body")).not_to_contain_text(secret)
    page.screenshot(path=str(artifacts / "e2e-complaint-track-submitted.png"), full_page=True)

    # 4. The next day the complaint officer accepts it and transfers it to 交通运输局.
    travel("2026-09-15")
    log_in(page, "complaint_officer")
    page.goto("/staff/complaints/")
    page.locator(f"#complaint-{code} a").first.click()
    expect(page).to_have_url(re.compile(rf"/staff/complaints/{code}/$"))
    expect(page.locator("#complaint-facts")).to_contain_text("13812345678")
    page.check("#complaint-action input[name=accept-decision][value=accept]")
    page.screenshot(path=str(artifacts / "e2e-complaint-officer-accept.png"), full_page=True)
    page.locator("#complaint-action button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_class(re.compile(r"tag-s-accepted"))
    expect(page.locator("#complaint-action select[name=transfer-agency]")).to_have_value("XJTJ")
    page.select_option("#complaint-action select[name=transfer-agency]", label="X市交通运输局")
    page.locator("#complaint-action button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_class(re.compile(r"tag-s-transferred"))
    expect(page.locator("#clock-handle")).to_contain_text("2026-10-15")
    expect(page.locator("#complaint-action")).to_have_count(0)
    page.screenshot(path=str(artifacts / "e2e-complaint-officer-transferred.png"), full_page=True)
    log_out(page)

    # 5. On 09-24 the clerk of 交通运输局 records the result and replies in writing.
    travel("2026-09-24")
    log_in(page, "agency_clerk")
    page.goto("/staff/complaints/")
    page.locator(f"#complaint-{code} a").first.click()
    page.fill("#id_handle-findings", "经核实，2025年9月交付的养护材料已验收合格，货款18万元确未支付。")
    page.fill("#id_handle-amount_confirmed", "180000.00")
    page.fill("#id_handle-repayment_plan", "2026年10月底前一次付清。")
    page.screenshot(path=str(artifacts / "e2e-complaint-clerk-handle.png"), full_page=True)
    page.locator("#complaint-action button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_class(re.compile(r"tag-s-handled"))
    page.fill("#id_feedback-text", "我局已安排资金，将于2026年10月31日前付清全部货款。")
    page.locator("#complaint-action button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_class(re.compile(r"tag-s-answered"))
    expect(page.locator("#complaint-documents")).to_contain_text("投诉办理情况答复函")
    page.screenshot(path=str(artifacts / "e2e-complaint-clerk-replied.png"), full_page=True)
    log_out(page)
    assert Document.objects.filter(doc_type__startswith="complaint_feedback", status="rendered").count() == 1

    # 6. The complainant reads the reply and says "satisfied" on the tracking page.
    travel("2026-09-25")
    track(page, code, "5678")
    expect(page.locator("#track-documents a")).to_have_count(2)  # receipt and written reply
    page.screenshot(path=str(artifacts / "e2e-complaint-track-answered.png"), full_page=True)
    page.check("#track-evaluate input[name=satisfied][value=yes]")
    page.locator("#track-evaluate button[type=submit]").click()
    expect(page.locator("#track-evaluated")).to_be_visible()
    expect(page.locator("#step-closed")).to_contain_text("2026-09-25")
    page.screenshot(path=str(artifacts / "e2e-complaint-track-closed.png"), full_page=True)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfied) == ("closed", True)

    # 7. The supervisor sees it closed, and the measures of the quarter.
    log_in(page, "supervisor")
    page.goto("/staff/complaints/?status=closed")
    expect(page.locator(f"#complaint-{code}")).to_be_visible()
    page.goto("/staff/complaints/dashboard/?period=2026Q3")
    expect(page.locator("#m-received .stat")).to_have_text("1")
    expect(page.locator("#m-handled .stat")).to_have_text("1")
    expect(page.locator("#m-on-time .stat")).to_have_text("100%")
    expect(page.locator("#m-days .stat")).to_have_text("10.0")
    expect(page.locator("#m-satisfaction .stat")).to_have_text("100%")
    expect(page.locator("#m-amount .stat")).to_contain_text("180,000.00")
    page.screenshot(path=str(artifacts / "e2e-complaint-dashboard.png"), full_page=True)
    page.goto(f"/staff/complaints/{code}/")
    expect(page.locator("#complaint-status")).to_have_class(re.compile(r"tag-s-closed"))
    page.screenshot(path=str(artifacts / "e2e-complaint-closed-supervisor.png"), full_page=True)


def test_the_supervisor_issues_a_supervision_notice_for_an_overdue_complaint(page, demo_data, artifacts, travel):
    """The handling body lets its 30 days pass; the sweep drafts a 督办书; the supervisor edits and issues it."""
    import datetime as dt

    from contracts.complaints.process import complaint_submit, complaint_task
    from workflow.models import Agency, Notification, User
    from workflow.sweeps import sweep_run

    officer = User.objects.get(username="complaint_officer")
    travel("2026-09-14")
    c = complaint_submit(
        data={
            "complainant": {"name": "X市明达软件科技有限公司", "uscc": "91410105DD272HD1TJ", "size": "micro"},
            "contact": {"name": "黄丽", "mobile": "13700001111"},
            "respondent": {"agency": "XJTJ"},
            "contract": {"number": "JT-2026-007"},
            "amount_claimed": "56000.00",
            "facts": "软件开发服务已于2026年6月验收，尾款5.6万元逾期未付。",
            "declaration": True,
        },
        ip="203.0.113.50",
    )
    complaint_task(complaint=c, step="accept", user=officer)
    complaint_task(complaint=c, step="transfer", user=officer, agency=Agency.objects.get(code="XJTJ"))
    travel("2026-10-15")
    assert sweep_run(as_of=dt.date(2026, 10, 15)).error == ""  # handling was due 10-14

    travel("2026-10-16")
    log_in(page, "supervisor")
    page.goto("/staff/complaints/dashboard/")
    expect(page.locator(f"#overdue-{c.code}")).to_contain_text("2026-10-14")
    draft = page.locator("#dashboard-notices .notice-draft").first
    text = draft.locator("textarea")
    expect(text).to_have_value(re.compile(c.code))
    text.fill(text.input_value() + "\n逾期不报的，将予以通报。")
    page.screenshot(path=str(artifacts / "e2e-complaint-notice-draft.png"), full_page=True)
    draft.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("X发改投诉督办〔2026〕1号")
    expect(page.locator("#notices-issued")).to_contain_text(c.code)
    page.screenshot(path=str(artifacts / "e2e-complaint-notice-issued.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#notices-issued a", has_text="X发改投诉督办").click()
    notice_pdf = artifacts / "e2e-complaint-supervision-notice.pdf"
    download.value.save_as(notice_pdf)
    assert notice_pdf.read_bytes().startswith(b"%PDF")
    assert Notification.objects.filter(category="complaint.supervision", recipient__username="agency_head").exists()
