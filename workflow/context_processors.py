from django.conf import settings

from workflow import clock, roles


def govcredit(request):
    user = getattr(request, "user", None)
    return {
        "today": clock.today(),
        "clock_overridden": clock.is_overridden(),
        "user_roles": roles.roles_of(user) if user is not None else [],
        "role_names": roles.ALL,
        "public_url": settings.GOVCREDIT_PUBLIC_URL,
        # A callable: templates call it only where the badge is shown, and never for visitors.
        "unread_count": lambda: _unread_count(user),
    }


def _unread_count(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    counted = getattr(user, "govcredit_unread", None)  # read with the session's user (workflow.auth)
    if counted is not None:
        return counted
    from workflow.notifications import notifications_unread_count

    return notifications_unread_count(user)
