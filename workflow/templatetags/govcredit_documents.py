"""Filters for formal documents: amounts in figures and capitals, Chinese dates.

Values may come from a document's frozen JSON context, so amounts and dates are accepted as
strings ("100000.00", "2026-11-21") as well as Decimal and date objects.
"""

import datetime as dt

from django import template

from workflow import money

register = template.Library()


@register.filter
def rmb_capital(value) -> str:
    """{{ amount|rmb_capital }} → 壹拾万元整"""
    if value in (None, ""):
        return ""
    return money.rmb_capital(value)


@register.filter
def rmb(value) -> str:
    """{{ amount|rmb }} → ¥100,000.00"""
    if value in (None, ""):
        return ""
    return money.rmb(value)


@register.filter
def cn_date(value) -> str:
    """{{ day|cn_date }} → 2026年11月21日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def code_groups(value: str, size: int = 4) -> str:
    """{{ code|code_groups }} → ABCD EFGH JKLM NPQR, easier to read aloud and type."""
    value = str(value or "")
    size = int(size)
    return " ".join(value[i : i + size] for i in range(0, len(value), size))
