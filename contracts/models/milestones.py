from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from contracts.models.contracts import Contract
from workflow.models.base import StatefulModel


class Milestone(StatefulModel):
    """A delivery, acceptance or payment node of a contract.

    For a payment milestone, `delivered_on` / `accepted_on` record the delivery it pays for and
    `payment_due_on` is the statutory payment date derived from them (SME regulation Arts. 9–10).
    `paid_amount` is kept by the payment service so that sweeps stay set-based SQL.
    """

    class Kind(models.TextChoices):
        DELIVERY = "delivery", pgettext_lazy("milestone", "delivery")
        ACCEPTANCE = "acceptance", pgettext_lazy("milestone", "acceptance")
        PAYMENT = "payment", pgettext_lazy("milestone", "payment")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DUE = "due", _("due")
        MET = "met", _("met")
        OVERDUE = "overdue", _("overdue")
        MET_LATE = "met_late", _("met late")
        WAIVED = "waived", _("waived")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned_on = models.DateField(_("planned date"))
    payment_after_acceptance = models.BooleanField(_("payment depends on acceptance"), default=False)
    acceptance_period_days = models.PositiveSmallIntegerField(
        _("agreed acceptance period (days)"), null=True, blank=True
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    payment_due_on = models.DateField(_("payment due on"), null=True, blank=True, db_index=True)
    payment_rule = models.CharField(_("payment rule"), max_length=64, blank=True)
    paid_amount = models.DecimalField(_("paid"), max_digits=16, decimal_places=2, default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.PLANNED, choices=Status.choices, protected=True, db_index=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "planned_on", "id"]
        indexes = [models.Index(fields=["kind", "status", "payment_due_on"])]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.title}"

    @property
    def payment_due_provisional(self) -> bool:
        """The payment date was counted with a year whose State Council notice is not entered yet
        (issue 9 item 7): it may move when the notice is entered (workflow.calendar recomputes it)."""
        from workflow import workdays

        if self.payment_due_on is None or self.payment_rule == "contract.planned":
            return False
        return workdays.is_provisional(self.payment_due_on.year)

    @property
    def outstanding(self):
        return (self.amount or 0) - self.paid_amount

    @transition(field=status, source=Status.PLANNED, target=Status.DUE)
    def become_due(self):
        pass

    @transition(field=status, source=[Status.PLANNED, Status.DUE], target=Status.MET)
    def meet(self):
        pass

    @transition(field=status, source=[Status.PLANNED, Status.DUE], target=Status.OVERDUE)
    def mark_overdue(self):
        pass

    @transition(field=status, source=Status.OVERDUE, target=Status.MET_LATE)
    def meet_late(self):
        pass

    @transition(field=status, source=[Status.PLANNED, Status.DUE, Status.OVERDUE], target=Status.WAIVED)
    def waive(self):
        pass


class Payment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        # The evaluation of a past period corrects today's figures with the payments made after it.
        indexes = [models.Index(fields=["paid_on"], name="payment_paid_on")]


class PerformanceReport(models.Model):
    """A periodic performance report by the contracting body (contract.report.period)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    submitted_on = models.DateField(_("submitted on"))
    progress = models.TextField(_("progress"))
    issues = models.TextField(_("problems"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("performance report")
        verbose_name_plural = _("performance reports")
        ordering = ["contract", "period_start"]
        constraints = [models.UniqueConstraint(fields=["contract", "period_start"], name="report_once_per_period")]
