"""Dishonesty records, under /api/v1/repair/records/.

- `POST repair/records/` (penalty officer): record a decision; the penalty decision and the credit repair
  notice are issued in the same act; a q2 worker renders them after commit (each shows its `status`, and
  `url` and `sha256` once it is rendered).
- `POST repair/records/{id}/serve` and `POST repair/records/{id}/publish` (penalty officer of the deciding
  unit) are additions to the issue's list: serving both documents with one delivery record, and publishing.

Thin, like every endpoint of credit repair: parse, call repair.services, render (repair.api.payloads). Errors
use the API's common format: 400 with field errors, 403 for a role that may not act, 404 for what the user
may not see, 409 for a state conflict; a refused request writes nothing.
"""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from repair.api.payloads import record_payload, record_row_payload
from repair.api.serializers import (
    RecordInSerializer,
    RecordOutSerializer,
    RecordValues,
    ServeIn,
    StatusQuery,
    repair_schema,
)
from repair.models import DishonestyRecord
from repair.selectors import is_unit_officer, record_get_for_user, records_visible_to
from repair.services.records import (
    record_create,
    record_decision_attach,
    record_publish,
    record_serve_notices,
    record_validate,
)
from workflow.api.parsing import request_body
from workflow.api.serializers import validate_input
from workflow.errors import PermissionDenied, ValidationFailed
from workflow.models import Delivery


def _record_response(request, pk, code=status.HTTP_200_OK) -> Response:
    record = DishonestyRecord.objects.select_related("enterprise", "deciding_unit").get(pk=pk)
    return Response(record_payload(request, record), status=code)


def _unit_record(request, pk) -> DishonestyRecord:
    record = record_get_for_user(user=request.user, pk=pk)
    if not is_unit_officer(request.user, record.deciding_unit):
        raise PermissionDenied(_("Only a penalty officer of the deciding unit may do this."), "forbidden")
    return record


class RecordCollectionApi(APIView):
    @repair_schema(
        "records_create",
        "Record dishonesty information (penalty officer)",
        request=RecordInSerializer,
        responses={201: RecordOutSerializer},
        description="The deciding unit is the officer's agency. The penalty decision and the credit repair notice "
        "(双书同达) are issued in the same act; a q2 worker renders them after the answer (each document shows its "
        "`status`; `url` and `sha256` are null until it is `rendered`). "
        "`earliest_repair_on` and `publication_ends_on` come from the rules in force on the decision date.",
    )
    def post(self, request):
        if isinstance(request.data, QueryDict) or not isinstance(request.data, dict):
            raise ValidationFailed(_("Send a JSON object."), "invalid")
        validate_input(RecordValues, request.data, then=record_validate)
        record = record_create(data=dict(request.data), acting_user=request.user)
        return _record_response(request, record.pk, status.HTTP_201_CREATED)

    @repair_schema(
        "records_list",
        "Records you may see",
        responses={200: inline_serializer("RepairRecordRow", {"id": serializers.IntegerField()}, many=True)},
        description="Supervisors: all; a deciding unit's staff: its own; an enterprise: its own. At most 200, "
        "newest decision first; `GET repair/records/{id}` gives the whole record.",
    )
    def get(self, request):
        qs = records_visible_to(request.user)
        st = validate_input(StatusQuery, request.query_params).get("status")
        if st:
            if st not in DishonestyRecord.Status.values:
                raise ValidationFailed(_("Unknown status."), "invalid", field="status")
            qs = qs.filter(status=st)
        return Response([record_row_payload(r) for r in qs.order_by("-decided_on", "-id")[:200]])


class RecordDetailApi(APIView):
    @repair_schema("records_retrieve", "One record")
    def get(self, request, pk):
        return Response(record_payload(request, record_get_for_user(user=request.user, pk=pk)))


class RecordServeApi(APIView):
    @repair_schema(
        "records_serve",
        "Serve both documents with one delivery record (addition)",
        request=inline_serializer(
            "RepairServeIn",
            {
                "method": serializers.ChoiceField(choices=Delivery.Method.values),
                "delivered_on": serializers.DateField(),
                "recipient": serializers.CharField(max_length=200),
                "receipt": serializers.CharField(required=False, max_length=200),
            },
        ),
        description="An addition to the issue's endpoints: the penalty decision and the credit repair notice "
        "are served together (双书同达). Served twice: 409 `already_served`.",
    )
    def post(self, request, pk):
        record = _unit_record(request, pk)
        values = validate_input(ServeIn, request_body(request))
        record_serve_notices(
            record=record,
            method=values.get("method") or "",
            delivered_on=values["delivered_on"],
            recipient=values.get("recipient") or "",
            receipt=values.get("receipt") or "",
            acting_user=request.user,
        )
        return _record_response(request, record.pk)


class RecordDecisionFileApi(APIView):
    parser_classes = [MultiPartParser]

    @repair_schema(
        "records_decision_file",
        "Attach the deciding unit's own decision (PDF)",
        request={"multipart/form-data": inline_serializer("RepairDecisionFileIn", {"file": serializers.FileField()})},
        description="For a record whose `decision_source` is `attached`: the PDF the unit issued itself, attached as "
        "it is (never re-dated or re-numbered), once and before service. 409 `decision_issued_here`, "
        "`decision_attached` or `already_served`; 400 for anything but a PDF.",
    )
    def post(self, request, pk):
        record = _unit_record(request, pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(_("Attach the decision as a PDF."), "required", field="file")
        record_decision_attach(record=record, upload=upload, acting_user=request.user)
        return _record_response(request, record.pk, status.HTTP_201_CREATED)


class RecordPublishApi(APIView):
    @repair_schema(
        "records_publish",
        "Publish a record (addition)",
        description="An addition to the issue's endpoints. 409 `not_publishable` for a minor record not marked "
        "for publication, `publication_over` after its period, `record_state` when not recorded.",
    )
    def post(self, request, pk):
        record = _unit_record(request, pk)
        record_publish(record=record, acting_user=request.user)
        return _record_response(request, record.pk)
