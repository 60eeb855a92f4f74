from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One counter of workflow.ratelimit (database backend): hits on `key` since its window opened.

    The window closes at `expires_at`; the next hit after that starts a new window at 1. Updated only
    by one INSERT ... ON CONFLICT DO UPDATE statement, never read-then-written."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
