"""REST endpoints of the SME complaint column (政府违约失信投诉专栏), under /api/v1/complaints/.

Thin: parse the request, call contracts.complaints.process / selectors / services, render. Errors use the
API's common format: 400 with field errors keyed like "complainant.uscc", 404 (a wrong code and wrong
digits answer the same), 409 for a duplicate or a step that is not open, 429 when rate limited.
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.complaints.api.serializers import (
    ERRORS,
    MOBILE_LAST4,
    TAG,
    ComplaintCreatedSerializer,
    ComplaintEvaluateIn,
    ComplaintExtendIn,
    ComplaintFeedbackIn,
    ComplaintHandleIn,
    ComplaintInSerializer,
    ComplaintListQuery,
    ComplaintMultipartSerializer,
    ComplaintRejectIn,
    ComplaintReviewIn,
    ComplaintTransferIn,
    ComplaintValuesSerializer,
    TrackingSerializer,
    action_schema,
    money,
    receipt_url,
    staff_payload,
    tracking_payload,
)
from contracts.complaints.process import complaint_evaluate_by_complainant, complaint_submit, complaint_task
from contracts.complaints.selectors import (
    complaint_get_for_tracking,
    complaint_get_for_user,
    complaints_listed,
    transfer_agency,
)
from contracts.complaints.services import complaint_extend
from contracts.complaints.submission import complaint_validate, submitter
from contracts.models import Complaint
from workflow import roles
from workflow.api.errors import ErrorSerializer
from workflow.api.parsing import multipart_json, nest_dotted, request_body, truthy
from workflow.api.serializers import InputSerializer, validate_input
from workflow.auth import client_ip
from workflow.errors import ValidationFailed
from workflow.uploads import cap_uploads


def is_national_platform(user) -> bool:
    """A staff token of the complaint office: complaints it posts were forwarded by the national platform."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or roles.has_role(user, roles.COMPLAINT_OFFICER, roles.SUPERVISOR)
    )


def submission_from_request(request) -> tuple[dict, list]:
    """The JSON body, or a multipart form (a `data` part holding the JSON, or dotted field names) with
    `evidence` files."""
    files = list(request.FILES.getlist("evidence")) if request.FILES else []
    data = request.data
    if not isinstance(data, QueryDict):
        return request_body(request), files
    body = multipart_json(request)
    if body is None:
        body = nest_dotted({k: data.get(k) for k in data if k not in request.FILES})
    if "declaration" in body:
        body["declaration"] = truthy(body["declaration"])
    return body, files


class ComplaintCollectionApi(APIView):
    """POST: file a complaint (no account needed). GET: the complaints you may see (staff)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            # Keep at most the column's per-file limit of each upload; a bigger file arrives as an empty
            # stand-in with its real size, which the service refuses ("larger than 10 MB").
            cap_uploads(request, settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="complaints_create",
        summary="File a complaint",
        description=(
            "The same as the public form. Anonymous JSON or multipart (with `evidence` files) needs no account; "
            "unlike the form it has **no challenge question**, but the same rate limits apply (per IP address "
            "and per contact mobile: 429 `rate_limited`) and the same duplicate detection (an open complaint "
            "of the same enterprise against the same body about the same contract: 409 `duplicate_complaint`). "
            "Posted with the token of a complaint officer or supervisor, the complaint is recorded as forwarded "
            "by the national complaint platform (source `national`) and the per-IP limit does not apply. "
            "Bad input: 400 with every field error at once, keyed like `complainant.uscc`; nothing is saved."
        ),
        request={"application/json": ComplaintInSerializer, "multipart/form-data": ComplaintMultipartSerializer},
        responses={201: ComplaintCreatedSerializer, 400: ErrorSerializer, 409: ErrorSerializer, 429: ErrorSerializer},
        auth=[{}, {"tokenAuth": []}],  # type: ignore[list-item]  # security requirements, though drf-spectacular annotates list[str]
        examples=[
            OpenApiExample(
                "A complaint",
                request_only=True,
                value={
                    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
                    "contact": {"name": "张伟", "mobile": "13812345678"},
                    "respondent": {"agency": "XJTJ"},
                    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
                    "amount_claimed": "180000.00",
                    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付。",
                    "declaration": True,
                },
            ),
        ],
        tags=TAG,
    )
    def post(self, request):
        body, files = submission_from_request(request)
        validate_input(ComplaintValuesSerializer, body, then=complaint_validate)
        national = is_national_platform(request.user)
        complaint = complaint_submit(
            data=body,
            evidence=files,
            source=Complaint.Source.NATIONAL if national else Complaint.Source.API,
            # The national platform forwards from one address: only the per-mobile limit applies to it.
            ip=None if national else client_ip(request),
            acting_user=submitter(request.user),
        )
        return Response(
            {"code": complaint.code, "status": complaint.status, "receipt_url": receipt_url(request, complaint)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        operation_id="complaints_list",
        summary="Complaints you may see",
        description="Complaint officers and supervisors see all; agency staff those against or routed to "
        "their agency. At most 200, newest first.",
        parameters=[
            OpenApiParameter("status", str, enum=Complaint.Status.values),
            OpenApiParameter("respondent", str, description="Agency code."),
            OpenApiParameter("overdue", bool, description="Only complaints with a step past its due date."),
        ],
        responses={200: inline_serializer("ComplaintRow", {"code": serializers.CharField()}, many=True)},
        tags=TAG,
    )
    def get(self, request):
        query = ComplaintListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        qp = query.validated_data
        qs = complaints_listed(
            request.user,
            status=qp.get("status", ""),
            respondent=qp.get("respondent", ""),
            overdue=truthy(qp.get("overdue", "")),
        )
        return Response(
            [
                {
                    "code": c.code,
                    "status": c.status,
                    "source": c.source,
                    "received_on": c.received_on,
                    "complainant": c.complainant.name,
                    "respondent": c.respondent_name,
                    "respondent_agency": c.respondent.code if c.respondent_id else None,
                    "handling_agency": c.handling_agency.code if c.handling_agency_id else None,
                    "amount_claimed": money(c.amount_claimed),
                    "next_step": c.next_purpose,
                    "next_due_on": c.next_due,
                    "overdue": c.is_overdue,
                }
                for c in qs[:200]
            ]
        )


def _digits(request, body: dict | None = None) -> str:
    """The mobile's last four digits: `?mobile_last4=`, else in the body."""
    return str(request.query_params.get("mobile_last4") or (body or {}).get("mobile_last4") or "")


class ComplaintDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="complaints_retrieve",
        summary="Follow a complaint",
        description=(
            "With `mobile_last4` (anyone holding the tracking code): the status and each step's dates, no "
            "personal data. A wrong code and wrong digits both answer 404 `not_found`. Without the digits, staff "
            "who may see the complaint get the full case."
        ),
        parameters=[MOBILE_LAST4],
        responses={200: TrackingSerializer, 404: ErrorSerializer, 429: ErrorSerializer},
        auth=[{}, {"tokenAuth": []}],  # type: ignore[list-item]  # security requirements, though drf-spectacular annotates list[str]
        tags=TAG,
    )
    def get(self, request, code):
        if "mobile_last4" in request.query_params or not request.user.is_authenticated:
            found = complaint_get_for_tracking(code=code, mobile_last4=_digits(request), ip=client_ip(request))
            return Response(tracking_payload(found))
        complaint = complaint_get_for_user(user=request.user, code=code)
        return Response(staff_payload(complaint, request.user))


def _done(request, complaint) -> Response:
    complaint = Complaint.objects.select_related("complainant", "respondent", "handling_agency").get(pk=complaint.pk)
    return Response(staff_payload(complaint, request.user))


# A step of the complaint's flow: the request's values (refused before the complaint is looked up), then
# the step through contracts.complaints.process.complaint_task; the answer is the case as staff see it.
# (No docstring: it would become the description of the endpoints that have none.)
class StepApi(APIView):
    step = ""
    input: type[InputSerializer] | None = None

    def validated(self, request) -> dict:
        """The body's values as the step's input serializer validated them (every field error at once)."""
        body = request_body(request)
        if self.input is None:
            return {}
        serializer = self.input(data=body)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def values(self, request) -> dict:
        self.validated(request)
        return {}

    def post(self, request, code):
        values = self.values(request)
        complaint = complaint_get_for_user(user=request.user, code=code)
        complaint = complaint_task(complaint=complaint, step=self.step, user=request.user, request=request, **values)
        return _done(request, complaint)


@action_schema("accept", "Accept the complaint (complaint officer)")
class ComplaintAcceptApi(StepApi):
    step = "accept"


@action_schema(
    "reject",
    "Do not accept the complaint (complaint officer)",
    ComplaintRejectIn,
    "Issues the written notice of non-acceptance (不予受理告知书).",
)
class ComplaintRejectApi(StepApi):
    step = "reject"
    input = ComplaintRejectIn

    def values(self, request) -> dict:
        values = self.validated(request)
        reason, text = values.get("reason") or "", values.get("text") or ""
        if not reason:
            raise ValidationFailed(_("Choose the reason."), "required", field="reason")
        if reason not in Complaint.RejectReason.values:
            reason, text = Complaint.RejectReason.OTHER, (f"{reason}\n{text}" if text else reason)
        return {"reason": reason, "text": text}


@action_schema(
    "transfer",
    "Transfer to the handling body (complaint officer)",
    ComplaintTransferIn,
    "The handling body's 30 days start on the day of the transfer.",
)
class ComplaintTransferApi(StepApi):
    step = "transfer"
    input = ComplaintTransferIn

    def values(self, request) -> dict:
        return {"agency": transfer_agency(self.validated(request).get("agency") or "")}


@action_schema(
    "handle",
    "Record the handling result (handling body)",
    ComplaintHandleIn,
)
class ComplaintHandleApi(StepApi):
    step = "handle"
    input = ComplaintHandleIn

    def values(self, request) -> dict:
        values = self.validated(request)
        return {
            "findings": values.get("findings") or "",
            "amount_confirmed": values.get("amount_confirmed"),
            "disputed": values.get("disputed", False),
            "repayment_plan": values.get("repayment_plan") or "",
        }


@action_schema(
    "feedback",
    "Reply to the complainant in writing (handling body)",
    ComplaintFeedbackIn,
    "Issues the written reply (答复函) as a PDF; the complainant may then evaluate.",
)
class ComplaintFeedbackApi(StepApi):
    step = "feedback"
    input = ComplaintFeedbackIn

    def values(self, request) -> dict:
        return {"text": self.validated(request).get("text") or ""}


@action_schema(
    "review",
    "Review an unsatisfied evaluation (supervisor)",
    ComplaintReviewIn,
    "Reopen handling (a new 30-day clock) or close the complaint.",
)
class ComplaintReviewApi(StepApi):
    step = "review"
    input = ComplaintReviewIn

    def values(self, request) -> dict:
        values = self.validated(request)
        if values.get("reopen") is None:
            raise ValidationFailed(_("Say whether handling is reopened."), "required", field="reopen")
        return {"reopen": values["reopen"], "note": values.get("note") or ""}


@action_schema(
    "extend",
    "Extend the handling time (head of the handling body)",
    ComplaintExtendIn,
    "Only the head of the handling body approves; at most 90 days in all. The complainant is told by SMS.",
)
class ComplaintExtendApi(APIView):
    def post(self, request, code):
        data = ComplaintExtendIn(data=request_body(request))
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = complaint_get_for_user(user=request.user, code=code)
        try:
            complaint_extend(
                complaint=complaint, days=values["days"], reason=values.get("reason") or "", approver=request.user
            )
        except ValidationFailed as exc:
            if exc.errors and "amount" in exc.errors:
                exc.errors = {("days" if k == "amount" else k): v for k, v in exc.errors.items()}
            raise
        return _done(request, complaint)


class ComplaintEvaluateApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="complaints_evaluate",
        summary="Evaluate the handling (complainant)",
        description="No login: the tracking code and the contact mobile's last four digits (`?mobile_last4=` or "
        "in the body). Satisfied closes the complaint; not satisfied sends it to a supervisor's review.",
        parameters=[MOBILE_LAST4],
        request=ComplaintEvaluateIn,
        responses={200: TrackingSerializer, **ERRORS},
        auth=[{}],  # type: ignore[list-item]  # security requirements, though drf-spectacular annotates list[str]
        tags=TAG,
    )
    def post(self, request, code):
        data = ComplaintEvaluateIn(data=request_body(request))
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = complaint_evaluate_by_complainant(
            code=code,
            mobile_last4=_digits(request, values),
            satisfied=values["satisfied"],
            reason=values.get("reason", ""),
            ip=client_ip(request),
        )
        return Response(tracking_payload(complaint))
