"""Writing the audit log. Call inside the transaction of the change being recorded."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from workflow import clock
from workflow.models import AuditLog
from workflow.request_context import current_request_id


def audit_record(
    *,
    action: str,
    obj=None,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    changes: dict | None = None,
) -> AuditLog:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        at=clock.now(),
        actor=actor_obj,
        actor_label=(actor_obj.get_username() if actor_obj else (str(actor) if actor else "system"))[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        changes=changes or {},
        request_id=current_request_id(),
    )


def audit_for(obj):
    ct = ContentType.objects.get_for_model(obj)
    return AuditLog.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")


def audit_bulk_transition(
    *, model, ids: list, field: str, source, target: str, action: str, changes: dict | None = None, chunk: int = 2000
) -> int:
    """Set-based state change for sweeps: UPDATE the rows still in `source`, with one audit row each.

    The equivalent of calling a django-fsm transition on every row, without a per-row query: rows
    are changed only if they are still in a source state (another transaction may have moved
    them), and the audit rows are bulk-inserted in the same transaction. Returns rows changed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_bulk_transition must run inside a transaction")
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
