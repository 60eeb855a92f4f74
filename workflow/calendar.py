"""Services that change the working-day calendar (supervisors), with history in the audit log."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from workflow import workdays
from workflow.audit import audit_record
from workflow.errors import ValidationFailed
from workflow.models import CalendarYear, HolidayOverride
from workflow.recompute import Moved, calendar_recompute


@transaction.atomic
def holiday_override_set(
    *, day: dt.date, is_workday: bool, name: str = "", notice: str = "", acting_user=None
) -> HolidayOverride:
    """Mark one day as a rest day or an adjusted working day, whatever the package says."""
    existing = HolidayOverride.objects.select_for_update().filter(day=day).first()
    before = {"is_workday": existing.is_workday, "name": existing.name} if existing else None
    override, _created = HolidayOverride.objects.update_or_create(
        day=day,
        defaults={
            "is_workday": is_workday,
            "name": name,
            "notice": notice,
            "updated_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
        },
    )
    audit_record(
        action="calendar.override_set",
        obj=override,
        actor=acting_user,
        changes={"day": day.isoformat(), "before": before, "after": {"is_workday": is_workday, "name": name}},
        reason=notice,
    )
    return override


@transaction.atomic
def holiday_override_delete(*, day: dt.date, acting_user=None, reason: str = "") -> None:
    override = HolidayOverride.objects.select_for_update().filter(day=day).first()
    if override is None:
        return
    audit_record(
        action="calendar.override_delete",
        obj=override,
        actor=acting_user,
        reason=reason,
        changes={"day": day.isoformat(), "before": {"is_workday": override.is_workday, "name": override.name}},
    )
    override.delete()


def calendar_year_declare(
    *, year: int, notice: str, days: Sequence[tuple[dt.date, bool, str]] = (), acting_user=None
) -> CalendarYear:
    """calendar_year_enter, for callers that need only the CalendarYear."""
    return calendar_year_enter(year=year, notice=notice, days=days, acting_user=acting_user)[0]


@transaction.atomic
def calendar_year_enter(
    *, year: int, notice: str, days: Sequence[tuple[dt.date, bool, str]] = (), acting_user=None
) -> tuple[CalendarYear, list[Moved]]:
    """Enter a year's State Council holiday notice: its rest days and adjusted working days.

    `days` is a list of (day, is_workday, name). Weekends are rest days and Monday–Friday working
    days unless a row says otherwise. From then on the working-day engine answers for that year
    from the notice instead of provisionally, and every open date whose computation touched the
    year is recomputed (workflow.recompute): audited, the parties notified, the changes returned.
    """
    old = workdays.get_calendar()
    if not notice.strip():
        raise ValidationFailed(
            _("Name the State Council notice the data comes from."), "notice_required", field="notice"
        )
    for day, is_workday, name in days:
        if day.year != year:
            raise ValidationFailed(
                _("%(day)s is not in %(year)s.") % {"day": day.isoformat(), "year": year}, "wrong_year", field="days"
            )
        holiday_override_set(day=day, is_workday=is_workday, name=name, notice=notice, acting_user=acting_user)
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "notice": notice,
            "entered_by": acting_user if getattr(acting_user, "is_authenticated", False) else None,
        },
    )
    audit_record(
        action="calendar.year_declare",
        obj=calendar_year,
        actor=acting_user,
        reason=notice,
        changes={"year": year, "days": len(days)},
    )
    workdays.invalidate()
    moved = calendar_recompute(year=year, old=old, acting_user=acting_user)
    return calendar_year, moved
