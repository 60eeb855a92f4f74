"""Notifications: in-app messages, with e-mail and SMS sent after commit.

- `notification_send` writes one in-app row per recipient in the caller's transaction. With a
  `dedupe_key` a recipient gets the message once ever (a reminder run twice sends nothing new).
- E-mail goes out from a q2 task (`workflow.tasks.notification_email`) once the transaction
  commits; the task is idempotent (`emailed_at`).
- SMS goes through a pluggable gateway: settings.GOVCREDIT_SMS_BACKEND names a class with
  `send(mobile, text)`. The default `LogSmsBackend` only writes a log line with a masked number.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from workflow import clock, jobs
from workflow.errors import NotFound
from workflow.models import Notification, PartyMessage, User

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
    case_code: str = "",
    party: str = "",
    step: str = "",
    due_on: dt.date | None = None,
) -> list[Notification]:
    """Create in-app notifications; mail/SMS them after commit. Returns the rows created now.

    `case_code`, `party`, `step` and `due_on` are what the inbox shows of the case the message is about.

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
    about = {"case_code": str(case_code)[:100], "party": str(party)[:200], "step": str(step)[:200], "due_on": due_on}
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
                    **about,
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
                Notification(recipient=u, category=category, title=title, body=body, link=link, created_at=now, **about)
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


def notification_email_batch(category: str, created_at: str) -> int:
    """q2 task: mail the notifications of `category` written at `created_at` (ISO; e.g. by one sweep step in
    one INSERT … SELECT), each through `notification_email`, so each at most once. Returns mails sent."""
    at = dt.datetime.fromisoformat(created_at)
    ids = (
        Notification.objects.filter(category=category, created_at=at, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in ids if notification_email(pk))


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


def party_tell(*, mobile: str = "", email: str = "", subject: str, text: str) -> None:
    """Tell a party who has no account (an SME complainant, an enterprise's contact) by SMS and/or e-mail,
    once the transaction commits (a rolled-back act tells nobody). The message is a PartyMessage row; the
    job carries only its id, so the party's mobile and address never sit in the job queue."""
    sms, mail = PartyMessage.Channel.SMS, PartyMessage.Channel.EMAIL
    for channel, address, body in ((sms, mobile, str(text)[:SMS_MAX_CHARS]), (mail, email, str(text))):
        if address:
            message = PartyMessage.objects.create(
                channel=channel, address=address, subject=str(subject)[:200], text=body, created_at=clock.now()
            )
            jobs.enqueue("workflow.tasks.party_message_send", message.pk)


def party_message_send(message_id: int) -> bool:
    """q2 task: send one message to a party. Idempotent: sent at most once (sent_at). True when sent now."""
    with transaction.atomic():
        message = PartyMessage.objects.select_for_update().filter(pk=message_id, sent_at__isnull=True).first()
        if message is None:
            return False
        if message.channel == PartyMessage.Channel.SMS:
            get_sms_backend().send(message.address, message.text)
        else:
            send_mail(subject=message.subject, message=message.text, from_email=None, recipient_list=[message.address])
        message.sent_at = clock.now()
        message.save(update_fields=["sent_at"])
        return True


# --- what a notification is about: cases, their parties and the officers who own their clocks -------


@dataclass(frozen=True)
class CaseRef:
    """How the inbox names a case, and who owns its clocks (per clock purpose; "*" for any other)."""

    code: str
    party: str
    link: str = ""
    owners: dict[str, list[User]] = field(default_factory=dict)
    due_on: dt.date | None = None  # a due date the case keeps outside workflow clocks (if any)

    def owners_of(self, purpose: str) -> list[User]:
        for key in (purpose, re.sub(r"\d+$", "", purpose), "*"):
            if key in self.owners:
                return self.owners[key]
        return []


CaseRefs = Callable[[list[str]], dict[str, CaseRef]]
CASE_REFS: dict[str, CaseRefs] = {}
_refs_discovered = False


def case_refs(model_label: str):
    """Register `f(object_ids) -> {object_id: CaseRef}` for the cases of `model_label` ("app.model",
    lower case). Apps register theirs in a module named `notify`, found by `case_refs_for`. The function
    must read in a number of queries that does not grow with the number of ids."""

    def register(func: CaseRefs) -> CaseRefs:
        CASE_REFS[model_label] = func
        return func

    return register


def case_refs_for(model_label: str, object_ids: Iterable) -> dict[str, CaseRef]:
    global _refs_discovered
    if not _refs_discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("notify")
        _refs_discovered = True
    resolver = CASE_REFS.get(model_label)
    ids = sorted({str(i) for i in object_ids})
    if resolver is None or not ids:
        return {}
    return resolver(ids)


def deadlines_remind(*, as_of: dt.date) -> int:
    """Daily sweep step: tell the officer who owns each running clock that ends within the reminder lead
    (rule `notify.deadline.remind`, working days) of `as_of`. Once per clock per day (dedupe key); the
    number of statements depends on the kinds of case, not on the number of clocks."""
    from workflow import workdays
    from workflow.models import Deadline
    from workflow.rules import rule_in_force

    lead = rule_in_force("notify.deadline.remind", as_of).amount or 0
    until = workdays.add_working_days(as_of, lead)
    clocks = list(
        Deadline.objects.filter(status=Deadline.Status.RUNNING, due_on__gte=as_of, due_on__lte=until)
        .select_related("content_type", "rule")
        .order_by("due_on", "id")
    )
    by_model: dict[str, list[str]] = {}
    for d in clocks:
        by_model.setdefault(f"{d.content_type.app_label}.{d.content_type.model}", []).append(d.object_id)
    refs = {label: case_refs_for(label, ids) for label, ids in by_model.items()}
    key_of = {d.pk: f"deadline-soon:{d.pk}:{as_of.isoformat()}" for d in clocks}
    rows: list[Notification] = []
    now = clock.now()
    for d in clocks:
        ref = refs[f"{d.content_type.app_label}.{d.content_type.model}"].get(d.object_id)
        if ref is None:
            continue
        left = workdays.count_working_days(as_of, d.due_on)
        title = _("%(code)s: %(rule)s ends on %(due)s (%(left)s working days left)") % {
            "code": ref.code,
            "rule": d.rule.title,
            "due": d.due_on.isoformat(),
            "left": left,
        }
        for user in _unique_recipients(ref.owners_of(d.purpose)):
            rows.append(
                Notification(
                    recipient=user,
                    category="deadline.soon",
                    title=title[:200],
                    link=ref.link[:300],
                    dedupe_key=key_of[d.pk],
                    created_at=now,
                    case_code=ref.code[:100],
                    party=ref.party[:200],
                    step=d.rule.title[:200],
                    due_on=d.due_on,
                )
            )
    if not rows:
        return 0
    floor = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            id__gt=floor, category="deadline.soon", dedupe_key__in=set(key_of.values())
        ).select_related("recipient")
    )
    for n in created:
        if n.recipient.email:
            jobs.enqueue("workflow.tasks.notification_email", n.pk)
    return len(created)


# --- selectors -------------------------------------------------------------------------------


def notifications_for_user(user: User):
    """The user's notifications: unread first, then by due date (soonest first, none last), newest first."""
    from django.db.models import Case, F, IntegerField, Value, When

    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    read_last = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Notification.objects.filter(recipient_id=user.pk).order_by(
        read_last, F("due_on").asc(nulls_last=True), "-created_at", "-id"
    )


def notifications_unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
