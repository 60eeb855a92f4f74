"""Pages of credit repair: the officer's record form, record page (serve both notices, publish, documents);
the enterprise's records with reminders, the apply form with the commitment and the instant answer; the window
clerk; the reviewer's page (material, extension, decision) and the supervisor's approval; objections; measures;
and the public list."""

import datetime as dt
import html as html_lib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from repair.models import DishonestyRecord, Objection, RepairApplication
from repair.process import application_submit, application_task
from repair.services.records import record_create, record_publish
from workflow.deadlines import deadlines_for
from workflow.documents import documents_render_pending
from workflow.models import Delivery, Document, Enterprise, User

D = dt.date
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RECORD_FORM = {
    "subject_kind": "enterprise",
    "uscc": "91410100AY4CL12THU",
    "name": "X市恒信建材有限公司",
    "type": "admin_penalty",
    "category": "general",
    "decision_number": "X市监罚〔2025〕118号",
    "decided_on": "2025-11-30",
    "facts": "销售不合格建材，货值金额3.2万元。",
    "basis": "《中华人民共和国产品质量法》第四十九条",
    "subject_address": "X市高新区科学大道100号",
    "evidence": "现场检查笔录、抽样检验报告。",
    "ob-TOTAL_FORMS": "3",
    "ob-INITIAL_FORMS": "0",
    "ob-MIN_NUM_FORMS": "0",
    "ob-MAX_NUM_FORMS": "10",
    "ob-0-kind": "fine",
    "ob-0-amount": "50000.00",
    "ob-0-due_on": "2025-12-15",
}


def u(name):
    return User.objects.get(username=name)


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


@pytest.fixture
def web(client, demo):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, username):
    client.force_login(u(username))
    return client


def published(travel, number="X市监罚〔2025〕118号", decided="2025-11-30", category="general", **over):
    travel("2025-12-01" if decided < "2025-12-01" else decided)
    r = record_create(
        data={
            "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
            "type": "admin_penalty",
            "category": category,
            "decision_number": number,
            "decided_on": decided,
            "facts": "销售不合格建材。",
            "basis": "《产品质量法》第四十九条",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
            **over,
        },
        acting_user=u("penalty_officer"),
    )
    return record_publish(record=r, acting_user=u("penalty_officer"))


def submitted(travel, day, records, user="enterprise_user"):
    travel(day)
    return application_submit(
        enterprise=Enterprise.objects.get(uscc="91410100AY4CL12THU"),
        record_ids=[r.pk for r in records],
        correction="罚款已缴清。",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=u(user),
    )


def test_the_officer_records_a_decision_with_its_obligations(web, travel):
    travel("2025-12-01")
    for name in ("enterprise_user", "agency_clerk", "window_clerk"):
        assert login(web, name).get("/staff/repair/records/new/").status_code == 403
    login(web, "penalty_officer")
    page = web.get("/staff/repair/records/new/")
    assert page.status_code == 200 and 'name="ob-2-amount"' in page.content.decode()
    bad = web.post(
        "/staff/repair/records/new/",
        {**RECORD_FORM, "uscc": "91410100AY4CL12THX", "decision_number": "", "ob-0-amount": "五万"},
    )
    assert bad.status_code == 200
    shown = text(bad)
    assert "Enter a valid unified social credit code (18 characters)." in shown
    assert "Enter an amount in yuan." in shown and "This field is required." in shown
    assert 'value="销售不合格建材，货值金额3.2万元。"' in bad.content.decode() or "销售不合格建材" in shown
    person = text(web.post("/staff/repair/records/new/", {**RECORD_FORM, "subject_kind": "person"}))
    assert "Give the enterprise's USCC and name, or the person's name and ID card number." in person
    assert DishonestyRecord.objects.count() == Document.objects.count() == 0
    done = web.post("/staff/repair/records/new/", RECORD_FORM)
    record = DishonestyRecord.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/staff/repair/records/{record.pk}/"
    assert [(o.kind, str(o.amount), o.due_on) for o in record.obligations.all()] == [
        ("fine", "50000.00", D(2025, 12, 15))
    ]
    assert {d.status for d in Document.objects.all()} == {"pending"}  # the request renders nothing
    assert documents_render_pending() == {"rendered": 3}  # the q2 worker, after commit
    assert all(d.sha256 for d in Document.objects.all()) and Document.objects.count() == 3
    page = text(web.get(done["Location"]))
    assert "Earliest repair date 2026-03-01" in page and "Publication ends on 2026-11-30" in page
    assert "not served yet" in page and "Serve both notices" in page
    assert "¥50,000.00" in page and "due 2025-12-15" in page
    listing = text(web.get("/staff/repair/records/"))
    assert "X市监罚〔2025〕118号" in listing and "not served" in listing
    assert "X市监罚〔2025〕118号" not in text(login(web, "supervisor").get("/staff/repair/records/?status=repaired"))


def test_serving_both_notices_and_publishing_from_the_record_page(web, travel):
    travel("2025-12-01")
    login(web, "penalty_officer").post("/staff/repair/records/new/", RECORD_FORM)
    record = DishonestyRecord.objects.get()
    url = f"/staff/repair/records/{record.pk}/"
    serve = {
        "action": "serve",
        "serve-method": "in_person",
        "serve-delivered_on": "2025-11-01",
        "serve-recipient": "张伟",
        "serve-receipt": "送达回证No.32",
    }
    bad = web.post(url, serve)
    assert bad.status_code == 200 and "The service date must be between the decision and today." in text(bad)
    assert Delivery.objects.count() == 0
    assert web.post(url, {**serve, "serve-delivered_on": "2025-12-01"}).status_code == 302
    page = text(web.get(url))
    assert "served together on 2025-12-01, in person, received by 张伟" in page and "Serve both notices" not in page
    assert Delivery.objects.get().documents.count() == 2
    # Publishing to the public needs the officer's confirmation; without it nothing happens.
    refused = web.post(url, {"action": "publish"})
    record.refresh_from_db()
    assert record.status == "recorded"
    assert "Confirm that you have checked the record" in text(web.get(refused["Location"]))
    web.post(url, {"action": "publish", "confirm": "yes"})
    record.refresh_from_db()
    assert record.status == "published"
    assert "Publish" not in re.findall(r"<button[^>]*>([^<]*)</button>", web.get(url).content.decode())
    # The subject sees its record and documents but no officer's form; another enterprise sees nothing.
    page = login(web, "enterprise_user").get(url)
    assert page.status_code == 200 and "Serve both notices" not in text(page)
    assert "Apply for credit repair" in text(page)
    notice = Document.objects.get(doc_type="repair_notice")
    documents_render_pending()
    assert "自2026年3月1日起可以申请" in pdf_text(web.get(f"/staff/repair/documents/{notice.pk}"))
    assert web.post(url, {"action": "publish"}).status_code == 302  # nothing for the enterprise to do
    login(web, "enterprise_user2")
    assert web.get(url).status_code == 404
    assert web.get(f"/staff/repair/documents/{notice.pk}").status_code == 404


def test_the_enterprise_sees_its_reminder_and_applies_with_the_commitment(web, travel, sweep):
    record = published(travel)
    with translation.override("en"):  # the reminder's text is stored in the language of the sweep that sends it
        sweep(D(2026, 3, 2))
    login(web, "enterprise_user")
    assert web.get("/staff/repair/").url == "/staff/repair/mine/"
    mine = text(web.get("/staff/repair/mine/"))
    assert "You may now apply for credit repair of X市监罚〔2025〕118号" in mine
    assert "2026-03-01" in mine and "Apply" in mine
    form = web.get(f"/staff/repair/apply/?record={record.pk}")
    shown = text(form)
    assert (
        "本单位X市恒信建材有限公司（统一社会信用代码：91410100AY4CL12THU）就 X市监罚〔2025〕118号 所涉失信行为" in shown
    )
    assert "愿意承担相应法律责任" in shown and 'value="张伟"' in form.content.decode()
    body = {"records": [str(record.pk)], "correction": "已停止销售并召回，罚款已缴清。", "signer_name": "张伟"}
    refused = web.post("/staff/repair/apply/", body)
    assert refused.status_code == 200 and "The commitment must be accepted." in text(refused)
    assert RepairApplication.objects.count() == 0
    done = web.post(
        "/staff/repair/apply/",
        {**body, "accepted": "on", "proofs": [SimpleUploadedFile("缴款凭证.pdf", PDF, content_type="application/pdf")]},
    )
    application = RepairApplication.objects.get()
    assert done["Location"] == f"/staff/repair/applications/{application.pk}/answer/"
    answer = text(web.get(done["Location"]))
    assert "Accepted" in answer and "due by 2026-03-05 — done on 2026-03-02" in answer
    assert "due by 2026-03-16" in answer and "信用修复申请受理通知书" in answer
    assert application.proofs.get().original_name == "缴款凭证.pdf" and application.channel == "online"
    detail = text(web.get(f"/staff/repair/applications/{application.pk}/"))
    assert "Review by the deciding unit" in detail and "缴款凭证.pdf" in detail
    assert (
        web.get(f"/staff/repair/applications/{application.pk}/proofs/{application.proofs.get().pk}").status_code == 200
    )
    assert login(web, "enterprise_user2").get(f"/staff/repair/applications/{application.pk}/").status_code == 404


def test_not_eligible_is_answered_with_every_reason_and_the_earliest_date(web, travel):
    record = published(travel)
    travel("2026-02-20")
    login(web, "enterprise_user")
    done = web.post(
        "/staff/repair/apply/",
        {"records": [str(record.pk)], "correction": "已整改。", "signer_name": "张伟", "accepted": "on"},
    )
    answer = text(web.get(done["Location"]))
    assert "Not eligible yet" in answer
    assert (
        "X市监罚〔2025〕118号 : The minimum publication period has not ended: you may apply from 2026-03-01." in answer
    )
    assert "The obligations imposed are not shown as performed" in answer
    assert "The earliest date it could succeed: 2026-03-01 ." in answer
    assert RepairApplication.objects.get().status == "ineligible"


def test_a_window_clerk_applies_for_an_enterprise_found_by_its_uscc(web, travel):
    record = published(travel)
    travel("2026-03-02")
    login(web, "window_clerk")
    assert web.get("/staff/repair/").url == "/staff/repair/mine/"
    unknown = text(web.get("/staff/repair/mine/?uscc=91410102JJC171HU4X"))
    assert "No enterprise with this USCC has records." in unknown
    found = text(web.get("/staff/repair/mine/?uscc=91410100ay4cl12thu"))
    assert "X市恒信建材有限公司" in found and "X市监罚〔2025〕118号" in found
    done = web.post(
        "/staff/repair/apply/",
        {
            "subject_uscc": "91410100AY4CL12THU",
            "records": [str(record.pk)],
            "correction": "罚款已缴清。",
            "proof_held_by_unit": "on",
            "signer_name": "张伟",
            "accepted": "on",
            # At the window: the agent and the power of attorney (tests/repair/test_window.py).
            "agent_name": "张伟",
            "agent_id_number": "11010519491231002X",
            "agent_relationship": "员工",
            "power_of_attorney": SimpleUploadedFile("授权委托书.pdf", PDF, content_type="application/pdf"),
        },
    )
    application = RepairApplication.objects.get()
    assert (application.channel, application.filed_by.username) == ("window", "window_clerk")
    assert "Accepted" in text(web.get(done["Location"]))
    acceptance = Document.objects.get(doc_type="acceptance_notice")
    waiting = web.get(f"/staff/repair/documents/{acceptance.pk}")  # not rendered yet: 生成中, reloading itself
    assert waiting.status_code == 202 and 'id="document-pending"' in waiting.content.decode()
    assert 'http-equiv="refresh"' in waiting.content.decode()
    documents_render_pending()
    assert web.get(f"/staff/repair/documents/{acceptance.pk}").status_code == 200
    # The acceptance notice is a numbered act (a letter: 信函格式, its number under the double line).
    acceptance.refresh_from_db()
    assert acceptance.doc_number == "X市监信修受〔2026〕1号"
    first_page = PdfReader(acceptance.file.open("rb")).pages[0].extract_text()
    assert "X市监信修受〔2026〕1号" in "".join(first_page.split())


def test_the_reviewer_asks_for_material_extends_and_decides(web, travel):
    record = published(travel)
    application = submitted(travel, "2026-03-02", [record])
    url = f"/staff/repair/applications/{application.pk}/"
    travel("2026-03-04")
    login(web, "penalty_officer")
    assert "Review the repair application" in text(web.get("/staff/inbox/"))
    assert f"/staff/repair/applications/{application.pk}/" in web.get("/staff/repair/applications/").content.decode()
    web.post(url, {"action": "supplement", "supplement-items": "请补充罚款缴纳凭证"})
    login(web, "enterprise_user")
    page = text(web.get(url))
    assert "More material is needed: 请补充罚款缴纳凭证" in page and "Waiting for material asked for" in page
    assert "paused since 2026-03-04" in page and "The time for the result is stopped since 2026-03-04." in page
    empty = web.post(url, {"action": "received"})
    assert "Attach the material asked for (PDF, JPG or PNG)." in text(empty)
    travel("2026-03-10")
    web.post(
        url,
        {"action": "received", "received-proofs": [SimpleUploadedFile("凭证.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)]},
    )
    application.refresh_from_db()
    assert application.status == "accepted"
    login(web, "penalty_officer")
    too_long = web.post(url, {"action": "extend", "extend-days": "11", "extend-reason": "案情复杂"})
    assert "above the legal ceiling of 20" in text(too_long)
    web.post(url, {"action": "extend", "extend-days": "5", "extend-reason": "案情复杂，需现场核查"})
    assert deadlines_for(application).get(purpose="feedback").due_on == D(2026, 3, 27)
    login(web, "enterprise_user")
    page = text(web.get(url))
    assert "The time for the result was extended: 案情复杂，需现场核查" in page
    assert "due 2026-03-20 → 2026-03-27" in page and "first due 2026-03-16" in page
    assert web.post(url, {"action": "decide", "decide-decision": "approve", "decide-reason": "x"}).status_code == 302
    assert RepairApplication.objects.get().status == "accepted"  # the applicant cannot decide
    travel("2026-03-12")
    login(web, "penalty_officer")
    missing = web.post(url, {"action": "decide", "decide-decision": "approve"})
    assert "This field is required." in text(missing)
    web.post(url, {"action": "decide", "decide-decision": "approve", "decide-reason": "罚款已缴清，整改到位。"})
    application.refresh_from_db()
    record.refresh_from_db()
    assert (application.status, record.status) == ("approved", "repaired")
    login(web, "enterprise_user")
    page = text(web.get(url))
    assert (
        "Repaired. Decided on 2026-03-12." in page and "Publication stopped; sharing with other platforms stops" in page
    )
    decision = Document.objects.get(doc_type="repair_decision")
    documents_render_pending()
    assert "准予信用修复" in pdf_text(web.get(f"/staff/repair/documents/{decision.pk}"))
    assert login(web, "enterprise_user2").get(f"/staff/repair/documents/{decision.pk}").status_code == 404


def test_serious_repairs_are_approved_by_a_supervisor_on_the_page(web, travel):
    record = published(travel, number="S-1", decided="2025-01-10", category="serious")
    application = submitted(travel, "2026-01-12", [record])
    application_task(application=application, step="review", user=u("penalty_officer"), approve=True, reason="已整改")
    login(web, "supervisor")
    assert "awaiting the supervisor" in text(web.get("/staff/repair/applications/?status=awaiting_approval"))
    url = f"/staff/repair/applications/{application.pk}/"
    page = text(web.get(url))
    assert "Approve the repair of serious dishonesty information" in page and "已整改" in page
    web.post(url, {"action": "decide", "decide-decision": "approve", "decide-reason": "同意修复"})
    assert RepairApplication.objects.get().status == "approved"
    assert DishonestyRecord.objects.get().status == "repaired"


def test_objections_are_filed_on_the_record_and_answered_by_a_supervisor(web, travel):
    record = published(travel)
    login(web, "enterprise_user2")
    assert web.get(f"/staff/repair/records/{record.pk}/objection/").status_code == 404
    assert login(web, "penalty_officer").get(f"/staff/repair/records/{record.pk}/objection/").status_code == 403
    login(web, "enterprise_user")
    short = web.post(f"/staff/repair/records/{record.pk}/objection/", {"target": "content", "text": "有误"})
    assert "State the grounds (at least 10 characters)." in text(short)
    done = web.post(
        f"/staff/repair/records/{record.pk}/objection/",
        {"target": "content", "text": "认定的货值金额有误，应为1.2万元。"},
    )
    objection = Objection.objects.get()
    assert done["Location"] == f"/staff/repair/objections/{objection.pk}/"
    assert "Answer due by 2025-12-15" in text(web.get(done["Location"]))
    assert "under objection" in text(web.get(f"/staff/repair/records/{record.pk}/"))
    login(web, "supervisor")
    assert "认定的货值金额有误" in text(web.get(f"/staff/repair/objections/{objection.pk}/"))
    assert "X市监罚〔2025〕118号" in text(web.get("/staff/repair/objections/"))
    web.post(
        f"/staff/repair/objections/{objection.pk}/",
        {
            "outcome": "correct",
            "answer": "经复核，货值金额应为1.2万元，予以更正。",
            "facts": "销售不合格建材，货值金额1.2万元。",
            "basis": "《产品质量法》第四十九条",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "publication_ends_on": "2026-11-30",
        },
    )
    objection.refresh_from_db()
    record.refresh_from_db()
    assert (objection.status, record.facts) == ("upheld", "销售不合格建材，货值金额1.2万元。")
    assert list(objection.changes) == ["facts"]
    page = text(login(web, "enterprise_user").get(f"/staff/repair/objections/{objection.pk}/"))
    assert "经复核，货值金额应为1.2万元，予以更正。" in page and "Answer the objection" not in page
    assert web.post(f"/staff/repair/objections/{objection.pk}/", {"outcome": "dismiss"}).status_code == 403


def test_measures_per_deciding_unit(web, travel):
    # 3 months from 2026-03-01 end on 06-01: the application of 06-02 is the first day allowed.
    record = published(travel, decided="2026-03-01", number="M-1", obligations=[])
    application = submitted(travel, "2026-06-02", [record])
    travel("2026-06-04")
    application_task(application=application, step="review", user=u("penalty_officer"), approve=True, reason="整改到位")
    assert login(web, "penalty_officer").get("/staff/repair/measures/").status_code == 403
    login(web, "supervisor")
    page = text(web.get("/staff/repair/measures/?period=2026"))
    assert "X市市场监督管理局 1 0.0% 1 1 1 100.0% 100.0% 100.0% 2.0" in page
    assert "Period must look like" in text(web.get("/staff/repair/measures/?period=last"))


def test_the_public_list_shows_what_is_published_now(web, travel):
    published(travel)
    published(
        travel,
        number="X市监罚〔2025〕120号",
        subject={"person_name": "王小明", "id_number": "11010519491231002X"},
        facts="王小明无证经营。",
    )
    travel("2025-12-01")
    record_create(
        data={
            "subject": {"uscc": "91410105DD272HD1TJ", "name": "X市明达软件科技有限公司"},
            "type": "admin_penalty",
            "category": "general",
            "decision_number": "未公示-1",
            "decided_on": "2025-11-30",
            "facts": "x",
            "basis": "y",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
        },
        acting_user=u("penalty_officer"),
    )
    page = web.get("/public/records/")
    shown = text(page)
    assert page.status_code == 200 and "2 records" in shown
    assert (
        "X市恒信建材有限公司" in shown and "王** natural person" in shown and "Not shown for natural persons." in shown
    )
    assert "王小明" not in page.content.decode() and "11010519491231002X" not in page.content.decode()
    assert "未公示-1" not in shown
    assert "1 record" in text(web.get("/public/records/?q=91410100ay4cl12thu"))
    assert "Nothing published matches the search." in text(web.get("/public/records/?q=明达"))


def test_the_public_search_does_not_advertise_a_real_party(client):
    page = client.get(reverse("public-records")).content.decode()
    placeholder = re.search(r'placeholder="([^"]*)"', page).group(1)
    for enterprise in Enterprise.objects.all():
        assert enterprise.uscc not in placeholder and enterprise.name[2:6] not in placeholder
    assert placeholder == "输入名称关键字或18位统一社会信用代码"
