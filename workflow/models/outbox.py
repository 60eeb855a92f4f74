from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.models.base import StatefulModel


class OutboxMessage(StatefulModel):
    """A message for an external credit platform, written in the same transaction as the change.

    Delivered by a q2 task with retries and backoff; the idempotency key travels with every
    attempt so the receiver can drop duplicates.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        DEAD = "dead", _("gave up")

    destination = models.CharField(_("destination"), max_length=64)
    topic = models.CharField(_("topic"), max_length=64)
    payload = models.JSONField(_("payload"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.destination}:{self.topic}:{self.idempotency_key}"

    @transition(field=status, source=Status.PENDING, target=Status.DELIVERED)
    def mark_delivered(self):
        pass

    @transition(field=status, source=Status.PENDING, target=Status.DEAD)
    def give_up(self):
        pass

    @transition(field=status, source=Status.DEAD, target=Status.PENDING)
    def requeue(self):
        pass
