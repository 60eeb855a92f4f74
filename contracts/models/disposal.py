from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from contracts.models.contracts import Contract
from contracts.models.warnings import Warning
from workflow.models import Agency
from workflow.models.base import CaseProcessMixin


class DisposalCase(models.Model):
    """The case data of a disposal process (处置): an escalated warning or a confirmed breach.

    rectification notice (with a deadline) → the agency's response → supervisor review → closed as
    rectified, or a government dishonesty record plus a supervision letter (督办函).
    """

    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        RECTIFIED = "rectified", _("closed as rectified")
        DISHONEST = "dishonest", _("government dishonesty recorded")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disposals")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="disposals")
    warning = models.ForeignKey(Warning, null=True, blank=True, on_delete=models.PROTECT, related_name="disposals")
    grounds = models.TextField(_("grounds"))
    rectification_days = models.PositiveSmallIntegerField(_("days allowed for rectification"))
    rectification_due_on = models.DateField(_("rectify by"), null=True, blank=True)
    response = models.TextField(_("agency response"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    review_note = models.TextField(_("supervisor review"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("disposal case")
        verbose_name_plural = _("disposal cases")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_outcome_display()}"

    def document_visible_to(self, user) -> bool:
        from workflow.scoping import agency_filter

        return Contract.objects.filter(agency_filter(user, "agency"), pk=self.contract_id).exists()


class DisposalProcess(CaseProcessMixin, Process):
    """viewflow process whose artifact is a DisposalCase."""

    case_url_name = "contracts-disposal"

    class Meta:
        proxy = True
        verbose_name = _("disposal process")
        verbose_name_plural = _("disposal processes")


class EscalationProcess(CaseProcessMixin, Process):
    """viewflow process whose artifact is a Warning a clerk escalated (提请督办): the supervisor's task
    is to open a disposal on it or to close it with an opinion."""

    case_url_name = "contracts-escalation"

    class Meta:
        proxy = True
        verbose_name = _("escalation process")
        verbose_name_plural = _("escalation processes")


class GovernmentDishonestyRecord(models.Model):
    """政务失信记录: a government body's breach, arrears, or refusal to honour a court judgment."""

    class Kind(models.TextChoices):
        BREACH = "breach", _("breach of contract")
        ARREARS = "arrears", _("arrears owed to an SME")
        JUDGMENT = "judgment", _("refusing to perform a court judgment")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dishonesty_records")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="dishonesty_records"
    )
    disposal = models.OneToOneField(
        DisposalCase, null=True, blank=True, on_delete=models.PROTECT, related_name="dishonesty_record"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    facts = models.TextField(_("facts"))
    decided_on = models.DateField(_("decided on"), db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("government dishonesty record")
        verbose_name_plural = _("government dishonesty records")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_kind_display()} {self.decided_on}"
