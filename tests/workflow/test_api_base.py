import io

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.http import Http404
from django.utils import translation
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from workflow.errors import CalendarDataMissing, Conflict, NotFound, ValidationFailed
from workflow.models import Agency, Enterprise

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def token_for(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_token_then_me_for_an_agency_clerk(api, demo):
    response = token_for(api, "agency_clerk")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user__username="agency_clerk").key}
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    agency = Agency.objects.get(code="XJTJ")
    assert me.json() == {
        "id": me.json()["id"],
        "username": "agency_clerk",
        "name": "李文清",
        "roles": ["agency_clerk"],
        "agency": {"id": agency.pk, "code": "XJTJ", "name": "X市交通运输局", "kind": "government"},
        "enterprise": None,
    }
    # The same token comes back on the next login.
    assert token_for(APIClient(HTTP_ACCEPT_LANGUAGE="en"), "agency_clerk").json()["token"] == response.json()["token"]


def test_me_for_an_enterprise_user_with_a_session(api, demo):
    assert api.login(username="enterprise_user", password=PASSWORD)
    body = api.get("/api/v1/me").json()
    enterprise = Enterprise.objects.get(uscc="91410100AY4CL12THU")
    assert body["agency"] is None
    assert body["enterprise"] == {
        "id": enterprise.pk,
        "name": "X市恒信建材有限公司",
        "uscc": "91410100AY4CL12THU",
        "size": "small",
    }
    assert (body["name"], body["roles"]) == ("张伟", ["enterprise_user"])


def test_wrong_password_is_400_invalid_credentials(api, demo):
    response = token_for(api, "agency_clerk", "wrong-password")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "Wrong username or password."}
    assert token_for(api, "nobody").json()["code"] == "invalid_credentials"


def test_missing_fields_are_400_invalid_with_field_errors(api):
    response = api.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "This field is required.",
        "errors": {"password": ["This field is required."]},
    }


def test_lockout_after_five_failures_even_with_the_right_password(api, demo, settings):
    assert settings.LOGIN_LOCKOUT_ATTEMPTS == 5
    for _ in range(5):
        assert token_for(api, "supervisor", "wrong-password").status_code == 400
    response = token_for(api, "supervisor")
    # Issue 12: a lockout is "too many requests" (429 with Retry-After), no longer 403.
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "15 minutes" in response.json()["message"]
    assert response["Retry-After"] == "900"
    assert not Token.objects.filter(user__username="supervisor").exists()
    # ...from that address only: the supervisor logs in from another one.
    other = api.post(
        "/api/v1/auth/token/",
        {"username": "supervisor", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 200


def test_me_needs_authentication(api):
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }
    assert response["WWW-Authenticate"] == "Token"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/me")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_method_not_allowed_has_the_error_shape(api, demo):
    api.login(username="agency_clerk", password=PASSWORD)
    response = api.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'}


def test_unknown_api_urls_answer_json_404(api):
    for url in ["/api/v1/nothing-here", "/api/v2/me", "/api/"]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"code": "not_found", "message": "Not found."}
    assert api.post("/api/v1/nothing-here", {}).json()["code"] == "not_found"
    # A missing slash on a real endpoint is added, as elsewhere on the site.
    response = api.get("/api/docs")
    assert (response.status_code, response["Location"]) == (301, "/api/docs/")


def test_schema_and_swagger_ui_are_public_and_served_locally(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/token/", "/api/v1/me"} <= set(paths)
    assert "Error" in schema.json()["components"]["schemas"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_schema_generates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/me" in out.getvalue()


# --- the exception handler -------------------------------------------------------------------


def raise_in_view(make_exc):
    class Raiser(APIView):
        permission_classes = [AllowAny]
        authentication_classes: list = []

        def get(self, request):
            raise make_exc()

    response = Raiser.as_view()(APIRequestFactory().get("/api/v1/x"))
    return response.status_code, response.data


@pytest.mark.parametrize(
    ("make_exc", "status", "body"),
    [
        (
            lambda: ValidationFailed("Amount is above the legal ceiling.", "above_legal_ceiling", field="amount"),
            400,
            {
                "code": "above_legal_ceiling",
                "message": "Amount is above the legal ceiling.",
                "errors": {"amount": ["Amount is above the legal ceiling."]},
            },
        ),
        (
            lambda: Conflict("Already published.", "already_published"),
            409,
            {"code": "already_published", "message": "Already published."},
        ),
        (lambda: NotFound("No such contract."), 404, {"code": "not_found", "message": "No such contract."}),
        (
            lambda: CalendarDataMissing("No data for 2031"),
            422,
            {"code": "calendar_year_missing", "message": "No data for 2031"},
        ),
        (
            lambda: exceptions.ValidationError({"amount": ["Too big."], "items": [{"price": ["Required."]}]}),
            400,
            {
                "code": "invalid",
                "message": "The request contains invalid data.",
                "errors": {"amount": ["Too big."], "items.0.price": ["Required."]},
            },
        ),
        (
            lambda: DjangoValidationError({"uscc": ["Not a valid code."], "__all__": ["Dates overlap."]}),
            400,
            {
                "code": "invalid",
                "message": "The request contains invalid data.",
                "errors": {"uscc": ["Not a valid code."], "non_field_errors": ["Dates overlap."]},
            },
        ),
        (
            lambda: DjangoValidationError("Dates overlap."),
            400,
            {"code": "invalid", "message": "Dates overlap.", "errors": {"non_field_errors": ["Dates overlap."]}},
        ),
        (
            lambda: exceptions.PermissionDenied(),
            403,
            {"code": "forbidden", "message": "You do not have permission to perform this action."},
        ),
        (
            lambda: DjangoPermissionDenied(),
            403,
            {"code": "forbidden", "message": "You do not have permission to perform this action."},
        ),
        (lambda: Http404(), 404, {"code": "not_found", "message": "Not found."}),
        (lambda: exceptions.NotFound(), 404, {"code": "not_found", "message": "Not found."}),
        (
            lambda: TransitionNotAllowed("Can't switch from state 'published'"),
            409,
            {"code": "conflict", "message": "This record changed or is not in a state that allows this action."},
        ),
        (
            lambda: ConcurrentTransition("changed"),
            409,
            {"code": "conflict", "message": "This record changed or is not in a state that allows this action."},
        ),
    ],
)
def test_exception_handler_maps_errors(make_exc, status, body):
    assert raise_in_view(make_exc) == (status, body)


def test_unknown_exceptions_are_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        raise_in_view(ZeroDivisionError)


def test_multipart_json_refuses_a_file_as_the_data_part():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.parsers import MultiPartParser
    from rest_framework.request import Request

    from workflow.api.parsing import multipart_json

    def request_with(data):
        return Request(APIRequestFactory().post("/", data, format="multipart"), parsers=[MultiPartParser()])

    assert multipart_json(request_with({"data": '{"a": 1}'})) == {"a": 1}
    with pytest.raises(ValidationFailed) as exc:
        multipart_json(request_with({"data": SimpleUploadedFile("d.json", b'{"a": 1}')}))
    assert (exc.value.code, exc.value.field) == ("invalid", "data")
