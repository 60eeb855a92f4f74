from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.models import Agency, Enterprise
from workflow.models.base import StatefulModel
from workflow.uploads import StoredFile


class Contract(StatefulModel):
    """A contract signed by a government body, public institution or state enterprise (应归尽归)."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("goods")
        WORKS = "works", _("works")
        SERVICES = "services", _("services")
        INVESTMENT = "investment", _("investment-promotion commitment")
        COMMITMENT = "commitment", _("other government commitment")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REGISTERED = "registered", _("registered")
        PERFORMING = "performing", _("performing")
        IN_DISPOSAL = "in_disposal", _("in disposal")
        BREACHED = "breached", _("breach confirmed")
        FULFILLED = "fulfilled", _("fulfilled")
        TERMINATED = "terminated", _("terminated")

    agency = models.ForeignKey(
        Agency, verbose_name=_("contracting agency"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    procurement = models.BooleanField(_("government procurement contract"), default=False)
    counterparty = models.ForeignKey(
        Enterprise, verbose_name=_("counterparty"), on_delete=models.PROTECT, related_name="contracts"
    )
    # As declared at signing (SME payment regulation Art. 3); the enterprise's size may change later.
    counterparty_size = models.CharField(
        _("counterparty size at signing"), max_length=10, choices=Enterprise.Size.choices
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    # Agreed payment term in days from delivery/acceptance; within the legal ceiling for SME payees.
    payment_term_days = models.PositiveSmallIntegerField(_("agreed payment term (days)"), null=True, blank=True)
    # Agreed late-payment interest per day (e.g. 0.000300); none → the statutory 0.05 % a day.
    late_interest_daily = models.DecimalField(
        _("agreed late-payment interest per day"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    report_period_months = models.PositiveSmallIntegerField(_("performance report every (months)"), default=1)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    # Statutory dates from the deadline engine, kept on the row so that sweeps stay set-based SQL.
    register_due_on = models.DateField(_("registration due"), null=True, blank=True)
    publish_due_on = models.DateField(_("publication due"), null=True, blank=True)
    next_report_due_on = models.DateField(_("next performance report due"), null=True, blank=True, db_index=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="contract_number_unique_per_agency"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("signed_on")),
                name="contract_term_after_signing",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"]),
            # The lists' default order (newest signed first) and its filters: page 1 reads 25 rows
            # through the index whatever the size of the table (docs/performance.md).
            models.Index(fields=["signed_on", "id"], name="contract_signed"),
            models.Index(fields=["agency", "signed_on", "id"], name="contract_agency_signed"),
            models.Index(fields=["status", "signed_on", "id"], name="contract_status_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def payer_is_government(self) -> bool:
        return self.agency.kind in (Agency.Kind.GOVERNMENT, Agency.Kind.INSTITUTION)

    @property
    def payee_is_sme(self) -> bool:
        return self.counterparty_size != Enterprise.Size.LARGE

    @transition(field=status, source=Status.DRAFT, target=Status.REGISTERED)
    def register(self):
        pass

    @transition(field=status, source=Status.REGISTERED, target=Status.PERFORMING)
    def start_performing(self):
        pass

    @transition(field=status, source=[Status.REGISTERED, Status.PERFORMING], target=Status.FULFILLED)
    def fulfil(self):
        pass

    @transition(field=status, source=[Status.DRAFT, Status.REGISTERED, Status.PERFORMING], target=Status.TERMINATED)
    def terminate(self):
        pass

    @transition(field=status, source=[Status.REGISTERED, Status.PERFORMING], target=Status.IN_DISPOSAL)
    def open_disposal(self):
        pass

    @transition(field=status, source=Status.IN_DISPOSAL, target=Status.PERFORMING)
    def close_disposal(self):
        pass

    @transition(field=status, source=Status.IN_DISPOSAL, target=Status.BREACHED)
    def confirm_breach(self):
        pass


class ContractVersion(models.Model):
    """An amendment (变更): the contract as it was before, never overwritten."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.TextField(_("reason for the amendment"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["contract", "version"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="contract_version_unique")]


class ContractAttachment(StoredFile):
    """The signed contract scan and other files; served only through a permission check."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="contracts/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    @classmethod
    def original_name_of(cls, upload) -> str:
        return (upload.name or "")[-200:]  # the end of a long name, with its extension

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
