"""The API download route's own answers: token auth, JSON errors with stable codes, the schema."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflow.test_documents_web import PDF_BYTES, _stored
from workflow.documents import document_issue
from workflow.models import Agency, Enterprise, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(db):
    return Enterprise.objects.create(name="X市恒信建材有限公司", uscc="91410100AY4CL12THU", size="small")


@pytest.fixture
def issued(case):
    issuer = Agency.objects.create(code="XJTJ", name="X市交通运输局", kind="government", doc_prefix="X交")
    return document_issue(
        case=case,
        doc_type="repair_decision",
        title="信用修复决定书",
        template="documents/sample_notice.html",
        context={"enterprise_name": case.name, "budget": "1.00"},
        issuer=issuer,
        series="信修",
    )


def token_client(username, role, **kwargs):
    user = User.objects.create_user(username=username, password="x-password-123", **kwargs)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def url(document_or_pk):
    return f"/api/v1/documents/{getattr(document_or_pk, 'pk', document_or_pk)}/download"


def test_a_token_downloads_the_pdf(issued):
    document = _stored(issued)
    response = token_client("sup", "supervisor").get(url(document), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_errors_are_json_with_stable_codes_whatever_the_client_accepts(issued, case):
    supervisor = token_client("sup", "supervisor")
    # Issued but not rendered yet: 202 document_pending with Retry-After, as the download pages answer.
    response = supervisor.get(url(issued), HTTP_ACCEPT="application/pdf")
    assert (response.status_code, response["Content-Type"]) == (202, "application/json")
    assert response.json()["code"] == "document_pending" and response.json()["status"] == "pending"
    assert response["Retry-After"] == "3"
    _stored(issued)
    # Not visible and not existing answer the same.
    other = token_client("ent2", "enterprise_user")
    hidden, missing = other.get(url(issued)), other.get(url(issued.pk + 1000))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json() == missing.json() and hidden.json()["code"] == "document_not_found"
    # No credentials, or a wrong token: 401 for every id alike.
    for client in (APIClient(), APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)):
        anonymous = [client.get(url(pk)) for pk in (issued.pk, issued.pk + 1000)]
        assert [r.status_code for r in anonymous] == [401, 401]
        assert anonymous[0].json() == anonymous[1].json()
        assert anonymous[0].json()["code"] == "not_authenticated"


def test_the_schema_documents_the_route(db):
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/documents/{id}/download"]["get"]
    assert operation["operationId"] == "document_download"
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert set(operation["responses"]) >= {"200", "401", "404"}
    assert {"tokenAuth": []} in operation["security"]
