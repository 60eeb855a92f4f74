"""The outbox: messages for external credit platforms, written with the change they report.

`outbox_enqueue` is called inside the caller's transaction, so a message exists exactly when the
change committed; delivery is queued on commit. A q2 task delivers it through the destination's
transport (settings.GOVCREDIT_OUTBOX_DESTINATIONS[destination]["backend"]). Failures retry with
exponential backoff (1, 2, 4, ... minutes, at most 6 hours apart); after
settings.GOVCREDIT_OUTBOX_MAX_ATTEMPTS failed attempts the message is given up ("dead") and the
supervisors are notified. The idempotency key travels with every attempt, so the receiver can drop
duplicates; a redelivery after a lost answer is therefore harmless.

Delivery never holds a database transaction open during network I/O: a short transaction claims
the message (row lock, checks it is pending and due, leases it for CLAIM_LEASE), the transport
runs, and a second short transaction records the outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from workflow import clock, jobs, roles
from workflow.errors import PermissionDenied
from workflow.models import OutboxMessage, User
from workflow.transitions import locked, transition

logger = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10
# A claimed message is not picked up again for this long (more than one HTTP timeout).
CLAIM_LEASE = dt.timedelta(seconds=60)
BACKOFF_CAP = dt.timedelta(hours=6)
DEFAULT_MAX_ATTEMPTS = 8
# outbox_flush stops starting new deliveries after this long, well inside q2's task timeout.
FLUSH_BUDGET_SECONDS = 240
ERROR_MAX_CHARS = 2000


# --- transports ------------------------------------------------------------------------------


class TransportError(Exception):
    """The destination did not accept the message; it will be retried."""


class Transport:
    """Sends one message to one destination. Returns when delivered, raises TransportError if not."""

    def __init__(self, *, name: str, config: dict):
        self.name = name
        self.config = config

    def send(self, message: OutboxMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogTransport(Transport):
    """Records the delivery in the log and succeeds (development, demos, tests)."""

    def send(self, message: OutboxMessage) -> None:
        logger.info("Outbox %s -> %s topic=%s key=%s", message.pk, self.name, message.topic, message.idempotency_key)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: report the 3xx instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpTransport(Transport):
    """POSTs the payload as JSON to config["url"] with the message's Idempotency-Key.

    2xx means delivered; 409 means the receiver already has this key, also delivered.
    Anything else (other statuses, timeouts, refused connections) is a failure.
    """

    def send(self, message: OutboxMessage) -> None:
        url = self.config.get("url") or ""
        if not url.startswith(("http://", "https://")):
            raise TransportError(f"destination {self.name!r} has no http(s) url")
        body = json.dumps(message.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": message.idempotency_key,
                "X-Govcredit-Topic": message.topic,
                "User-Agent": "govcredit-outbox/1",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            detail = _read_snippet(exc)
            exc.close()
            if status == 409:
                return
            raise TransportError(f"HTTP {status}{': ' + detail if detail else ''}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransportError(f"{type(exc).__name__}: {reason}") from None
        if not 200 <= status < 300:
            raise TransportError(f"HTTP {status}")


def _read_snippet(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(300).decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - the body is only a hint in last_error
        return ""


def destination_config(destination: str) -> dict:
    destinations = getattr(settings, "GOVCREDIT_OUTBOX_DESTINATIONS", {}) or {}
    if destination not in destinations:
        raise ImproperlyConfigured(f"unknown outbox destination {destination!r}")
    return destinations[destination]


def get_transport(destination: str) -> Transport:
    config = destination_config(destination)
    backend = config.get("backend") or "workflow.outbox.LogTransport"
    return import_string(backend)(name=destination, config=config)


# --- policy ----------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "GOVCREDIT_OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def outbox_backoff(failed_attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8 ... minutes, never more than 6 hours."""
    exponent = max(0, failed_attempts - 1)
    if exponent > 20:
        return BACKOFF_CAP
    return min(dt.timedelta(minutes=2**exponent), BACKOFF_CAP)


# --- services --------------------------------------------------------------------------------


def outbox_enqueue(*, destination: str, topic: str, payload, idempotency_key: str) -> OutboxMessage:
    """Write a message in the caller's transaction and deliver it after commit.

    Idempotent on `idempotency_key`: a second call returns the message already written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of the change it reports")
    if not idempotency_key:
        raise ValueError("an outbox message needs an idempotency key")
    destination_config(destination)
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        _warn_if_different(existing, destination, topic, payload)
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                destination=destination,
                topic=topic,
                payload=payload,
                idempotency_key=idempotency_key,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        # A concurrent transaction wrote the same key first.
        existing = OutboxMessage.objects.get(idempotency_key=idempotency_key)
        _warn_if_different(existing, destination, topic, payload)
        return existing
    jobs.enqueue("workflow.tasks.outbox_deliver", message.pk)
    return message


def _warn_if_different(existing: OutboxMessage, destination: str, topic: str, payload) -> None:
    if (existing.destination, existing.topic, existing.payload) != (destination, topic, payload):
        logger.warning(
            "Outbox key %s reused with a different message; keeping the first one (id %s)",
            existing.idempotency_key,
            existing.pk,
        )


@dataclass(frozen=True)
class _Claim:
    pk: int
    attempts: int
    lease_until: dt.datetime


def _claim(message_id: int) -> tuple[_Claim, OutboxMessage] | None:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        now = clock.now()
        if message is None or message.status != OutboxMessage.Status.PENDING or message.next_attempt_at > now:
            return None
        message.next_attempt_at = now + CLAIM_LEASE
        message.save(update_fields=["next_attempt_at"])
        return _Claim(message.pk, message.attempts, message.next_attempt_at), message


def outbox_deliver(message_id: int) -> str:
    """q2 task: try to deliver one message if it is pending and due.

    Returns "delivered", "retry", "dead" or "skipped". Safe to run twice and concurrently: the
    claim lets one runner through, the others skip.
    """
    claimed = _claim(message_id)
    if claimed is None:
        return "skipped"
    claim, message = claimed
    error = ""
    try:
        get_transport(message.destination).send(message)
    except TransportError as exc:
        error = str(exc) or type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a broken transport is a failed attempt, never a lost message
        logger.exception("Outbox transport for %s failed", message.destination)
        error = f"{type(exc).__name__}: {exc}"
    return _record_outcome(claim, error)


@transaction.atomic
def _record_outcome(claim: _Claim, error: str) -> str:
    message = OutboxMessage.objects.select_for_update().get(pk=claim.pk)
    if (
        message.status != OutboxMessage.Status.PENDING
        or message.attempts != claim.attempts
        or message.next_attempt_at != claim.lease_until
    ):
        return "skipped"  # someone else recorded an outcome or requeued it meanwhile
    now = clock.now()
    if not error:
        message.mark_delivered()
        message.delivered_at = now
        message.save(update_fields=["status", "delivered_at"])
        return "delivered"
    message.attempts += 1
    message.last_error = error[:ERROR_MAX_CHARS]
    if message.attempts >= max_attempts():
        message.give_up()
        message.save(update_fields=["status", "attempts", "last_error"])
        logger.error("Outbox message %s given up after %s attempts: %s", message.pk, message.attempts, error)
        _notify_supervisors(message)
        return "dead"
    message.next_attempt_at = now + outbox_backoff(message.attempts)
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning("Outbox message %s attempt %s failed: %s", message.pk, message.attempts, error)
    return "retry"


def _notify_supervisors(message: OutboxMessage) -> None:
    from workflow.notifications import notification_send

    supervisors = User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True).distinct()
    try:
        link = reverse("admin:workflow_outboxmessage_change", args=[message.pk])
    except NoReverseMatch:
        link = ""
    notification_send(
        recipients=supervisors,
        title=_("Delivery to %(destination)s failed: %(topic)s")
        % {
            "destination": message.destination,
            "topic": message.topic,
        },
        body=_(
            "Outbox message %(id)s (key %(key)s) was given up after %(attempts)s attempts. "
            "Last error: %(error)s. Fix the cause, then requeue it."
        )
        % {
            "id": message.pk,
            "key": message.idempotency_key,
            "attempts": message.attempts,
            "error": message.last_error[:300],
        },
        link=link,
        category="outbox",
    )


def outbox_flush(limit: int = 100) -> dict:
    """Deliver due pending messages, oldest first (run every minute by a schedule)."""
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
    started = time.monotonic()
    for pk in ids:
        if time.monotonic() - started > FLUSH_BUDGET_SECONDS:
            break
        counts[outbox_deliver(pk)] += 1
    return counts


@transaction.atomic
def outbox_requeue(*, message: OutboxMessage, acting_user) -> OutboxMessage:
    """Give a dead message a fresh round of attempts (a supervisor, after fixing the cause)."""
    if not (getattr(acting_user, "is_superuser", False) or roles.has_role(acting_user, roles.SUPERVISOR)):
        raise PermissionDenied(_("Only a supervisor can requeue outbox messages."))
    message = locked(message)
    transition(
        message,
        "requeue",
        refused=_("This message is %(status)s; only a message that was given up can be requeued."),
        code="outbox_state",
        values={"attempts": 0, "next_attempt_at": clock.now()},
        actor=acting_user,
        action="outbox.requeue",
        changes={"attempts": message.attempts, "last_error": message.last_error[:300]},
    )
    jobs.enqueue("workflow.tasks.outbox_deliver", message.pk)
    return message
