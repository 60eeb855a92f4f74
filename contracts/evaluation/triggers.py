"""The database triggers that keep contracts_kpimonth (contracts.models.KpiMonth) equal to a GROUP BY of
the rows it counts, in the statement (hence the transaction) that changes them, whatever writes them.

Each source table contributes, per row, one (agency, month, figures…) tuple (CONTRIBUTIONS); a change
adds the contributions of the new rows and subtracts those of the old ones, summed per (agency,
month), with `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`.

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
_SME = "r.amount IS NOT NULL AND c.counterparty_size <> 'large'"
_UNPAID = f"{_SME} AND r.paid_amount < r.amount"

# source: (table, columns the expressions read, FROM … WHERE template, agency, month column, {figure: expression}).
# {r} is the changed rows (aliased r); {c} the contract rows of the milestone source.
CONTRIBUTIONS = {
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
        ("id", "contract_id", "kind", "payment_due_on", "status", "amount", "paid_amount"),
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
        ("id", "agency_id", "milestone_id", "due_on", "identified_on", "status", "owed", "repaid"),
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
CONTRACT_COLUMNS = ("id", "agency_id", "counterparty_size")


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _part(vendor: str, source: str, sign: int, r: str, c: str = "contracts_contract") -> str:
    _table, _cols, from_where, agency, month, figures = CONTRIBUTIONS[source]
    values = ", ".join(f"{sign} * ({figures[f]}) AS {f}" if f in figures else f"0 AS {f}" for f in FIGURES)
    return f"SELECT {agency} AS agency_id, {_month(vendor, month)} AS month, {values} {from_where.format(r=r, c=c)}"


def _upsert(vendor: str, parts: list[str]) -> str:
    sums = ", ".join(f"SUM({f})" for f in FIGURES)
    changed = " OR ".join(f"SUM({f}) <> 0" for f in FIGURES)
    update = ", ".join(f"{f} = {TABLE}.{f} + excluded.{f}" for f in FIGURES)
    union = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {TABLE} (agency_id, month, {', '.join(FIGURES)}) "
        f"SELECT agency_id, month, {sums} FROM ({union}) d WHERE true GROUP BY agency_id, month "
        f"HAVING {changed} ORDER BY agency_id, month "
        f"ON CONFLICT (agency_id, month) DO UPDATE SET {update}"
    )


def _whole_tables(vendor: str) -> str:
    # A case's late payments are counted by the case's own contribution; the payment source only adds
    # those paid after the case was opened, one change at a time: over whole tables it would count twice.
    return " UNION ALL ".join(_part(vendor, s, 1, CONTRIBUTIONS[s][0]) for s in CONTRIBUTIONS if s != "payment")


def fresh_sql(vendor: str) -> str:
    """SELECT agency_id, month, figures… : the figures as one GROUP BY over the base tables."""
    sums = ", ".join(f"SUM({f}) AS {f}" for f in FIGURES)
    return f"SELECT agency_id, month, {sums} FROM ({_whole_tables(vendor)}) d GROUP BY agency_id, month"


def backfill_sql(vendor: str) -> list[str]:
    sums = ", ".join(f"SUM({f})" for f in FIGURES)
    union = _whole_tables(vendor)
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} (agency_id, month, {', '.join(FIGURES)}) "
        f"SELECT agency_id, month, {sums} FROM ({union}) d GROUP BY agency_id, month",
    ]


def _contract_moves(vendor: str, old: str, new: str) -> list[str]:
    """A contract whose agency or counterparty size changed moves its milestones' figures."""
    changed = (
        "SELECT o.id FROM {old} o JOIN {new} n ON n.id = o.id "
        "WHERE o.agency_id <> n.agency_id OR o.counterparty_size <> n.counterparty_size"
    )
    ids = changed.format(old=old, new=new)
    return [
        _part(vendor, "milestone", -1, f"(SELECT * FROM contracts_milestone WHERE contract_id IN ({ids}))", old),
        _part(vendor, "milestone", 1, f"(SELECT * FROM contracts_milestone WHERE contract_id IN ({ids}))", new),
    ]


def install_sql(vendor: str) -> list[str]:
    statements = []
    for source, (table, cols, *_rest) in CONTRIBUTIONS.items():
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = f"kpimonth_{source}_{op.lower()}"
            if vendor == "postgresql":
                parts = []
                if op != "DELETE":
                    parts.append(_part(vendor, source, 1, "new_rows"))
                if op != "INSERT":
                    parts.append(_part(vendor, source, -1, "old_rows"))
                if source == "contract" and op == "UPDATE":
                    parts += _contract_moves(vendor, "old_rows", "new_rows")
                refs = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows"}
                refs["DELETE"] = "OLD TABLE AS old_rows"
                statements += [
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"{_upsert(vendor, parts)}; RETURN NULL; END $$",
                    f"DROP TRIGGER IF EXISTS {name} ON {table}",
                    f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {refs[op]} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
                ]
            else:

                def row(which: str, columns=cols) -> str:
                    return "(SELECT " + ", ".join(f"{which}.{col} AS {col}" for col in columns) + ")"

                parts = []
                if op != "DELETE":
                    parts.append(_part(vendor, source, 1, row("NEW")))
                if op != "INSERT":
                    parts.append(_part(vendor, source, -1, row("OLD")))
                if source == "contract" and op == "UPDATE":
                    parts += _contract_moves(vendor, row("OLD", CONTRACT_COLUMNS), row("NEW", CONTRACT_COLUMNS))
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}",
                    f"CREATE TRIGGER {name} AFTER {op} ON {table} FOR EACH ROW BEGIN {_upsert(vendor, parts)}; END",
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
