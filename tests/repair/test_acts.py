"""The written acts of credit repair, read from the PDFs as the party reads them (pypdf).

- The penalty decision is the deciding unit's own act: issued here as a complete 行政处罚决定书 (行政处罚法
  第五十九条, 第七十二条 for fines) bearing the decision's own number and date, or attached as the unit issued it.
- 双书同达: the credit repair notice is served with it, with one 送达回证 listing both.
- Adverse acts (不予受理, 不予信用修复) name the review body and the court, with 60日 and 6个月; approvals cite
  令第36号 第三条; a decision carries the decider's own reasons only.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader
from rest_framework.test import APIClient

from repair.models import DecidingUnitProfile, DishonestyRecord, PenaltyDecisionFile
from repair.process import application_submit, application_task
from repair.services.records import record_create, record_decision_attach, record_publish, record_serve_notices
from workflow.errors import Conflict, ValidationFailed
from workflow.models import AuditLog, Delivery, Document, Enterprise, User
from workflow.rules import rule_in_force

D = dt.date
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def u(name):
    return User.objects.get(username=name)


def data(**over):
    return {
        "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
        "subject_address": "X市高新区科学大道100号",
        "type": "admin_penalty",
        "category": "general",
        "decision_number": "X市监罚〔2026〕57号",
        "decided_on": "2026-06-10",
        "facts": "当事人于2026年3月销售不合格建材，货值金额3.2万元。",
        "evidence": "现场检查笔录、抽样检验报告（编号JY-2026-031）、销售台账。",
        "basis": "《中华人民共和国产品质量法》第四十九条",
        "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2026-07-10"}],
        **over,
    }


def make(officer, travel, today="2026-11-30", **over):
    travel(today)
    return record_create(data=data(**over), acting_user=officer)


def pdf_text(doc):
    from workflow.documents import document_render

    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "").replace(" ", "")
    return re.sub(r"—\d+—", "", text)  # the page numbers (—2—) fall inside a sentence that runs over a page


def doc_of(case, doc_type):
    return Document.objects.get(object_id=str(case.pk), doc_type=doc_type)


# --- the penalty decision -----------------------------------------------------------------------------------


def test_a_decision_issued_here_carries_every_element_of_article_59_and_its_own_date(officer, travel):
    """Recorded on 2026-11-30, decided on 2026-06-10: the document bears 2026-06-10 and the decision's own number."""
    record = make(officer, travel)
    decision = doc_of(record, "penalty_decision")
    assert (decision.doc_number, decision.issued_on) == ("X市监罚〔2026〕57号", D(2026, 6, 10))
    text = pdf_text(decision)
    assert "行政处罚决定书" in text and "X市监罚〔2026〕57号" in text
    # (一) the party's name and address
    assert "当事人：X市恒信建材有限公司" in text and "91410100AY4CL12THU" in text
    assert "地址：X市高新区科学大道100号" in text
    # (二) the facts and the evidence
    assert "销售不合格建材，货值金额3.2万元" in text
    assert "现场检查笔录、抽样检验报告（编号JY-2026-031）、销售台账" in text
    # (三) the kind and the basis
    assert "《中华人民共和国产品质量法》第四十九条" in text
    assert "罚款人民币50,000.00元（大写：伍万元整）" in text
    # (四) how, where and by when; for a fine, the 第七十二条 surcharge
    assert "应当于2026年7月10日前履行完毕" in text
    assert "X省非税收入缴款平台" in text and "中国工商银行X市分行" in text
    assert "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款" in text
    assert "《中华人民共和国行政处罚法》第七十二条" in text
    # (五) the remedies: the named review body and court, and their time limits
    assert "自收到本决定书之日起60日内向X市人民政府申请行政复议" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    assert "自收到本决定书之日起6个月内向X市东区人民法院提起行政诉讼" in text
    assert "《中华人民共和国行政诉讼法》第四十六条" in text
    # (六) the unit and the decision date, never the day it was recorded
    assert "X市市场监督管理局" in text
    assert "2026年6月10日" in text and "2026年11月30日" not in text


def test_a_decision_issued_here_needs_the_address_and_the_evidence(officer, travel):
    travel("2026-11-30")
    with pytest.raises(ValidationFailed) as exc:
        record_create(data=data(subject_address="", evidence=" "), acting_user=officer)
    assert set(exc.value.errors) == {"subject_address", "evidence"}
    assert DishonestyRecord.objects.count() == Document.objects.count() == 0


def test_rule_rows_carry_the_remedy_limits_with_their_citations(db):
    review, litigation = (
        rule_in_force("remedy.review", D(2026, 6, 10)),
        rule_in_force("remedy.litigation", D(2026, 6, 10)),
    )
    assert (review.amount, review.unit, review.basis_article) == (60, "calendar_days", "第二十条")
    assert "行政复议法" in review.basis_document
    assert rule_in_force("remedy.review", D(2023, 6, 1)).basis_article == "第九条"  # the 1999 law
    assert (litigation.amount, litigation.unit, litigation.basis_article) == (6, "months", "第四十六条")
    surcharge = rule_in_force("penalty.fine.surcharge", D(2026, 6, 10))
    assert (str(surcharge.rate), surcharge.basis_article) == ("0.030000", "第七十二条第一款第（一）项")
    assert rule_in_force("repair.effect", D(2026, 6, 10)).basis_article == "第三条"


# --- 双书同达: the notice and one service receipt -------------------------------------------------------------


def test_the_notice_names_the_decision_and_writes_the_fine_in_figures_and_capitals(officer, travel):
    record = make(officer, travel, decision_number="X市监罚〔2025〕118号", decided_on="2025-11-30", today="2025-12-01")
    text = pdf_text(doc_of(record, "repair_notice"))
    assert "《行政处罚决定书》（X市监罚〔2025〕118号，2025年11月30日作出）" in text
    assert "罚款人民币50,000.00元（大写：伍万元整）" in text
    assert "《行政处罚》" not in text and "¥" not in text


def test_one_service_receipt_lists_both_documents_with_their_numbers(officer, travel):
    record = make(officer, travel)
    receipt = doc_of(record, "service_receipt")
    text = pdf_text(receipt)
    assert "送达回证" in text
    assert "受送达人X市恒信建材有限公司" in text
    assert "《行政处罚决定书》（X市监罚〔2026〕57号）" in text
    assert "《信用修复告知书》（X市监信修告〔2026〕1号）" in text
    assert "送达地点X市高新区科学大道100号" in text
    for element in ("送达方式", "直接送达", "邮寄送达", "送达人", "受送达人签收", "签名或者盖章"):
        assert element in text
    assert Document.objects.filter(object_id=str(record.pk), doc_type="service_receipt").count() == 1


# --- the unit's own PDF ---------------------------------------------------------------------------------------


def test_an_attached_decision_is_never_issued_again_and_is_served_with_the_notice(officer, travel):
    record = make(officer, travel, decision_source="attached", subject_address="", evidence="")
    assert not Document.objects.filter(doc_type="penalty_decision").exists()  # never re-dated, never re-numbered
    assert "《行政处罚决定书》（X市监罚〔2026〕57号）" in pdf_text(doc_of(record, "service_receipt"))
    serve = {"method": "in_person", "delivered_on": D(2026, 11, 30), "recipient": "张伟", "acting_user": officer}
    with pytest.raises(Conflict) as exc:
        record_serve_notices(record=record, **serve)
    assert exc.value.code == "decision_missing"
    with pytest.raises(ValidationFailed):
        record_decision_attach(record=record, upload=SimpleUploadedFile("d.png", PNG), acting_user=officer)
    stored = record_decision_attach(record=record, upload=SimpleUploadedFile("决定书.pdf", PDF), acting_user=officer)
    assert stored.sha256 and AuditLog.objects.filter(action="record.decision_attached").count() == 1
    with pytest.raises(Conflict):
        record_decision_attach(record=record, upload=SimpleUploadedFile("again.pdf", PDF), acting_user=officer)
    delivery = record_serve_notices(record=record, **serve)
    assert list(delivery.documents.values_list("doc_type", flat=True)) == ["repair_notice"]
    assert Delivery.objects.count() == 1


def test_a_decision_issued_here_has_nothing_to_attach(officer, travel):
    record = make(officer, travel)
    with pytest.raises(Conflict) as exc:
        record_decision_attach(record=record, upload=SimpleUploadedFile("d.pdf", PDF), acting_user=officer)
    assert exc.value.code == "decision_issued_here"


def test_the_api_records_an_attached_decision_and_takes_the_pdf(officer, travel):
    travel("2026-11-30")
    api = APIClient()
    api.force_authenticate(officer)
    body = data(decision_source="attached")
    response = api.post("/api/v1/repair/records/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["decision_source"] == "attached" and response.json()["decision_file"] is None
    bad = api.post(f"/api/v1/repair/records/{pk}/decision-file", {"file": SimpleUploadedFile("d.png", PNG)})
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/repair/records/{pk}/decision-file", {"file": SimpleUploadedFile("决定书.pdf", PDF)})
    assert ok.status_code == 201 and ok.json()["decision_file"]["name"] == "决定书.pdf"
    again = api.post(f"/api/v1/repair/records/{pk}/decision-file", {"file": SimpleUploadedFile("d.pdf", PDF)})
    assert (again.status_code, again.json()["code"]) == (409, "decision_attached")
    other = APIClient()
    other.force_authenticate(u("enterprise_user"))
    assert other.post(
        f"/api/v1/repair/records/{pk}/decision-file", {"file": SimpleUploadedFile("d.pdf", PDF)}
    ).status_code in (403, 404)


def test_the_record_page_attaches_the_units_own_pdf(officer, travel, client):
    record = make(officer, travel, decision_source="attached", subject_address="", evidence="")
    client.force_login(officer)
    page = client.get(f"/staff/repair/records/{record.pk}/").content.decode()
    assert 'id="attach-decision"' in page
    assert 'id="serve"' not in page  # nothing to serve before the unit's own decision is attached
    done = client.post(
        f"/staff/repair/records/{record.pk}/",
        {"action": "attach", "decision-decision_file": SimpleUploadedFile("决定书.pdf", PDF)},
    )
    assert done.status_code == 302
    assert PenaltyDecisionFile.objects.get(record=record).original_name == "决定书.pdf"
    page = client.get(f"/staff/repair/records/{record.pk}/").content.decode()
    assert 'id="attach-decision"' not in page and 'id="serve"' in page
    download = client.get(f"/staff/repair/records/{record.pk}/decision.pdf")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


# --- applications: adverse acts in writing --------------------------------------------------------------------


def published(officer, travel, category="general", decided="2025-11-30", number="X市监罚〔2025〕118号"):
    r = make(
        officer,
        travel,
        today="2025-12-01" if decided < "2025-12-01" else decided,
        category=category,
        decided_on=decided,
        decision_number=number,
        obligations=[{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
    )
    return record_publish(record=r, acting_user=officer)


def apply(travel, day, records, **over):
    travel(day)
    kwargs = {
        "enterprise": Enterprise.objects.get(uscc="91410100AY4CL12THU"),
        "record_ids": [r.pk for r in records],
        "correction": "已停止销售并召回，罚款已缴清。",
        "proof_held_by_unit": False,
        "commitment": {"signer_name": "张伟", "accepted": True},
        "acting_user": u("enterprise_user"),
    }
    kwargs.update(over)
    return application_submit(**kwargs)


def test_an_application_not_accepted_is_answered_in_writing_with_reasons_earliest_date_and_remedies(officer, travel):
    r = published(officer, travel)
    a = apply(travel, "2026-02-20", [r])
    assert a.status == "ineligible" and a.earliest_date is not None
    notice = doc_of(a, "not_accepted_notice")
    assert notice.title == "信用修复申请不予受理告知书" and notice.doc_number == "X市监信修不受〔2026〕1号"
    text = pdf_text(notice)
    assert "2026年2月20日提交的信用修复申请（涉及X市监罚〔2025〕118号）" in text and "不予受理" in text
    assert "最短公示期尚未届满" in text
    assert "法定义务尚未显示履行完毕" in text
    day = a.earliest_date
    assert f"可以自{day.year}年{day.month}月{day.day}日起重新申请信用修复" in text
    assert "自收到本告知书之日起60日内向X市人民政府申请行政复议" in text
    assert "自收到本告知书之日起6个月内向X市东区人民法院提起行政诉讼" in text
    assert "第二十条" in text and "第四十六条" in text


def test_a_refusal_carries_only_the_deciders_reasons_and_names_the_remedies(officer, travel):
    r = published(officer, travel, category="serious", decided="2025-01-10", number="X市监罚〔2025〕7号")
    a = apply(travel, "2026-01-12", [r], proof_held_by_unit=True)
    a = application_task(application=a, step="review", user=officer, approve=True, reason="材料齐全，建议准予修复。")
    assert a.status == "awaiting_approval" and a.review_opinion == "材料齐全，建议准予修复。"
    a = application_task(
        application=a,
        step="approve",
        user=u("supervisor"),
        approve=False,
        reason="承诺书签署人并非法定代表人，不予修复。",
    )
    assert a.status == "rejected" and a.decision_reason == "承诺书签署人并非法定代表人，不予修复。"
    text = pdf_text(doc_of(a, "repair_decision"))
    assert "不予信用修复" in text and "承诺书签署人并非法定代表人，不予修复" in text
    assert "建议准予修复" not in text  # the officer's opinion is not the decision's reason
    assert "自收到本决定书之日起60日内向X市人民政府申请行政复议（《中华人民共和国行政复议法》第二十条）" in text
    assert "自收到本决定书之日起6个月内向X市东区人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）" in text
    # The officer's opinion stays in the case history.
    assert AuditLog.objects.filter(action="repair.propose", reason="材料齐全，建议准予修复。").exists()


def test_an_approval_cites_its_basis_and_says_sharing_stops_and_measures_are_lifted(officer, travel):
    r = published(officer, travel)
    a = apply(travel, "2026-06-01", [r], proof_held_by_unit=True)
    a = application_task(application=a, step="review", user=officer, approve=True, reason="罚款已缴清，已整改。")
    text = pdf_text(doc_of(a, "repair_decision"))
    assert "根据《信用修复管理办法》（国家发展改革委令第36号）第三条，现决定：准予信用修复" in text
    assert "终止公示，停止共享和使用" in text and "解除相关失信惩戒措施" in text
    assert "罚款已缴清，已整改" in text
    assert "申请行政复议" not in text  # a favourable act


def test_a_unit_without_a_profile_still_states_the_limits_but_names_no_body(officer, travel):
    DecidingUnitProfile.objects.filter(unit=officer.agency).delete()
    text = pdf_text(doc_of(make(officer, travel), "penalty_decision"))
    assert "自收到本决定书之日起60日内依法申请行政复议" in text and "6个月内依法提起行政诉讼" in text
