"""The OpenAPI description of the credit repair endpoints (documentation only: the services validate)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from repair.models import DishonestyRecord, RepairApplication
from workflow.api.errors import ErrorSerializer
from workflow.api.fields import AmountField

TAG = ["repair"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


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
    decision_number = serializers.CharField()
    decided_on = serializers.DateField()
    facts = serializers.CharField()
    basis = serializers.CharField()
    obligations = _ObligationSerializer(many=True, required=False)


class DocumentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(
        help_text="penalty_decision, repair_notice, credit_commitment, acceptance_notice, repair_decision."
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
    earliest_repair_on = serializers.DateField()
    publication_ends_on = serializers.DateField(allow_null=True)
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
