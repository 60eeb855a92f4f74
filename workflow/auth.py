"""Staff login with lockout, and the client's address.

Lockout is per (username, client address): after LOGIN_LOCKOUT_ATTEMPTS failures that pair is refused
for LOGIN_LOCKOUT_MINUTES, doubled for each further lockout of the pair within a day of the last one, so that nobody can
lock a colleague out from elsewhere. Failures from one address across usernames are limited too
(LOGIN_FAILURES_PER_IP, password spraying). Each attempt is counted in workflow.ratelimit *before* the
password is checked, so concurrent guesses cannot slip past the limit; a success takes its count back.
"""

import datetime as dt
import functools
import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from workflow import clock, ratelimit, roles
from workflow.compiled import compiled_rows
from workflow.models import LoginAttempt, Notification


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. Behind GOVCREDIT_TRUSTED_PROXIES reverse proxies, each appending the address
    it saw to X-Forwarded-For, it is the address the outermost trusted proxy saw (the entry that many
    places from the right); entries further left are whatever the client sent and are not trusted.
    With 0 (the default) X-Forwarded-For is ignored and REMOTE_ADDR is the client."""
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "GOVCREDIT_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return _valid_ip(forwarded[-min(proxies, len(forwarded))]) or remote


def _pair_key(username: str, ip: str | None) -> str:
    return f"login:{username.strip().lower()[:150]}|{ip or '-'}"


def _lock_minutes(level: int) -> int:
    return min(settings.LOGIN_LOCKOUT_MINUTES * 2 ** min(level, 16), settings.LOGIN_LOCKOUT_MAX_MINUTES)


def locked_out_minutes(username: str, ip: str | None) -> int | None:
    """Minutes left on the lockout of this username from this address, None when not locked out."""
    counted = ratelimit.peek(_pair_key(username, ip))
    if counted is None or counted.count < settings.LOGIN_LOCKOUT_ATTEMPTS:
        return None
    return counted.minutes_left()


def login_refusal(request) -> tuple[str, int] | None:
    """Why LockoutModelBackend refused this request's login without checking the password, and for how
    many more minutes: ("locked_out", m) for the (username, address) lockout, ("too_many_logins", m)
    for the per-address limit; None when it did not."""
    return getattr(request, "govcredit_login_refused", None)


def is_locked_out(username: str, ip: str | None = None) -> bool:
    return locked_out_minutes(username, ip) is not None


@functools.cache
def _session_users():
    """The users with their agency, roles and unread count (LockoutModelBackend.get_user): built once per
    process (a QuerySet is a template: each `.filter()` is a new query), not on every request."""
    from django.contrib.auth import get_user_model

    unread = (
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        get_user_model()
        ._default_manager.select_related("agency")
        .annotate(govcredit_group=F("groups__name"), govcredit_unread=Coalesce(Subquery(unread), 0))
    )


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked-out (username, address) even with the right password, and an
    address with too many recent failures. The refusal is marked on the request for the login form and
    the token endpoint (login_refusal)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if not username:
            return None
        ip = client_ip(request)
        ip_key = f"login-ip:{ip}" if ip else None
        window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        if ip_key:
            per_ip = ratelimit.hit(ip_key, window=window)
            if per_ip.count > settings.LOGIN_FAILURES_PER_IP:
                if request is not None:
                    request.govcredit_login_refused = ("too_many_logins", per_ip.minutes_left())
                return None
        pair = _pair_key(username, ip)
        level_key = "login-level:" + pair.removeprefix("login:")
        level = ratelimit.peek(level_key)
        lock = _lock_minutes(level.count if level else 0)
        counted = ratelimit.hit(pair, window=dt.timedelta(minutes=lock))
        if counted.count > settings.LOGIN_LOCKOUT_ATTEMPTS:
            if ip_key:
                ratelimit.release(ip_key)  # refused unchecked: not a failure of this address
            if request is not None:
                request.govcredit_login_refused = ("locked_out", counted.minutes_left())
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        LoginAttempt.objects.create(username=username[:150], ip=ip, at=clock.now(), success=bool(user))
        if user is not None:
            ratelimit.reset(pair)
            if ip_key:
                ratelimit.release(ip_key)
        elif counted.count == settings.LOGIN_LOCKOUT_ATTEMPTS:
            # This failure locks the pair: for the full lock from now, and longer next time.
            ratelimit.extend(pair, clock.now() + dt.timedelta(minutes=lock))
            # Remembered for a day after this lockout ends.
            ratelimit.hit(level_key, window=dt.timedelta(minutes=lock, days=1))
        return user

    def get_user(self, user_id):
        """The session's user read with what every staff page needs, in one query: its agency (scoping),
        its roles (group names, one LEFT JOIN row per group) and its unread notifications (a count
        subquery), instead of a query for each on every request (docs/performance.md). Nothing is
        cached across requests, so a role granted or revoked (admin, seed, shell) and a notification
        sent or read by any process count from the user's next request; the badge counts what was
        unread when the request began."""
        # The SQL is compiled once per user id and process (workflow.compiled); the row is read now.
        rows = compiled_rows(("session-user", user_id), lambda: _session_users().filter(pk=user_id))
        if not rows:
            return None
        user = rows[0]
        roles.roles_read(user, (row.govcredit_group for row in rows if row.govcredit_group is not None))
        return user if self.user_can_authenticate(user) else None

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
