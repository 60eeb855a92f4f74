"""`GET /api/v1/public/records/?q=` (no login): what is published now. A natural person's name is masked and
the ID number never shown."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from repair.api.payloads import public_record_payload
from repair.api.serializers import TAG, PublicQuery
from repair.selectors import public_records
from workflow.api.serializers import validate_input

PUBLIC_LIMIT = 200


class PublicRecordListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="public_records_list",
        summary="Dishonesty information published now (no login)",
        description="Search by enterprise name, USCC or decision number (`q`). Repaired, expired and revoked "
        f"records never appear. A natural person's name is masked and the ID number never shown. At most "
        f"{PUBLIC_LIMIT} rows, newest decision first; `count` is the total.",
        parameters=[OpenApiParameter("q", str, description="Enterprise name (part), USCC or decision number.")],
        responses={
            200: inline_serializer(
                "PublicRecordList",
                {"count": serializers.IntegerField(), "results": serializers.ListField(child=serializers.DictField())},
            )
        },
        examples=[OpenApiExample("Search", value={"count": 0, "results": []}, response_only=True)],
        auth=[{}],  # type: ignore[list-item]  # drf-spectacular types auth as str; it is OpenAPI security dicts
        tags=TAG,
    )
    def get(self, request):
        qs = public_records(validate_input(PublicQuery, request.query_params).get("q", ""))
        return Response({"count": qs.count(), "results": [public_record_payload(r) for r in qs[:PUBLIC_LIMIT]]})
