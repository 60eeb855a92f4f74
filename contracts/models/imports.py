from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from workflow.models.base import CharStatusField, StatefulModel


class ContractImport(StatefulModel):
    """A bulk import of existing contracts from the Excel template, run by a q2 worker.

    All-or-nothing per file: every row is validated first; the contracts are created only if no
    row has an error. `processed` / `total` drive the progress bar.

    queued --claim--> validating --start_import--> importing --complete--> done; from validating
    or importing --reject--> rejected (errors in the file) or --fail--> failed (unexpected error).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        VALIDATING = "validating", _("validating")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        REJECTED = "rejected", _("rejected: errors in the file")
        FAILED = "failed", _("failed")

    agency = models.ForeignKey("workflow.Agency", on_delete=models.PROTECT, related_name="contract_imports")
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = CharStatusField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("contracts created"), default=0)
    # [{"row": 5, "field": "counterparty_uscc", "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contract import")
        verbose_name_plural = _("contract imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @transition(field=status, source=Status.QUEUED, target=Status.VALIDATING)
    def claim(self):
        """A worker takes the queued import; only one can."""

    @transition(field=status, source=Status.VALIDATING, target=Status.IMPORTING)
    def start_import(self):
        """Every row is correct: the contracts are created next."""

    @transition(field=status, source=Status.IMPORTING, target=Status.DONE)
    def complete(self):
        pass

    @transition(field=status, source=[Status.VALIDATING, Status.IMPORTING], target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=[Status.VALIDATING, Status.IMPORTING], target=Status.FAILED)
    def fail(self):
        pass
