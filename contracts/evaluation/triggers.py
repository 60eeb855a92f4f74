"""The database triggers that keep contracts_kpimonth (contracts.models.KpiMonth) and contracts_openwarningday
(contracts.models.OpenWarningDay) equal to a GROUP BY of the rows they count, in the statement (hence the
transaction) that changes them, whatever writes them.

Each source table contributes, per row, one (keys…, figures…) tuple to its target (CONTRIBUTIONS); a
change adds the contributions of the new rows and subtracts those of the old ones, summed per key, with
`INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`.

- PostgreSQL: one statement-level trigger per table and operation, over its transition tables, so a
  set-based sweep statement that changes 250,000 milestones runs one aggregate upsert, not 250,000
  (and none when no figure changed: the summed deltas are all zero, HAVING drops them).
- SQLite: row-level triggers (the embedded default is not the 1M deployment).

`fresh_sql()` is the same figures as one GROUP BY over the base tables: the migration backfills with it
and the tests compare the maintained table with it.
"""

# ruff: noqa: S608 - trigger DDL built from the fixed table and column names below; no value comes from outside

from __future__ import annotations

TABLE = "contracts_kpimonth"
KEYS = ("agency_id", "month")
FIGURES = (
    "reg_total",
    "reg_on_time",
    "pay_total",
    "pay_met",
    "sme_due",
    "sme_unpaid",
    "sme_unpaid_amount",
    "arr_identified",
    "arr_resolved",
    "arr_owed",
    "arr_late_paid",
    "arr_open",
    "arr_open_owed",
    "arr_open_repaid",
)
WARNING_TABLE = "contracts_openwarningday"
WARNING_KEYS = ("agency_id", "raised_on", "level")
WARNING_FIGURES = ("open",)
DAY_TABLE = "contracts_kpiday"
DAY_KEYS = ("agency_id", "day")
EVENT_TABLE = "contracts_kpieventmonth"
EVENT_KEYS = ("agency_id", "month", "event_month")
EVENT_FIGURES = ("sme_settled", "sme_paid", "arr_resolved", "arr_paid")
TARGETS = {
    TABLE: (KEYS, FIGURES),
    DAY_TABLE: (DAY_KEYS, FIGURES),
    WARNING_TABLE: (WARNING_KEYS, WARNING_FIGURES),
    EVENT_TABLE: (EVENT_KEYS, EVENT_FIGURES),
}
_SME = "r.amount IS NOT NULL AND c.counterparty_size <> 'large'"
_UNPAID = f"{_SME} AND r.paid_amount < r.amount"

# source: (table, columns the expressions read, FROM … WHERE template, agency, month column, {figure: expression}).
# {r} is the changed rows (aliased r); {c} the contract rows of the milestone source.
CONTRIBUTIONS: dict[str, tuple[str, tuple[str, ...], str, str, str | None, dict[str, str]]] = {
    "contract": (
        "contracts_contract",
        ("id", "agency_id", "signed_on", "registered_on", "register_due_on"),
        "FROM {r} r WHERE r.registered_on IS NOT NULL",
        "r.agency_id",
        "r.signed_on",
        {"reg_total": "1", "reg_on_time": "CASE WHEN r.registered_on <= r.register_due_on THEN 1 ELSE 0 END"},
    ),
    "milestone": (
        "contracts_milestone",
        ("id", "contract_id", "kind", "payment_due_on", "status", "amount", "paid_amount", "completed_on"),
        "FROM {r} r JOIN {c} c ON c.id = r.contract_id "
        "WHERE r.kind = 'payment' AND r.payment_due_on IS NOT NULL AND r.status <> 'waived'",
        "c.agency_id",
        "r.payment_due_on",
        {
            "pay_total": "1",
            "pay_met": "CASE WHEN r.status = 'met' THEN 1 ELSE 0 END",
            "sme_due": f"CASE WHEN {_SME} THEN 1 ELSE 0 END",
            "sme_unpaid": f"CASE WHEN {_UNPAID} THEN 1 ELSE 0 END",
            "sme_unpaid_amount": f"CASE WHEN {_UNPAID} THEN r.amount - r.paid_amount ELSE 0 END",
        },
    ),
    "arrears": (
        "contracts_arrearscase",
        ("id", "agency_id", "milestone_id", "due_on", "identified_on", "status", "owed", "repaid", "resolved_on"),
        "FROM {r} r",
        "r.agency_id",
        "r.identified_on",
        {
            "arr_identified": "1",
            "arr_resolved": "CASE WHEN r.status = 'resolved' THEN 1 ELSE 0 END",
            "arr_owed": "r.owed",
            "arr_late_paid": "(SELECT COALESCE(SUM(p.amount), 0) FROM contracts_payment p "
            "WHERE p.milestone_id = r.milestone_id AND p.paid_on > r.due_on)",
            "arr_open": "CASE WHEN r.status <> 'resolved' THEN 1 ELSE 0 END",
            "arr_open_owed": "CASE WHEN r.status <> 'resolved' THEN r.owed ELSE 0 END",
            "arr_open_repaid": "CASE WHEN r.status <> 'resolved' THEN r.repaid ELSE 0 END",
        },
    ),
    "payment": (
        "contracts_payment",
        ("id", "milestone_id", "paid_on", "amount"),
        "FROM {r} r JOIN contracts_arrearscase a ON a.milestone_id = r.milestone_id WHERE r.paid_on > a.due_on",
        "a.agency_id",
        "a.identified_on",
        {"arr_late_paid": "r.amount"},
    ),
}
CONTRIBUTIONS["warning"] = (
    "contracts_warning",
    ("id", "agency_id", "raised_on", "level", "status"),
    "FROM {r} r WHERE r.status IN ('open', 'acknowledged')",
    "r.agency_id",
    None,
    {"open": "1"},
)

# contracts_kpieventmonth (KpiEventMonth): what happened in a later month (`event_month`) to the figures of a
# month (`month`, as in KpiMonth): SME payables due in the month paid in full then (the milestone's
# completed_on, the date of its last payment) and paid on then (each payment), arrears cases identified in
# the month resolved then, and paid on after their due date then. Linear in the rows, so a past period's
# figures are today's less a SUM over the event months after it (contracts.evaluation.figures).
# source: [(FROM … WHERE template, agency, month column, event date column, {figure: expression}, whole)];
# {r} is the changed rows, {c} the contract rows of the milestone source. A figure that joins two tables is
# contributed by both tables' triggers (each change against the other table's current rows); `whole` marks
# the one contribution per figure that fresh_sql() and the back-fill read over the whole tables.
_COUNTED = (
    "r.kind = 'payment' AND r.payment_due_on IS NOT NULL AND r.status <> 'waived' "
    "AND r.amount IS NOT NULL AND c.counterparty_size <> 'large'"
)
_SETTLED = f"{_COUNTED} AND r.amount > 0 AND r.paid_amount >= r.amount AND r.completed_on IS NOT NULL"
_MILESTONE_PAID = (
    "FROM {r} r JOIN {c} c ON c.id = r.contract_id JOIN contracts_payment p ON p.milestone_id = r.id WHERE " + _COUNTED
)
_PAYMENT_PAID = (
    "FROM {r} p JOIN contracts_milestone r ON r.id = p.milestone_id "
    "JOIN contracts_contract c ON c.id = r.contract_id WHERE " + _COUNTED
)
_ARREARS_PAID = "FROM {r} a JOIN contracts_payment p ON p.milestone_id = a.milestone_id WHERE p.paid_on > a.due_on"
_PAYMENT_ARREARS = (
    "FROM {r} p JOIN contracts_arrearscase a ON a.milestone_id = p.milestone_id WHERE p.paid_on > a.due_on"
)
EVENT_CONTRIBUTIONS: dict[str, list[tuple[str, str, str, str, dict[str, str], bool]]] = {
    "milestone": [
        (
            "FROM {r} r JOIN {c} c ON c.id = r.contract_id WHERE " + _SETTLED,
            "c.agency_id",
            "r.payment_due_on",
            "r.completed_on",
            {"sme_settled": "1"},
            True,
        ),
        (_MILESTONE_PAID, "c.agency_id", "r.payment_due_on", "p.paid_on", {"sme_paid": "p.amount"}, False),
    ],
    "payment": [
        (_PAYMENT_PAID, "c.agency_id", "r.payment_due_on", "p.paid_on", {"sme_paid": "p.amount"}, True),
        (_PAYMENT_ARREARS, "a.agency_id", "a.identified_on", "p.paid_on", {"arr_paid": "p.amount"}, True),
    ],
    "arrears": [
        (
            "FROM {r} a WHERE a.status = 'resolved' AND a.resolved_on IS NOT NULL",
            "a.agency_id",
            "a.identified_on",
            "a.resolved_on",
            {"arr_resolved": "1"},
            True,
        ),
        (_ARREARS_PAID, "a.agency_id", "a.identified_on", "p.paid_on", {"arr_paid": "p.amount"}, False),
    ],
}
# What the event figures read of a row, per source that the sweep updates in bulk ("waived" and "resolved"
# are the only statuses that count).
EVENT_READS = {
    "milestone": (
        "contract_id",
        "kind",
        "payment_due_on",
        "amount",
        "paid_amount",
        "completed_on",
        "status = 'waived'",
    ),
    "arrears": ("agency_id", "milestone_id", "due_on", "identified_on", "resolved_on", "status = 'resolved'"),
}
TARGET_OF = {source: [WARNING_TABLE] if source == "warning" else [TABLE, DAY_TABLE] for source in CONTRIBUTIONS}
for _source in (*EVENT_CONTRIBUTIONS, "contract"):
    TARGET_OF[_source].append(EVENT_TABLE)
CONTRACT_COLUMNS = ("id", "agency_id", "counterparty_size")


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _event_parts(vendor: str, source: str, sign: int, r: str, c: str = "contracts_contract", whole=False) -> list[str]:
    parts = []
    for from_where, agency, date, event, figures, canonical in EVENT_CONTRIBUTIONS.get(source, []):
        if whole and not canonical:
            continue
        values = ", ".join(f"{sign} * ({figures[f]}) AS {f}" if f in figures else f"0 AS {f}" for f in EVENT_FIGURES)
        keys = f"{agency} AS agency_id, {_month(vendor, date)} AS month, {_month(vendor, event)} AS event_month"
        parts.append(f"SELECT {keys}, {values} {from_where.format(r=r, c=c)}")
    return parts


def _part(vendor: str, source: str, sign: int, r: str, c: str = "contracts_contract", target: str = TABLE) -> str:
    _table, _cols, from_where, agency, date, figures = CONTRIBUTIONS[source]
    names = TARGETS[target][1]
    values = ", ".join(f"{sign} * ({figures[f]}) AS {f}" if f in figures else f"0 AS {f}" for f in names)
    if target == TABLE:
        keys = f"{agency} AS agency_id, {_month(vendor, str(date))} AS month"
    elif target == DAY_TABLE:
        keys = f"{agency} AS agency_id, {date} AS day"
    else:
        keys = f"{agency} AS agency_id, r.raised_on AS raised_on, r.level AS level"
    return f"SELECT {keys}, {values} {from_where.format(r=r, c=c)}"


def _upsert(vendor: str, target: str, parts: list[str]) -> str:
    keys, figures = TARGETS[target]
    key_list = ", ".join(keys)
    sums = ", ".join(f"SUM({f})" for f in figures)
    changed = " OR ".join(f"SUM({f}) <> 0" for f in figures)
    update = ", ".join(f"{f} = {target}.{f} + excluded.{f}" for f in figures)
    union = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {target} ({key_list}, {', '.join(figures)}) "
        f"SELECT {key_list}, {sums} FROM ({union}) d WHERE true GROUP BY {key_list} "
        f"HAVING {changed} ORDER BY {key_list} "
        f"ON CONFLICT ({key_list}) DO UPDATE SET {update}"
    )


def _whole_tables(vendor: str, target: str) -> str:
    # A case's late payments are counted by the case's own contribution; the payment source only adds
    # those paid after the case was opened, one change at a time: over whole tables it would count twice.
    if target == EVENT_TABLE:
        return " UNION ALL ".join(
            part for s in EVENT_CONTRIBUTIONS for part in _event_parts(vendor, s, 1, CONTRIBUTIONS[s][0], whole=True)
        )
    return " UNION ALL ".join(
        _part(vendor, s, 1, CONTRIBUTIONS[s][0], target=target)
        for s in CONTRIBUTIONS
        if s != "payment" and target in TARGET_OF[s]
    )


def fresh_sql(vendor: str, target: str = TABLE) -> str:
    """SELECT keys…, figures… : the figures of `target` as one GROUP BY over the base tables."""
    keys, figures = TARGETS[target]
    sums = ", ".join(f"SUM({f}) AS {f}" for f in figures)
    key_list = ", ".join(keys)
    return f"SELECT {key_list}, {sums} FROM ({_whole_tables(vendor, target)}) d GROUP BY {key_list}"


def backfill_sql(vendor: str, targets=None) -> list[str]:
    statements = []
    for target, (keys, figures) in TARGETS.items():
        if targets is not None and target not in targets:
            continue
        key_list = ", ".join(keys)
        sums = ", ".join(f"SUM({f})" for f in figures)
        statements += [
            f"DELETE FROM {target}",
            f"INSERT INTO {target} ({key_list}, {', '.join(figures)}) "
            f"SELECT {key_list}, {sums} FROM ({_whole_tables(vendor, target)}) d GROUP BY {key_list}",
        ]
    return statements


def _contract_moves(vendor: str, old: str, new: str, target: str) -> list[str]:
    """A contract whose agency or counterparty size changed moves its milestones' figures."""
    changed = (
        "SELECT o.id FROM {old} o JOIN {new} n ON n.id = o.id "
        "WHERE o.agency_id <> n.agency_id OR o.counterparty_size <> n.counterparty_size"
    )
    ids = changed.format(old=old, new=new)
    moved = f"(SELECT * FROM contracts_milestone WHERE contract_id IN ({ids}))"
    if target == EVENT_TABLE:
        return _event_parts(vendor, "milestone", -1, moved, old) + _event_parts(vendor, "milestone", 1, moved, new)
    return [
        _part(
            vendor, "milestone", -1, f"(SELECT * FROM contracts_milestone WHERE contract_id IN ({ids}))", old, target
        ),
        _part(vendor, "milestone", 1, f"(SELECT * FROM contracts_milestone WHERE contract_id IN ({ids}))", new, target),
    ]


def _upserts(
    vendor: str, source: str, op: str, new: str, old: str, contract_old: str, contract_new: str, event: bool = True
) -> str:
    """The statements of one trigger: per target, the new rows' contributions less the old rows'."""
    statements = []
    for target in TARGET_OF[source]:
        parts = []
        if target == EVENT_TABLE:
            if not event:
                continue
            if op == "UPDATE" and source in EVENT_READS and vendor == "postgresql":
                # Only the rows whose event figures can change: a sweep statement that turns 250,000
                # milestones overdue joins none of them to their payments.
                reads = EVENT_READS[source]
                before, after = (", ".join(f"{alias}.{expr}" for expr in reads) for alias in ("o", "n"))
                changed = f"FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE ({before}) IS DISTINCT FROM ({after})"
                ev_new, ev_old = f"(SELECT n.* {changed})", f"(SELECT o.* {changed})"
            else:
                ev_new, ev_old = new, old
            if op != "DELETE":
                parts += _event_parts(vendor, source, 1, ev_new)
            if op != "INSERT":
                parts += _event_parts(vendor, source, -1, ev_old)
        else:
            if op != "DELETE":
                parts.append(_part(vendor, source, 1, new, target=target))
            if op != "INSERT":
                parts.append(_part(vendor, source, -1, old, target=target))
        if source == "contract" and op == "UPDATE" and "milestone" in CONTRIBUTIONS and target != WARNING_TABLE:
            parts += _contract_moves(vendor, contract_old, contract_new, target)
        if parts:
            statements.append(_upsert(vendor, target, parts))
    return "; ".join(statements)


def install_sql(vendor: str, event: bool = True) -> list[str]:
    """The triggers' DDL (re)installing every trigger; event=False leaves out contracts_kpieventmonth (the
    triggers as migration 0018 installed them, for reversing 0020)."""
    statements = []
    for source, (table, cols, *_rest) in CONTRIBUTIONS.items():
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = f"kpimonth_{source}_{op.lower()}"
            if vendor == "postgresql":
                body = _upserts(vendor, source, op, "new_rows", "old_rows", "old_rows", "new_rows", event)
                refs = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows"}
                refs["DELETE"] = "OLD TABLE AS old_rows"
                statements += [
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"{body}; RETURN NULL; END $$",
                    f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs[op]} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
                ]
            else:

                def row(which: str, columns=cols) -> str:
                    return "(SELECT " + ", ".join(f"{which}.{col} AS {col}" for col in columns) + ")"

                body = _upserts(
                    vendor,
                    source,
                    op,
                    row("NEW"),
                    row("OLD"),
                    row("OLD", CONTRACT_COLUMNS),
                    row("NEW", CONTRACT_COLUMNS),
                    event,
                )
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}",
                    f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {body}; END",
                ]
    return statements


def uninstall_sql(vendor: str) -> list[str]:
    statements = []
    for source, (table, *_rest) in CONTRIBUTIONS.items():
        for op in ("insert", "update", "delete"):
            name = f"kpimonth_{source}_{op}"
            if vendor == "postgresql":
                statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
            else:
                statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements
