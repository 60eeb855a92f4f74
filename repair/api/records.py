"""REST endpoints of credit repair as "one thing" (信用修复"一件事"), under /api/v1/.

- `POST repair/records/` (penalty officer): record a decision; the penalty decision and the credit
  repair notice are issued in the same act and rendered before the answer, so each has its SHA-256.
- `POST repair/records/{id}/serve` and `POST repair/records/{id}/publish` (penalty officer of the
  deciding unit) are additions to the issue's list: serving both documents with one delivery record,
  and publishing.
- `POST repair/applications/` (enterprise user, or a window clerk with `subject_uscc`; JSON or multipart
  with `proofs` files): checked at once; not eligible is still recorded and answered (201).
- `GET repair/applications/{id}`, reviewer actions `…/supplement`, `…/decide`, `…/extend`, and the
  applicant's `…/supplement-received` (multipart proofs).
- Objections: `POST repair/records/{id}/objections` (the subject's user), `POST repair/objections/{id}/answer`
  (supervisor).
- `GET public/records/?q=` (no login): what is published now. A natural person's name is masked and the
  ID number never shown.

Thin: parse, call repair.services.records / applications / objections, render. Errors use the API's common format:
400 with field errors, 403 for a role that may not act, 404 for what the user may not see, 409 for a state
conflict; a refused request writes nothing.

The reads below (`records_for_user`, `applications_visible_to`, `public_records`, the payloads) are shared
with the pages in repair/views/pages.py.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from repair.models import DishonestyRecord, Objection, RepairApplication
from repair.process import application_decide_as, application_submit
from repair.selectors import (
    application_get_for_user,
    applications_visible_to,
    documents_of,
    enterprise_for_window,
    is_applicant,
    is_supervisor,
    is_unit_officer,
    public_records,
    record_delivery,
    record_get_for_user,
    records_visible_to,
)
from repair.services.applications import application_extend, application_supplement, application_supplement_received
from repair.services.documents import documents_render_now
from repair.services.objections import EDITABLE, objection_answer, objection_file
from repair.services.records import record_create, record_publish, record_serve_notices
from workflow import roles
from workflow.api.errors import ErrorSerializer
from workflow.api.fields import AmountField
from workflow.api.parsing import body_bool, body_date, body_text, multipart_json, request_body, truthy
from workflow.deadlines import deadlines_for
from workflow.errors import NotFound, PermissionDenied, ValidationFailed
from workflow.masking import mask_id_number, mask_name
from workflow.models import Delivery, Document

TAG = ["repair"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
DEFAULT_EXTENSION_DAYS = 5
PUBLIC_LIMIT = 200


# --- documents ----------------------------------------------------------------------------------------------------


def document_payload(request, d: Document) -> dict:
    return {
        "id": d.pk,
        "type": d.doc_type,
        "title": d.title,
        "doc_number": d.doc_number,
        "issued_on": d.issued_on,
        "status": d.status,
        "url": request.build_absolute_uri(reverse("document-download", args=[d.pk])),
        "sha256": d.sha256 or None,
    }


# --- payloads -----------------------------------------------------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def record_payload(request, record: DishonestyRecord) -> dict:
    user = request.user
    if record.enterprise_id:
        subject = {"uscc": record.enterprise.uscc, "name": record.enterprise.name}
    else:
        full = is_supervisor(user) or is_unit_officer(user, record.deciding_unit)
        subject = {
            "person_name": record.person_name,
            "id_number": record.person_id_number if full else mask_id_number(record.person_id_number),
        }
    delivery = record_delivery(record)
    return {
        "id": record.pk,
        "status": record.status,
        "subject": subject,
        "type": record.type,
        "category": record.category,
        "publish": record.publish_minor,
        "decision_number": record.decision_number,
        "decided_on": record.decided_on,
        "deciding_unit": {"code": record.deciding_unit.code, "name": record.deciding_unit.name},
        "facts": record.facts,
        "basis": record.basis,
        "obligations": [
            {
                "kind": ob.kind,
                "amount": _money(ob.amount),
                "due_on": ob.due_on,
                "fulfilled_on": ob.fulfilled_on,
                "confirmed_by_unit": ob.confirmed_by_unit,
            }
            for ob in record.obligations.all()
        ],
        "earliest_repair_on": record.earliest_repair_on,
        "publication_ends_on": record.publication_ends_on,
        "published_at": record.published_at,
        "ended_on": record.ended_on,
        "under_objection": record.under_objection,
        "service": None
        if delivery is None
        else {
            "method": delivery.method,
            "delivered_on": delivery.delivered_on,
            "recipient": delivery.recipient,
            "receipt": delivery.receipt,
        },
        "documents": [document_payload(request, d) for d in documents_of(record)],
    }


def _due(clocks: dict, purpose: str):
    d = clocks.get(purpose)
    return d.due_on if d is not None else None


def application_payload(request, application: RepairApplication) -> dict:
    a = application
    clocks = {d.purpose: d for d in deadlines_for(a).select_related("rule")}
    return {
        "id": a.pk,
        "status": a.status,
        "eligible": a.eligible,
        "reasons": a.reasons,
        "earliest_date": a.earliest_date,
        "deadlines": {"accept": _due(clocks, "accept"), "feedback": _due(clocks, "feedback")},
        "channel": a.channel,
        "enterprise": {"uscc": a.enterprise.uscc, "name": a.enterprise.name},
        "deciding_unit": {"code": a.deciding_unit.code, "name": a.deciding_unit.name},
        "records": [
            {"id": r.pk, "decision_number": r.decision_number, "category": r.category, "status": r.status}
            for r in a.records.order_by("pk")
        ],
        "correction": a.correction,
        "proof_held_by_unit": a.proof_held_by_unit,
        "proofs": [
            {"id": p.pk, "name": p.original_name, "content_type": p.content_type, "size_bytes": p.size_bytes}
            for p in a.proofs.order_by("pk")
        ],
        "commitment": {"signer_name": a.commitment_signer, "signed_at": a.commitment_signed_at},
        "applied_on": a.applied_on,
        "accepted_on": a.accepted_on,
        "supplement_items": a.supplement_items or None,
        "extension_reason": a.extension_reason or None,
        "clocks": [
            {
                "purpose": d.purpose,
                "rule": d.rule.code,
                "start_on": d.start_on,
                "due_on": d.due_on,
                "original_due_on": d.original_due_on,
                "status": d.status,
                "paused_on": d.paused_on,
                "extended_by": d.extended_amount,
                "completed_on": d.completed_on,
            }
            for d in sorted(clocks.values(), key=lambda d: (d.start_on, d.pk))
        ],
        "decided_on": a.decided_on,
        "approved": a.approved,
        "decision_reason": a.decision_reason or None,
        "documents": [document_payload(request, d) for d in documents_of(a)],
    }


def objection_payload(objection: Objection) -> dict:
    o = objection
    answer = deadlines_for(o).filter(purpose="answer").first()
    return {
        "id": o.pk,
        "record": o.record_id,
        "application": o.application_id,
        "target": o.target,
        "text": o.text,
        "status": o.status,
        "filed_on": o.filed_on,
        "answer_due": answer.due_on if answer else None,
        "answer": o.answer or None,
        "answered_on": o.answered_on,
        "changes": o.changes,
    }


def public_record_payload(record: DishonestyRecord) -> dict:
    """No personal data of a natural person beyond the masked name; the facts of a person's case are not
    shown (they may name the person)."""
    person = not record.enterprise_id
    return {
        "id": record.pk,
        "subject": {"name": mask_name(record.person_name), "natural_person": True}
        if person
        else {"name": record.enterprise.name, "uscc": record.enterprise.uscc, "natural_person": False},
        "type": record.type,
        "category": record.category,
        "decision_number": record.decision_number,
        "decided_on": record.decided_on,
        "deciding_unit": record.deciding_unit.name,
        "facts": None if person else record.facts,
        "basis": record.basis,
        "publication_ends_on": record.publication_ends_on,
    }


# --- request parsing ----------------------------------------------------------------------------------------------


def _record_ids(raw) -> list:
    if isinstance(raw, str):
        raw = [part for part in raw.replace("，", ",").split(",") if part.strip()]
    if not isinstance(raw, list | tuple):
        raise ValidationFailed(_("Choose one or more of your own records."), "invalid", field="records")
    return [str(i).strip() for i in raw]


def application_from_request(request) -> tuple[dict, list]:
    """The JSON body, or a multipart form (a `data` part holding the JSON, or flat fields with
    `commitment.signer_name` and `commitment.accepted`) with `proofs` files."""
    data = request.data
    files = list(request.FILES.getlist("proofs")) if request.FILES else []
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
        commitment = body.get("commitment") if isinstance(body.get("commitment"), dict) else {}
        body["commitment"] = {**commitment, "accepted": truthy(commitment.get("accepted"))}
        body["proof_held_by_unit"] = truthy(body.get("proof_held_by_unit"))
        return body, files
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), "invalid")
    return data, files


# --- schema (documentation only: the services validate) ---------------------------------------------------------


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
    url = serializers.URLField(help_text="The PDF (document-download: the issuer's staff, supervisors, the subject).")
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
    data = serializers.CharField(
        required=False,
        help_text="The JSON body as one part (or flat fields: records, "
        "correction, proof_held_by_unit, commitment.signer_name, commitment.accepted).",
    )
    proofs = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPG or PNG; at most 10 MB each."
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


def _schema(operation, summary, request=None, responses=None, description=""):
    return extend_schema(
        operation_id=f"repair_{operation}",
        summary=summary,
        description=description,
        request=request,
        responses={**ERRORS, **(responses or {200: RecordOutSerializer})},
        tags=TAG,
    )


# --- records ------------------------------------------------------------------------------------------------------


def _record_response(request, pk, code=status.HTTP_200_OK) -> Response:
    record = DishonestyRecord.objects.select_related("enterprise", "deciding_unit").get(pk=pk)
    return Response(record_payload(request, record), status=code)


def _unit_record(request, pk) -> DishonestyRecord:
    record = record_get_for_user(user=request.user, pk=pk)
    if not is_unit_officer(request.user, record.deciding_unit):
        raise PermissionDenied(_("Only a penalty officer of the deciding unit may do this."), "forbidden")
    return record


class RecordCollectionApi(APIView):
    @_schema(
        "records_create",
        "Record dishonesty information (penalty officer)",
        request=RecordInSerializer,
        responses={201: RecordOutSerializer},
        description="The deciding unit is the officer's agency. The penalty decision and the credit repair notice "
        "(双书同达) are issued in the same act and rendered before the answer (each with its SHA-256). "
        "`earliest_repair_on` and `publication_ends_on` come from the rules in force on the decision date.",
    )
    def post(self, request):
        if isinstance(request.data, QueryDict) or not isinstance(request.data, dict):
            raise ValidationFailed(_("Send a JSON object."), "invalid")
        record = record_create(data=dict(request.data), acting_user=request.user)
        documents_render_now(record)
        return _record_response(request, record.pk, status.HTTP_201_CREATED)

    @_schema(
        "records_list",
        "Records you may see",
        responses={200: inline_serializer("RepairRecordRow", {"id": serializers.IntegerField()}, many=True)},
        description="Supervisors: all; a deciding unit's staff: its own; an enterprise: its own. At most 200, "
        "newest decision first; `GET repair/records/{id}` gives the whole record.",
    )
    def get(self, request):
        qs = records_visible_to(request.user)
        st = request.query_params.get("status")
        if st:
            if st not in DishonestyRecord.Status.values:
                raise ValidationFailed(_("Unknown status."), "invalid", field="status")
            qs = qs.filter(status=st)
        return Response(
            [
                {
                    "id": r.pk,
                    "status": r.status,
                    "subject": r.enterprise.name if r.enterprise_id else r.person_name,
                    "uscc": r.enterprise.uscc if r.enterprise_id else None,
                    "category": r.category,
                    "decision_number": r.decision_number,
                    "decided_on": r.decided_on,
                    "deciding_unit": r.deciding_unit.code,
                    "earliest_repair_on": r.earliest_repair_on,
                    "publication_ends_on": r.publication_ends_on,
                }
                for r in qs.order_by("-decided_on", "-id")[:200]
            ]
        )


class RecordDetailApi(APIView):
    @_schema("records_retrieve", "One record")
    def get(self, request, pk):
        return Response(record_payload(request, record_get_for_user(user=request.user, pk=pk)))


class RecordServeApi(APIView):
    @_schema(
        "records_serve",
        "Serve both documents with one delivery record (addition)",
        request=inline_serializer(
            "RepairServeIn",
            {
                "method": serializers.ChoiceField(choices=Delivery.Method.values),
                "delivered_on": serializers.DateField(),
                "recipient": serializers.CharField(),
                "receipt": serializers.CharField(required=False),
            },
        ),
        description="An addition to the issue's endpoints: the penalty decision and the credit repair notice "
        "are served together (双书同达). Served twice: 409 `already_served`.",
    )
    def post(self, request, pk):
        record = _unit_record(request, pk)
        body = request_body(request)
        record_serve_notices(
            record=record,
            method=body_text(body, "method"),
            delivered_on=body_date(body, "delivered_on"),
            recipient=body_text(body, "recipient"),
            receipt=body_text(body, "receipt"),
            acting_user=request.user,
        )
        return _record_response(request, record.pk)


class RecordPublishApi(APIView):
    @_schema(
        "records_publish",
        "Publish a record (addition)",
        description="An addition to the issue's endpoints. 409 `not_publishable` for a minor record not marked "
        "for publication, `publication_over` after its period, `record_state` when not recorded.",
    )
    def post(self, request, pk):
        record = _unit_record(request, pk)
        record_publish(record=record, acting_user=request.user)
        return _record_response(request, record.pk)


class RecordObjectionApi(APIView):
    @_schema(
        "records_object",
        "Object to a record (the subject's user)",
        request=inline_serializer(
            "RepairObjectionIn",
            {
                "target": serializers.ChoiceField(choices=Objection.Target.values),
                "text": serializers.CharField(min_length=10),
                "application": serializers.IntegerField(required=False, help_text="For target `result`."),
            },
        ),
        responses={201: ObjectionOutSerializer},
        description="The record is marked under objection; a supervisor answers within `objection.handle`.",
    )
    def post(self, request, pk):
        record = record_get_for_user(user=request.user, pk=pk)
        if request.user.enterprise_id is None or request.user.enterprise_id != record.enterprise_id:
            raise PermissionDenied(_("Only the subject of the record may object to it."), "forbidden")
        body = request_body(request)
        application = None
        if body.get("application") not in (None, ""):
            application = RepairApplication.objects.filter(
                pk=int(body["application"]) if str(body["application"]).isdigit() else 0, records=record
            ).first()
            if application is None:
                raise ValidationFailed(
                    _("Choose the decided application the objection is about."), "invalid", field="application"
                )
        objection = objection_file(
            record=record,
            target=body_text(body, "target"),
            text=body_text(body, "text"),
            application=application,
            acting_user=request.user,
        )
        return Response(objection_payload(objection), status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    @_schema(
        "objections_answer",
        "Answer an objection (supervisor)",
        request=inline_serializer(
            "RepairObjectionAnswerIn",
            {
                "upheld": serializers.BooleanField(),
                "answer": serializers.CharField(),
                "revoke": serializers.BooleanField(required=False),
                "corrections": serializers.DictField(
                    required=False, help_text="Any of facts, basis, publication_ends_on (YYYY-MM-DD)."
                ),
            },
        ),
        responses={200: ObjectionOutSerializer},
    )
    def post(self, request, pk):
        objection = Objection.objects.select_related("record").filter(pk=pk).first()
        if objection is None:
            raise NotFound(_("No such objection."), "not_found")
        if not is_supervisor(request.user):
            if not records_visible_to(request.user).filter(pk=objection.record_id).exists():
                raise NotFound(_("No such objection."), "not_found")
            raise PermissionDenied(_("A supervisor answers objections."), "forbidden")
        body = request_body(request)
        corrections = body.get("corrections") or {}
        if not isinstance(corrections, dict):
            raise ValidationFailed(_("Corrections must be an object."), "invalid", field="corrections")
        if set(corrections) - EDITABLE:
            raise ValidationFailed(
                _("Only the facts, the basis or the end of publication can be corrected."),
                "invalid",
                field="corrections",
            )
        clean = {}
        for field, value in corrections.items():
            if field == "publication_ends_on":
                try:
                    clean[field] = dt.date.fromisoformat(str(value))
                except ValueError:
                    raise ValidationFailed(
                        _("Enter a date as YYYY-MM-DD."), "invalid", field="corrections.publication_ends_on"
                    ) from None
            elif not isinstance(value, str) or not value.strip():
                raise ValidationFailed(_("This field is required."), "required", field=f"corrections.{field}")
            else:
                clean[field] = value.strip()
        objection = objection_answer(
            objection=objection,
            upheld=body_bool(body, "upheld"),
            answer=body_text(body, "answer"),
            revoke=body_bool(body, "revoke", default=False),
            corrections=clean,
            acting_user=request.user,
        )
        return Response(objection_payload(objection))


# --- applications -------------------------------------------------------------------------------------------------


def _application_response(request, pk, code=status.HTTP_200_OK) -> Response:
    application = RepairApplication.objects.select_related("enterprise", "deciding_unit").get(pk=pk)
    return Response(application_payload(request, application), status=code)


def applicant_enterprise(user, subject_uscc: str = ""):
    """(enterprise, channel) for a submission: the user's own enterprise online, or the one a window clerk
    names by USCC."""
    if roles.has_role(user, roles.ENTERPRISE_USER) and user.enterprise_id:
        if subject_uscc and subject_uscc.strip().upper() != user.enterprise.uscc:
            raise PermissionDenied(_("You may apply only for your own enterprise."), "forbidden")
        return user.enterprise, RepairApplication.Channel.ONLINE
    if roles.has_role(user, roles.WINDOW_CLERK):
        if not subject_uscc.strip():
            raise ValidationFailed(
                _("Give the unified social credit code of the enterprise applying."), "required", field="subject_uscc"
            )
        return enterprise_for_window(user=user, uscc=subject_uscc), RepairApplication.Channel.WINDOW
    raise PermissionDenied(_("Enterprises apply online; a service window clerk applies for them."), "forbidden")


class ApplicationCollectionApi(APIView):
    @_schema(
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
        uscc = body.get("subject_uscc") if isinstance(body.get("subject_uscc"), str) else ""
        enterprise, channel = applicant_enterprise(request.user, uscc)
        commitment = body.get("commitment") if isinstance(body.get("commitment"), dict) else {}
        application = application_submit(
            enterprise=enterprise,
            record_ids=_record_ids(body.get("records")),
            correction=body.get("correction") if isinstance(body.get("correction"), str) else "",
            proof_held_by_unit=body.get("proof_held_by_unit") is True,
            commitment=commitment,
            acting_user=request.user,
            proofs=files,
            channel=channel,
        )
        documents_render_now(application)
        return _application_response(request, application.pk, status.HTTP_201_CREATED)

    @_schema("applications_list", "Applications you may see", responses={200: ApplicationOutSerializer(many=True)})
    def get(self, request):
        qs = applications_visible_to(request.user).order_by("-applied_on", "-id")[:200]
        return Response(
            [
                {
                    "id": a.pk,
                    "status": a.status,
                    "enterprise": {"uscc": a.enterprise.uscc, "name": a.enterprise.name},
                    "deciding_unit": a.deciding_unit.code,
                    "channel": a.channel,
                    "applied_on": a.applied_on,
                    "decided_on": a.decided_on,
                }
                for a in qs
            ]
        )


class ApplicationDetailApi(APIView):
    @_schema("applications_retrieve", "One application", responses={200: ApplicationOutSerializer})
    def get(self, request, pk):
        return Response(application_payload(request, application_get_for_user(user=request.user, pk=pk)))


def _unit_application(request, pk) -> RepairApplication:
    application = application_get_for_user(user=request.user, pk=pk)
    if not is_unit_officer(request.user, application.deciding_unit):
        raise PermissionDenied(_("Only a penalty officer of the deciding unit may do this."), "forbidden")
    return application


class ApplicationSupplementApi(APIView):
    @_schema(
        "applications_supplement",
        "Ask for more material (补正; penalty officer of the deciding unit)",
        request=inline_serializer("RepairSupplementIn", {"items": serializers.CharField()}),
        responses={200: ApplicationOutSerializer},
        description="The result's clock stops until the material arrives.",
    )
    def post(self, request, pk):
        application = _unit_application(request, pk)
        items = body_text(request_body(request), "items")
        with transaction.atomic():
            application_supplement(application=application, items=items, acting_user=request.user)
        return _application_response(request, application.pk)


class ApplicationSupplementReceivedApi(APIView):
    @_schema(
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
        files = list(request.FILES.getlist("proofs")) if request.FILES else []
        if application.status == RepairApplication.Status.SUPPLEMENT and not files:
            raise ValidationFailed(_("Attach the material asked for (PDF, JPG or PNG)."), "required", field="proofs")
        with transaction.atomic():
            application_supplement_received(application=application, proofs=files, acting_user=request.user)
        return _application_response(request, application.pk)


class ApplicationDecideApi(APIView):
    @_schema(
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
        body = request_body(request)
        approve = body_bool(body, "approve")
        application_decide_as(
            application=application,
            user=request.user,
            approve=approve,
            reason=body_text(body, "reason"),
            request=request,
        )
        documents_render_now(application)
        return _application_response(request, application.pk)


class ApplicationExtendApi(APIView):
    @_schema(
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
        body = request_body(request)
        raw = body.get("days", DEFAULT_EXTENSION_DAYS)
        try:
            days = int(raw)
            if days < 1 or isinstance(raw, bool):
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a number of working days."), "invalid", field="days") from None
        try:
            with transaction.atomic():
                application_extend(
                    application=application, days=days, reason=body_text(body, "reason"), approver=request.user
                )
        except ValidationFailed as exc:
            exc.errors = {("days" if k == "amount" else k): v for k, v in (exc.errors or {}).items()}
            raise
        return _application_response(request, application.pk)


# --- public -------------------------------------------------------------------------------------------------------


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
        auth=[{}],
        tags=TAG,
    )
    def get(self, request):
        qs = public_records(request.query_params.get("q", "")[:100])
        return Response({"count": qs.count(), "results": [public_record_payload(r) for r in qs[:PUBLIC_LIMIT]]})
