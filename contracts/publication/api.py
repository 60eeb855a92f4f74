"""REST endpoints for publication (公示) and the public OCDS feed.

- POST contracts/{id}/publication/review — record the redaction review (clerk, head, supervisor).
- POST contracts/{id}/publish — publish (agency head or supervisor); an optional review in the body
  is recorded first, in the same transaction.
- POST contracts/{id}/withdraw — take it off the public pages and the feed.
- GET contracts/{id}/publication — the publication record as staff see it.
- GET ocds/releases.json — public OCDS 1.1 release package, `?since=`, `?after=` (links.next), `?limit=`, `?page=`.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import selectors
from contracts.models import ContractPublication
from contracts.publication import ocds
from contracts.publication.services import (
    publication_publish,
    publication_review,
    publication_withdraw,
    published_on_time,
)
from workflow import clock
from workflow.api.serializers import MAX_UTC_OFFSET, YEAR_MAX, YEAR_MIN, InputSerializer
from workflow.errors import NotFound, ValidationFailed
from workflow.pagination import keyset_cursor, keyset_parse


class ReviewInSerializer(InputSerializer):
    redacted = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Parts withheld from the public: amount, milestones, payments, counterparty.",
    )
    review_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PublishInSerializer(InputSerializer):
    redacted = serializers.ListField(child=serializers.CharField(), required=False)
    review_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class WithdrawInSerializer(InputSerializer):
    reason = serializers.CharField(max_length=2000)


class PublicationOutSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract_id")
    status = serializers.CharField()
    redacted = serializers.ListField(child=serializers.CharField())
    review_note = serializers.CharField()
    reviewed_by = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdraw_reason = serializers.CharField()
    publish_due_on = serializers.DateField(source="contract.publish_due_on", allow_null=True)
    published_on_time = serializers.SerializerMethodField()
    ocid = serializers.SerializerMethodField()

    def get_reviewed_by(self, p) -> str | None:
        return p.reviewed_by.get_username() if p.reviewed_by_id else None

    def get_published_on_time(self, p) -> bool | None:
        return published_on_time(p)

    def get_ocid(self, p) -> str:
        return ocds.ocid_for(p.contract_id)


def _out(publication: ContractPublication) -> Response:
    publication = ContractPublication.objects.select_related("contract", "reviewed_by").get(pk=publication.pk)
    return Response(PublicationOutSerializer(publication).data)


def _has_review(data: dict) -> bool:
    return "redacted" in data or "review_note" in data


class PublicationDetailApi(APIView):
    @extend_schema(responses=PublicationOutSerializer)
    def get(self, request, pk):
        contract = selectors.contract_get_for_user(user=request.user, pk=pk)
        publication = ContractPublication.objects.filter(contract=contract).first()
        if publication is None:
            raise NotFound(_("This contract has no publication record yet."), "not_found")
        return _out(publication)


class PublicationReviewApi(APIView):
    @extend_schema(request=ReviewInSerializer, responses=PublicationOutSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get_for_user(user=request.user, pk=pk)
        data = ReviewInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = publication_review(
            contract=contract,
            redacted=data.validated_data["redacted"],
            note=data.validated_data["review_note"],
            acting_user=request.user,
        )
        return _out(publication)


class ContractPublishApi(APIView):
    @extend_schema(
        request=PublishInSerializer,
        responses=PublicationOutSerializer,
        description="Publish a contract (agency head or supervisor). Without a recorded redaction review: 409 "
        "review_required; a body with `redacted` / `review_note` records the review first, in the same "
        "transaction. `published_on_time` says whether a procurement contract met its publication deadline.",
    )
    def post(self, request, pk):
        contract = selectors.contract_get_for_user(user=request.user, pk=pk)
        data = PublishInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            if _has_review(data.validated_data):
                publication_review(
                    contract=contract,
                    redacted=data.validated_data.get("redacted", []),
                    note=data.validated_data.get("review_note", ""),
                    acting_user=request.user,
                )
            publication = publication_publish(contract=contract, acting_user=request.user)
        return _out(publication)


class ContractWithdrawApi(APIView):
    @extend_schema(request=WithdrawInSerializer, responses=PublicationOutSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get_for_user(user=request.user, pk=pk)
        data = WithdrawInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = publication_withdraw(
            contract=contract, reason=data.validated_data["reason"], acting_user=request.user
        )
        return _out(publication)


# "+08:00" arrives as " 08:00" when a client does not encode the plus sign.
_UNENCODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def parse_since(raw: str | None) -> dt.datetime | None:
    """ISO 8601 date-time (a missing offset means Asia/Shanghai) or a date (its start there)."""
    if raw is None or raw == "":
        return None
    value = _UNENCODED_PLUS.sub(r"\1+\2", raw.strip())
    try:
        moment = parse_datetime(value) if value.isascii() else None
        day = None if moment or not value.isascii() else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None:
        if day is None:
            raise serializers.ValidationError(_("Give an ISO 8601 date-time, e.g. 2026-08-04T00:00:00+08:00."))
        moment = clock.start_of_day(day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.SHANGHAI)
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise serializers.ValidationError(_("A time zone offset is at most ±14:00."))
    if not YEAR_MIN <= moment.year <= YEAR_MAX:
        raise serializers.ValidationError(
            _("Enter a date between the years {min} and {max}.").format(min=YEAR_MIN, max=YEAR_MAX)
        )
    return moment


# Far beyond the last page of any real feed; a larger page number is refused, not looked up.
MAX_PAGE = 1_000_000


class OcdsQuerySerializer(InputSerializer):
    since = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Only releases dated at or after this: an ISO 8601 date-time (offset at most ±14:00) or a date.",
    )
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        default=1,
        help_text=f"Page number, in pages of `limit` releases (default {ocds.PAGE_SIZE}).",
    )
    after = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The cursor in `links.next` of the previous page: the releases after it.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ocds.MAX_PAGE_SIZE,
        help_text=f"Releases per page (default {ocds.PAGE_SIZE}, at most {ocds.MAX_PAGE_SIZE}); kept in `links.next`.",
    )

    def validate_since(self, raw: str) -> dt.datetime | None:
        return parse_since(raw)

    def validate_after(self, raw: str):
        if not raw:
            return None
        values = keyset_parse(raw, 2)
        try:
            return (dt.datetime.fromisoformat(values[0]), int(values[1])) if values else None
        except ValueError:
            return None


class OcdsReleasesApi(APIView):
    """Public: the releases of every published contract, oldest change first."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[OcdsQuerySerializer],
        operation_id="ocds_releases",
        responses={200: OpenApiTypes.OBJECT},
        description="OCDS 1.1 release package of the published government contracts (no login). "
        "`links.next` is the URL of the next page when there is one: it carries an `after` cursor "
        "(keyset pagination, the same cost at any depth; keep following `links.next`). `page` still works.",
    )
    def get(self, request):
        query = OcdsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since, page, after, limit = (
            query.validated_data.get("since"),
            query.validated_data["page"],
            query.validated_data.get("after"),
            query.validated_data.get("limit"),
        )
        if after is None and request.query_params.get("after"):  # not one of ours: refuse, do not restart
            raise ValidationFailed(_("This is not a cursor of this feed."), "invalid_cursor", field="after")
        releases, latest, next_key = ocds.feed_page(since=since, page=page, after=after, limit=limit)

        def page_uri(number: int | None = None, cursor: str | None = None) -> str:
            params = {"since": since.isoformat()} if since else {}
            if cursor:
                params["after"] = cursor
            elif number and number > 1:
                params["page"] = str(number)
            if limit:
                params["limit"] = str(limit)
            query = f"?{urlencode(params)}" if params else ""
            return request.build_absolute_uri(request.path + query)

        here = page_uri(cursor=request.query_params.get("after")) if after else page_uri(page)
        package = ocds.release_package(
            releases=releases,
            latest=latest,
            uri=here,
            next_uri=page_uri(cursor=keyset_cursor(next_key[0].isoformat(), next_key[1])) if next_key else None,
            prev_uri=page_uri(page - 1) if page > 1 and after is None else None,
        )
        # The releases are JSON text already (mostly from the OcdsRelease cache): sent as they are.
        return HttpResponse(package.encode(), content_type="application/json; charset=utf-8")
