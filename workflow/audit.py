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
