from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from contracts.models.contracts import Contract
from contracts.models.milestones import Milestone
from workflow.models import Agency, Enterprise
from workflow.models.base import StatefulModel


class ArrearsCase(StatefulModel):
    """A payment owed to an SME that passed its due date (拖欠账款), opened by the sweep."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        CONFIRMED = "confirmed", _("confirmed")
        IN_REPAYMENT = "in_repayment", _("in repayment")
        RESOLVED = "resolved", _("resolved")
        DISPUTED = "disputed", _("disputed")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="arrears")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="arrears")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="arrears")
    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="arrears")
    due_on = models.DateField(_("due on"))
    owed = models.DecimalField(_("owed (CNY)"), max_digits=16, decimal_places=2)
    repaid = models.DecimalField(_("repaid (CNY)"), max_digits=16, decimal_places=2, default=0)
    identified_on = models.DateField(_("identified on"), db_index=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.IDENTIFIED, choices=Status.choices, protected=True, db_index=True)

    class Meta:
        verbose_name = _("arrears case")
        verbose_name_plural = _("arrears ledger")
        ordering = ["-identified_on", "id"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            # The evaluation of a past period: cases resolved after its end.
            models.Index(fields=["resolved_on"], name="arrears_resolved_on"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.owed}"

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.repaid

    @transition(field=status, source=[Status.IDENTIFIED, Status.DISPUTED], target=Status.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=status, source=[Status.IDENTIFIED, Status.CONFIRMED], target=Status.IN_REPAYMENT)
    def start_repayment(self):
        pass

    @transition(
        field=status,
        source=[Status.IDENTIFIED, Status.CONFIRMED, Status.IN_REPAYMENT, Status.DISPUTED],
        target=Status.RESOLVED,
    )
    def resolve(self):
        pass

    @transition(field=status, source=[Status.IDENTIFIED, Status.CONFIRMED], target=Status.DISPUTED)
    def dispute(self):
        pass


class RepaymentInstalment(models.Model):
    case = models.ForeignKey(ArrearsCase, on_delete=models.PROTECT, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("repayment instalment")
        verbose_name_plural = _("repayment plan")
        ordering = ["case", "due_on"]
