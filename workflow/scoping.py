"""Object scoping: who may see which agency's or enterprise's data.

An agency user sees its own agency and every agency below it; a supervisor sees everything;
an enterprise user sees only its own enterprise (by USCC). Every `<thing>_get_for_user` selector
in the apps builds on these filters, so views never query unscoped.
"""

from django.db.models import Q

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
