"""REST endpoints of the SME complaint column (政府违约失信投诉专栏), under /api/v1/complaints/.

Thin: parse the request, call contracts.complaints.services, render. Errors use the API's common format:
400 with field errors keyed like "complainant.uscc", 404 (a wrong code and wrong digits answer the
same), 409 for a duplicate or a step that is not open, 429 when rate limited.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.complaints.services import (
    complaint_current_step,
    complaint_evaluate_by_complainant,
    complaint_extend,
    complaint_get_for_tracking,
    complaint_get_for_user,
    complaint_steps,
    complaint_submit,
    complaint_task,
    complaints_for_user,
)
from contracts.complaints.supervision import complaints_with_clock
from contracts.models import Complaint
from workflow import clock, roles
from workflow.api.errors import ErrorSerializer
from workflow.auth import client_ip
from workflow.deadlines import deadlines_for
from workflow.errors import ValidationFailed
from workflow.models import Agency, Document
from workflow.uploads import cap_uploads

TAG = ["complaints"]

STEP_LABELS = {
    "submitted": pgettext_lazy("complaint step", "Submitted"),
    "acceptance": pgettext_lazy("complaint step", "Acceptance review"),
    "transfer": pgettext_lazy("complaint step", "Transfer to the handling body"),
    "handling": pgettext_lazy("complaint step", "Handling"),
    "feedback": pgettext_lazy("complaint step", "Written reply"),
    "evaluation": pgettext_lazy("complaint step", "Complainant's evaluation"),
    "closed": pgettext_lazy("complaint step", "Closed"),
}
STEP_STATUS_LABELS = {
    "done": pgettext_lazy("complaint step", "done"),
    "in_progress": pgettext_lazy("complaint step", "in progress"),
    "pending": pgettext_lazy("complaint step", "not started"),
    "rejected": pgettext_lazy("complaint step", "not accepted"),
}


def is_national_platform(user) -> bool:
    """A staff token of the complaint office: complaints it posts were forwarded by the national platform."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or roles.has_role(user, roles.COMPLAINT_OFFICER, roles.SUPERVISOR)
    )


# The complaint's status in which each flow step makes sense.
STEP_STATUS = {
    "accept": Complaint.Status.SUBMITTED,
    "transfer": Complaint.Status.ACCEPTED,
    "handle": Complaint.Status.TRANSFERRED,
    "feedback": Complaint.Status.HANDLED,
    "review": Complaint.Status.UNDER_REVIEW,
}


def open_step(complaint: Complaint, user) -> str | None:
    """The step `user` may take now, if the complaint is in the state for it (a flow task left open by
    mistake, e.g. a review after a satisfied evaluation, is not offered)."""
    step = complaint_current_step(complaint=complaint, user=user)
    return step if step is not None and complaint.status == STEP_STATUS.get(step) else None


def submitter(user):
    """The acting user of a submission: the logged-in user, or "complainant" in the audit log."""
    return user if getattr(user, "is_authenticated", False) else "complainant"


def public_steps(complaint: Complaint) -> list[dict]:
    today = clock.today()
    steps = []
    for s in complaint_steps(complaint):
        overdue = s["status"] == "in_progress" and s["due_on"] is not None and s["due_on"] < today
        steps.append(
            {
                **s,
                "label": str(STEP_LABELS.get(s["name"], s["name"])),
                "status_label": str(STEP_STATUS_LABELS.get(s["status"], s["status"])),
                "overdue": overdue,
            }
        )
    return steps


def tracking_payload(complaint: Complaint) -> dict:
    """What anyone holding the code and the mobile digits may know: no personal data, no amounts."""
    return {
        "code": complaint.code,
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "received_on": complaint.received_on,
        "respondent": complaint.respondent_name,
        "handling_agency": complaint.handling_agency.name if complaint.handling_agency_id else None,
        "steps": public_steps(complaint),
    }


def receipt_url(request, complaint: Complaint) -> str:
    path = reverse("complaint-receipt", args=[complaint.code])
    return request.build_absolute_uri(f"{path}?mobile_last4={complaint.contact_mobile[-4:]}")


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def staff_payload(complaint: Complaint, user) -> dict:
    from django.contrib.contenttypes.models import ContentType

    c = complaint
    documents = Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id=str(c.pk)
    ).order_by("created_at", "id")
    return {
        **tracking_payload(c),
        "source": c.source,
        "complainant": {"name": c.complainant.name, "uscc": c.complainant.uscc, "size": c.complainant_size},
        "contact": {"name": c.contact_name, "mobile": c.contact_mobile},
        "respondent_agency": c.respondent.code if c.respondent_id else None,
        "contract": {
            "id": c.contract_id,
            "number": c.contract_number,
            "signed_on": c.contract_signed_on,
        },
        "amount_claimed": _money(c.amount_claimed),
        "facts": c.facts,
        "accepted_on": c.accepted_on,
        "reject_reason": c.reject_reason or None,
        "reject_text": c.reject_text,
        "handling_agency_code": c.handling_agency.code if c.handling_agency_id else None,
        "transferred_on": c.transferred_on,
        "findings": c.findings,
        "amount_confirmed": _money(c.amount_confirmed),
        "disputed": c.disputed,
        "repayment_plan": c.repayment_plan,
        "handled_on": c.handled_on,
        "feedback": c.feedback,
        "answered_on": c.answered_on,
        "satisfied": c.satisfied,
        "evaluated_on": c.evaluated_on,
        "review_note": c.review_note,
        "closed_on": c.closed_on,
        "deadlines": [
            {
                "purpose": d.purpose,
                "rule": d.rule.code,
                "start_on": d.start_on,
                "due_on": d.due_on,
                "original_due_on": d.original_due_on,
                "extended_by": d.extended_amount,
                "status": d.status,
                "completed_on": d.completed_on,
            }
            for d in deadlines_for(c).select_related("rule").order_by("start_on", "id")
        ],
        "evidence": [
            {"id": e.pk, "name": e.original_name, "content_type": e.content_type, "size_bytes": e.size_bytes}
            for e in c.evidence.order_by("pk")
        ],
        "documents": [
            {
                "id": d.pk,
                "doc_type": d.doc_type,
                "title": d.title,
                "doc_number": d.doc_number,
                "status": d.status,
                "issued_on": d.issued_on,
            }
            for d in documents
        ],
        "your_step": open_step(c, user),
    }


# --- request parsing ------------------------------------------------------------------------------------------


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "on", "yes")


def _nest(flat: dict) -> dict:
    """{"complainant.name": "x"} → {"complainant": {"name": "x"}} (multipart forms are flat)."""
    out: dict = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


def submission_from_request(request) -> tuple[dict, list]:
    """The JSON body, or a multipart form (a `data` part holding the JSON, or dotted field names) with
    `evidence` files."""
    data = request.data
    files = list(request.FILES.getlist("evidence")) if request.FILES else []
    if isinstance(data, QueryDict):
        if "data" in data:
            try:
                body = json.loads(data["data"])
            except ValueError:
                raise ValidationFailed(_("The data part is not valid JSON."), "invalid", field="data") from None
        else:
            body = _nest({k: data.get(k) for k in data if k not in request.FILES})
        if not isinstance(body, dict):
            raise ValidationFailed(_("Send a JSON object."), "invalid", field="data")
        if "declaration" in body:
            body["declaration"] = _truthy(body["declaration"])
        return body, files
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid")
    return data, files


def _body(request) -> dict:
    data = request.data
    if isinstance(data, QueryDict):
        return {k: data.get(k) for k in data}
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid")
    return data


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    return value.strip() if isinstance(value, str) else ""


# --- schema (documentation only: the service validates) ---------------------------------------------------------


class _ComplainantSerializer(serializers.Serializer):
    name = serializers.CharField()
    uscc = serializers.CharField(help_text="统一社会信用代码, 18 characters with a valid check character.")
    size = serializers.CharField(help_text="micro, small or medium.")


class _ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    mobile = serializers.CharField(help_text="11-digit mainland mobile number.")


class _RespondentSerializer(serializers.Serializer):
    agency = serializers.CharField(required=False, help_text="Agency code, e.g. XJTJ.")
    name = serializers.CharField(required=False, help_text="The body's name when it is not in the list.")


class _ContractRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="A registered contract of the complainant's.")
    number = serializers.CharField(required=False)
    signed_on = serializers.DateField(required=False)


class ComplaintInSerializer(serializers.Serializer):
    complainant = _ComplainantSerializer()
    contact = _ContactSerializer()
    respondent = _RespondentSerializer()
    contract = _ContractRefSerializer()
    amount_claimed = serializers.DecimalField(max_digits=16, decimal_places=2)
    facts = serializers.CharField(min_length=10)
    declaration = serializers.BooleanField(help_text="Must be true.")


class ComplaintMultipartSerializer(serializers.Serializer):
    data = serializers.CharField(
        required=False, help_text="The JSON body as one part (or send dotted fields: complainant.name, …)."
    )
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPG or PNG; at most 5 files of 10 MB."
    )


class ComplaintCreatedSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    receipt_url = serializers.URLField(help_text="The receipt PDF; works only with the mobile digits it carries.")


class StepSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="One of " + ", ".join(STEP_LABELS) + ".")
    label = serializers.CharField()
    status = serializers.CharField(help_text="One of " + ", ".join(STEP_STATUS_LABELS) + ".")
    status_label = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class TrackingSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField(help_text="One of " + ", ".join(Complaint.Status.values) + ".")
    status_label = serializers.CharField()
    received_on = serializers.DateField()
    respondent = serializers.CharField()
    handling_agency = serializers.CharField(allow_null=True)
    steps = StepSerializer(many=True)


class StaffComplaintSerializer(TrackingSerializer):
    source = serializers.CharField()
    complainant = serializers.DictField()
    contact = serializers.DictField()
    amount_claimed = serializers.CharField()
    facts = serializers.CharField()
    findings = serializers.CharField()
    amount_confirmed = serializers.CharField(allow_null=True)
    deadlines = serializers.ListField(child=serializers.DictField())
    evidence = serializers.ListField(child=serializers.DictField())
    documents = serializers.ListField(child=serializers.DictField())
    your_step = serializers.CharField(allow_null=True)


MOBILE_LAST4 = OpenApiParameter(
    "mobile_last4", str, description="The last four digits of the contact mobile given with the complaint."
)
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


# --- endpoints ------------------------------------------------------------------------------------------------


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
        auth=[{}, {"tokenAuth": []}],
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
        qp = request.query_params
        qs = complaints_with_clock(
            complaints_for_user(request.user).select_related("complainant", "respondent", "handling_agency"),
            today=clock.today(),
        )
        if qp.get("status"):
            if qp["status"] not in Complaint.Status.values:
                raise ValidationFailed(_("Unknown status."), "invalid", field="status")
            qs = qs.filter(status=qp["status"])
        if qp.get("respondent"):
            qs = qs.filter(respondent__code=qp["respondent"])
        if _truthy(qp.get("overdue", "")):
            qs = qs.filter(is_overdue=True)
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
                    "amount_claimed": _money(c.amount_claimed),
                    "next_step": c.next_purpose,
                    "next_due_on": c.next_due,
                    "overdue": c.is_overdue,
                }
                for c in qs.order_by("-submitted_at", "-id")[:200]
            ]
        )


def _tracked(request, code: str, body: dict | None = None) -> Complaint:
    digits = request.query_params.get("mobile_last4") or (body or {}).get("mobile_last4") or ""
    return complaint_get_for_tracking(code=code, mobile_last4=str(digits))


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
        responses={200: TrackingSerializer, 404: ErrorSerializer},
        auth=[{}, {"tokenAuth": []}],
        tags=TAG,
    )
    def get(self, request, code):
        if "mobile_last4" in request.query_params or not request.user.is_authenticated:
            return Response(tracking_payload(_tracked(request, code)))
        complaint = complaint_get_for_user(user=request.user, code=code)
        return Response(staff_payload(complaint, request.user))


def _staff_complaint(request, code) -> Complaint:
    return complaint_get_for_user(user=request.user, code=code)


def _done(request, complaint) -> Response:
    complaint = Complaint.objects.select_related("complainant", "respondent", "handling_agency").get(pk=complaint.pk)
    return Response(staff_payload(complaint, request.user))


def _action_schema(operation, summary, request=None, description=""):
    return extend_schema(
        operation_id=f"complaints_{operation}",
        summary=summary,
        description=description,
        request=request,
        responses={200: StaffComplaintSerializer, 403: ErrorSerializer, **ERRORS},
        tags=TAG,
    )


class ComplaintAcceptApi(APIView):
    @_action_schema("accept", "Accept the complaint (complaint officer)")
    def post(self, request, code):
        complaint = _staff_complaint(request, code)
        return _done(request, complaint_task(complaint=complaint, step="accept", user=request.user, request=request))


class ComplaintRejectApi(APIView):
    @_action_schema(
        "reject",
        "Do not accept the complaint (complaint officer)",
        inline_serializer(
            "ComplaintRejectIn",
            {
                "reason": serializers.CharField(
                    help_text="One of " + ", ".join(Complaint.RejectReason.values) + "; any other text is "
                    "taken as the explanation with reason `other`."
                ),
                "text": serializers.CharField(required=False, help_text="The explanation to the complainant."),
            },
        ),
        "Issues the written notice of non-acceptance (不予受理告知书).",
    )
    def post(self, request, code):
        body = _body(request)
        reason, text = _text(body, "reason"), _text(body, "text")
        if not reason:
            raise ValidationFailed(_("Choose the reason."), "required", field="reason")
        if reason not in Complaint.RejectReason.values:
            reason, text = Complaint.RejectReason.OTHER, (f"{reason}\n{text}" if text else reason)
        complaint = _staff_complaint(request, code)
        complaint = complaint_task(
            complaint=complaint, step="reject", user=request.user, request=request, reason=reason, text=text
        )
        return _done(request, complaint)


class ComplaintTransferApi(APIView):
    @_action_schema(
        "transfer",
        "Transfer to the handling body (complaint officer)",
        inline_serializer("ComplaintTransferIn", {"agency": serializers.CharField(help_text="Agency code.")}),
        "The handling body's 30 days start on the day of the transfer.",
    )
    def post(self, request, code):
        body = _body(request)
        agency = Agency.objects.filter(code=_text(body, "agency")).first() if _text(body, "agency") else None
        if agency is None:
            raise ValidationFailed(_("Unknown agency."), "invalid", field="agency")
        complaint = _staff_complaint(request, code)
        complaint = complaint_task(
            complaint=complaint, step="transfer", user=request.user, request=request, agency=agency
        )
        return _done(request, complaint)


class ComplaintHandleApi(APIView):
    @_action_schema(
        "handle",
        "Record the handling result (handling body)",
        inline_serializer(
            "ComplaintHandleIn",
            {
                "findings": serializers.CharField(),
                "amount_confirmed": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
                "disputed": serializers.BooleanField(required=False),
                "repayment_plan": serializers.CharField(required=False),
            },
        ),
    )
    def post(self, request, code):
        body = _body(request)
        complaint = _staff_complaint(request, code)
        complaint = complaint_task(
            complaint=complaint,
            step="handle",
            user=request.user,
            request=request,
            findings=_text(body, "findings"),
            amount_confirmed=body.get("amount_confirmed"),
            disputed=_truthy(body.get("disputed", False)),
            repayment_plan=_text(body, "repayment_plan"),
        )
        return _done(request, complaint)


class ComplaintFeedbackApi(APIView):
    @_action_schema(
        "feedback",
        "Reply to the complainant in writing (handling body)",
        inline_serializer("ComplaintFeedbackIn", {"text": serializers.CharField()}),
        "Issues the written reply (答复函) as a PDF; the complainant may then evaluate.",
    )
    def post(self, request, code):
        body = _body(request)
        complaint = _staff_complaint(request, code)
        complaint = complaint_task(
            complaint=complaint, step="feedback", user=request.user, request=request, text=_text(body, "text")
        )
        return _done(request, complaint)


class ComplaintReviewApi(APIView):
    @_action_schema(
        "review",
        "Review an unsatisfied evaluation (supervisor)",
        inline_serializer("ComplaintReviewIn", {"reopen": serializers.BooleanField(), "note": serializers.CharField()}),
        "Reopen handling (a new 30-day clock) or close the complaint.",
    )
    def post(self, request, code):
        body = _body(request)
        if "reopen" not in body:
            raise ValidationFailed(_("Say whether handling is reopened."), "required", field="reopen")
        complaint = _staff_complaint(request, code)
        complaint = complaint_task(
            complaint=complaint,
            step="review",
            user=request.user,
            request=request,
            reopen=_truthy(body["reopen"]),
            note=_text(body, "note"),
        )
        return _done(request, complaint)


class ComplaintExtendApi(APIView):
    @_action_schema(
        "extend",
        "Extend the handling time (head of the handling body)",
        inline_serializer(
            "ComplaintExtendIn", {"days": serializers.IntegerField(min_value=1), "reason": serializers.CharField()}
        ),
        "Only the head of the handling body approves; at most 90 days in all. The complainant is told by SMS.",
    )
    def post(self, request, code):
        body = _body(request)
        try:
            days = int(body.get("days"))
            if days < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a number of days."), "invalid", field="days") from None
        complaint = _staff_complaint(request, code)
        try:
            with transaction.atomic():
                complaint_extend(complaint=complaint, days=days, reason=_text(body, "reason"), approver=request.user)
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
        request=inline_serializer(
            "ComplaintEvaluateIn",
            {"satisfied": serializers.BooleanField(), "mobile_last4": serializers.CharField(required=False)},
        ),
        responses={200: TrackingSerializer, **ERRORS},
        auth=[{}],
        tags=TAG,
    )
    def post(self, request, code):
        body = _body(request)
        satisfied = body.get("satisfied")
        if isinstance(satisfied, str) and satisfied.strip().lower() in ("true", "false"):
            satisfied = satisfied.strip().lower() == "true"
        if not isinstance(satisfied, bool):
            raise ValidationFailed(_("Say whether you are satisfied (true or false)."), "invalid", field="satisfied")
        digits = request.query_params.get("mobile_last4") or body.get("mobile_last4") or ""
        complaint = complaint_evaluate_by_complainant(code=code, mobile_last4=str(digits), satisfied=satisfied)
        return Response(tracking_payload(complaint))
