"""The complaint column's API: filing (JSON, multipart, the national platform's token), tracking by code
and mobile digits, the staff steps, the head's extension and the complainant's evaluation."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.models import Complaint, ComplaintEvidence
from workflow.models import AuditLog, Document, User

D = dt.date
pytestmark = pytest.mark.django_db

BODY = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "respondent": {"agency": "XJTJ"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def api(demo):
    client = APIClient(REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="en")
    return client


def as_user(username):
    user = User.objects.get(username=username)
    client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def file_(api, travel, day="2026-09-14", **over):
    travel(day)
    response = api.post("/api/v1/complaints/", {**BODY, **over}, format="json")
    assert response.status_code == 201, response.json()
    return Complaint.objects.get(code=response.json()["code"])


def track(client, code, digits="5678"):
    return client.get(f"/api/v1/complaints/{code}", {"mobile_last4": digits})


def test_filing_by_json_gives_a_code_a_receipt_and_a_public_tracking_view(api, travel):
    travel("2026-09-14")
    response = api.post("/api/v1/complaints/", BODY, format="json")
    assert response.status_code == 201
    body = response.json()
    complaint = Complaint.objects.get()
    assert body == {
        "code": complaint.code,
        "status": "submitted",
        "receipt_url": f"http://testserver/complaints/track/{complaint.code}/receipt?mobile_last4=5678",
    }
    assert (complaint.source, complaint.submitter_ip, complaint.submitted_by) == ("api", "203.0.113.9", None)
    receipt = api.get(body["receipt_url"])
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content).startswith(b"%PDF")
    assert api.get(body["receipt_url"].replace("5678", "5679")).status_code == 404

    tracked = track(api, complaint.code.lower())
    assert tracked.status_code == 200
    data = tracked.json()
    assert set(data) == {"code", "status", "status_label", "received_on", "respondent", "handling_agency", "steps"}
    assert (data["code"], data["status"], data["respondent"], data["received_on"]) == (
        complaint.code,
        "submitted",
        "X市交通运输局",
        "2026-09-14",
    )
    assert [(s["name"], s["status"], s["started_on"], s["due_on"], s["done_on"]) for s in data["steps"][:3]] == [
        ("submitted", "done", "2026-09-14", None, "2026-09-14"),
        ("acceptance", "in_progress", "2026-09-14", "2026-09-28", None),
        ("transfer", "pending", None, None, None),
    ]
    # No personal data, no amounts, no facts.
    text = tracked.content.decode()
    for secret in ("张伟", "13812345678", "5678", "180000", "货款", "91410100AY4CL12THU", "恒信"):
        assert secret not in text


def test_a_wrong_code_and_wrong_digits_answer_the_same_404(api, travel):
    complaint = file_(api, travel)
    wrong_digits = track(api, complaint.code, "0000")
    wrong_code = track(api, "TS20260914ZZZZZZ", "5678")
    no_digits = api.get(f"/api/v1/complaints/{complaint.code}")
    assert wrong_digits.status_code == wrong_code.status_code == no_digits.status_code == 404
    assert wrong_digits.json() == wrong_code.json() == no_digits.json()
    assert wrong_digits.json()["code"] == "not_found"


def test_bad_input_is_400_with_every_field_and_nothing_is_saved(api, travel):
    travel("2026-09-14")
    bad = {
        **BODY,
        "complainant": {"name": "", "uscc": "91410100AY4CL12THX", "size": "large"},
        "contact": {"name": "张伟", "mobile": "1381234"},
        "respondent": {"agency": "NOPE"},
        "contract": {},
        "amount_claimed": "12.345",
        "facts": "太短",
        "declaration": "yes",
    }
    response = api.post("/api/v1/complaints/", bad, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {
        "complainant.name",
        "complainant.uscc",
        "complainant.size",
        "contact.mobile",
        "respondent.agency",
        "contract",
        "amount_claimed",
        "facts",
        "declaration",
    }
    assert api.post("/api/v1/complaints/", [1, 2], format="json").status_code == 400
    assert (
        Complaint.objects.count(),
        Document.objects.count(),
        AuditLog.objects.filter(action__startswith="complaint").count(),
    ) == (0, 0, 0)


def test_duplicates_are_409_and_floods_429(api, travel, settings):
    file_(api, travel)
    again = api.post("/api/v1/complaints/", BODY, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_complaint"
    file_(api, travel, contract={"number": "JT-2025-032"})
    third = api.post("/api/v1/complaints/", {**BODY, "contract": {"number": "JT-2025-033"}}, format="json")
    assert third.status_code == 429 and third.json()["code"] == "rate_limited"  # three a day per mobile
    # Every attempt that got past validation counts for the address, the duplicate too: 3 this hour.
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 3
    other = {**BODY, "contact": {"name": "李", "mobile": "13900000001"}, "contract": {"number": "A-1"}}
    assert api.post("/api/v1/complaints/", other, format="json").status_code == 429
    assert Complaint.objects.count() == 2


def test_multipart_with_evidence_files(api, travel, settings):
    travel("2026-09-14")
    flat = {
        "complainant.name": "X市恒信建材有限公司",
        "complainant.uscc": "91410100AY4CL12THU",
        "complainant.size": "small",
        "contact.name": "张伟",
        "contact.mobile": "13812345678",
        "respondent.agency": "XJTJ",
        "contract.number": "JT-2025-031",
        "amount_claimed": "180000.00",
        "facts": BODY["facts"],
        "declaration": "true",
        "evidence": [SimpleUploadedFile("验收单.pdf", PDF), SimpleUploadedFile("催款函.png", PNG)],
    }
    response = api.post("/api/v1/complaints/", flat, format="multipart")
    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get()
    assert sorted(complaint.evidence.values_list("original_name", "content_type")) == [
        ("催款函.png", "image/png"),
        ("验收单.pdf", "application/pdf"),
    ]
    # The JSON as one part works as well; a file that is not what it claims is refused, nothing saved.
    import json

    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf")
    body = {**BODY, "contract": {"number": "JT-2025-040"}}
    response = api.post("/api/v1/complaints/", {"data": json.dumps(body), "evidence": [fake]}, format="multipart")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"evidence"}
    settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("扫描件.pdf", PDF + b"0" * 4096)
    response = api.post("/api/v1/complaints/", {"data": json.dumps(body), "evidence": [big]}, format="multipart")
    assert response.status_code == 400
    assert "扫描件.pdf" in response.json()["errors"]["evidence"][0]
    assert (Complaint.objects.count(), ComplaintEvidence.objects.count()) == (1, 2)


def test_the_national_platform_forwards_with_a_staff_token(demo, travel, settings):
    travel("2026-09-14")
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 1
    officer = as_user("complaint_officer")
    for number in ("N-1", "N-2"):  # one forwarding address: the per-IP limit does not apply
        response = officer.post("/api/v1/complaints/", {**BODY, "contract": {"number": number}}, format="json")
        assert response.status_code == 201
    assert set(Complaint.objects.values_list("source", flat=True)) == {"national"}
    assert Complaint.objects.filter(submitted_by__username="complaint_officer").count() == 2
    # An enterprise's own token files as "api".
    mine = as_user("enterprise_user").post(
        "/api/v1/complaints/",
        {**BODY, "contact": {"name": "张伟", "mobile": "13900000009"}, "contract": {"number": "E-1"}},
        format="json",
    )
    assert mine.status_code == 201
    assert Complaint.objects.get(code=mine.json()["code"]).source == "api"


def test_the_whole_path_through_the_api(api, travel):
    complaint = file_(api, travel)
    code = complaint.code
    officer, clerk, clerk2 = as_user("complaint_officer"), as_user("agency_clerk"), as_user("agency_clerk2")
    assert api.post(f"/api/v1/complaints/{code}/accept").status_code in (401, 403)
    assert clerk2.post(f"/api/v1/complaints/{code}/accept").status_code == 404  # not its complaint
    refused = clerk.post(f"/api/v1/complaints/{code}/accept")  # sees it, but it is not the clerk's step
    assert refused.status_code == 409 and refused.json()["code"] == "task_state"

    travel("2026-09-15")
    accepted = officer.post(f"/api/v1/complaints/{code}/accept")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["accepted_on"]) == ("accepted", "2026-09-15")
    assert officer.post(f"/api/v1/complaints/{code}/accept").status_code == 409
    bad = officer.post(f"/api/v1/complaints/{code}/transfer", {"agency": "NOPE"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"agency"}
    travel("2026-09-16")
    moved = officer.post(f"/api/v1/complaints/{code}/transfer", {"agency": "XJTJ"}, format="json")
    assert moved.status_code == 200 and moved.json()["handling_agency_code"] == "XJTJ"
    steps = {s["name"]: s for s in track(api, code).json()["steps"]}
    assert (steps["transfer"]["due_on"], steps["transfer"]["done_on"]) == ("2026-09-29", "2026-09-16")
    assert (steps["handling"]["started_on"], steps["handling"]["due_on"]) == ("2026-09-16", "2026-10-16")
    assert track(api, code).json()["handling_agency"] == "X市交通运输局"

    travel("2026-09-30")
    empty = clerk.post(f"/api/v1/complaints/{code}/handle", {"findings": " "}, format="json")
    assert empty.status_code == 400 and set(empty.json()["errors"]) == {"findings"}
    handled = clerk.post(
        f"/api/v1/complaints/{code}/handle",
        {"findings": "经核实，货款确未支付。", "amount_confirmed": "180000.00", "repayment_plan": "10月底前付清"},
        format="json",
    )
    assert handled.status_code == 200
    assert (handled.json()["status"], handled.json()["amount_confirmed"]) == ("handled", "180000.00")
    replied = clerk.post(
        f"/api/v1/complaints/{code}/feedback", {"text": "我局将于10月底前付清全部货款。"}, format="json"
    )
    assert replied.status_code == 200 and replied.json()["status"] == "answered"
    assert any(d["doc_type"].startswith("complaint_feedback") for d in replied.json()["documents"])

    # The complainant evaluates: code and digits, no login.
    assert (
        api.post(
            f"/api/v1/complaints/{code}/evaluate?mobile_last4=1111", {"satisfied": True}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"/api/v1/complaints/{code}/evaluate?mobile_last4=5678", {"satisfied": "maybe"}, format="json"
        ).status_code
        == 400
    )
    done = api.post(f"/api/v1/complaints/{code}/evaluate", {"satisfied": True, "mobile_last4": "5678"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = api.post(f"/api/v1/complaints/{code}/evaluate?mobile_last4=5678", {"satisfied": False}, format="json")
    assert again.status_code == 409
    steps = {s["name"]: s for s in done.json()["steps"]}
    assert steps["closed"]["done_on"] == "2026-09-30"


def test_rejection_takes_a_code_or_a_bare_text(api, travel):
    one = file_(api, travel)
    two = file_(api, travel, contract={"number": "JT-2025-099"})
    officer = as_user("complaint_officer")
    r = officer.post(
        f"/api/v1/complaints/{one.code}/reject", {"reason": "in_court", "text": "已由仲裁委员会受理。"}, format="json"
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["reject_reason"], r.json()["reject_text"]) == (
        "rejected",
        "in_court",
        "已由仲裁委员会受理。",
    )
    r = officer.post(f"/api/v1/complaints/{two.code}/reject", {"reason": "不属于本栏目受理范围"}, format="json")
    assert (r.json()["reject_reason"], r.json()["reject_text"]) == ("other", "不属于本栏目受理范围")
    assert [s["status"] for s in track(api, two.code).json()["steps"]] == ["done", "rejected"]


def test_only_the_head_of_the_handling_body_extends(api, travel):
    complaint = file_(api, travel)
    officer = as_user("complaint_officer")
    officer.post(f"/api/v1/complaints/{complaint.code}/accept")
    officer.post(f"/api/v1/complaints/{complaint.code}/transfer", {"agency": "XJTJ"}, format="json")
    url = f"/api/v1/complaints/{complaint.code}/extend"
    body = {"days": 30, "reason": "涉及多个标段，需调取档案核对"}
    assert as_user("agency_clerk").post(url, body, format="json").status_code == 403
    assert as_user("agency_clerk2").post(url, body, format="json").status_code == 404
    assert officer.post(url, body, format="json").status_code == 403
    head = as_user("agency_head")
    assert head.post(url, {"days": "x", "reason": "r"}, format="json").status_code == 400
    r = head.post(url, body, format="json")
    assert r.status_code == 200
    clock = next(d for d in r.json()["deadlines"] if d["purpose"] == "handle")
    assert (clock["original_due_on"], clock["due_on"], clock["extended_by"]) == ("2026-10-14", "2026-11-13", 30)
    too_far = head.post(url, {"days": 31, "reason": "再延期"}, format="json")
    assert too_far.status_code == 400 and set(too_far.json()["errors"]) == {"days"}


def test_staff_read_their_complaints_only(api, travel):
    complaint = file_(api, travel)
    file_(api, travel, respondent={"agency": "XJYJ"}, contract={"number": "JY-1"})
    officer = as_user("complaint_officer")
    assert len(officer.get("/api/v1/complaints/").json()) == 2
    mine = as_user("agency_clerk").get("/api/v1/complaints/").json()
    assert [c["code"] for c in mine] == [complaint.code]
    assert mine[0]["next_step"] == "accept" and mine[0]["next_due_on"] == "2026-09-28"
    assert api.get("/api/v1/complaints/").status_code in (401, 403)
    full = officer.get(f"/api/v1/complaints/{complaint.code}").json()
    assert (full["contact"], full["amount_claimed"], full["your_step"]) == (
        {"name": "张伟", "mobile": "13812345678"},
        "180000.00",
        "accept",
    )
    assert as_user("agency_clerk2").get(f"/api/v1/complaints/{complaint.code}").status_code == 404
    travel("2026-09-29")
    late = officer.get("/api/v1/complaints/", {"overdue": "1"}).json()
    assert len(late) == 2 and all(c["overdue"] for c in late)
    assert officer.get("/api/v1/complaints/", {"status": "closed"}).json() == []
    assert officer.get("/api/v1/complaints/", {"status": "nope"}).status_code == 400
