"""The evaluation's and the dashboards' figures per agency for any period, read from the monthly figures
that the database keeps (contracts.models.KpiMonth, contracts.evaluation.triggers) instead of a GROUP BY
over every contract, milestone and arrears case of the period (issue 11: under 1 s at 1M contracts).

A period [lo, hi] is read as:
1. its whole calendar months, from contracts_kpimonth (one row per agency and month);
2. the days at either edge that do not fill a month (a range like 2026-07-15..2026-08-19, or the part of
   this month up to today), from contracts_kpiday (one row per agency and day), added — or subtracted
   from their whole month when the days outside the period are fewer;
3. the monthly figures say what is true *today* (paid so far, resolved so far); a period that ended
   before today is corrected with what happened after its end, read the same way from
   contracts_kpieventmonth (per agency, month and later month: payables paid in full and amounts paid,
   arrears cases resolved and amounts repaid): its whole months × the months after its end's month, and
   from the base tables only its edge days and the rest of its end's month (at most half a month each).
The result is exactly what a GROUP BY over the base tables gives (tests/contracts/test_kpi_figures.py,
and bench/kpi_bench.py at 100k and 1M).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from contracts.models import ArrearsCase, KpiDay, KpiEventMonth, KpiMonth, Milestone, Payment
from workflow.models import Enterprise

ZERO = Decimal("0")


def _month_split(
    lo: dt.date, hi: dt.date
) -> tuple[Q | None, list[tuple[dt.date, dt.date]], list[tuple[dt.date, dt.date]]]:
    """How to read [lo, hi]: (a filter on KpiMonth.month for the months to add, or None; day ranges to add
    from the tables; day ranges to subtract from the tables). A month only partly inside is read as its
    days, or as the whole month less the days outside, whichever is fewer days."""
    months: list[dt.date] = []
    whole: tuple[dt.date, dt.date] | None = None
    plus: list[tuple[dt.date, dt.date]] = []
    minus: list[tuple[dt.date, dt.date]] = []
    first = lo if lo.day == 1 else _next_month(lo)
    after = hi + dt.timedelta(days=1)
    last_excl = after if after.day == 1 else after.replace(day=1)  # the day after the last whole month
    if first < last_excl:
        whole = (first, (last_excl - dt.timedelta(days=1)).replace(day=1))
        edges = [(lo, first - dt.timedelta(days=1))] if lo < first else []
        edges += [(last_excl, hi)] if last_excl <= hi else []
    else:
        edges = [(lo, hi)]
    for a, b in edges:
        # Each edge lies within one month unless the whole range does (then it is read as days).
        start, end = a.replace(day=1), _next_month(a) - dt.timedelta(days=1)
        outside = (a - start).days + (end - b).days
        if whole is None and (b > end):
            plus.append((a, b))
        elif outside < (b - a).days + 1:
            months.append(start)
            minus += [(start, a - dt.timedelta(days=1))] if a > start else []
            minus += [(b + dt.timedelta(days=1), end)] if b < end else []
        else:
            plus.append((a, b))
    month_q = Q(month__range=whole) if whole else None
    if months:
        month_q = (month_q | Q(month__in=months)) if month_q is not None else Q(month__in=months)
    return month_q, plus, minus


def _days(field: str, ranges) -> Q:
    q = Q()
    for r in ranges:
        q |= Q(**{f"{field}__range": r})
    return q


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _sums(lo: dt.date, hi: dt.date, columns: tuple[str, ...], *, agency_ids=None, by_month=False) -> dict:
    """{agency (or (agency, month)): [sum of each column]} over [lo, hi]: whole months from KpiMonth, edge
    days from KpiDay (added, or subtracted from their whole month)."""
    out: dict = defaultdict(lambda: [0] * len(columns))
    month_q, plus, minus = _month_split(lo, hi)
    sums = {f"s{i}": Sum(c) for i, c in enumerate(columns)}
    reads: list[tuple[int, Any]] = []
    if month_q is not None:
        qs = KpiMonth.objects.filter(month_q).annotate(m=F("month"))
        reads.append((1, qs))
    for sign, ranges in ((1, plus), (-1, minus)):
        if ranges:
            reads.append((sign, KpiDay.objects.filter(_days("day", ranges)).annotate(m=TruncMonth("day"))))
    keys = ("agency_id", "m") if by_month else ("agency_id",)
    for sign, qs in reads:
        # A row whose first figure (a count) is 0 has every figure 0: skip it (most agency-months have no arrears).
        qs = qs.exclude(**{columns[0]: 0})
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=agency_ids)
        for row in qs.order_by().values_list(*keys).annotate(**sums):
            acc = out[row[: len(keys)] if by_month else row[0]]
            for i, value in enumerate(row[len(keys) :]):
                acc[i] += sign * (value or 0)
    return out


def registration_by_agency(start: dt.date, end: dt.date) -> dict[int, dict]:
    """Contracts signed in [start, end] and registered: {agency: {total, on_time}} (registered by their
    registration due date)."""
    rows = _sums(start, end, ("reg_total", "reg_on_time"))
    return {a: {"total": t, "on_time": ok} for a, (t, ok) in rows.items() if t}


def payments_by_agency(start: dt.date, horizon: dt.date) -> dict[int, dict]:
    """Payment milestones due in [start, horizon] (not waived): {agency: {total, on_time}} (met)."""
    if horizon < start:
        return {}
    rows = _sums(start, horizon, ("pay_total", "pay_met"))
    return {a: {"total": t, "on_time": met} for a, (t, met) in rows.items() if t}


def _after(t: dt.date) -> tuple[dt.date, list[tuple[dt.date, dt.date]], list[tuple[dt.date, dt.date]]]:
    """How to read "after t": (the first event month to read from KpiEventMonth; day ranges to add from the
    tables; day ranges to subtract from the tables): the months after t's month plus its days after t, or
    from t's month on less its days up to t, whichever is fewer days (none when t is a month's last day)."""
    start, end = t.replace(day=1), _next_month(t) - dt.timedelta(days=1)
    if (end - t).days <= t.day:
        return _next_month(t), ([(t + dt.timedelta(days=1), end)] if t < end else []), []
    return start, [], [(start, t)]


def _events_after(
    lo: dt.date, hi: dt.date, t: dt.date, columns: tuple[str, ...], base, *, agency_ids=None, by_month=False
) -> dict:
    """{agency (or (agency, month)): [sum of each KpiEventMonth column]} for the rows of [lo, hi] and the
    events after t: whole months × event months from KpiEventMonth; the edge days of [lo, hi] and the days
    of t's own month from the base tables, `base(lo_ranges, event_q)` giving the same sums."""
    out: dict = defaultdict(lambda: [0] * len(columns))
    month_q, plus, minus = _month_split(lo, hi)
    from_month, ev_plus, ev_minus = _after(t)
    reads: list[tuple[int, Any]] = []
    if month_q is not None:
        keys = ("agency_id", "month") if by_month else ("agency_id",)
        qs = KpiEventMonth.objects.filter(month_q, event_month__gte=from_month)
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=agency_ids)
        qs = qs.order_by().values_list(*keys).annotate(**{f"s{i}": Sum(c) for i, c in enumerate(columns)})
        reads.append((1, qs))
    # The edge days of [lo, hi] with every event from `from_month` on.
    for sign, ranges in ((1, plus), (-1, minus)):
        if ranges:
            reads.append((sign, base(ranges, lambda field: Q(**{f"{field}__gte": from_month}))))
    # The whole of [lo, hi] with the events of t's own month after t (or up to t, subtracted).
    for sign, ranges in ((1, ev_plus), (-1, ev_minus)):
        if ranges:
            reads.append((sign, base([(lo, hi)], lambda field, ranges=ranges: _days(field, ranges))))
    n = 2 if by_month else 1
    for sign, qs in reads:
        for row in qs:
            acc = out[row[:n] if by_month else row[0]]
            for i, value in enumerate(row[n:]):
                acc[i] += sign * (value or 0)
    return out


# Not a statutory period: a due range longer than a month is read led by its (few) payment days.
PAYMENT_LED_AFTER_DAYS = 31


def _sme_events(due_ranges, event_q):
    """Per agency: [SME payables due in the ranges paid in full on a day event_q selects, amounts paid on
    them on such days] from the base tables (a payable is paid in full on the day of its last payment,
    its completed_on: payments never exceed what is owed)."""
    due: Any = F("milestone__payment_due_on")
    if len(due_ranges) == 1 and (due_ranges[0][1] - due_ranges[0][0]).days > PAYMENT_LED_AFTER_DAYS:
        # A whole period with a few days of payments: led by the payments (index on paid_on), not by the
        # period's milestones (index on payment_due_on), whatever the planner guesses of their number.
        due = Coalesce(due, Value(dt.date.min))
    return (
        Payment.objects.alias(due=due)
        .filter(
            event_q("paid_on"),
            _days("due", due_ranges),
            milestone__kind=Milestone.Kind.PAYMENT,
            milestone__amount__isnull=False,
        )
        .exclude(milestone__status=Milestone.Status.WAIVED)
        .exclude(milestone__contract__counterparty_size=Enterprise.Size.LARGE)
        .order_by()
        .values_list("milestone__contract__agency_id")
        .annotate(
            settled=Count(
                "milestone_id",
                distinct=True,
                filter=Q(
                    paid_on=F("milestone__completed_on"),
                    milestone__amount__gt=0,
                    milestone__paid_amount__gte=F("milestone__amount"),
                ),
            ),
            paid=Sum("amount"),
        )
    )


def unpaid_by_agency(lo: dt.date, hi: dt.date, *, paid_by: dt.date) -> dict[int, dict]:
    """SME payables (not large counterparties, with an amount, not waived) due in [lo, hi]:
    {agency: {due, overdue, overdue_amount}}, overdue = not paid in full by `paid_by` (payments made on
    or before it), overdue_amount = what they still owed then.

    Payments never exceed what is still owed (payment_record refuses an overpayment), so back at
    `paid_by` the payables not paid in full were those unpaid today and those paid in full after it, and
    they owed what they owe today plus what was paid on them after it: two sums of KpiEventMonth."""
    if hi < lo:
        return {}
    out: dict[int, dict] = defaultdict(lambda: {"due": 0, "overdue": 0, "overdue_amount": ZERO})
    for agency, (due, n, amount) in _sums(lo, hi, ("sme_due", "sme_unpaid", "sme_unpaid_amount")).items():
        out[agency].update(due=due, overdue=n, overdue_amount=Decimal(amount))
    for agency, (settled, paid) in _events_after(lo, hi, paid_by, ("sme_settled", "sme_paid"), _sme_events).items():
        row = out[agency]
        row["overdue"] += settled
        row["overdue_amount"] += Decimal(paid)
    return {a: r for a, r in out.items() if r["due"]}


def arrears_cells(start: dt.date, end: dt.date, agency_ids=None) -> dict[tuple[int, dt.date], list]:
    """Arrears cases identified in [start, end] per (agency, month identified): [identified, resolved by
    `end`, owed, repaid by `end`], repaid = paid on their milestones after the due date and by `end`."""
    out: dict[tuple[int, dt.date], list] = defaultdict(lambda: [0, 0, ZERO, ZERO])
    columns = ("arr_identified", "arr_resolved", "arr_owed", "arr_late_paid")
    for key, (identified, resolved, owed, repaid) in _sums(
        start, end, columns, agency_ids=agency_ids, by_month=True
    ).items():
        out[key] = [identified, resolved, Decimal(owed), Decimal(repaid)]

    def base(ident_ranges, event_q):
        # Per (agency, month identified): [resolved on a day event_q selects, paid after the due date then].
        cases = ArrearsCase.objects.filter(_days("identified_on", ident_ranges)).order_by()
        if agency_ids is not None:
            cases = cases.filter(agency_id__in=agency_ids)
        resolved = (
            cases.filter(event_q("resolved_on"), status=ArrearsCase.Status.RESOLVED)
            .annotate(m=TruncMonth("identified_on"))
            .values_list("agency_id", "m")
            .annotate(n=Count("id"), s=Value(ZERO))
        )
        paid = (
            cases.filter(event_q("milestone__payments__paid_on"), milestone__payments__paid_on__gt=F("due_on"))
            .annotate(m=TruncMonth("identified_on"))
            .values_list("agency_id", "m")
            .annotate(n=Value(0), s=Sum("milestone__payments__amount"))
        )
        return [*resolved, *paid]

    # Back to `end`: resolutions and payments after it.
    events = _events_after(start, end, end, ("arr_resolved", "arr_paid"), base, agency_ids=agency_ids, by_month=True)
    for key, (resolved, paid) in events.items():
        out[key][1] -= resolved
        out[key][3] -= Decimal(paid)
    return {k: v for k, v in out.items() if v[0]}


def arrears_open(agency_ids=None) -> dict:
    """The ledger today: arrears cases not resolved, {n, owed, repaid} (of the agencies, None: all)."""
    qs = KpiMonth.objects.all() if agency_ids is None else KpiMonth.objects.filter(agency_id__in=agency_ids)
    row = qs.aggregate(n=Sum("arr_open"), owed=Sum("arr_open_owed"), repaid=Sum("arr_open_repaid"))
    return {"n": row["n"] or 0, "owed": row["owed"] or ZERO, "repaid": row["repaid"] or ZERO}
