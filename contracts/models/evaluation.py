from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationWeights(models.Model):
    """Weights of the government-integrity evaluation (政务诚信评价); a new row per change (history)."""

    INDICATORS = (
        "registration_timeliness",
        "on_time_payment_rate",
        "overdue_payables",
        "arrears_resolution_rate",
        "arrears_repayment_rate",
        "complaint_timeliness",
        "dishonesty_records",
    )

    weights = models.JSONField(_("weights"))
    reason = models.TextField(_("reason for the change"))
    effective_from = models.DateField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluation weights")
        verbose_name_plural = _("evaluation weights")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.effective_from}"
