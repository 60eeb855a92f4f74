"""Notifications: in-app messages, with e-mail and SMS sent after commit.

- `notification_send` writes one in-app row per recipient in the caller's transaction. With a
  `dedupe_key` a recipient gets the message once ever (a reminder run twice sends nothing new).
- E-mail goes out from a q2 task (`workflow.tasks.notification_email`) once the transaction
  commits; the task is idempotent (`emailed_at`).
- SMS goes through a pluggable gateway: settings.GOVCREDIT_SMS_BACKEND names a class with
  `send(mobile, text)`. The default `LogSmsBackend` only writes a log line with a masked number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from workflow import clock, jobs
from workflow.errors import NotFound
from workflow.models import Notification, User

logger = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "workflow.notifications.LogSmsBackend"
SMS_MAX_CHARS = 280


# --- SMS gateway -----------------------------------------------------------------------------


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to tell numbers apart in a log, not enough to call one."""
    digits = (mobile or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class SmsBackend:
    """Interface of an SMS gateway. `send` raises on failure; returning means accepted."""

    def send(self, mobile: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Default gateway: writes "SMS to 138****5678: text" to the log and sends nothing."""

    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


def get_sms_backend() -> SmsBackend:
    path = getattr(settings, "GOVCREDIT_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    return import_string(path)()


def _sms_text(notification: Notification) -> str:
    text = notification.title
    if notification.link:
        text = f"{text} {_absolute(notification.link)}"
    return text[:SMS_MAX_CHARS]


def _absolute(link: str) -> str:
    if link.startswith("/"):
        base = getattr(settings, "GOVCREDIT_PUBLIC_URL", "").rstrip("/")
        return f"{base}{link}"
    return link


# --- services --------------------------------------------------------------------------------


def _unique_recipients(recipients) -> list[User]:
    seen: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.pk is not None and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    title: str,
    body: str = "",
    link: str = "",
    category: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
    sms: bool = False,
) -> list[Notification]:
    """Create in-app notifications; mail/SMS them after commit. Returns the rows created now.

    With `dedupe_key`, recipients who already have a notification with that key get nothing.
    The existing keys are skipped in one query; a concurrent sender that wins the race is
    absorbed by the unique constraint (bulk_create with ignore_conflicts).
    """
    if not title:
        raise ValueError("a notification needs a title")
    users = _unique_recipients(recipients)
    if not users:
        return []
    now = clock.now()
    title = str(title)[:200]
    link = str(link)[:300]
    ids = [u.pk for u in users]
    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient_id__in=ids, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in already]
        if not users:
            return []
        # Remember the highest id first: rows inserted by this call are those above it.
        floor = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=u,
                    category=category,
                    title=title,
                    body=body,
                    link=link,
                    dedupe_key=dedupe_key,
                    created_at=now,
                )
                for u in users
            ],
            ignore_conflicts=True,
        )
        created = list(
            Notification.objects.filter(
                recipient_id__in=[u.pk for u in users], dedupe_key=dedupe_key, id__gt=floor
            ).select_related("recipient")
        )
    else:
        created = Notification.objects.bulk_create(
            [
                Notification(recipient=u, category=category, title=title, body=body, link=link, created_at=now)
                for u in users
            ]
        )
    for notification in created:
        recipient = notification.recipient
        if email and recipient.email:
            jobs.enqueue("workflow.tasks.notification_email", notification.pk)
        if sms and recipient.mobile:
            jobs.enqueue("workflow.tasks.notification_sms", notification.pk)
    return created


def notification_email(notification_id: int) -> bool:
    """q2 task: mail one notification to its recipient. Idempotent: sent at most once (emailed_at).

    Returns True when a mail went out now.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        address = notification.recipient.email
        if not address:
            return False
        lines = [notification.body] if notification.body else []
        if notification.link:
            lines.append(_absolute(notification.link))
        send_mail(
            subject=notification.title,
            message="\n\n".join(lines) or notification.title,
            from_email=None,
            recipient_list=[address],
        )
        notification.emailed_at = clock.now()
        notification.save(update_fields=["emailed_at"])
        return True


def notification_sms(notification_id: int) -> bool:
    """q2 task: text one notification to the recipient's mobile through the configured gateway."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.mobile:
        return False
    get_sms_backend().send(notification.recipient.mobile, _sms_text(notification))
    return True


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark the user's own notification read (idempotent); someone else's is simply not found."""
    notification = (
        Notification.objects.select_for_update().filter(pk=notification_id, recipient_id=user.pk).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if notification is None:
        raise NotFound(_("Notification not found."), "notification_not_found")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- selectors -------------------------------------------------------------------------------


def notifications_for_user(user: User):
    """The user's notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notifications_unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
