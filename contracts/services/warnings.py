"""Writes for warnings raised by the sweep: acknowledge, resolve, escalate (one transaction each, audited)."""

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Warning
from contracts.notify import warning_escalated_notify
from contracts.services.contracts import _fail
from workflow import clock
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
