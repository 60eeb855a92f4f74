"""Hostile values through the API: each is refused with a 400 (or 413) naming the field, and nothing is written.

One test per class of value that used to reach the database or Python's parsers and end in a 500 (NUL bytes,
"²", bigint overflow, Infinity, 1e400, offsets beyond ±14:00, deep JSON), or was silently changed (an amount
rounded, a decision number cut at 64 characters). Every /api/ answer is JSON, errors included.
"""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.models import Complaint, Contract
from repair.models import DishonestyRecord
from tests.contracts.test_api import BODY as CONTRACT_BODY
from tests.contracts.test_complaint_api import BODY as COMPLAINT_BODY
from tests.repair.test_api import RECORD
from workflow.models import AuditLog, User

pytestmark = pytest.mark.django_db

# The valid bodies of the endpoints' own tests; each test here spoils one value.
CONTRACT = CONTRACT_BODY
COMPLAINT = COMPLAINT_BODY


@pytest.fixture
def demo(db, travel):
    call_command("seed_demo", verbosity=0)
    travel("2026-08-04")


def as_user(username, **extra):
    user = User.objects.get(username=username)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def counts():
    return (
        Contract.objects.count(),
        Complaint.objects.count(),
        DishonestyRecord.objects.count(),
        AuditLog.objects.count(),
    )


def refused(response, status, *fields):
    """The JSON error of `status` naming each field; returns its body."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if fields:
        assert body["code"] == "invalid"
        assert set(fields) <= set(body["errors"]), body
    return body


def post_contract(**over):
    return as_user("agency_clerk").post("/api/v1/contracts/", {**CONTRACT, **over}, format="json")


def test_nul_and_control_characters_in_text_are_refused(demo):
    before = counts()
    body = refused(post_contract(title="材料\x00采购", number="JT\x07-1"), 400, "title", "number")
    assert "control characters" in body["errors"]["title"][0]
    complaint = {**COMPLAINT, "contact": {"name": "张\x00伟", "mobile": "13812345678"}}
    refused(
        APIClient(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/complaints/", complaint, format="json"), 400, "contact.name"
    )
    record = {**RECORD, "facts": "事实\x00"}
    refused(as_user("penalty_officer").post("/api/v1/repair/records/", record, format="json"), 400, "facts")
    # In the URL and the query string too.
    refused(APIClient().get("/api/v1/complaints/TS2026%00X/", {"mobile_last4": "5678"}), 400, "path")
    refused(as_user("supervisor").get("/api/v1/public/records/", {"q": "恒信\x00"}), 400, "q")
    assert counts() == before


def test_line_breaks_are_text_only_where_text_spans_lines(demo):
    before = counts()
    refused(post_contract(title="第一行\n第二行"), 400, "title")
    ok = as_user("penalty_officer").post(
        "/api/v1/repair/records/", {**RECORD, "facts": "第一段。\n\t第二段。"}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert DishonestyRecord.objects.count() == before[2] + 1


def test_over_long_text_is_refused_with_the_limit_never_cut(demo):
    before = counts()
    body = refused(post_contract(number="J" * 65), 400, "number")
    assert "64" in body["errors"]["number"][0]
    record = {**RECORD, "decision_number": "罚" * 65}
    body = refused(as_user("penalty_officer").post("/api/v1/repair/records/", record, format="json"), 400)
    assert "64" in body["errors"]["decision_number"][0]
    complaint = {**COMPLAINT, "contract": {"number": "N" * 65, "signed_on": "2025-06-10"}}
    refused(APIClient().post("/api/v1/complaints/", complaint, format="json"), 400, "contract.number")
    assert counts() == before


@pytest.mark.parametrize("value", ["²", "１２", "12²", "1e3", " ", True])
def test_integers_are_plain_ascii_digits(demo, value):
    before = counts()
    milestone = {"kind": "delivery", "title": "交付", "planned_on": "2026-09-01", "acceptance_period_days": value}
    refused(post_contract(milestones=[milestone]), 400, "milestones.0.acceptance_period_days")
    refused(APIClient().get("/api/v1/ocds/releases.json", {"page": value}), 400, "page")
    assert counts() == before


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30, "9" * 40])
def test_integers_beyond_bigint_are_refused(demo, value):
    before = counts()
    refused(APIClient().get("/api/v1/ocds/releases.json", {"page": str(value)}), 400, "page")
    complaint = {**COMPLAINT, "contract": {"id": value}}
    refused(APIClient().post("/api/v1/complaints/", complaint, format="json"), 400, "contract.id")
    assert counts() == before


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400", "1E5", "٣٠٠"])
def test_amounts_are_finite_plain_decimals(demo, value):
    before = counts()
    refused(post_contract(amount=value), 400, "amount")
    record = {**RECORD, "obligations": [{"kind": "fine", "amount": value, "due_on": "2025-12-15"}]}
    refused(
        as_user("penalty_officer").post("/api/v1/repair/records/", record, format="json"), 400, "obligations.0.amount"
    )
    assert counts() == before


def test_json_numbers_beyond_a_float_are_refused_by_name(demo):
    before = counts()
    raw = json.dumps(CONTRACT).replace('"300000.00"', "1e400")
    response = as_user("agency_clerk").post("/api/v1/contracts/", raw, content_type="application/json")
    refused(response, 400, "amount")
    # NaN and Infinity are not JSON.
    raw = json.dumps(CONTRACT).replace('"300000.00"', "NaN")
    body = refused(as_user("agency_clerk").post("/api/v1/contracts/", raw, content_type="application/json"), 400)
    assert body["code"] == "parse_error"
    assert counts() == before


def test_amounts_with_too_many_decimals_are_refused_never_rounded(demo):
    before = counts()
    body = refused(post_contract(amount="1000.005"), 400, "amount")
    assert "2 decimal places" in body["errors"]["amount"][0]
    refused(post_contract(amount=1000.005), 400, "amount")  # as a JSON number too
    refused(post_contract(amount="1" * 15 + ".00"), 400, "amount")  # 17 digits: more than the column holds
    record = {**RECORD, "obligations": [{"kind": "fine", "amount": "1000.005", "due_on": "2025-12-15"}]}
    refused(
        as_user("penalty_officer").post("/api/v1/repair/records/", record, format="json"), 400, "obligations.0.amount"
    )
    assert counts() == before


@pytest.mark.parametrize("value", ["1989-12-31", "2101-01-01", "0001-01-01", "9999-12-31", "２０２６-08-03"])
def test_dates_are_within_1990_to_2100(demo, value):
    before = counts()
    body = refused(post_contract(signed_on=value), 400, "signed_on")
    assert body["errors"]["signed_on"]
    record = {**RECORD, "decided_on": value}
    refused(as_user("penalty_officer").post("/api/v1/repair/records/", record, format="json"), 400, "decided_on")
    assert counts() == before


@pytest.mark.parametrize("value", ["2026-08-04T00:00:00+20:00", "2026-08-04T00:00:00-14:30", "1900-01-01T00:00:00"])
def test_datetimes_refuse_offsets_beyond_14_hours_and_far_years(demo, value):
    body = refused(
        APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/ocds/releases.json", {"since": value}), 400, "since"
    )
    assert body["errors"]["since"]
    ok = APIClient().get("/api/v1/ocds/releases.json", {"since": "2026-08-04T00:00:00+14:00"})
    assert ok.status_code == 200


def test_every_field_error_comes_in_one_answer(demo):
    before = counts()
    body = refused(
        post_contract(amount="abc", counterparty={"name": "X", "uscc": "9" * 19, "size": "huge"}, signed_on="x"),
        400,
        "amount",
        "counterparty.uscc",
        "counterparty.size",
        "signed_on",
    )
    assert body["message"] == "The request contains invalid data."
    # A hostile value and a domain error together: both named.
    complaint = {**COMPLAINT, "contact": {"name": "张\x00伟", "mobile": "123"}, "facts": "短"}
    body = refused(APIClient().post("/api/v1/complaints/", complaint, format="json"), 400, "contact.name")
    assert {"contact.mobile", "facts"} <= set(body["errors"])
    assert counts() == before


def test_deep_json_is_a_413(demo):
    before = counts()
    raw = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = as_user("agency_clerk").post("/api/v1/contracts/", raw, content_type="application/json")
    assert refused(response, 413)["code"] == "too_deep"
    assert counts() == before
    # Brackets inside strings are text, not depth.
    brackets_in_text = json.dumps({**CONTRACT, "title": "[" * 100})
    response = as_user("agency_clerk").post("/api/v1/contracts/", brackets_in_text, content_type="application/json")
    assert response.status_code == 201 and Contract.objects.count() == before[0] + 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_body_over_the_limit_is_a_413_json(demo):
    before = counts()
    raw = json.dumps({**CONTRACT, "title": "x" * 20_000})
    response = as_user("agency_clerk").post("/api/v1/contracts/", raw, content_type="application/json")
    assert refused(response, 413)["code"] == "too_large"
    form = {"data": "x" * 20_000}
    response = as_user("enterprise_user").post("/api/v1/repair/applications/", form)  # multipart
    assert refused(response, 413)["code"] == "too_large"
    assert counts() == before


def test_every_api_answer_is_json(demo):
    for method in ("get", "post", "put", "delete", "patch"):
        response = getattr(APIClient(), method)("/api/v1/no-such-thing/")
        assert refused(response, 404)["code"] == "not_found"
    # A session-authenticated POST without the CSRF token: a JSON 403, not Django's page.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="agency_clerk"))
    response = client.post("/api/v1/contracts/", CONTRACT, format="json")
    assert refused(response, 403)["code"] in ("csrf_failed", "forbidden")
    response = as_user("agency_clerk").put("/api/v1/contracts/", CONTRACT, format="json")
    assert refused(response, 405)["code"] == "method_not_allowed"
    # Elsewhere, the HTML pages stay.
    page = APIClient().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_csrf_failure_view_answers_json_under_api_only(rf):
    from workflow.api.errors import csrf_failure

    api = csrf_failure(rf.post("/api/v1/contracts/"), reason="CSRF cookie not set.")
    assert (api.status_code, json.loads(api.content)["code"]) == (403, "csrf_failed")
    page = csrf_failure(rf.post("/staff/contracts/"), reason="CSRF cookie not set.")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


def test_a_crash_under_api_is_a_json_500(rf):
    from workflow.api.errors import server_error

    response = server_error(rf.get("/api/v1/contracts/"))
    assert (response.status_code, json.loads(response.content)["code"]) == (500, "server_error")
    assert server_error(rf.get("/staff/")).status_code == 500
