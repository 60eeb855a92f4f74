from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanPrimeRate(models.Model):
    """The one-year loan prime rate (一年期贷款市场报价利率, LPR) as published each month.

    Published by the National Interbank Funding Center (全国银行间同业拆借中心) under the PBOC on the
    20th of each month (postponed over rest days, 9:00) and in force from publication. An agreed
    late-payment interest rate may not be below the rate in force on the day the contract was
    signed (保障中小企业款项支付条例 第十七条; 2020 text 第十五条). Administrators enter each new month.
    """

    month = models.DateField(
        _("month"), unique=True, help_text=_("The first day of the month the rate was published in.")
    )
    published_on = models.DateField(_("published on"), unique=True)
    one_year_percent = models.DecimalField(
        _("one-year LPR (% a year)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loan prime rate")
        verbose_name_plural = _("loan prime rates")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="lpr_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.one_year_percent}%"
