"""Roles are Django groups. These names are used in code, seed data and the README."""

from django.utils.translation import gettext_lazy as _

AGENCY_CLERK = "agency_clerk"
AGENCY_HEAD = "agency_head"
SUPERVISOR = "supervisor"
COMPLAINT_OFFICER = "complaint_officer"
PENALTY_OFFICER = "penalty_officer"
WINDOW_CLERK = "window_clerk"
ENTERPRISE_USER = "enterprise_user"

ALL = {
    AGENCY_CLERK: _("Agency clerk"),
    AGENCY_HEAD: _("Agency head"),
    SUPERVISOR: _("Supervisor (credit office)"),
    COMPLAINT_OFFICER: _("Complaint officer"),
    PENALTY_OFFICER: _("Penalty officer (deciding unit)"),
    WINDOW_CLERK: _("Service window clerk"),
    ENTERPRISE_USER: _("Enterprise user"),
}


def roles_of(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_govcredit_roles", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._govcredit_roles = cached
    return cached


def roles_read(user, names) -> None:
    """The user's roles as read with the user itself (workflow.auth's session user): roles_of asks no more."""
    user._govcredit_roles = sorted(set(names))


def has_role(user, *names: str) -> bool:
    return any(name in roles_of(user) for name in names)
