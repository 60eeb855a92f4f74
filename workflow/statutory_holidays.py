"""Statutory holidays of a year, computed from 《全国年节及纪念日放假办法》 (国务院令第795号, in force
2025-01-01), for years whose State Council notice has not been entered yet.

Article 2 (holidays for all citizens): 元旦 1 day (1 Jan); 春节 4 days (农历除夕, 正月初一至初三);
清明节 1 day (the day of the 清明 solar term); 劳动节 2 days (1–2 May); 端午节 1 day (农历五月初五);
中秋节 1 day (农历八月十五); 国庆节 3 days (1–3 Oct).

Lunar dates and the solar term come from the `lunar-python` library (6tail/lunar-python), never a
hand-typed table. The annual notice's 调休 (moved working weekends, bridge days) cannot be predicted
and is not guessed: a provisional year is these days plus weekends.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar


def _date(solar) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=32)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """{day: festival name} for the statutory rest days of `year` (Gregorian), weekends aside."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    # 春节: 除夕 is the last day of the 12th lunar month (the 29th or 30th): the day before 正月初一.
    new_year = Lunar.fromYmd(year, 1, 1).getSolar()
    days[_date(new_year.next(-1))] = "春节"
    for offset in range(3):
        days[_date(new_year.next(offset))] = "春节"
    # 清明: the solar term falls in the Gregorian year; lunar month 3 of `year` holds it in its table.
    days[_date(Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"])] = "清明节"
    days[dt.date(year, 5, 1)] = "劳动节"
    days[dt.date(year, 5, 2)] = "劳动节"
    days[_date(Lunar.fromYmd(year, 5, 5).getSolar())] = "端午节"
    days[_date(Lunar.fromYmd(year, 8, 15).getSolar())] = "中秋节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return {day: name for day, name in days.items() if day.year == year}
