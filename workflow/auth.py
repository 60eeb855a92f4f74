"""Staff login with lockout after repeated failures (per username, within a window)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from . import clock
from .models import LoginAttempt


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
