"""Working-day arithmetic on the statutory calendar, pinned to the 2025 and 2026 State Council notices."""

import datetime as dt

import chinese_calendar
import pytest

from workflow import workdays
from workflow.calendar import calendar_year_declare, holiday_override_set
from workflow.errors import CalendarDataMissing
from workflow.statutory_holidays import statutory_holidays

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "start, n, expected, why",
    [
        (D(2026, 9, 30), 7, D(2026, 10, 15), "National Day week skipped, Sat 10-10 is a 调休 working day"),
        (D(2025, 9, 30), 1, D(2025, 10, 9), "2025 National Day + Mid-autumn holiday runs 10-01..10-08"),
        (D(2025, 9, 26), 1, D(2025, 9, 28), "Sat 09-27 rests, Sun 09-28 is an adjusted working day"),
        (D(2026, 2, 13), 1, D(2026, 2, 14), "Sat 02-14 is an adjusted working day before Spring Festival"),
        (D(2026, 2, 13), 2, D(2026, 2, 24), "Spring Festival 02-15..02-23 skipped"),
        (D(2025, 12, 31), 1, D(2026, 1, 4), "New Year 01-01..01-03 skipped; Sun 01-04 works"),
        (D(2026, 4, 30), 3, D(2026, 5, 8), "Labour Day 05-01..05-05 skipped"),
        (D(2026, 4, 30), 4, D(2026, 5, 9), "Sat 05-09 is an adjusted working day"),
        (D(2025, 1, 24), 1, D(2025, 1, 26), "Sun 2025-01-26 is an adjusted working day"),
        (D(2025, 1, 27), 1, D(2025, 2, 5), "Spring Festival 2025 01-28..02-04 skipped"),
        (D(2026, 10, 3), 1, D(2026, 10, 8), "counting from inside a holiday"),
        (D(2026, 11, 20), 0, D(2026, 11, 20), "zero working days is the start day"),
        (D(2026, 10, 8), -1, D(2026, 9, 30), "one working day back over the holiday"),
    ],
)
def test_add_working_days(start, n, expected, why):
    assert workdays.add_working_days(start, n) == expected, why


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2026, 9, 30), D(2026, 10, 15), 7),
        (D(2026, 2, 13), D(2026, 2, 28), 6),  # 02-14 (Sat, works), 02-24..27, 02-28 (Sat, works)
        (D(2025, 12, 31), D(2026, 1, 5), 2),  # Sun 01-04 and Mon 01-05
        (D(2026, 11, 20), D(2026, 11, 20), 0),
        (D(2026, 10, 15), D(2026, 9, 30), -7),
    ],
)
def test_count_working_days(start, end, expected):
    assert workdays.count_working_days(start, end) == expected


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 10, 10), True),  # Saturday, adjusted working day
        (D(2026, 10, 11), False),  # Sunday
        (D(2026, 10, 1), False),  # National Day
        (D(2026, 9, 25), False),  # Mid-autumn (Friday)
        (D(2025, 10, 11), True),  # Saturday, adjusted
        (D(2026, 11, 20), True),  # plain Friday
    ],
)
def test_is_working_day(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    "call",
    [
        lambda: workdays.add_working_days(D(2029, 1, 4), 3),
        lambda: workdays.add_working_days(D(2028, 12, 28), 5),  # runs into 2029
        lambda: workdays.count_working_days(D(2028, 12, 1), D(2029, 1, 5)),
        lambda: workdays.is_working_day(D(2029, 3, 1)),
        lambda: workdays.next_working_day(D(2029, 1, 1)),
    ],
)
def test_a_year_beyond_the_provisional_horizon_is_an_error_not_a_guess(call, travel):
    # Issue 9 item 7: next year and the one after are counted provisionally; later years are refused.
    travel("2026-11-30")
    with pytest.raises(CalendarDataMissing) as exc:
        call()
    assert "2029" in str(exc.value)
    assert exc.value.code == "calendar_year_missing"


# Issue 9 item 7: 2027 has no State Council notice on 2026-11-30; it is counted from
# 《全国年节及纪念日放假办法》 (国务院令第795号). Lunar dates: 除夕 2027-02-05 (腊月廿九: the 12th month
# of 丙午 has 29 days), 正月初一 2027-02-06, 端午 2027-06-09, 中秋 2027-09-15; 清明 2027-04-05.
PROVISIONAL_2027 = {
    D(2027, 1, 1): "元旦",
    D(2027, 2, 5): "春节",
    D(2027, 2, 6): "春节",
    D(2027, 2, 7): "春节",
    D(2027, 2, 8): "春节",
    D(2027, 4, 5): "清明节",
    D(2027, 5, 1): "劳动节",
    D(2027, 5, 2): "劳动节",
    D(2027, 6, 9): "端午节",
    D(2027, 9, 15): "中秋节",
    D(2027, 10, 1): "国庆节",
    D(2027, 10, 2): "国庆节",
    D(2027, 10, 3): "国庆节",
}


def test_provisional_2027_statutory_holidays():
    assert statutory_holidays(2027) == PROVISIONAL_2027


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_list_agrees_with_the_notices_the_package_holds(year):
    # An independent check of the lunar and solar-term computation: every day computed for a year
    # under 令第795号 is a rest day in that year's State Council notice (chinese-calendar data).
    for day, name in statutory_holidays(year).items():
        assert chinese_calendar.is_holiday(day), (day, name)


def test_lunar_dates_agree_with_a_second_library():
    # lunardate (a table from the Hong Kong Observatory data) gives the same 2027 lunar dates.
    from lunardate import LunarDate

    assert LunarDate(2027, 1, 1).to_solar_date() == D(2027, 2, 6)
    assert LunarDate(2026, 12, 29).to_solar_date() == D(2027, 2, 5)
    with pytest.raises(ValueError):  # the 12th month of 丙午 has 29 days: 除夕 is 腊月廿九
        LunarDate(2026, 12, 30).to_solar_date()
    assert LunarDate(2027, 5, 5).to_solar_date() == D(2027, 6, 9)
    assert LunarDate(2027, 8, 15).to_solar_date() == D(2027, 9, 15)


def test_a_year_without_notice_is_counted_provisionally(travel):
    travel("2026-11-30")
    assert workdays.is_provisional(2027) and workdays.is_provisional(2028)
    assert not workdays.is_provisional(2026)
    for day in PROVISIONAL_2027:
        assert workdays.is_working_day(day) is False, day
    assert workdays.is_working_day(D(2027, 2, 9)) is True  # 初四: no bridge day is guessed
    assert workdays.is_working_day(D(2027, 2, 20)) is False  # a Saturday: no 调休 is guessed
    # 2026-12-28 (Mon) + 5 working days: 29, 30, 31 Dec, (1 Jan 元旦), 4, 5 Jan.
    assert workdays.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 5)
    # From Thursday 2027-02-04: Fri 5 (除夕) to Mon 8 are 春节, so the 1st working day is Tue 9.
    assert workdays.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 9)
    assert workdays.add_working_days(D(2027, 2, 4), 3) == D(2027, 2, 11)
    # Across 清明 (Mon 5 Apr) and 劳动节 (Sat–Sun 1–2 May: nothing more to skip).
    assert workdays.add_working_days(D(2027, 4, 2), 1) == D(2027, 4, 6)
    assert workdays.add_working_days(D(2027, 4, 30), 1) == D(2027, 5, 3)
    # 端午 (Wed 9 Jun), 中秋 (Wed 15 Sep), 国庆 (Fri 1 – Sun 3 Oct).
    assert workdays.add_working_days(D(2027, 6, 8), 1) == D(2027, 6, 10)
    assert workdays.add_working_days(D(2027, 9, 14), 1) == D(2027, 9, 16)
    assert workdays.add_working_days(D(2027, 9, 30), 1) == D(2027, 10, 4)
    assert workdays.count_working_days(D(2026, 12, 31), D(2027, 1, 8)) == 5
    assert workdays.span_provisional(D(2026, 12, 15), D(2027, 1, 14))
    assert not workdays.span_provisional(D(2026, 9, 1), D(2026, 12, 31))


def test_last_days_of_a_covered_year_still_answer():
    assert workdays.add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)


def test_an_override_wins_over_the_package():
    holiday_override_set(day=D(2026, 10, 9), is_workday=False, name="local closure", notice="test")
    assert workdays.is_working_day(D(2026, 10, 9)) is False
    assert workdays.add_working_days(D(2026, 9, 30), 7) == D(2026, 10, 16)


def test_declaring_next_year_makes_it_countable():
    calendar_year_declare(
        year=2027,
        notice="国务院办公厅关于2027年部分节假日安排的通知（test data）",
        days=[(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "test rest day")],
    )
    assert workdays.is_working_day(D(2027, 1, 1)) is False
    assert workdays.is_working_day(D(2027, 1, 2)) is False  # Saturday by default
    # 2026-12-30 (Wed) +3: 12-31 Thu, [01-01 holiday, weekend, 01-04 declared rest], 01-05, 01-06
    assert workdays.add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 6)


def test_adding_many_working_days_does_not_loop_per_day(django_assert_max_num_queries):
    workdays.get_calendar()  # warm
    with django_assert_max_num_queries(0):
        for _ in range(1000):
            workdays.add_working_days(D(2025, 1, 2), 300)
