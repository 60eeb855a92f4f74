"""The hand-written raw SQL `GROUP BY` baselines of the KPIs (bench/kpi_bench.py), PostgreSQL.

Each function computes, with one or a few plain `GROUP BY` statements over the base tables and no
pre-aggregated figure, the same figures as the project's function, and returns them in the shape
that kpi_bench.normalise() gives the project's result, so the two can be compared for equality.
`ids` is the list of agencies the user sees (None: the whole city).
"""

# ruff: noqa: S608 - a hand-written SQL baseline: fixed identifiers, values as parameters

from __future__ import annotations

import datetime as dt
from decimal import Decimal

OPEN_WARNING = "('open', 'acknowledged')"


def _scope(column: str, ids) -> str:
    return "" if ids is None else f" AND {column} = ANY(%(ids)s)"


def _rows(cursor, sql: str, **params) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _ratio(num, den):
    return float(num) / float(den) if den else None


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def _rates(identified, resolved, owed, repaid) -> dict:
    owed = owed or Decimal(0)
    repaid = min(repaid or Decimal(0), owed)
    return {
        "identified": identified,
        "resolved": resolved,
        "owed": owed,
        "repaid": repaid,
        "resolution_rate": _ratio(resolved, identified),
        "repayment_rate": float(repaid / owed) if owed else None,
    }


def _arrears_groups(cursor, start, end, ids) -> list[tuple]:
    """(agency_id, month, identified, resolved by end, owed, repaid late by end) for cases identified in
    [start, end]: one GROUP BY over the cases and their late payments."""
    return _rows(
        cursor,
        "WITH c AS (SELECT id, agency_id, identified_on, owed, status, resolved_on, milestone_id, due_on "
        "FROM contracts_arrearscase WHERE identified_on BETWEEN %(start)s AND %(end)s"
        + _scope("agency_id", ids)
        + "), p AS (SELECT c.id, sum(p.amount) AS s FROM c JOIN contracts_payment p ON p.milestone_id = c.milestone_id "
        "AND p.paid_on > c.due_on AND p.paid_on <= %(end)s GROUP BY c.id) "
        "SELECT c.agency_id, date_trunc('month', c.identified_on)::date, count(*), "
        "count(*) FILTER (WHERE c.status = 'resolved' AND c.resolved_on <= %(end)s), sum(c.owed), "
        "coalesce(sum(p.s), 0) FROM c LEFT JOIN p ON p.id = c.id GROUP BY 1, 2",
        start=start,
        end=end,
        ids=ids,
    )


def _sum_groups(rows, key) -> dict:
    out: dict = {}
    for row in rows:
        k = key(row)
        acc = out.setdefault(k, [0, 0, Decimal(0), Decimal(0)])
        for i in range(4):
            acc[i] += row[2 + i]
    return {k: _rates(*v) for k, v in out.items()}


def _names(cursor, ids) -> list[tuple[int, str]]:
    return _rows(cursor, "SELECT id, name FROM workflow_agency WHERE id = ANY(%(ids)s) ORDER BY code", ids=list(ids))


def _months(start: dt.date, end: dt.date, today: dt.date) -> list[dt.date]:
    last = min(end, max(start, today))
    months, day = [], start.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _rate_series(rows) -> list[list]:
    return [
        [_money(r["owed"]) if r else _money(0) for r in rows],
        [_money(r["repaid"]) if r else _money(0) for r in rows],
        [r["resolution_rate"] if r else None for r in rows],
        [r["repayment_rate"] if r else None for r in rows],
    ]


def arrears_panel(cursor, *, ids, start, end, today) -> dict:
    groups = _arrears_groups(cursor, start, end, ids)
    overall = _sum_groups(groups, lambda r: None).get(None) or _rates(0, 0, None, None)
    by_agency = _sum_groups(groups, lambda r: r[0])
    by_month = _sum_groups(groups, lambda r: r[1])
    ((n, owed, repaid),) = _rows(
        cursor,
        "SELECT count(*), coalesce(sum(owed), 0), coalesce(sum(repaid), 0) FROM contracts_arrearscase "
        "WHERE status <> 'resolved'" + _scope("agency_id", ids),
        ids=ids,
    )
    names = _names(cursor, by_agency)
    months = _months(start, end, today)
    return {
        "kpis": [
            overall["identified"],
            _money(overall["owed"]),
            _money(overall["repaid"]),
            overall["resolution_rate"],
            overall["repayment_rate"],
            _money(owed - repaid),
            n,
        ],
        "charts": {
            "by_agency": ([name for _pk, name in names], _rate_series([by_agency[pk] for pk, _name in names])),
            "by_month": ([m.strftime("%Y-%m") for m in months], _rate_series([by_month.get(m) for m in months])),
        },
    }


def warnings_panel(cursor, *, ids, start, end, today) -> dict:
    rows = _rows(
        cursor,
        "SELECT CASE WHEN raised_on >= %(d7)s THEN 0 WHEN raised_on >= %(d30)s THEN 1 WHEN raised_on >= %(d90)s THEN 2 "
        "ELSE 3 END, level, count(*), min(raised_on) FROM contracts_warning WHERE status IN "
        + OPEN_WARNING
        + _scope("agency_id", ids)
        + " GROUP BY 1, 2",
        d7=today - dt.timedelta(days=7),
        d30=today - dt.timedelta(days=30),
        d90=today - dt.timedelta(days=90),
        ids=ids,
    )
    counts = {(band, level): n for band, level, n, _first in rows}
    oldest = min((first for *_x, first in rows), default=None)
    levels = (1, 2, 3)
    return {
        "kpis": [
            sum(counts.values()),
            *(sum(n for (_b, lv), n in counts.items() if lv == level) for level in levels),
            (today - oldest).days if oldest else None,
        ],
        "charts": {"by_age": (None, [[counts.get((b, level), 0) for b in range(4)] for level in levels])},
    }


def complaints_panel(cursor, *, ids, start, end, today, complaint_ct) -> dict:
    due = (
        "LEFT JOIN LATERAL (SELECT d.due_on FROM workflow_deadline d WHERE d.content_type_id = %(ct)s "
        "AND d.object_id = c.id::text AND d.purpose = 'handle' LIMIT 1) d ON true"
    )
    ((received, handled, on_time, days, evaluated, satisfied),) = _rows(
        cursor,
        "SELECT count(*), count(c.handled_on), count(*) FILTER (WHERE c.handled_on <= d.due_on), "
        "sum(c.handled_on - c.received_on), count(c.satisfied), count(*) FILTER (WHERE c.satisfied) "
        f"FROM contracts_complaint c {due} WHERE c.received_on BETWEEN %(start)s AND %(end)s"
        + _scope("c.respondent_id", ids),
        ct=complaint_ct,
        start=start,
        end=end,
        ids=ids,
    )
    per = _rows(
        cursor,
        "SELECT c.respondent_id, count(*), count(*) FILTER (WHERE c.handled_on <= d.due_on) "
        f"FROM contracts_complaint c {due} WHERE c.handled_on BETWEEN %(start)s AND %(end)s "
        "AND c.respondent_id IS NOT NULL" + _scope("c.respondent_id", ids) + " GROUP BY 1",
        ct=complaint_ct,
        start=start,
        end=end,
        ids=ids,
    )
    by = {pk: (total, ok) for pk, total, ok in per}
    names = _names(cursor, by)
    return {
        "kpis": [
            received,
            handled,
            on_time,
            (on_time / handled) if handled else None,
            round(days / handled, 1) if handled else None,
            (satisfied / evaluated) if evaluated else None,
        ],
        "charts": {
            "by_agency": (
                [name for _pk, name in names],
                [
                    [by[pk][0] for pk, _n in names],
                    [by[pk][1] for pk, _n in names],
                    [_ratio(by[pk][1], by[pk][0]) for pk, _n in names],
                ],
            )
        },
    }


def evaluation(cursor, *, start, end, horizon, complaint_ct) -> dict:
    """evaluation_compute's figures per agency (every agency: the ranking needs them all)."""
    registration = {
        a: (t, ok)
        for a, t, ok in _rows(
            cursor,
            "SELECT agency_id, count(*), count(*) FILTER (WHERE registered_on <= register_due_on) "
            "FROM contracts_contract "
            "WHERE signed_on BETWEEN %(start)s AND %(end)s AND registered_on IS NOT NULL GROUP BY 1",
            start=start,
            end=end,
        )
    }
    payments = {
        a: (t, ok)
        for a, t, ok in _rows(
            cursor,
            "SELECT c.agency_id, count(*), count(*) FILTER (WHERE m.status = 'met') FROM contracts_milestone m "
            "JOIN contracts_contract c ON c.id = m.contract_id WHERE m.kind = 'payment' "
            "AND m.payment_due_on BETWEEN %(start)s AND %(horizon)s AND m.status <> 'waived' GROUP BY 1",
            start=start,
            horizon=horizon,
        )
    }
    overdue = {
        a: (n, amount)
        for a, n, amount in _rows(
            cursor,
            "SELECT c.agency_id, count(*) FILTER (WHERE coalesce(p.s, 0) < m.amount), "
            "coalesce(sum(m.amount - coalesce(p.s, 0)) FILTER (WHERE coalesce(p.s, 0) < m.amount), 0) "
            "FROM contracts_milestone m JOIN contracts_contract c ON c.id = m.contract_id "
            "LEFT JOIN (SELECT milestone_id, sum(amount) AS s FROM contracts_payment WHERE paid_on <= %(horizon)s "
            "GROUP BY 1) p ON p.milestone_id = m.id WHERE m.kind = 'payment' AND m.payment_due_on >= %(start)s "
            "AND m.payment_due_on < %(horizon)s AND m.amount IS NOT NULL AND m.status <> 'waived' "
            "AND c.counterparty_size <> 'large' GROUP BY 1",
            start=start,
            horizon=horizon,
        )
    }
    arrears = _sum_groups(_arrears_groups(cursor, start, end, None), lambda r: r[0])
    dishonesty = dict(
        _rows(
            cursor,
            "SELECT agency_id, count(*) FROM contracts_governmentdishonestyrecord "
            "WHERE decided_on BETWEEN %(start)s AND %(end)s GROUP BY 1",
            start=start,
            end=end,
        )
    )
    complaints = {
        a: (t, ok)
        for a, t, ok in _rows(
            cursor,
            "SELECT c.respondent_id, count(*), count(*) FILTER (WHERE c.handled_on <= d.due_on) "
            "FROM contracts_complaint c "
            "LEFT JOIN LATERAL (SELECT d.due_on FROM workflow_deadline d WHERE d.content_type_id = %(ct)s "
            "AND d.object_id = c.id::text AND d.purpose = 'handle' LIMIT 1) d ON true "
            "WHERE c.handled_on BETWEEN %(start)s AND %(end)s AND c.respondent_id IS NOT NULL GROUP BY 1",
            ct=complaint_ct,
            start=start,
            end=end,
        )
    }
    out = {}
    for (a,) in _rows(cursor, "SELECT id FROM workflow_agency"):
        reg, pay, ovd, arr, com = (
            registration.get(a, (0, 0)),
            payments.get(a, (0, 0)),
            overdue.get(a),
            arrears.get(a),
            complaints.get(a, (0, 0)),
        )
        out[a] = {
            "contracts_signed": reg[0],
            "registered_on_time": reg[1],
            "payments_due": pay[0],
            "payments_on_time": pay[1],
            "overdue_payables_count": ovd[0] if ovd else 0,
            "overdue_payables_amount": _money(ovd[1] if ovd else 0),
            "arrears_identified": arr["identified"] if arr else 0,
            "arrears_resolved": arr["resolved"] if arr else 0,
            "arrears_owed": _money(arr["owed"] if arr else 0),
            "arrears_repaid": _money(arr["repaid"] if arr else 0),
            "complaints_handled": com[0],
            "complaints_on_time": com[1],
            "dishonesty_records": dishonesty.get(a, 0),
        }
    return out


def overdue_report(cursor, *, year: int) -> list[tuple]:
    return [
        (a, n, _money(amount))
        for a, n, amount in _rows(
            cursor,
            "SELECT c.agency_id, count(*), sum(m.amount - coalesce(p.s, 0)) FROM contracts_milestone m "
            "JOIN contracts_contract c ON c.id = m.contract_id JOIN workflow_agency g ON g.id = c.agency_id "
            "LEFT JOIN (SELECT milestone_id, sum(amount) AS s FROM contracts_payment WHERE paid_on <= %(end)s "
            "GROUP BY 1) p ON p.milestone_id = m.id WHERE m.kind = 'payment' "
            "AND m.payment_due_on BETWEEN %(start)s AND %(end)s AND m.amount IS NOT NULL AND m.status <> 'waived' "
            "AND c.counterparty_size <> 'large' AND coalesce(p.s, 0) < m.amount GROUP BY c.agency_id, g.code "
            "ORDER BY g.code",
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
    ]


def repair_panel(cursor, *, ids, start, end, today, record_ct, application_ct) -> dict:
    from workflow import workdays
    from workflow.errors import CalendarDataMissing

    records = {
        u: [n, served]
        for u, n, served in _rows(
            cursor,
            "SELECT r.deciding_unit_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 "
            "FROM workflow_delivery_documents dd "
            "JOIN workflow_document d ON d.id = dd.document_id WHERE d.content_type_id = %(ct)s "
            "AND d.object_id = r.id::text AND d.doc_type = 'repair_notice')) FROM repair_dishonestyrecord r "
            "WHERE r.decided_on BETWEEN %(start)s AND %(end)s" + _scope("r.deciding_unit_id", ids) + " GROUP BY 1",
            ct=record_ct,
            start=start,
            end=end,
            ids=ids,
        )
    }
    applications = {
        u: [n, eligible, repaired]
        for u, n, eligible, repaired in _rows(
            cursor,
            "SELECT deciding_unit_id, count(*), count(*) FILTER (WHERE eligible), "
            "count(*) FILTER (WHERE status = 'approved') "
            "FROM repair_repairapplication WHERE applied_on BETWEEN %(start)s AND %(end)s"
            + _scope("deciding_unit_id", ids)
            + " GROUP BY 1",
            start=start,
            end=end,
            ids=ids,
        )
    }
    clocks: dict = {}
    for u, purpose, status, n in _rows(
        cursor,
        "SELECT a.deciding_unit_id, d.purpose, d.status, count(*) FROM workflow_deadline d "
        "JOIN repair_repairapplication a ON d.content_type_id = %(ct)s AND d.object_id = a.id::text "
        "WHERE a.applied_on BETWEEN %(start)s AND %(end)s" + _scope("a.deciding_unit_id", ids) + " GROUP BY 1, 2, 3",
        ct=application_ct,
        start=start,
        end=end,
        ids=ids,
    ):
        clocks[(u, purpose, status)] = n
    days: dict = {}
    for u, applied, decided in _rows(
        cursor,
        "SELECT deciding_unit_id, applied_on, decided_on FROM repair_repairapplication "
        "WHERE applied_on BETWEEN %(start)s AND %(end)s AND decided_on IS NOT NULL" + _scope("deciding_unit_id", ids),
        start=start,
        end=end,
        ids=ids,
    ):
        try:
            days.setdefault(u, []).append(workdays.count_working_days(applied, decided))
        except CalendarDataMissing:
            continue

    def measures(units) -> list:
        def total(table, i):
            return sum(table.get(u, [0, 0, 0])[i] for u in units)

        def clock(purpose, statuses):
            return sum(n for (u, p, s), n in clocks.items() if u in units and p == purpose and s in statuses)

        d = [x for u in units for x in days.get(u, [])]
        accept_n, accept_ok = clock("accept", {s for _u, p, s in clocks if p == "accept"}), clock("accept", {"met"})
        fb_n, fb_ok = clock("feedback", {"met", "met_late"}), clock("feedback", {"met"})
        return [
            total(records, 0),
            total(records, 1),
            _ratio(total(records, 1), total(records, 0)),
            total(applications, 0),
            total(applications, 2),
            _ratio(total(applications, 2), total(applications, 1)),
            _ratio(accept_ok, accept_n),
            _ratio(fb_ok, fb_n),
            round(sum(d) / len(d), 1) if d else None,
        ]

    everyone = set(records) | set(applications) | {u for u, _p, _s in clocks} | set(days)
    units = _names(cursor, set(records) | set(applications))
    per = [measures({pk}) for pk, _name in units]
    names = [name for _pk, name in units]
    return {
        "kpis": measures(everyone),
        "charts": {
            "by_unit": (names, [[m[i] for m in per] for i in (0, 1, 3, 4, 2, 5, 6)]),
            "days_by_unit": (names, [[m[8] for m in per]]),
        },
    }
