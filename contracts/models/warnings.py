from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from contracts.models.contracts import Contract
from contracts.models.milestones import Milestone
from workflow.models import Agency
from workflow.models.base import StatefulModel


class Warning(StatefulModel):  # noqa: A001 - the domain word (预警)
    """A warning raised by the daily sweep; one per (subject, rule) while open."""

    class Rule(models.TextChoices):
        PAYMENT_DUE_SOON = "payment.due_soon", _("payment due soon")
        PAYMENT_OVERDUE = "payment.overdue", _("payment overdue")
        REPORT_MISSING = "report.missing", _("periodic report missing")
        TERM_ENDED = "term.ended", _("term ended without closure")
        REGISTER_LATE = "register.late", _("registered late")

    class Level(models.IntegerChoices):
        NOTICE = 1, pgettext_lazy("warning level", "notice")
        WARNING = 2, pgettext_lazy("warning level", "warning")
        SERIOUS = 3, pgettext_lazy("warning level", "serious")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("warning status", "open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("warning status", "acknowledged")
        RESOLVED = "resolved", pgettext_lazy("warning status", "resolved")
        ESCALATED = "escalated", pgettext_lazy("warning status", "escalated")

    OPEN_STATUSES = [Status.OPEN, Status.ACKNOWLEDGED]  # still to be resolved or escalated

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="warnings")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="warnings")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="warnings")
    # "c<contract id>" or "m<milestone id>": what the warning is about, for the one-open-warning rule.
    subject = models.CharField(max_length=32)
    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.NOTICE)
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True, db_index=True)
    reference_on = models.DateField(_("relevant date"))
    raised_on = models.DateField(_("raised on"))
    note = models.TextField(_("note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-raised_on", "-level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "rule"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="one_open_warning_per_subject_rule",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status"]),
            # The sweep's "no open warning yet" checks (SQLite cannot use the partial unique index with
            # bound status parameters) and the "due soon superseded" query (PostgreSQL): docs/performance.md.
            models.Index(fields=["subject", "rule"], name="warning_subject_rule"),
            models.Index(fields=["rule", "status"], name="warning_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @transition(field=status, source=Status.OPEN, target=Status.ACKNOWLEDGED)
    def acknowledge(self):
        pass

    @transition(field=status, source=[Status.OPEN, Status.ACKNOWLEDGED], target=Status.RESOLVED)
    def resolve(self):
        pass

    @transition(field=status, source=[Status.OPEN, Status.ACKNOWLEDGED], target=Status.ESCALATED)
    def escalate(self):
        pass
