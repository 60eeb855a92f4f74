"""The LPR table: an administrator enters each month's one-year loan prime rate as it is published."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.lpr import EARLIEST_PUBLICATION_DAY
from contracts.models import LoanPrimeRate
from workflow.audit import audit_record
from workflow.errors import ValidationFailed


def loan_prime_rate_check(*, published_on: dt.date, one_year_percent: Decimal, rate: LoanPrimeRate | None) -> None:
    """What loan_prime_rate_save refuses (the admin form shows it next to the field before saving)."""
    if published_on.day < EARLIEST_PUBLICATION_DAY:
        raise ValidationFailed(
            _("The LPR is published on the 20th of the month or, over rest days, later."),
            "invalid",
            field="published_on",
        )
    if not Decimal(0) < one_year_percent < Decimal(100):
        raise ValidationFailed(_("Enter the rate as a percentage a year."), "invalid", field="one_year_percent")
    month = published_on.replace(day=1)
    clash = LoanPrimeRate.objects.filter(month=month)
    if rate is not None and rate.pk is not None:
        clash = clash.exclude(pk=rate.pk)
    if clash.exists():
        raise ValidationFailed(
            _("The rate of %(month)s is already entered; correct that row.") % {"month": f"{month:%Y-%m}"},
            "duplicate_month",
            field="published_on",
        )


@transaction.atomic
def loan_prime_rate_save(
    *,
    published_on: dt.date,
    one_year_percent: Decimal,
    source: str = "",
    acting_user,
    rate: LoanPrimeRate | None = None,
    reason: str = "",
) -> LoanPrimeRate:
    """Enter a month's rate, or correct `rate`; one row per month, audited with the values before and after."""
    if rate is not None:
        rate = LoanPrimeRate.objects.select_for_update().get(pk=rate.pk)
    loan_prime_rate_check(published_on=published_on, one_year_percent=one_year_percent, rate=rate)
    month = published_on.replace(day=1)
    before = None if rate is None else [str(rate.published_on), str(rate.one_year_percent)]
    rate = rate or LoanPrimeRate()
    rate.month, rate.published_on, rate.one_year_percent = month, published_on, one_year_percent
    rate.source = source
    rate.updated_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    rate.full_clean()
    rate.save()
    audit_record(
        action="lpr.save",
        obj=rate,
        actor=acting_user,
        reason=reason,
        changes={"before": before, "after": [str(published_on), str(one_year_percent)]},
    )
    return rate
