from django.conf import settings

from . import clock, roles


def govcredit(request):
    user = getattr(request, "user", None)
    return {
        "today": clock.today(),
        "clock_overridden": clock.is_overridden(),
        "user_roles": roles.roles_of(user) if user is not None else [],
        "role_names": roles.ALL,
        "public_url": settings.GOVCREDIT_PUBLIC_URL,
    }
