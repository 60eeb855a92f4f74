"""Object scoping: who may see which agency's or enterprise's data.

An agency user sees its own agency and every agency below it; a supervisor sees everything;
an enterprise user sees only its own enterprise (by USCC). Every `<thing>_get_for_user` selector
in the apps builds on these filters, so views never query unscoped.
"""

import uuid

from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from workflow import roles
from workflow.models import Agency, Enterprise

NOTHING = Q(pk__in=[])


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or roles.has_role(user, roles.SUPERVISOR)
    )


def agency_filter(user, field: str = "agency") -> Q:
    """Q over a model whose `field` points at an Agency, limited to what `user` may see."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_everything(user):
        return Q()
    if user.agency_id is None:
        return NOTHING
    return Q(**{f"{field}__path__startswith": user.agency.path})


def enterprise_filter(user, field: str = "enterprise") -> Q:
    """Q over a model whose `field` points at an Enterprise, limited to what `user` may see."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_everything(user):
        return Q()
    if user.enterprise_id is None:
        return NOTHING
    return Q(**{f"{field}_id": user.enterprise_id})


def agencies_for_user(user):
    if sees_everything(user):
        return Agency.objects.all()
    if getattr(user, "agency_id", None) is None:
        return Agency.objects.none()
    return Agency.objects.filter(path__startswith=user.agency.path)


def enterprises_for_user(user):
    if sees_everything(user):
        return Enterprise.objects.all()
    if getattr(user, "enterprise_id", None) is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(pk=user.enterprise_id)


AGENCY_CHOICES_KEY = "workflow:agency-choices:v2"
AGENCY_CHOICES_SECONDS = 300
# This process's copy of every agency's (code, name, path) and of the (code, name) pairs, under the
# version held in the cache: a city's 2,000 agencies are not unpickled from the cache on every request.
_agency_rows: tuple[object, list[tuple[str, str, str]], list[tuple[str, str]]] | None = None


def agency_choices_for_user(user) -> list[tuple[str, str]]:
    """(code, name) of the agencies `user` sees, in tree order (by path): the filters of the staff lists.
    The list is shared: do not change it.

    Every agency's (code, name, path) is kept (AGENCY_CHOICES_SECONDS; dropped when an agency is
    saved or deleted in this process), so a list page does not load the agency table on every request:
    the cache holds a version (a small value), the process its rows for that version."""
    global _agency_rows
    version = cache.get(AGENCY_CHOICES_KEY)
    memo = _agency_rows
    if version is None or memo is None or memo[0] != version:
        rows = list(Agency.objects.order_by("path").values_list("code", "name", "path"))
        version = uuid.uuid4().hex
        cache.set(AGENCY_CHOICES_KEY, version, AGENCY_CHOICES_SECONDS)
        memo = _agency_rows = (version, rows, [(code, name) for code, name, _path in rows])
    _version, rows, everything = memo
    if sees_everything(user):
        return everything
    if getattr(user, "agency_id", None) is None:
        return []
    prefix = user.agency.path
    return [(code, name) for code, name, path in rows if path.startswith(prefix)]


@receiver([post_save, post_delete], sender=Agency, dispatch_uid="workflow-agency-choices")
def _agency_choices_forget(**kwargs) -> None:
    cache.delete(AGENCY_CHOICES_KEY)
