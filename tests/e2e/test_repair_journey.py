"""Credit repair as "one thing" in the browser: a penalty officer records a general-category penalty and serves
the dual notices (and publishes it); time moves on (GOVCREDIT_TODAY) and the daily sweep reminds the enterprise;
the enterprise user sees the reminder, applies online and gets the instant check; the reviewer approves; the
decision PDF downloads and the record is gone from the public list.

The live server runs in this process, so moving the clock (`travel`) moves it for the pages too.
Screenshots go to test-artifacts/e2e-repair-*.png, the decision to e2e-repair-decision.pdf.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from repair.models import DishonestyRecord, RepairApplication
from workflow.models import Delivery, Document, Notification

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NUMBER = "X市监罚〔2026〕18号"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def log_out(page):
    page.get_by_role("button", name="退出登录").click()
    expect(page.locator(".user-menu")).to_have_count(0)


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"e2e-repair-{name}.png"), full_page=True)


def test_credit_repair_from_the_penalty_to_the_public_list(page, demo_data, artifacts, travel):
    from workflow.sweeps import sweep_run

    # 1. Wednesday 2026-04-08: the penalty officer records a general-category penalty with its fine.
    travel("2026-04-08")
    log_in(page, "penalty_officer")
    page.goto("/staff/repair/")
    expect(page).to_have_url(re.compile(r"/staff/repair/records/$"))
    page.locator(".page-head a.btn[href$='/records/new/']").click()
    page.fill("#id_uscc", "91410100AY4CL12THU")
    page.fill("#id_name", "X市恒信建材有限公司")
    page.select_option("#id_type", "admin_penalty")
    page.fill("#id_decision_number", NUMBER)
    page.fill("#id_decided_on", "2026-04-08")
    page.check('input[name="category"][value="general"]')
    expect(page.locator("#decision-attached")).to_be_hidden()  # issued here unless the unit attaches its own
    page.fill("#id_subject_address", "X市高新区科学大道100号")
    page.fill("#id_facts", "销售不合格建材（钢筋）一批，货值金额3.2万元。")
    page.fill("#id_evidence", "现场检查笔录、抽样检验报告。")
    page.fill("#id_basis", "《中华人民共和国产品质量法》第四十九条")
    page.select_option("#id_ob-0-kind", "fine")
    page.fill("#id_ob-0-amount", "50000.00")
    page.fill("#id_ob-0-due_on", "2026-04-23")
    shot(page, artifacts, "record-form")
    page.locator("#record-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/staff/repair/records/\d+/$"))
    record = DishonestyRecord.objects.get(decision_number=NUMBER)
    # 3 months from 04-08 end on 07-08: applications are allowed from the day after.
    expect(page.locator("#earliest-repair")).to_contain_text("2026-07-09")
    expect(page.locator("#publication-ends")).to_contain_text("2027-04-08")
    expect(page.locator("#record-documents")).to_contain_text("行政处罚决定书")
    expect(page.locator("#record-documents")).to_contain_text("信用修复告知书")
    expect(page.locator("#record-documents")).to_contain_text("X市监信修告〔2026〕1号")
    expect(page.locator("#record-documents")).to_contain_text("送达回证")

    # Both documents are served in one act, with one delivery record; then the record is published.
    expect(page.locator("#id_serve-delivered_on")).to_have_value("2026-04-08")
    page.fill("#id_serve-recipient", "张伟（法定代表人）")
    page.fill("#id_serve-receipt", "送达回证 No.0032")
    shot(page, artifacts, "record-serve")
    page.locator("#serve button[type=submit]").click()
    expect(page.locator("#service")).to_contain_text("2026-04-08")
    expect(page.locator("#serve")).to_have_count(0)
    page.locator("#publish-form button").click()  # not yet: the confirmation is not ticked
    expect(page.locator("#publish-form")).to_have_count(1)
    page.check("#publish-confirm")
    page.locator("#publish-form button").click()
    expect(page.locator("#publish-form")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == "published"
    delivery = Delivery.objects.get()
    assert sorted(delivery.documents.values_list("doc_type", flat=True)) == ["penalty_decision", "repair_notice"]
    shot(page, artifacts, "record-published")
    log_out(page)

    # The public sees it (no login), searched by the enterprise's name.
    page.goto("/public/records/?q=恒信建材")
    expect(page.locator(f"#public-record-{record.pk}")).to_contain_text(NUMBER)
    expect(page.locator(f"#public-record-{record.pk}")).to_contain_text("91410100AY4CL12THU")
    shot(page, artifacts, "public-before")

    # 2. Time moves on to the earliest repair date; the daily sweep sends the reminder.
    travel("2026-07-09")
    run = sweep_run(as_of=dt.date(2026, 7, 9))
    assert not run.error
    assert Notification.objects.filter(category="repair.reminder", recipient__username="enterprise_user").count() == 1

    # 3. The enterprise user sees the reminder and applies online.
    log_in(page, "enterprise_user")
    expect(page.locator("#card-notifications")).to_contain_text(NUMBER)
    page.goto("/staff/repair/")
    expect(page).to_have_url(re.compile(r"/staff/repair/mine/$"))
    expect(page.locator("#reminders")).to_contain_text(NUMBER)
    expect(page.locator(f"#record-{record.pk}")).to_contain_text("2026-07-09")
    shot(page, artifacts, "mine")
    page.locator(f"#record-{record.pk} a.btn").click()
    expect(page).to_have_url(re.compile(r"/staff/repair/apply/"))
    expect(page.locator(f"#rec-{record.pk}")).to_be_checked()
    expect(page.locator("#commitment-text")).to_contain_text(f"就{NUMBER}所涉失信行为申请信用修复")
    expect(page.locator("#id_signer_name")).to_have_value("张伟")
    page.fill("#id_correction", "已停止销售并召回全部不合格钢筋，罚款5万元已于2026年4月20日缴清。")
    page.set_input_files(
        "#id_proofs", files=[{"name": "罚款缴纳凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.check("#id_accepted")
    shot(page, artifacts, "apply")
    page.locator("#apply-form button[type=submit]").click()

    # The instant check: accepted on the spot, with the due dates.
    expect(page).to_have_url(re.compile(r"/staff/repair/applications/\d+/answer/$"))
    application = RepairApplication.objects.get()
    assert (application.status, application.eligible, application.channel) == ("accepted", True, "online")
    expect(page.locator("#answer")).to_have_class(re.compile("answer-ok"))
    expect(page.locator("#accept-due")).to_contain_text("2026-07-14")
    expect(page.locator("#feedback-due")).to_contain_text("2026-07-23")
    expect(page.locator("#answer-documents")).to_contain_text("信用修复申请受理通知书")
    shot(page, artifacts, "answer")
    log_out(page)

    # 4. Friday 2026-07-10: the deciding unit's officer reviews and approves.
    travel("2026-07-10")
    log_in(page, "penalty_officer")
    page.goto("/staff/repair/applications/")
    page.locator(f"#application-{application.pk} a").first.click()
    expect(page.locator("#decide")).to_be_visible()
    expect(page.locator("#clock-feedback")).to_contain_text("2026-07-23")
    page.check('input[name="decide-decision"][value="approve"]')
    page.fill("#id_decide-reason", "罚款已缴清，不合格产品已召回，整改到位，准予修复。")
    shot(page, artifacts, "review")
    page.locator("#decide button[type=submit]").click()
    expect(page.locator("#decision-notice")).to_be_visible()
    expect(page.locator("#decide")).to_have_count(0)
    application.refresh_from_db()
    record.refresh_from_db()
    assert (application.status, application.decided_on, record.status) == (
        "approved",
        dt.date(2026, 7, 10),
        "repaired",
    )
    shot(page, artifacts, "decided")
    log_out(page)

    # 5. The enterprise downloads the decision.
    log_in(page, "enterprise_user")
    page.goto(f"/staff/repair/applications/{application.pk}/")
    expect(page.locator("#decision-notice")).to_contain_text("2026-07-10")
    shot(page, artifacts, "application-decided")
    with page.expect_download() as download:
        page.locator("#document-repair_decision a").click()
    decision_pdf = artifacts / "e2e-repair-decision.pdf"
    download.value.save_as(decision_pdf)
    assert decision_pdf.read_bytes().startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(str(decision_pdf)).pages).replace("\n", "")
    assert "信用修复决定书" in text and NUMBER in text and "准予信用修复" in text
    decision = Document.objects.get(doc_type="repair_decision")
    assert decision.doc_number == "X市监信修决〔2026〕1号"
    log_out(page)

    # 6. The record is gone from the public list.
    page.goto("/public/records/?q=恒信建材")
    expect(page.locator("#no-results")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(NUMBER)
    shot(page, artifacts, "public-after")
