"""Objections (异议申诉) to published credit information and repair results."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from repair.models import DishonestyRecord, Objection, RepairApplication
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import deadline_complete, deadline_start, deadlines_for
from workflow.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from workflow.transitions import transition


@transaction.atomic
def objection_file(
    *, record: DishonestyRecord, target: str, text: str, acting_user, application: RepairApplication | None = None
) -> Objection:
    """The subject objects; the record is marked "under objection" and a supervisor answers within
    `objection.handle`."""
    if getattr(acting_user, "enterprise_id", None) != record.enterprise_id or record.enterprise_id is None:
        raise NotFound(_("No such record."), "not_found")
    if target not in Objection.Target.values:
        raise ValidationFailed(_("Choose what the objection is about."), "invalid", field="target")
    if len(text.strip()) < 10:
        raise ValidationFailed(_("State the grounds (at least 10 characters)."), "required", field="text")
    if target == Objection.Target.RESULT and (
        application is None or not application.records.filter(pk=record.pk).exists() or application.decided_on is None
    ):
        raise ValidationFailed(
            _("Choose the decided application the objection is about."), "invalid", field="application"
        )
    record = DishonestyRecord.objects.select_for_update().get(pk=record.pk)
    if record.objections.filter(status=Objection.Status.OPEN).exists():
        raise Conflict(_("An objection to this record is already under review."), "objection_open")
    today = clock.today()
    objection = Objection.objects.create(
        record=record, application=application, target=target, text=text.strip(), filed_by=acting_user, filed_on=today
    )
    record.under_objection = True
    record.save(update_fields=["under_objection"])
    deadline_start(
        case=objection, purpose="answer", rule_code="objection.handle", start_on=today, acting_user=acting_user
    )
    audit_record(action="objection.file", obj=record, actor=acting_user, reason=text, changes={"target": target})
    return objection


EDITABLE = {"facts", "basis", "publication_ends_on"}


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    upheld: bool,
    answer: str,
    acting_user,
    revoke: bool = False,
    corrections: dict | None = None,
) -> Objection:
    """A supervisor answers. An upheld objection corrects the record (facts, basis or publication end,
    with the old values kept in the history) or revokes it."""
    if not (roles.has_role(acting_user, roles.SUPERVISOR) or acting_user.is_superuser):
        raise PermissionDenied(_("A supervisor answers objections."), "forbidden")
    if not answer.strip():
        raise ValidationFailed(_("Write the answer."), "required", field="answer")
    corrections = corrections or {}
    if set(corrections) - EDITABLE:
        raise ValidationFailed(
            _("Only the facts, the basis or the end of publication can be corrected."), "invalid", field="corrections"
        )
    if upheld and not (revoke or corrections):
        raise ValidationFailed(_("Say how the record is corrected, or revoke it."), "required", field="corrections")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise Conflict(_("This objection has already been answered."), "objection_state")
    record = DishonestyRecord.objects.select_for_update().get(pk=objection.record_id)
    today = clock.today()
    changes: dict = {}
    if upheld:
        objection.uphold()
        if revoke:
            before = transition(
                record,
                "revoke",
                refused=_("This record can no longer be revoked."),
                code="record_state",
                values={"ended_on": today},
                save=False,  # saved below with the corrections
            )
            changes["revoked"] = {"from": before}
        for field, value in corrections.items():
            if field == "publication_ends_on":
                value = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
                if value < record.decided_on:
                    raise ValidationFailed(
                        _("Publication cannot end before the decision."), "invalid", field="corrections"
                    )
            changes[field] = [str(getattr(record, field)), str(value)]
            setattr(record, field, value)
    else:
        objection.dismiss()
    record.under_objection = False
    record.save(update_fields=["status", "ended_on", "under_objection", *corrections])
    objection.answer, objection.answered_on, objection.answered_by = answer, today, acting_user
    objection.changes = changes
    objection.save(update_fields=["status", "answer", "answered_on", "answered_by", "changes"])
    clock_ = deadlines_for(objection).filter(purpose="answer").first()
    if clock_ is not None:
        deadline_complete(deadline=clock_, on=today, acting_user=acting_user)
    audit_record(
        action="objection.answer",
        obj=record,
        actor=acting_user,
        reason=answer,
        to_state=objection.status,
        changes=changes,
    )
    return objection
