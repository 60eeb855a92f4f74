"""Writes for warnings raised by the sweep: acknowledge, resolve, escalate, and the credit office's
closing of an escalated warning (one transaction each, audited)."""

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Warning
from contracts.notify import warning_escalated_notify
from contracts.services.contracts import _fail
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict
from workflow.transitions import locked, transition


def _warning_transition(*, warning: Warning, name: str, acting_user, note: str = "") -> Warning:
    warning = locked(warning)
    values: dict[str, object] = {}
    if name in ("resolve", "escalate"):  # the transitions into RESOLVED and ESCALATED close the warning
        values["closed_on"] = clock.today()
    if note:
        values["note"] = (warning.note + "\n" + note).strip()
    transition(
        warning, name, what=_("The warning"), values=values, actor=acting_user, action=f"warning.{name}", reason=note
    )
    return warning


@transaction.atomic
def warning_acknowledge(*, warning: Warning, acting_user, note: str = "") -> Warning:
    return _warning_transition(warning=warning, name="acknowledge", acting_user=acting_user, note=note)


@transaction.atomic
def warning_resolve(*, warning: Warning, acting_user, note: str) -> Warning:
    if not note.strip():
        _fail("note", _("Say how the warning was resolved."), "reason_required")
    return _warning_transition(warning=warning, name="resolve", acting_user=acting_user, note=note)


@transaction.atomic
def warning_escalate(*, warning: Warning, acting_user, note: str) -> Warning:
    if not note.strip():
        _fail("note", _("Say why the warning is escalated."), "reason_required")
    warning = _warning_transition(warning=warning, name="escalate", acting_user=acting_user, note=note)
    warning_escalated_notify(warning=warning, acting_user=acting_user)
    return warning


@transaction.atomic
def warning_escalation_close(*, warning: Warning, acting_user, note: str) -> Warning:
    """The credit office closes an escalated warning without opening a disposal, with its opinion
    (the escalation process's task calls this). The warning stays escalated; the opinion is audited."""
    if not note.strip():
        _fail("note", _("Give the credit office's opinion."), "reason_required")
    warning = locked(warning)
    if warning.status != Warning.Status.ESCALATED:
        raise Conflict(_("This warning is not escalated."), "warning_state")
    warning.note = (warning.note + "\n" + note).strip()
    warning.save(update_fields=["note"])
    audit_record(action="warning.escalation_close", obj=warning, actor=acting_user, reason=note)
    return warning
