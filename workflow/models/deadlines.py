from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.models.base import StatefulModel
from workflow.models.rules import Rule


class Deadline(StatefulModel):
    """A statutory clock attached to any case (contract, complaint, repair application…).

    One per (case, purpose). Changed only through workflow.deadlines services, which keep the
    event history and the audit log.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        PAUSED = "paused", _("paused")
        OVERDUE = "overdue", _("overdue")
        MET = "met", _("met on time")
        MET_LATE = "met_late", _("met late")
        CANCELLED = "cancelled", _("cancelled")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    case = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=64)
    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="deadlines")
    start_on = models.DateField(_("start"))
    amount = models.PositiveIntegerField(_("amount"))
    extended_amount = models.PositiveIntegerField(_("extended by"), default=0)
    due_on = models.DateField(_("due"), db_index=True)
    original_due_on = models.DateField(_("original due"))
    # The due date before a deadline's move off a rest day; pauses and extensions count from it.
    base_due_on = models.DateField(_("due before moving off rest days"))
    status = FSMField(_("status"), default=Status.RUNNING, choices=Status.choices, protected=True, db_index=True)
    paused_on = models.DateField(_("paused on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose"], name="deadline_case_purpose_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.rule.code} due {self.due_on}"

    @transition(field=status, source=[Status.RUNNING, Status.OVERDUE], target=Status.PAUSED)
    def pause(self):
        pass

    @transition(field=status, source=Status.PAUSED, target=Status.RUNNING)
    def resume(self):
        pass

    @transition(field=status, source=[Status.RUNNING, Status.OVERDUE], target=Status.RUNNING)
    def extend(self):
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.OVERDUE)
    def mark_overdue(self):
        pass

    @transition(field=status, source=[Status.RUNNING, Status.PAUSED], target=Status.MET)
    def complete_on_time(self):
        pass

    @transition(field=status, source=[Status.RUNNING, Status.OVERDUE], target=Status.MET_LATE)
    def complete_late(self):
        pass

    @transition(field=status, source=[Status.RUNNING, Status.PAUSED, Status.OVERDUE], target=Status.CANCELLED)
    def cancel(self):
        pass


class DeadlineEvent(models.Model):
    """History of a deadline: start, pause, resume, extension, completion (append-only)."""

    class Kind(models.TextChoices):
        START = "start", _("started")
        PAUSE = "pause", _("paused")
        RESUME = "resume", _("resumed")
        EXTEND = "extend", _("extended")
        OVERDUE = "overdue", _("became overdue")
        COMPLETE = "complete", _("completed")
        CANCEL = "cancel", _("cancelled")

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    on_date = models.DateField(_("date"))
    due_before = models.DateField(_("due before"), null=True, blank=True)
    due_after = models.DateField(_("due after"), null=True, blank=True)
    amount = models.IntegerField(_("amount"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline event")
        verbose_name_plural = _("deadline events")
        ordering = ["created_at", "id"]
