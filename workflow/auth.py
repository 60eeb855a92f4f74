"""Staff login with lockout after repeated failures (per username, within a window)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from workflow import clock
from workflow.models import LoginAttempt


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def is_locked_out(username: str) -> bool:
    window_start = clock.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginAttempt.objects.filter(username__iexact=username, at__gte=window_start).order_by("-at")
    failures = 0
    for success in recent.values_list("success", flat=True)[: settings.LOGIN_LOCKOUT_ATTEMPTS]:
        if success:
            break
        failures += 1
    return failures >= settings.LOGIN_LOCKOUT_ATTEMPTS


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked-out username even with the right password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if not username:
            return None
        if is_locked_out(username):
            if request is not None:
                request.govcredit_locked_out = True
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        LoginAttempt.objects.create(username=username[:150], ip=client_ip(request), at=clock.now(), success=bool(user))
        return user

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


class RolePermissionBackend:
    """Permissions derived from roles and agency scope, for viewflow task queues.

    viewflow puts a task in a user's queue when its `owner_permission` string is among
    `user.get_all_permissions()`. Flows therefore ask for:
    - `govcredit.role_<role>` — any user with that role (e.g. `govcredit.role_supervisor`);
    - `govcredit.agency_staff_<agency id>` — a clerk or head of that agency or of an agency above it;
    - `govcredit.unit_officer_<agency id>` — a penalty officer of that deciding unit (or one above it).
    Nothing is stored: the strings are computed from the user's groups and agency.
    """

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not getattr(user_obj, "is_active", False) or user_obj.is_anonymous:
            return set()
        cached = getattr(user_obj, "_govcredit_perm_cache", None)
        if cached is not None:
            return cached
        from workflow import roles
        from workflow.scoping import agencies_for_user

        user_roles = roles.roles_of(user_obj)
        perms = {f"govcredit.role_{role}" for role in user_roles}
        if user_obj.agency_id and (roles.AGENCY_CLERK in user_roles or roles.AGENCY_HEAD in user_roles):
            perms |= {f"govcredit.agency_staff_{pk}" for pk in agencies_for_user(user_obj).values_list("pk", flat=True)}
        if user_obj.agency_id and roles.PENALTY_OFFICER in user_roles:
            perms |= {f"govcredit.unit_officer_{pk}" for pk in agencies_for_user(user_obj).values_list("pk", flat=True)}
        user_obj._govcredit_perm_cache = perms
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj)
