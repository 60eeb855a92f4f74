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


class OcdsRelease(models.Model):
    """The OCDS release of a published contract as it was at the publication's `released_at`, serialized:
    a cache filled when the feed is read (contracts.publication.ocds.feed_page).

    A row is reused only while its `released_at` and `fingerprint` (the mapping's version and the
    settings it reads) equal the publication's: every change of public data moves `released_at`
    (publication_touch, also set-based from the daily sweep), so a changed contract is rebuilt on the
    next read, and the sweep writes no JSON. Withdrawing deletes the row; renaming an agency or an
    enterprise deletes the rows of its contracts.
    """

    publication = models.OneToOneField(
        ContractPublication, primary_key=True, on_delete=models.CASCADE, related_name="release_cache"
    )
    released_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=32)
    data = models.TextField()

    class Meta:
        verbose_name = _("cached OCDS release")
        verbose_name_plural = _("cached OCDS releases")

    def __str__(self) -> str:
        return f"{self.publication_id} @ {self.released_at:%Y-%m-%d %H:%M:%S}"
