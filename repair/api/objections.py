"""Objections (异议申诉): `POST repair/records/{id}/objections` (the subject's user) and
`POST repair/objections/{id}/answer` (supervisor), under /api/v1/."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from repair.api.payloads import objection_payload
from repair.api.serializers import ObjectionAnswerIn, ObjectionIn, ObjectionOutSerializer, repair_schema
from repair.models import Objection, RepairApplication
from repair.selectors import is_supervisor, record_get_for_user, records_visible_to
from repair.services.objections import objection_answer, objection_file
from workflow.api.parsing import request_body
from workflow.api.serializers import validate_input
from workflow.errors import NotFound, PermissionDenied, ValidationFailed


def _corrections(values: dict) -> dict:
    """The corrections of an upheld objection (validated by ObjectionAnswerIn): a correction that is
    given must say something."""
    corrections = values.get("corrections") or {}
    for field, value in corrections.items():
        if value in (None, ""):
            raise ValidationFailed(_("This field is required."), "required", field=f"corrections.{field}")
    return dict(corrections)


class RecordObjectionApi(APIView):
    @repair_schema(
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
        values = validate_input(ObjectionIn, request_body(request))
        application = None
        if values.get("application") is not None:
            application = RepairApplication.objects.filter(pk=values["application"], records=record).first()
            if application is None:
                raise ValidationFailed(
                    _("Choose the decided application the objection is about."), "invalid", field="application"
                )
        objection = objection_file(
            record=record,
            target=values.get("target") or "",
            text=values.get("text") or "",
            application=application,
            acting_user=request.user,
        )
        return Response(objection_payload(objection), status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    @repair_schema(
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
        values = validate_input(ObjectionAnswerIn, request_body(request))
        objection = objection_answer(
            objection=objection,
            upheld=values["upheld"],
            answer=values.get("answer") or "",
            revoke=values.get("revoke", False),
            corrections=_corrections(values),
            acting_user=request.user,
        )
        return Response(objection_payload(objection))
