"""The OpenAPI description of the credit repair endpoints (documentation only: the services validate)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from repair.models import DishonestyRecord, RepairApplication
from repair.services.objections import EDITABLE
from workflow.api.errors import ErrorSerializer
from workflow.api.fields import AmountField
from workflow.api.serializers import InputSerializer, TrueFalseField

TAG = ["repair"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


# --- input: the values' shape (strict), before the services' domain checks ------------------------------------
# Endpoints pass the services validated_data only. Most requiredness and codes stay the services' checks (in
# the staff pages' words); these refuse hostile values: control characters, text longer than its column, numbers
# that are not plain ASCII, amounts with more than two decimals, dates outside 1990-2100, flags other than
# true/false. Values an endpoint cannot do without (a flag, a date, the records) are required here.


def _text(max_length: int):
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=max_length)


def _date():
    return serializers.DateField(required=False, allow_null=True)


class _SubjectValues(InputSerializer):
    uscc = _text(64)
    name = _text(200)
    person_name = _text(DishonestyRecord._meta.get_field("person_name").max_length)
    id_number = _text(32)


class _ObligationValues(InputSerializer):
    kind = _text(32)
    amount = AmountField(required=False, allow_null=True)
    due_on = _date()


class RecordValues(InputSerializer):
    subject = _SubjectValues(required=False)
    type = _text(32)
    category = _text(32)
    penalty_types = serializers.ListField(child=_text(32), required=False, allow_null=True, max_length=20)
    domain = _text(32)
    decision_number = _text(DishonestyRecord._meta.get_field("decision_number").max_length)
    decided_on = _date()
    decision_source = _text(16)
    subject_address = _text(DishonestyRecord._meta.get_field("subject_address").max_length)
    facts = _text(20000)
    evidence = _text(20000)
    basis = _text(20000)
    obligations = _ObligationValues(many=True, required=False, allow_null=True)


_RECORDS = _("Choose one or more of your own records.")
_DATE = _("Enter a date as YYYY-MM-DD.")
_ONLY_EDITABLE = _("Only the facts, the basis or the end of publication can be corrected.")


class _CommitmentValues(InputSerializer):
    signer_name = _text(RepairApplication._meta.get_field("commitment_signer").max_length)
    accepted = TrueFalseField(required=False)


class ApplicationValues(InputSerializer):
    correction = _text(20000)
    commitment = _CommitmentValues(required=False)
    subject_uscc = _text(64)
    proof_held_by_unit = TrueFalseField(required=False)
    records = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        max_length=100,
        error_messages={"required": _RECORDS, "null": _RECORDS},
    )

    def to_internal_value(self, data):
        records = data.get("records") if isinstance(data, dict) else None
        if isinstance(records, str):  # a form's "12,13" (or "12，13")
            data = {**data, "records": [p.strip() for p in records.replace("，", ",").split(",") if p.strip()]}
        return super().to_internal_value(data)


class ServeIn(InputSerializer):
    method = _text(32)
    delivered_on = serializers.DateField(error_messages={"required": _DATE, "null": _DATE, "invalid": _DATE})
    recipient = _text(200)
    receipt = _text(200)


class SupplementIn(InputSerializer):
    items = _text(5000)


class DecideIn(InputSerializer):
    approve = TrueFalseField()
    reason = _text(5000)


class ExtendIn(InputSerializer):
    reason = _text(5000)
    days = serializers.IntegerField(required=False, min_value=1, max_value=365)


class ObjectionIn(InputSerializer):
    target = _text(32)
    text = _text(20000)
    application = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class _CorrectionValues(InputSerializer):
    facts = _text(20000)
    basis = _text(20000)
    publication_ends_on = serializers.DateField(error_messages={"null": _DATE, "invalid": _DATE}, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and set(data) - EDITABLE:
            raise serializers.ValidationError(
                _("Only the facts, the basis or the end of publication can be corrected.")
            )
        return super().to_internal_value(data)


class ObjectionAnswerIn(InputSerializer):
    upheld = TrueFalseField()
    answer = _text(20000)
    revoke = TrueFalseField(required=False)
    corrections = _CorrectionValues(required=False, allow_null=True)


class PublicQuery(InputSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)


class StatusQuery(InputSerializer):
    status = serializers.CharField(required=False, allow_blank=True, max_length=32)


# --- schema (documentation only: the services validate) ------------------------------------------------------


class _SubjectSerializer(serializers.Serializer):
    uscc = serializers.CharField(required=False, help_text="统一社会信用代码 of an enterprise or organisation.")
    name = serializers.CharField(required=False)
    person_name = serializers.CharField(required=False, help_text="A natural person instead of an enterprise.")
    id_number = serializers.CharField(required=False, help_text="The person's resident ID card number.")


class _ObligationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["fine", "confiscation", "correction", "other"])
    amount = AmountField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class RecordInSerializer(serializers.Serializer):
    subject = _SubjectSerializer()
    type = serializers.ChoiceField(choices=DishonestyRecord.Type.values)
    category = serializers.ChoiceField(choices=DishonestyRecord.Category.values)
    publish = serializers.BooleanField(required=False, help_text="Minor only: publish because it is necessary.")
    penalty_types = serializers.ListField(
        child=serializers.ChoiceField(choices=DishonestyRecord.PenaltyType.values),
        required=False,
        help_text="Every penalty type the decision imposes; the longest publication period applies "
        "(a type that belongs to a higher tier raises the category).",
    )
    domain = serializers.ChoiceField(
        choices=DishonestyRecord.Domain.values,
        required=False,
        allow_blank=True,
        help_text="food, drug, special_equipment, work_safety or fire: a longer minimum under 令第58号.",
    )
    decision_number = serializers.CharField()
    decided_on = serializers.DateField()
    decision_source = serializers.ChoiceField(
        choices=DishonestyRecord.DecisionSource.values,
        required=False,
        help_text="issued (default): a complete 行政处罚决定书 is issued here, dated the decision date; attached: the "
        "unit's own signed PDF is attached with `POST repair/records/{id}/decision-file` before service.",
    )
    subject_address = serializers.CharField(help_text="The party's address; required when issued here.")
    facts = serializers.CharField()
    evidence = serializers.CharField(help_text="The evidence of the facts; required when issued here.")
    basis = serializers.CharField()
    obligations = _ObligationSerializer(many=True, required=False)


class DocumentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(
        help_text="penalty_decision, repair_notice, service_receipt, credit_commitment, acceptance_notice, "
        "not_accepted_notice, repair_decision."
    )
    title = serializers.CharField()
    doc_number = serializers.CharField()
    status = serializers.CharField()
    url = serializers.URLField(
        allow_null=True,
        help_text="The PDF, for a token (api-document-download): whoever may see the case, and supervisors; "
        "null while `status` is pending or failed (a q2 worker renders it).",
    )
    sha256 = serializers.CharField(allow_null=True)


class RecordOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="recorded, published, repaired, expired or revoked.")
    earliest_repair_on = serializers.DateField(help_text="The first day an application is allowed.")
    publication_ends_on = serializers.DateField(
        allow_null=True, help_text="The last day it is published (至X止: shown on X, gone the day after)."
    )
    category = serializers.CharField()
    penalty_types = serializers.ListField(child=serializers.CharField())
    domain = serializers.CharField()
    periods_basis = serializers.CharField(help_text="The instruments whose periods were applied.")
    subject = serializers.DictField()
    service = serializers.DictField(allow_null=True)
    documents = DocumentOutSerializer(many=True)


class ApplicationInSerializer(serializers.Serializer):
    records = serializers.ListField(child=serializers.IntegerField())
    correction = serializers.CharField()
    proof_held_by_unit = serializers.BooleanField(required=False)
    commitment = inline_serializer(
        "RepairCommitmentIn", {"signer_name": serializers.CharField(), "accepted": serializers.BooleanField()}
    )
    subject_uscc = serializers.CharField(required=False, help_text="Window clerks: the enterprise applied for.")


class ApplicationMultipartSerializer(serializers.Serializer):
    # DRF's metaclass moves declared fields off the class, so this does not shadow Serializer.data.
    data = serializers.CharField(  # type: ignore[assignment]
        required=False,
        help_text="The JSON body as one part (or flat fields: records, "
        "correction, proof_held_by_unit, commitment.signer_name, commitment.accepted).",
    )
    proofs = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="PDF, JPG or PNG, checked by content and file extension; at most "
        "GOVCREDIT_REPAIR_PROOF_MAX_BYTES (10 MB) each, GOVCREDIT_REPAIR_PROOF_MAX_FILES (10) files and "
        "GOVCREDIT_REPAIR_PROOF_MAX_TOTAL_BYTES (40 MB) in all per application (earlier proofs count). "
        "Over the total in one request: 413 `too_large`, the body is not read further; "
        "over it with earlier proofs: 400 `total_too_large`; too many: 400 `too_many_files`.",
    )


class ApplicationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=", ".join(RepairApplication.Status.values))
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField(), help_text="{code, message, record}")
    earliest_date = serializers.DateField(allow_null=True)
    deadlines = inline_serializer(
        "RepairDeadlines",
        {"accept": serializers.DateField(allow_null=True), "feedback": serializers.DateField(allow_null=True)},
    )
    documents = DocumentOutSerializer(many=True)


class ObjectionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    answer_due = serializers.DateField(allow_null=True)


def repair_schema(operation, summary, request=None, responses=None, description=""):
    return extend_schema(
        operation_id=f"repair_{operation}",
        summary=summary,
        description=description,
        request=request,
        responses={**ERRORS, **(responses or {200: RecordOutSerializer})},
        tags=TAG,
    )
