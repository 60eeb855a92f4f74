from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from contracts.models.contracts import Contract
from workflow.models.base import StatefulModel


class ContractPublication(StatefulModel):
    """Publication of a contract (公示), after a redaction review of trade secrets and personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting publication")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # Parts of a contract that the review may hide from the public page and the OCDS feed.
    REDACTABLE = ("amount", "milestones", "payments", "counterparty")

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="publication")
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True, db_index=True)
    redacted = models.JSONField(_("hidden from the public"), default=list, blank=True)
    review_note = models.TextField(_("redaction review"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # Moves whenever what the public sees changes (publication, payments, status): the OCDS release date.
    released_at = models.DateTimeField(_("last released at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("contract publication")
        verbose_name_plural = _("contract publications")
        indexes = [
            # The public list (newest publication first) and the OCDS feed (oldest release first,
            # keyset on (released_at, contract)): docs/performance.md.
            models.Index(fields=["status", "published_at", "contract"], name="publication_list"),
            models.Index(fields=["status", "released_at", "contract"], name="publication_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} ({self.get_status_display()})"

    @transition(field=status, source=[Status.PENDING, Status.WITHDRAWN], target=Status.PUBLISHED)
    def publish(self):
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.WITHDRAWN)
    def withdraw(self):
        pass
