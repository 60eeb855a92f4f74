"""Credit repair applications, under /api/v1/repair/applications/.

- `POST repair/applications/` (enterprise user, or a window clerk with `subject_uscc`; JSON or multipart with
  `proofs` files): checked at once; not eligible is still recorded and answered (201).
- `GET repair/applications/{id}`, reviewer actions `…/supplement`, `…/decide`, `…/extend`, and the
  applicant's `…/supplement-received` (multipart proofs).
"""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from repair.api.payloads import application_payload, application_row_payload
from repair.api.serializers import (
    ApplicationInSerializer,
    ApplicationMultipartSerializer,
    ApplicationOutSerializer,
    ApplicationValues,
    DecideIn,
    ExtendIn,
    SupplementIn,
    repair_schema,
)
from repair.models import RepairApplication
from repair.process import application_decide_as, application_submit
from repair.selectors import (
    applicant_enterprise,
    application_get_for_user,
    applications_visible_to,
    is_applicant,
    is_unit_officer,
)
from repair.services.applications import (
    application_extend,
    application_supplement,
    application_supplement_received,
    proof_limits,
)
from workflow.api.parsing import multipart_json, request_body, truthy
from workflow.api.serializers import validate_input
from workflow.errors import PermissionDenied, ValidationFailed
from workflow.uploads import cap_uploads, payload_too_large, upload_cap_exceeded

DEFAULT_EXTENSION_DAYS = 5


class ProofUploadsApi(APIView):
    """An endpoint that takes `proofs`: each file and all of them together capped while the body
    streams in (`proof_files` then answers 413 for a request over the total)."""

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            limits = proof_limits()
            cap_uploads(request, limits["max_bytes"], max_total=limits["max_total_bytes"])
        return super().initialize_request(request, *args, **kwargs)


def proof_files(request) -> list:
    """The `proofs` files of a request; PayloadTooLarge (413) when they were over the total."""
    files = list(request.FILES.getlist("proofs")) if request.FILES else []
    if upload_cap_exceeded(request):
        raise payload_too_large(proof_limits()["max_total_bytes"])
    return files


def application_from_request(request) -> tuple[dict, list]:
    """The JSON body, or a multipart form (a `data` part holding the JSON, or flat fields with
    `commitment.signer_name` and `commitment.accepted`) with `proofs` files."""
    files = proof_files(request)
    data = request.data
    if isinstance(data, QueryDict):
        body = multipart_json(request)
        if body is None:
            records = data.getlist("records")
            body = {
                "records": records[0] if len(records) == 1 else records,
                "correction": data.get("correction", ""),
                "proof_held_by_unit": data.get("proof_held_by_unit", ""),
                "subject_uscc": data.get("subject_uscc", ""),
                "commitment": {
                    "signer_name": data.get("commitment.signer_name", ""),
                    "accepted": data.get("commitment.accepted", ""),
                },
            }
        commitment = body.get("commitment")
        if not isinstance(commitment, dict):
            commitment = {}
        body["commitment"] = {**commitment, "accepted": truthy(commitment.get("accepted"))}
        body["proof_held_by_unit"] = truthy(body.get("proof_held_by_unit"))
        return body, files
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid")
    return data, files


def _application_response(request, pk, code=status.HTTP_200_OK) -> Response:
    application = RepairApplication.objects.select_related("enterprise", "deciding_unit").get(pk=pk)
    return Response(application_payload(request, application), status=code)


class ApplicationCollectionApi(ProofUploadsApi):
    @repair_schema(
        "applications_create",
        "Apply for credit repair (enterprise user, or window clerk)",
        request={"application/json": ApplicationInSerializer, "multipart/form-data": ApplicationMultipartSerializer},
        responses={201: ApplicationOutSerializer},
        description="Checked at once (即申即办). Eligible: accepted, with the due dates of acceptance (met today) "
        "and of the result. Not eligible: still recorded and answered with every reason and the earliest date it "
        "could succeed (status `ineligible`, 201). Bad input: 400 with every field error; nothing is saved.",
    )
    def post(self, request):
        body, files = application_from_request(request)
        values = validate_input(ApplicationValues, body)
        enterprise, channel = applicant_enterprise(request.user, values.get("subject_uscc") or "")
        application = application_submit(
            enterprise=enterprise,
            record_ids=[str(pk) for pk in values["records"]],
            correction=values.get("correction") or "",
            proof_held_by_unit=values.get("proof_held_by_unit") is True,
            commitment=dict(values.get("commitment") or {}),
            acting_user=request.user,
            proofs=files,
            channel=channel,
        )
        return _application_response(request, application.pk, status.HTTP_201_CREATED)

    @repair_schema(
        "applications_list", "Applications you may see", responses={200: ApplicationOutSerializer(many=True)}
    )
    def get(self, request):
        qs = applications_visible_to(request.user).order_by("-applied_on", "-id")[:200]
        return Response([application_row_payload(a) for a in qs])


class ApplicationDetailApi(APIView):
    @repair_schema("applications_retrieve", "One application", responses={200: ApplicationOutSerializer})
    def get(self, request, pk):
        return Response(application_payload(request, application_get_for_user(user=request.user, pk=pk)))


def _unit_application(request, pk) -> RepairApplication:
    application = application_get_for_user(user=request.user, pk=pk)
    if not is_unit_officer(request.user, application.deciding_unit):
        raise PermissionDenied(_("Only a penalty officer of the deciding unit may do this."), "forbidden")
    return application


class ApplicationSupplementApi(APIView):
    @repair_schema(
        "applications_supplement",
        "Ask for more material (补正; penalty officer of the deciding unit)",
        request=inline_serializer("RepairSupplementIn", {"items": serializers.CharField()}),
        responses={200: ApplicationOutSerializer},
        description="The result's clock stops until the material arrives.",
    )
    def post(self, request, pk):
        application = _unit_application(request, pk)
        items = validate_input(SupplementIn, request_body(request)).get("items") or ""
        with transaction.atomic():
            application_supplement(application=application, items=items, acting_user=request.user)
        return _application_response(request, application.pk)


class ApplicationSupplementReceivedApi(ProofUploadsApi):
    @repair_schema(
        "applications_supplement_received",
        "Hand in the material asked for (the applicant; multipart `proofs`)",
        request={"multipart/form-data": ApplicationMultipartSerializer},
        responses={200: ApplicationOutSerializer},
        description="The result's clock runs again with the working days it had left.",
    )
    def post(self, request, pk):
        application = application_get_for_user(user=request.user, pk=pk)
        if not is_applicant(request.user, application):
            raise PermissionDenied(_("Only the applicant hands in material."), "forbidden")
        files = proof_files(request)
        if application.status == RepairApplication.Status.SUPPLEMENT and not files:
            raise ValidationFailed(_("Attach the material asked for (PDF, JPG or PNG)."), "required", field="proofs")
        with transaction.atomic():
            application_supplement_received(application=application, proofs=files, acting_user=request.user)
        return _application_response(request, application.pk)


class ApplicationDecideApi(APIView):
    @repair_schema(
        "applications_decide",
        "Decide (penalty officer of the unit; supervisor when awaiting approval)",
        request=inline_serializer(
            "RepairDecideIn", {"approve": serializers.BooleanField(), "reason": serializers.CharField()}
        ),
        responses={200: ApplicationOutSerializer},
        description="The unit's review runs the flow's `review` step; approving a serious-category record moves "
        "it to `awaiting_approval`, where a supervisor's call runs the `approve` step. The decision PDF then "
        "appears in `documents` (`repair_decision`).",
    )
    def post(self, request, pk):
        application = application_get_for_user(user=request.user, pk=pk)
        values = validate_input(DecideIn, request_body(request))
        application_decide_as(
            application=application,
            user=request.user,
            approve=values["approve"],
            reason=values.get("reason") or "",
            request=request,
        )
        return _application_response(request, application.pk)


class ApplicationExtendApi(APIView):
    @repair_schema(
        "applications_extend",
        "Extend the time for the result (penalty officer of the unit)",
        request=inline_serializer(
            "RepairExtendIn",
            {"reason": serializers.CharField(), "days": serializers.IntegerField(required=False, min_value=1)},
        ),
        responses={200: ApplicationOutSerializer},
        description=f"A complex case: `days` working days more (default {DEFAULT_EXTENSION_DAYS}), within the "
        "rule's ceiling, with the reason the applicant sees. The calling officer is the approver.",
    )
    def post(self, request, pk):
        application = _unit_application(request, pk)
        values = validate_input(ExtendIn, request_body(request))
        days = values.get("days") or DEFAULT_EXTENSION_DAYS
        try:
            with transaction.atomic():
                application_extend(
                    application=application, days=days, reason=values.get("reason") or "", approver=request.user
                )
        except ValidationFailed as exc:
            exc.errors = {("days" if k == "amount" else k): v for k, v in (exc.errors or {}).items()}
            raise
        return _application_response(request, application.pk)
