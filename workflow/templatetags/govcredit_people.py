"""People as others read them: a person's name (家名在前), never a login name unless there is no name."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user) -> str:
    """李文清 for a user with a name; the login name only when no name was entered; "" for none."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


@register.filter
def audit_actor(row) -> str:
    """Who did what an audit row records: the person's name, the complainant, or the system."""
    if getattr(row, "actor_id", None) and row.actor is not None:
        return person(row.actor)
    label = getattr(row, "actor_label", "") or ""
    if label == "complainant":
        return _("the complainant")
    if label in ("", "system", "sweep"):
        return _("the system")
    return label
