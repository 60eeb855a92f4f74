"""Working-day calendar: weekends, statutory holidays and adjusted working days (调休上班).

Data comes from the chinese-calendar package, corrected and extended by HolidayOverride rows;
a supervisor declares a year beyond the package by entering its State Council notice (CalendarYear).
A later year with no notice yet, up to PROVISIONAL_HORIZON years after the current one, is
computed *provisionally* from 《全国年节及纪念日放假办法》 (workflow.statutory_holidays): its
statutory holidays plus weekends, no adjusted working days. Work never stops; every date that used
such a year is shown as provisional and recomputed when the notice is entered (workflow.calendar).
Years beyond that horizon (or before the package) raise CalendarDataMissing.

The calendar is precomputed into a sorted array of working-day ordinals, so adding N working
days or counting them between two dates is a binary search, not a day-by-day loop. The array is
rebuilt in-process when overrides change (signals) and at most every REFRESH_SECONDS when another
process changed them (a cheap signature query).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

import chinese_calendar
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from workflow import clock
from workflow.errors import CalendarDataMissing
from workflow.statutory_holidays import statutory_holidays

REFRESH_SECONDS = 30
# Inside `pinned()`: the calendar as it was checked on entry, without the timed re-check.
_pinned: ContextVar[bool] = ContextVar("calendar_pinned", default=False)
# A year with no notice is computed provisionally up to this many years after the current one
# (a 60-day term from December, a 15-working-day clock extended twice, all fit); later ones are refused.
PROVISIONAL_HORIZON = 2

_PACKAGE_YEARS = frozenset(d.year for d in list(chinese_calendar.holidays) + list(chinese_calendar.workdays))


@dataclass(frozen=True)
class WorkingCalendar:
    years: frozenset[int]
    workdays: tuple[int, ...]  # sorted ordinals of every working day in the available years
    workday_set: frozenset[int]
    provisional_years: frozenset[int] = frozenset()

    def is_provisional(self, year: int) -> bool:
        """True when `year` has no State Council notice and is computed from the statutory list."""
        return year in self.provisional_years

    def span_provisional(self, first: dt.date, last: dt.date) -> bool:
        lo, hi = sorted((first.year, last.year))
        return any(y in self.provisional_years for y in range(lo, hi + 1))

    # -- checks ---------------------------------------------------------------------------
    def require_year(self, year: int) -> None:
        if year not in self.years:
            raise CalendarDataMissing(
                _(
                    "No working-day data for %(year)s: enter that year's State Council holiday notice "
                    "(holiday overrides and the calendar year) before counting working days in it."
                )
                % {"year": year}
            )

    def require_span(self, first: dt.date, last: dt.date) -> None:
        lo, hi = sorted((first.year, last.year))
        for year in range(lo, hi + 1):
            self.require_year(year)

    # -- questions ------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        self.require_year(day.year)
        return day.toordinal() in self.workday_set

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after start (start itself is not counted). n may be negative."""
        self.require_year(start.year)
        if n == 0:
            return start
        o = start.toordinal()
        if n > 0:
            idx = bisect.bisect_right(self.workdays, o) + n - 1
        else:
            idx = bisect.bisect_left(self.workdays, o) + n
        if idx < 0 or idx >= len(self.workdays):
            beyond = max(self.years) + 1 if n > 0 else min(self.years) - 1
            self.require_year(beyond)
        result = dt.date.fromordinal(self.workdays[idx])
        self.require_span(start, result)
        return result

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (negative when end is before start)."""
        self.require_span(start, end)
        if end < start:
            return -self.count(end, start)
        return bisect.bisect_right(self.workdays, end.toordinal()) - bisect.bisect_right(
            self.workdays, start.toordinal()
        )

    def next_working_day(self, day: dt.date) -> dt.date:
        """day itself when it is a working day, else the first working day after it."""
        self.require_year(day.year)
        idx = bisect.bisect_left(self.workdays, day.toordinal())
        if idx >= len(self.workdays):
            self.require_year(max(self.years) + 1)
        result = dt.date.fromordinal(self.workdays[idx])
        self.require_span(day, result)
        return result


def _build(current_year: int) -> WorkingCalendar:
    from workflow.models import CalendarYear, HolidayOverride

    overrides = dict(HolidayOverride.objects.values_list("day", "is_workday"))
    years = set(_PACKAGE_YEARS) | set(CalendarYear.objects.values_list("year", flat=True))
    provisional = set(range(max(years) + 1, current_year + PROVISIONAL_HORIZON + 1))
    years |= provisional
    ordinals: list[int] = []
    for year in sorted(years):
        day = dt.date(year, 1, 1)
        end = dt.date(year, 12, 31)
        in_package = year in _PACKAGE_YEARS
        rest = statutory_holidays(year) if year in provisional else {}
        while day <= end:
            if day in overrides:
                work = overrides[day]
            elif day in rest:
                work = False
            elif in_package:
                if day in chinese_calendar.workdays:
                    work = True
                elif day in chinese_calendar.holidays:
                    work = False
                else:
                    work = day.weekday() < 5
            else:
                work = day.weekday() < 5
            if work:
                ordinals.append(day.toordinal())
            day += dt.timedelta(days=1)
    return WorkingCalendar(
        years=frozenset(years),
        workdays=tuple(ordinals),
        workday_set=frozenset(ordinals),
        provisional_years=frozenset(provisional),
    )


def _signature():
    from workflow.models import CalendarYear, HolidayOverride

    o = HolidayOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    y = CalendarYear.objects.aggregate(n=Count("id"), last=Max("entered_at"))
    return (o["n"], o["last"], y["n"], y["last"])


_lock = threading.Lock()
_state: dict = {"calendar": None, "signature": None, "checked": 0.0, "year": None}


def get_calendar() -> WorkingCalendar:
    current_year = clock.today().year  # the provisional horizon follows the (possibly moved) clock
    with _lock:
        now = time.monotonic()
        stale = _state["calendar"] is None or _state["year"] != current_year
        if stale or (now - _state["checked"] > REFRESH_SECONDS and not _pinned.get()):
            sig = _signature()
            if stale or sig != _state["signature"]:
                _state["calendar"] = _build(current_year)
                _state["signature"] = sig
                _state["year"] = current_year
            _state["checked"] = now
        return _state["calendar"]


def invalidate() -> None:
    with _lock:
        _state["calendar"] = None


@contextlib.contextmanager
def pinned():
    """Use the calendar as it is on entry for the whole block: one signature check now, none on the
    timer afterwards (an override saved in this process still drops it). See workflow.rules.pinned."""
    with _lock:
        _state["checked"] = 0.0
    token = _pinned.set(False)
    try:
        get_calendar()
        _pinned.set(True)
        yield
    finally:
        _pinned.reset(token)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return get_calendar().add(start, n)


def count_working_days(start: dt.date, end: dt.date) -> int:
    return get_calendar().count(start, end)


def is_working_day(day: dt.date) -> bool:
    return get_calendar().is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    return get_calendar().next_working_day(day)


def is_provisional(year: int) -> bool:
    """True when `year` is counted provisionally (no State Council notice entered yet)."""
    return get_calendar().is_provisional(year)


def span_provisional(first: dt.date, last: dt.date) -> bool:
    """True when any year from first to last is counted provisionally."""
    return get_calendar().span_provisional(first, last)
