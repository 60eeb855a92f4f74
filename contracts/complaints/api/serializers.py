"""The complaint API's answers (what each audience may know) and its schema: the serializers below only
document the endpoints in the OpenAPI description; the services validate."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from contracts.complaints.labels import STEP_LABELS, STEP_STATUS_LABELS
from contracts.complaints.selectors import complaint_documents, open_step, public_steps
from contracts.models import Complaint
from workflow.api.documents import document_api_url
from workflow.api.errors import ErrorSerializer
from workflow.api.fields import AmountField
from workflow.api.serializers import InputSerializer, TrueFalseField
from workflow.deadlines import deadlines_for

TAG = ["complaints"]


def tracking_payload(complaint: Complaint) -> dict:
    """What anyone holding the code and the mobile digits may know: no personal data, no amounts."""
    agency = complaint.handling_agency
    return {
        "code": complaint.code,
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "received_on": complaint.received_on,
        "respondent": complaint.respondent_name,
        "handling_agency": agency.name if agency is not None else None,
        "steps": public_steps(complaint),
    }


def receipt_url(request, complaint: Complaint) -> str:
    path = reverse("complaint-receipt", args=[complaint.code])
    return request.build_absolute_uri(f"{path}?mobile_last4={complaint.contact_mobile[-4:]}")


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def staff_payload(complaint: Complaint, user) -> dict:
    c = complaint
    respondent = c.respondent
    handling_agency = c.handling_agency
    documents = complaint_documents(c).order_by("created_at", "id")
    return {
        **tracking_payload(c),
        "source": c.source,
        "complainant": {"name": c.complainant.name, "uscc": c.complainant.uscc, "size": c.complainant_size},
        "contact": {"name": c.contact_name, "mobile": c.contact_mobile},
        "respondent_agency": respondent.code if respondent is not None else None,
        "contract": {
            "id": c.contract_id,
            "number": c.contract_number,
            "signed_on": c.contract_signed_on,
        },
        "amount_claimed": money(c.amount_claimed),
        "facts": c.facts,
        "accepted_on": c.accepted_on,
        "reject_reason": c.reject_reason or None,
        "reject_text": c.reject_text,
        "handling_agency_code": handling_agency.code if handling_agency is not None else None,
        "transferred_on": c.transferred_on,
        "findings": c.findings,
        "amount_confirmed": money(c.amount_confirmed),
        # Late-payment interest up to handled_on (contracts.interest); null without a registered contract.
        "interest_confirmed": money(c.interest_confirmed),
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
                "url": document_api_url(d.pk),
            }
            for d in documents
        ],
        "your_step": open_step(c, user),
    }


# --- input: the values' shape (strict; every field at once), before the service's domain checks ------------------


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(max_length: int):
    """Optional text (the service says what is missing); over 200 characters it may span lines."""
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=max_length)


class _ComplainantValues(InputSerializer):
    name = _text(200)
    uscc = _text(64)
    size = _text(16)


class _ContactValues(InputSerializer):
    name = _text(_max(Complaint, "contact_name"))
    mobile = _text(32)


class _RespondentValues(InputSerializer):
    agency = _text(32)
    name = _text(_max(Complaint, "respondent_name"))


class _ContractValues(InputSerializer):
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    number = _text(_max(Complaint, "contract_number"))
    signed_on = _text(32)


class ComplaintValuesSerializer(InputSerializer):
    """The submission's values as values: text without control characters and within the columns' lengths,
    a contract id that is a number. Everything else (required fields, codes, amounts, the declaration) is the
    service's check, which reports every problem at once in the public form's words."""

    complainant = _ComplainantValues(required=False)
    contact = _ContactValues(required=False)
    respondent = _RespondentValues(required=False)
    contract = _ContractValues(required=False)
    amount_claimed = _text(64)
    facts = _text(20000)


class ComplaintListQuery(InputSerializer):
    status = serializers.ChoiceField(choices=Complaint.Status.values, required=False, allow_blank=True)
    respondent = serializers.CharField(required=False, allow_blank=True, max_length=32)
    overdue = serializers.CharField(required=False, allow_blank=True, max_length=8)


# The steps' bodies. Text is optional here (the step says, in its own words, what it needs); what is
# given must be clean text within its column's length.


class ComplaintRejectIn(InputSerializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="One of " + ", ".join(Complaint.RejectReason.values) + "; any other text is "
        "taken as the explanation with reason `other`.",
    )
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="The explanation to the complainant."
    )


class ComplaintTransferIn(InputSerializer):
    agency = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="Agency code.")


class ComplaintHandleIn(InputSerializer):
    findings = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    amount_confirmed = AmountField(required=False, allow_null=True, min_value=0)
    disputed = serializers.BooleanField(required=False)
    repayment_plan = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ComplaintFeedbackIn(InputSerializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ComplaintReviewIn(InputSerializer):
    reopen = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ComplaintExtendIn(InputSerializer):
    # No max_value here: the service refuses a total above the rule's ceiling (complaint.handle) with
    # above_legal_ceiling and the ceiling in the message.
    days = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


_SATISFIED = _("Say whether you are satisfied (true or false).")


class ComplaintEvaluateIn(InputSerializer):
    satisfied = TrueFalseField(error_messages={"invalid": _SATISFIED, "required": _SATISFIED, "null": _SATISFIED})
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    mobile_last4 = serializers.CharField(required=False, allow_blank=True, max_length=4)


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
    amount_claimed = AmountField()
    facts = serializers.CharField(min_length=10)
    declaration = serializers.BooleanField(help_text="Must be true.")


class ComplaintMultipartSerializer(serializers.Serializer):
    # DRF's serializer metaclass moves declared fields out of the class body, so this does not
    # replace Serializer.data at runtime; the stubs cannot know that (so for label and source below).
    data = serializers.CharField(  # type: ignore[assignment]
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
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label (see above)
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
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source (see above)
    complainant = serializers.DictField()
    contact = serializers.DictField()
    amount_claimed = serializers.CharField()
    facts = serializers.CharField()
    findings = serializers.CharField()
    amount_confirmed = serializers.CharField(allow_null=True)
    interest_confirmed = serializers.CharField(
        allow_null=True, help_text="Late-payment interest up to handled_on (保障中小企业款项支付条例 第十七条)."
    )
    deadlines = serializers.ListField(child=serializers.DictField())
    evidence = serializers.ListField(child=serializers.DictField())
    documents = serializers.ListField(child=serializers.DictField())
    your_step = serializers.CharField(allow_null=True)


MOBILE_LAST4 = OpenApiParameter(
    "mobile_last4", str, description="The last four digits of the contact mobile given with the complaint."
)
ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def action_schema(operation, summary, request=None, description=""):
    """The schema of a staff action endpoint's POST (a class decorator)."""
    return extend_schema_view(
        post=extend_schema(
            operation_id=f"complaints_{operation}",
            summary=summary,
            description=description,
            request=request,
            responses={200: StaffComplaintSerializer, 403: ErrorSerializer, **ERRORS},
            tags=TAG,
        )
    )
