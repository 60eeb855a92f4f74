"""The credit repair API: recording with the dual notices, serving and publishing, applying online and at the
window (instant answer), the reviewer's actions and the supervisor's approval, objections, and the public list."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from repair.models import DishonestyRecord, Objection, RepairApplication
from workflow.deadlines import deadlines_for
from workflow.documents import documents_render_pending
from workflow.models import Delivery, Document, User

D = dt.date
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RECORD = {
    "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
    "type": "admin_penalty",
    "category": "general",
    "publish": False,
    "decision_number": "X市监罚〔2025〕118号",
    "decided_on": "2025-11-30",
    "facts": "销售不合格建材，货值金额3.2万元。",
    "basis": "《中华人民共和国产品质量法》第四十九条",
    "subject_address": "X市高新区科学大道100号",
    "evidence": "现场检查笔录、抽样检验报告。",
    "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
}
APPLICATION = {
    "correction": "已停止销售并召回，罚款已缴清。",
    "proof_held_by_unit": True,
    "commitment": {"signer_name": "张伟", "accepted": True},
}


def as_user(username):
    user = User.objects.get(username=username)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def record(travel, today="2025-12-01", publish=True, **over):
    travel(today)
    response = as_user("penalty_officer").post("/api/v1/repair/records/", {**RECORD, **over}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    if publish:
        assert as_user("penalty_officer").post(f"/api/v1/repair/records/{pk}/publish").status_code == 200
    return pk


def apply(travel, day, records, username="enterprise_user", **over):
    travel(day)
    response = as_user(username).post(
        "/api/v1/repair/applications/", {**APPLICATION, "records": records, **over}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_recording_answers_with_the_dates_and_both_documents_issued_then_rendered(demo, travel, client):
    travel("2025-12-01")
    response = as_user("penalty_officer").post("/api/v1/repair/records/", RECORD, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["earliest_repair_on"], body["publication_ends_on"]) == (
        "recorded",
        "2026-03-01",
        "2026-11-30",
    )
    assert [d["type"] for d in body["documents"]] == ["penalty_decision", "repair_notice", "service_receipt"]
    # The service receipt (送达回证) is not an act: it lists the two documents and carries no number of its own.
    assert [d["doc_number"] for d in body["documents"]] == ["X市监罚〔2025〕118号", "X市监信修告〔2025〕1号", ""]
    # The answer renders nothing: the documents are pending, with no link and no hash yet.
    assert [(d["status"], d["url"], d["sha256"]) for d in body["documents"]] == [("pending", None, None)] * 3
    assert documents_render_pending() == {"rendered": 3}  # the q2 worker, after commit
    body = as_user("penalty_officer").get(f"/api/v1/repair/records/{body['id']}").json()
    for d in body["documents"]:
        doc = Document.objects.get(pk=d["id"])
        assert d["status"] == "rendered"
        assert d["sha256"] == doc.sha256 and len(d["sha256"]) == 64
        assert d["url"] == f"http://testserver/api/v1/documents/{doc.pk}/download"  # issue 12: a token URL
    # The subject's user downloads them; another enterprise's does not even learn they exist.
    client.force_login(User.objects.get(username="enterprise_user"))
    got = client.get(f"/documents/{body['documents'][1]['id']}/download")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    client.force_login(User.objects.get(username="enterprise_user2"))
    assert client.get(f"/documents/{body['documents'][1]['id']}/download").status_code == 404
    assert as_user("enterprise_user2").get(f"/api/v1/repair/records/{body['id']}").status_code == 404
    assert as_user("enterprise_user").get(f"/api/v1/repair/records/{body['id']}").json()["decision_number"] == (
        "X市监罚〔2025〕118号"
    )


def test_bad_records_are_refused_whole(demo, travel):
    travel("2025-12-01")
    bad = {**RECORD, "subject": {"uscc": "91410100AY4CL12THX", "name": ""}, "category": "huge", "decided_on": "x"}
    response = as_user("penalty_officer").post("/api/v1/repair/records/", bad, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"subject.uscc", "subject.name", "category", "decided_on"}
    assert as_user("agency_clerk").post("/api/v1/repair/records/", RECORD, format="json").status_code == 403
    assert as_user("enterprise_user").post("/api/v1/repair/records/", RECORD, format="json").status_code == 403
    assert APIClient().post("/api/v1/repair/records/", RECORD, format="json").status_code in (401, 403)
    record(travel, publish=False)
    again = as_user("penalty_officer").post("/api/v1/repair/records/", RECORD, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "duplicate_decision")
    assert (DishonestyRecord.objects.count(), Document.objects.count()) == (1, 3)


def test_serving_both_notices_once_and_publishing(demo, travel):
    pk = record(travel, publish=False)
    officer = as_user("penalty_officer")
    serve = {"method": "in_person", "delivered_on": "2025-12-01", "recipient": "张伟", "receipt": "送达回证No.32"}
    assert as_user("enterprise_user").post(f"/api/v1/repair/records/{pk}/serve", serve).status_code == 403
    assert as_user("enterprise_user2").post(f"/api/v1/repair/records/{pk}/serve", serve).status_code == 404
    bad = officer.post(f"/api/v1/repair/records/{pk}/serve", {**serve, "delivered_on": "2025-11-01"})
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["delivered_on"])
    response = officer.post(f"/api/v1/repair/records/{pk}/serve", serve, format="json")
    assert response.status_code == 200
    assert response.json()["service"] == {
        "method": "in_person",
        "delivered_on": "2025-12-01",
        "recipient": "张伟",
        "receipt": "送达回证No.32",
    }
    assert officer.post(f"/api/v1/repair/records/{pk}/serve", serve).status_code == 409
    assert Delivery.objects.get().documents.count() == 2
    published = officer.post(f"/api/v1/repair/records/{pk}/publish")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert officer.post(f"/api/v1/repair/records/{pk}/publish").json()["code"] == "record_state"
    minor = record(travel, publish=False, category="minor", decision_number="M-1")
    response = officer.post(f"/api/v1/repair/records/{minor}/publish")
    assert (response.status_code, response.json()["code"]) == (409, "not_publishable")
    rows = officer.get("/api/v1/repair/records/").json()
    assert [(r["decision_number"], r["status"]) for r in rows] == [
        ("M-1", "recorded"),
        (RECORD["decision_number"], "published"),
    ]
    assert as_user("enterprise_user2").get("/api/v1/repair/records/").json() == []
    assert officer.get("/api/v1/repair/records/", {"status": "nope"}).status_code == 400
    # Another unit's officer would not see it: the agency clerk of 交通运输局 gets 404.
    assert as_user("agency_clerk").post(f"/api/v1/repair/records/{pk}/publish").status_code == 404


def test_not_eligible_is_recorded_and_answered_with_every_reason(demo, travel):
    pk = record(travel)
    body = apply(travel, "2026-02-20", [pk], proof_held_by_unit=False)
    assert body["status"] == "ineligible" and body["eligible"] is False
    assert sorted(r["code"] for r in body["reasons"]) == ["obligations_open", "too_early"]
    assert body["earliest_date"] == "2026-03-01"
    assert body["deadlines"] == {"accept": None, "feedback": None}
    # Not accepted is an adverse act: answered in writing (不予受理告知书) besides the signed commitment.
    assert [d["type"] for d in body["documents"]] == ["credit_commitment", "not_accepted_notice"]


def test_eligible_online_with_proof_files_is_accepted_at_once(demo, travel):
    pk = record(travel)
    travel("2026-03-02")
    response = as_user("enterprise_user").post(
        "/api/v1/repair/applications/",
        {
            "records": str(pk),
            "correction": "罚款已缴清。",
            "commitment.signer_name": "张伟",
            "commitment.accepted": "true",
            "proofs": [SimpleUploadedFile("缴款凭证.pdf", PDF, content_type="application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["eligible"], body["reasons"], body["earliest_date"]) == ("accepted", True, [], None)
    assert body["deadlines"] == {"accept": "2026-03-05", "feedback": "2026-03-16"}
    assert body["proofs"][0]["name"] == "缴款凭证.pdf" and body["channel"] == "online"
    assert {d["type"] for d in body["documents"]} == {"credit_commitment", "acceptance_notice"}
    assert not any(d["sha256"] or d["url"] for d in body["documents"])  # pending: the worker renders them
    assert documents_render_pending() == {"rendered": 5}  # these two and the record's three
    body = as_user("penalty_officer").get(f"/api/v1/repair/applications/{body['id']}").json()
    assert all(d["sha256"] and d["status"] == "rendered" for d in body["documents"])
    assert as_user("penalty_officer").get(f"/api/v1/repair/applications/{body['id']}").status_code == 200
    assert as_user("enterprise_user2").get(f"/api/v1/repair/applications/{body['id']}").status_code == 404
    assert as_user("agency_clerk").get(f"/api/v1/repair/applications/{body['id']}").status_code == 404


def test_bad_applications_save_nothing(demo, travel):
    pk = record(travel)
    travel("2026-03-02")
    client = as_user("enterprise_user")
    response = client.post(
        "/api/v1/repair/applications/",
        {"records": [pk], "correction": "", "commitment": {"signer_name": "", "accepted": False}},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"correction", "commitment.signer_name", "commitment.accepted"}
    # Someone else's record is not "yours".
    other = as_user("enterprise_user2").post(
        "/api/v1/repair/applications/", {**APPLICATION, "records": [pk]}, format="json"
    )
    assert (other.status_code, list(other.json()["errors"])) == (400, ["records"])
    not_pdf = client.post(
        "/api/v1/repair/applications/",
        {
            "records": str(pk),
            "correction": "x",
            "commitment.signer_name": "张伟",
            "commitment.accepted": "true",
            "proofs": [SimpleUploadedFile("a.pdf", b"MZ not a pdf", content_type="application/pdf")],
        },
        format="multipart",
    )
    assert (not_pdf.status_code, list(not_pdf.json()["errors"])) == (400, ["proofs"])
    assert (
        as_user("penalty_officer")
        .post("/api/v1/repair/applications/", {**APPLICATION, "records": [pk]}, format="json")
        .status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/repair/applications/",
            {**APPLICATION, "records": [pk], "subject_uscc": "91410105DD272HD1TJ"},
            format="json",
        ).status_code
        == 403
    )
    assert RepairApplication.objects.count() == 0 and not Document.objects.filter(doc_type="credit_commitment")


def test_a_window_clerk_applies_for_an_enterprise_by_its_uscc(demo, travel):
    pk = record(travel)
    travel("2026-03-02")
    clerk = as_user("window_clerk")
    missing = clerk.post("/api/v1/repair/applications/", {**APPLICATION, "records": [pk]}, format="json")
    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["subject_uscc"])
    body = apply(travel, "2026-03-02", [pk], username="window_clerk", subject_uscc="91410100ay4cl12thu")
    assert (body["status"], body["channel"], body["enterprise"]["name"]) == (
        "accepted",
        "window",
        "X市恒信建材有限公司",
    )
    assert clerk.get(f"/api/v1/repair/applications/{body['id']}").status_code == 200
    assert as_user("enterprise_user").get(f"/api/v1/repair/applications/{body['id']}").status_code == 200


def test_supplement_pauses_extension_moves_and_the_decision_is_issued(demo, travel):
    pk = record(travel)
    app = apply(travel, "2026-03-02", [pk])["id"]
    officer, enterprise = as_user("penalty_officer"), as_user("enterprise_user")
    url = f"/api/v1/repair/applications/{app}"
    travel("2026-03-04")
    assert enterprise.post(f"{url}/supplement", {"items": "缴款凭证"}).status_code == 403
    assert officer.post(f"{url}/supplement", {"items": " "}).status_code == 400
    body = officer.post(f"{url}/supplement", {"items": "请补充罚款缴纳凭证"}).json()
    assert (body["status"], body["supplement_items"]) == ("supplement", "请补充罚款缴纳凭证")
    assert next(c for c in body["clocks"] if c["purpose"] == "feedback")["status"] == "paused"
    travel("2026-03-10")
    empty = enterprise.post(f"{url}/supplement-received", {}, format="multipart")
    assert (empty.status_code, list(empty.json()["errors"])) == (400, ["proofs"])
    got = enterprise.post(
        f"{url}/supplement-received",
        {"proofs": [SimpleUploadedFile("凭证.pdf", PDF, content_type="application/pdf")]},
        format="multipart",
    )
    assert (got.status_code, got.json()["status"], got.json()["deadlines"]["feedback"]) == (
        200,
        "accepted",
        "2026-03-20",
    )
    assert enterprise.post(f"{url}/extend", {"reason": "案情复杂"}).status_code == 403
    assert officer.post(f"{url}/extend", {"reason": ""}).json()["errors"] == {
        "reason": ["An extension needs a reason."]
    }
    too_long = officer.post(f"{url}/extend", {"reason": "案情复杂", "days": 11})
    assert (too_long.status_code, list(too_long.json()["errors"])) == (400, ["days"])
    extended = officer.post(f"{url}/extend", {"reason": "案情复杂，需现场核查"}).json()
    assert (extended["deadlines"]["feedback"], extended["extension_reason"]) == ("2026-03-27", "案情复杂，需现场核查")
    travel("2026-03-12")
    assert enterprise.post(f"{url}/decide", {"approve": True, "reason": "x"}, format="json").status_code == 403
    assert (
        as_user("supervisor").post(f"{url}/decide", {"approve": True, "reason": "x"}, format="json").status_code == 409
    )
    assert officer.post(f"{url}/decide", {"approve": "maybe", "reason": "x"}, format="json").status_code == 400
    assert officer.post(f"{url}/decide", {"approve": True, "reason": ""}, format="json").status_code == 400
    decided = officer.post(f"{url}/decide", {"approve": True, "reason": "罚款已缴清，整改到位。"}, format="json")
    assert decided.status_code == 200
    body = decided.json()
    assert (body["status"], body["approved"], body["decided_on"]) == ("approved", True, "2026-03-12")
    decision = next(d for d in body["documents"] if d["type"] == "repair_decision")
    assert decision["doc_number"] == "X市监信修决〔2026〕1号" and decision["status"] == "pending"
    documents_render_pending()
    body = officer.get(url).json()
    decision = next(d for d in body["documents"] if d["type"] == "repair_decision")
    assert len(decision["sha256"]) == 64
    assert DishonestyRecord.objects.get(pk=pk).status == "repaired"
    again = officer.post(f"{url}/decide", {"approve": False, "reason": "x"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "application_state")


def test_serious_records_go_to_a_supervisor(demo, travel):
    pk = record(travel, today="2025-01-13", category="serious", decided_on="2025-01-10", obligations=[])
    app = apply(travel, "2026-01-12", [pk])["id"]
    url = f"/api/v1/repair/applications/{app}/decide"
    officer, supervisor = as_user("penalty_officer"), as_user("supervisor")
    assert (
        officer.post(url, {"approve": True, "reason": "已整改"}, format="json").json()["status"] == "awaiting_approval"
    )
    assert officer.post(url, {"approve": True, "reason": "再次"}, format="json").status_code == 409
    body = supervisor.post(url, {"approve": True, "reason": "同意修复"}, format="json").json()
    assert body["status"] == "approved"
    assert DishonestyRecord.objects.get(pk=pk).status == "repaired"


def test_objections_are_filed_by_the_subject_and_answered_by_a_supervisor(demo, travel):
    pk = record(travel)
    url = f"/api/v1/repair/records/{pk}/objections"
    text = {"target": "content", "text": "认定的货值金额有误，应为1.2万元。"}
    assert as_user("enterprise_user2").post(url, text).status_code == 404
    assert as_user("penalty_officer").post(url, text).status_code == 403
    short = as_user("enterprise_user").post(url, {**text, "text": "有误"})
    assert (short.status_code, list(short.json()["errors"])) == (400, ["text"])
    filed = as_user("enterprise_user").post(url, text)
    assert filed.status_code == 201
    body = filed.json()
    assert (body["status"], body["filed_on"], body["answer_due"]) == ("open", "2025-12-01", "2025-12-15")
    assert as_user("enterprise_user").post(url, text).status_code == 409
    answer = f"/api/v1/repair/objections/{body['id']}/answer"
    payload = {"upheld": True, "answer": "经复核予以更正。", "corrections": {"facts": "货值金额1.2万元。"}}
    assert as_user("penalty_officer").post(answer, payload, format="json").status_code == 403
    assert as_user("enterprise_user2").post(answer, payload, format="json").status_code == 404
    bad = as_user("supervisor").post(answer, {**payload, "corrections": {"publication_ends_on": "soon"}}, format="json")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["corrections.publication_ends_on"])
    done = as_user("supervisor").post(answer, payload, format="json").json()
    assert (done["status"], done["changes"]["facts"][1]) == ("upheld", "货值金额1.2万元。")
    assert DishonestyRecord.objects.get(pk=pk).facts == "货值金额1.2万元。"
    assert Objection.objects.get().status == "upheld"


def test_the_public_list_shows_what_is_published_now_without_personal_data(demo, travel, django_assert_max_num_queries):
    public = APIClient()
    published = record(travel)
    record(travel, publish=False, decision_number="未公示-1")
    person = record(
        travel,
        decision_number="X市监罚〔2025〕120号",
        subject={"person_name": "王小明", "id_number": "11010519491231002X"},
        facts="王小明无证经营。",
    )
    with django_assert_max_num_queries(3):
        body = public.get("/api/v1/public/records/").json()
    assert body["count"] == 2
    assert {r["decision_number"] for r in body["results"]} == {"X市监罚〔2025〕118号", "X市监罚〔2025〕120号"}
    row = next(r for r in body["results"] if r["id"] == person)
    assert row["subject"] == {"name": "王**", "natural_person": True} and row["facts"] is None
    raw = public.get("/api/v1/public/records/").content.decode()
    assert "11010519491231002X" not in raw and "王小明" not in raw
    assert [r["id"] for r in public.get("/api/v1/public/records/", {"q": "91410100ay4cl12thu"}).json()["results"]] == [
        published
    ]
    assert public.get("/api/v1/public/records/", {"q": "恒信"}).json()["count"] == 1
    assert public.get("/api/v1/public/records/", {"q": "王小明"}).json()["count"] == 0
    # "至2026年11月30日止": shown on its last day, gone the day after, even before the sweep has run.
    travel("2026-11-30")
    assert public.get("/api/v1/public/records/").json()["count"] == 2
    travel("2026-12-01")
    assert public.get("/api/v1/public/records/").json()["count"] == 0
    # A repaired record is gone at once.
    travel("2026-03-02")
    app = apply(travel, "2026-03-02", [published])["id"]
    as_user("penalty_officer").post(
        f"/api/v1/repair/applications/{app}/decide", {"approve": True, "reason": "整改到位"}, format="json"
    )
    assert public.get("/api/v1/public/records/", {"q": "恒信"}).json() == {"count": 0, "results": []}
    assert deadlines_for(RepairApplication.objects.get(pk=app)).get(purpose="sync").due_on == D(2026, 3, 5)


def test_obligations_that_are_not_a_list_are_a_400_not_a_500(demo, travel):
    travel("2025-12-01")
    response = as_user("penalty_officer").post("/api/v1/repair/records/", {**RECORD, "obligations": 1.5}, format="json")
    assert response.status_code == 400
    assert any(key.startswith("obligations") for key in response.json()["errors"])
    assert not DishonestyRecord.objects.exists()
