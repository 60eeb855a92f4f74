"""The one way a service changes the state of a case: lock the row, check, transition, save, audit.

    complaint = locked(complaint)
    before = transition(complaint, "accept", actor=user, values={"accepted_on": today}, action="complaint.accept")

`locked` re-reads the row with SELECT ... FOR UPDATE, so that of two requests acting on the same
case the second waits and then sees the state the first left; `transition` then refuses with
`Conflict` when the state no longer allows the step, and otherwise calls the django-fsm
transition, saves the status (and the fields given) and, when an `action` is given, writes the
audit row with the states before and after. Both must run inside the transaction of the change.

`bulk_transition` is the set-based form for the daily sweep: one UPDATE of the rows still in the
source state and one bulk insert of their audit rows, in the sweep step's transaction.

A service that writes other audit rows (deadlines, documents, warnings) before its own audits
itself after them, with the returned previous status, so that the log keeps its order.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict
from workflow.models import AuditLog
from workflow.request_context import current_request_id

__all__ = ["ConcurrentTransition", "bulk_transition", "locked", "refusal", "transition"]


def locked(obj, *related: str):
    """`obj`'s row again, locked until the end of the transaction (with `related` selected)."""
    queryset = type(obj)._default_manager.select_for_update()
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=obj.pk)


def refusal(obj, *, refused=None, code: str | None = None, what=None) -> Conflict:
    """The Conflict for a step `obj`'s state does not allow.

    `refused` may use %(status)s (the current status, for people) and %(what)s (by default the
    model's verbose name); by default it is "<what> is <status>; that is not possible now.", with
    code "<model name>_state".
    """
    message = refused if refused is not None else _("%(what)s is %(status)s; that is not possible now.")
    what = what if what is not None else capfirst(obj._meta.verbose_name)
    status = obj.get_status_display()
    return Conflict(str(message) % {"what": what, "status": status}, code or f"{obj._meta.model_name}_state")


def transition(
    obj,
    name: str,
    *,
    actor=None,
    action: str | None = None,
    reason: str = "",
    changes: dict | None = None,
    values: dict | None = None,
    fields=(),
    refused=None,
    code: str | None = None,
    what=None,
    save: bool = True,
) -> str:
    """Run the django-fsm transition `name` on the locked `obj`; returns the status before.

    - refuses with `refusal(obj, refused=..., code=..., what=...)` when the state does not allow it,
      changing nothing (when `obj` was not locked and another transaction changed its state since
      it was read, ConcurrentTransitionMixin's conditional save raises ConcurrentTransition, which
      the API turns into a 409; the transaction is then to be rolled back);
    - sets `values` (field -> value) after the transition, then saves `status`, those fields and
      `fields` (ones the caller set itself, or `updated_at`) unless save=False (the caller saves);
    - with `action`, writes the audit row (`actor`, `reason`, `changes`, from/to state).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition must run inside the transaction that locked the row")
    method = getattr(obj, name)
    if not can_proceed(method):
        raise refusal(obj, refused=refused, code=code, what=what)
    before = obj.status
    method()
    for field, value in (values or {}).items():
        setattr(obj, field, value)
    if save:
        obj.save(update_fields=["status", *(values or {}), *fields])
    if action:
        audit_record(
            action=action,
            obj=obj,
            actor=actor,
            from_state=before,
            to_state=obj.status,
            reason=reason,
            changes=changes,
        )
    return before


def bulk_transition(
    *, model, ids: list, field: str, source, target: str, action: str, changes: dict | None = None, chunk: int = 2000
) -> int:
    """Set-based state change for sweeps: UPDATE the rows still in `source`, with one audit row each.

    The equivalent of calling a django-fsm transition on every row, without a per-row query: rows
    are changed only if they are still in a source state (another transaction may have moved
    them), and the audit rows are bulk-inserted in the same transaction. Returns rows changed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_transition must run inside a transaction")
    sources = [source] if isinstance(source, str) else list(source)
    ct = ContentType.objects.get_for_model(model)
    now = clock.now()
    request_id = current_request_id()
    changed = 0
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        rows = list(model.objects.filter(pk__in=part, **{f"{field}__in": sources}).values_list("pk", field))
        if not rows:
            continue
        changed += model.objects.filter(pk__in=[pk for pk, _ in rows], **{f"{field}__in": sources}).update(
            **{field: target}
        )
        AuditLog.objects.bulk_create(
            [
                AuditLog(
                    at=now,
                    actor_label="sweep",
                    action=action,
                    content_type=ct,
                    object_id=str(pk),
                    object_repr=f"{model._meta.model_name} {pk}",
                    from_state=state,
                    to_state=target,
                    changes=changes or {},
                    request_id=request_id,
                )
                for pk, state in rows
            ],
            batch_size=1000,
        )
    return changed
