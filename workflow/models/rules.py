from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """A statutory or policy time limit, with its legal basis and the dates it is in force.

    A case uses the version in force on its start date (see workflow.rules.rule_in_force).
    """

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")
        ANNUAL_DATE = "annual_date", _("fixed date in the following year")
        NONE = "none", _("no amount")

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("deadline")
        WAITING = "waiting", _("waiting period")
        EXPIRY = "expiry", _("expiry")
        START_RULE = "start_rule", _("start-date rule")
        RATE = "rate", _("rate")

    code = models.CharField(_("code"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    amount = models.PositiveIntegerField(_("amount"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The legal maximum, in the same unit, for an agreed term or for the term plus extensions.
    ceiling = models.PositiveIntegerField(_("legal ceiling"), null=True, blank=True)
    # Daily rate for kind=rate (0.0005 = 0.05 % a day).
    rate = models.DecimalField(_("rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Extra parameters for unusual units, e.g. {"month": 3, "day": 31} for an annual date.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    basis_document = models.CharField(_("legal basis"), max_length=300)
    basis_article = models.CharField(_("article"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    local_policy = models.BooleanField(_("local policy"), default=False)
    verified = models.BooleanField(_("verified"), default=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="rule_code_effective_from_unique"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="rule_effective_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from}–{self.effective_to or ''})"

    @property
    def basis(self) -> str:
        return f"{self.basis_document} {self.basis_article}".strip()
