"""API authentication (token for username + password) and the current user (/api/v1/me)."""

from __future__ import annotations

import re

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflow import roles
from workflow.api.errors import ErrorSerializer
from workflow.auth import login_refusal
from workflow.errors import DomainError, RateLimited
from workflow.models import Agency, Enterprise, User

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def display_name(user: User) -> str:
    """The person's name as written: 李文清 (family name first, no space) for Chinese names."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part) or user.get_username()


# --- serializers -----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc", "size"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    enterprise = EnterpriseBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "roles", "agency", "enterprise"]

    def get_name(self, user: User) -> str:
        return display_name(user)

    def get_roles(self, user: User) -> list[str]:
        return list(roles.roles_of(user))


# --- views -----------------------------------------------------------------------------------


# The token endpoint's message for each refusal of workflow.auth.login_refusal.
TOKEN_REFUSED = {
    "locked_out": gettext_lazy("Too many failed logins. Try again in %(minutes)s minutes."),
    "too_many_logins": gettext_lazy("Too many failed logins from this address; try again in %(minutes)s minutes."),
}


class TokenView(APIView):
    """Exchange username and password for an API token (the same lockout as the login page)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Wrong password",
                value={"code": "invalid_credentials", "message": "Wrong username or password."},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Locked out",
                value={"code": "locked_out", "message": "Too many failed logins. Try again later."},
                response_only=True,
                status_codes=["429"],
            ),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Through Django's backends so the lockout applies; it marks the plain HttpRequest.
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        refused = login_refusal(django_request)
        if refused:
            code, minutes = refused
            raise RateLimited(TOKEN_REFUSED[code] % {"minutes": minutes}, code, retry_after=minutes * 60)
        if user is None:
            raise DomainError(_("Wrong username or password."), "invalid_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


class MeView(APIView):
    """Who the token (or session) belongs to: roles and the agency or enterprise they act for."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve",
        summary="The current user",
        responses={200: MeSerializer, 401: ErrorSerializer},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        assert request.user.pk is not None  # IsAuthenticated: never the anonymous user
        user = User.objects.select_related("agency", "enterprise").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
