"""The one place that says what time it is.

All "now" and "today" in govcredit come from here. GOVCREDIT_TODAY=YYYY-MM-DD moves the clock
to 10:00 Asia/Shanghai on that day, but only when settings.GOVCREDIT_ALLOW_CLOCK_OVERRIDE is on
(never in production settings). Demos, tests and acceptance checks travel in time this way.
"""

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERRIDE_HOUR = 10


def _override_date() -> dt.date | None:
    raw = os.environ.get("GOVCREDIT_TODAY", "").strip()
    if not raw or not getattr(settings, "GOVCREDIT_ALLOW_CLOCK_OVERRIDE", False):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"GOVCREDIT_TODAY must be YYYY-MM-DD, got {raw!r}") from exc


def can_travel() -> bool:
    """Whether this deployment lets the clock move (demos and tests; never production)."""
    return bool(getattr(settings, "GOVCREDIT_ALLOW_CLOCK_OVERRIDE", False))


@contextmanager
def travelling(day: dt.date) -> Iterator[None]:
    """Make `day` today for the block (a demo building a past case); refused where the clock is fixed."""
    if not can_travel():
        raise ImproperlyConfigured("The clock cannot move here (GOVCREDIT_ALLOW_CLOCK_OVERRIDE is off).")
    before = os.environ.get("GOVCREDIT_TODAY")
    os.environ["GOVCREDIT_TODAY"] = day.isoformat()
    try:
        yield
    finally:
        if before is None:
            del os.environ["GOVCREDIT_TODAY"]
        else:
            os.environ["GOVCREDIT_TODAY"] = before


def is_overridden() -> bool:
    return _override_date() is not None


def now() -> dt.datetime:
    """The current moment, aware (UTC inside, Asia/Shanghai when shown)."""
    day = _override_date()
    if day is None:
        return timezone.now()
    return dt.datetime.combine(day, dt.time(OVERRIDE_HOUR), tzinfo=SHANGHAI)


def today() -> dt.date:
    """Today in Asia/Shanghai: the date every statutory clock counts from."""
    return now().astimezone(SHANGHAI).date()


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 Asia/Shanghai on the given day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
