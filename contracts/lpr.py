"""The one-year loan prime rate in force on a day, and the floor it sets for an agreed interest rate.

保障中小企业款项支付条例 第十七条 (2020 text 第十五条): "双方对逾期利息的利率有约定的，约定利率不得低于合同
订立时1年期贷款市场报价利率；未作约定的，按照每日利率万分之五支付逾期利息。"

Decision: an agreed rate below the floor is *refused* when a contract with an SME payee is registered,
amended or imported (code `below_lpr_floor`, on the field `late_interest_daily`): the regulation says
the rate may not be agreed below it, and a register that accepted it would compute interest the law
does not allow. When the table has no rate for the signing day yet (the administrator has not entered
the month), nothing is refused: the contract is recorded and the audit row says the floor could not be
checked (`lpr_unknown`), so that work never waits on the table.

A month's rate is in force from its publication (the 20th, postponed over rest days) until the next
month's publication. A row whose following month is not entered (the latest row, or one before a
gap) covers the days up to the 19th of that following month: its rate cannot have been published
earlier than the 20th.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from contracts.models import LoanPrimeRate
from workflow.deadlines import add_months
from workflow.errors import ValidationFailed
from workflow.rules import rule_in_force

EARLIEST_PUBLICATION_DAY = 20  # 每月20日（遇节假日顺延）: the calendar of the LPR, not a statutory period
PERCENT = Decimal(100)


def lpr_in_force(on: dt.date) -> LoanPrimeRate | None:
    """The one-year LPR in force on `on`, or None when the table does not cover that day."""
    row = LoanPrimeRate.objects.filter(published_on__lte=on).order_by("-published_on").first()
    if row is None:
        return None
    next_month = add_months(row.month, 1)
    if LoanPrimeRate.objects.filter(month=next_month).exists():
        return row  # the next month's rate was published after `on`: this one was in force
    # The next month is not entered (the latest row, or a gap): known only up to its earliest publication.
    return row if on < next_month.replace(day=EARLIEST_PUBLICATION_DAY) else None


@dataclass(frozen=True)
class FloorCheck:
    lpr: LoanPrimeRate | None
    day_count: int
    floor_daily: Decimal | None  # the LPR as a daily rate; None when the LPR is not known

    @property
    def known(self) -> bool:
        return self.lpr is not None


def lpr_floor(signed_on: dt.date) -> FloorCheck:
    rule = rule_in_force("sme.late_interest", signed_on)
    day_count = int((rule.params or {})["lpr_day_count"])
    lpr = lpr_in_force(signed_on)
    if lpr is None:
        return FloorCheck(None, day_count, None)
    return FloorCheck(lpr, day_count, lpr.one_year_percent / PERCENT / day_count)


def lpr_floor_check(*, signed_on: dt.date, daily_rate: Decimal | None) -> FloorCheck | None:
    """Refuse an agreed daily rate below the one-year LPR of the signing day (see the module docstring).

    Returns the check made (None when no rate was agreed); raises ValidationFailed `below_lpr_floor`.
    """
    if daily_rate is None:
        return None
    check = lpr_floor(signed_on)
    if check.floor_daily is not None and daily_rate < check.floor_daily:
        assert check.lpr is not None
        annual = (daily_rate * check.day_count * PERCENT).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        raise ValidationFailed(
            _(
                "The agreed late-payment interest of %(daily)s a day (%(annual)s%% a year) is below the one-year "
                "loan prime rate of %(lpr)s%% in force when the contract was signed on %(signed)s (published "
                "%(published)s). 保障中小企业款项支付条例 第十七条: the agreed rate may not be lower."
            )
            % {
                "daily": daily_rate.normalize(),
                "annual": annual,
                "lpr": check.lpr.one_year_percent,
                "signed": signed_on.isoformat(),
                "published": check.lpr.published_on.isoformat(),
            },
            "below_lpr_floor",
            field="late_interest_daily",
        )
    return check
