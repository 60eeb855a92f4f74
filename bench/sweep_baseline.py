"""The hand-written baseline of the contracts sweep (PostgreSQL): the fewest set-based statements
that write the same rows as `contracts/sweeps.py` — `UPDATE … RETURNING` into the audit INSERT,
`INSERT … SELECT … ON CONFLICT DO NOTHING`, and `ANALYZE` after the bulk change (counted in its
time, as the project's sweep counts its own). bench/sweep_compare.py runs both on copies of the
same data and checks that they leave the same rows.
"""

# ruff: noqa: S608 - a hand-written SQL baseline: fixed identifiers and rule codes, values as parameters

from __future__ import annotations

import datetime as dt
import json

STEPS = ["contracts.payments", "contracts.milestones", "contracts.reports", "contracts.term", "contracts.registration"]
OPEN = "('open', 'acknowledged')"


def _level(rule: str, column: str) -> str:
    from contracts.sweeps import warning_levels
    from workflow import clock

    tiers = warning_levels(rule, clock.today())
    whens = " ".join(f"WHEN {column} < %(as_of)s::date - {int(t)} THEN {int(level)}" for t, level in tiers)
    return f"CASE {whens} ELSE {int(tiers[-1][1])} END"


def _audit(changed_sql: str, action: str, ct: str, label: str, target: str) -> str:
    return (
        f"WITH changed AS ({changed_sql}) "
        "INSERT INTO workflow_auditlog (at, actor_id, actor_label, action, content_type_id, object_id, "
        "object_repr, from_state, to_state, reason, changes, request_id) "
        f"SELECT %(now)s, NULL, 'sweep', '{action}', %({ct})s, id::text, '{label} ' || id, old, '{target}', '', "
        "%(changes)s::jsonb, '' FROM changed"
    )


def _touch(where: str) -> str:
    return (
        "UPDATE contracts_contractpublication p SET released_at = GREATEST(%(now)s, "
        "COALESCE(p.released_at + interval '1 microsecond', %(now)s)) WHERE p.status = 'published' "
        f"AND p.contract_id IN (SELECT contract_id FROM contracts_milestone m WHERE {where})"
    )


def _warnings(rule: str, source: str, level: str, reference: str, extra: str = "") -> str:
    return (
        "INSERT INTO contracts_warning (agency_id, contract_id, milestone_id, subject, rule, level, status, "
        f"reference_on, raised_on, note, closed_on) {source.format(rule=rule, level=level, reference=reference)} "
        f"{extra} ON CONFLICT DO NOTHING"
    )


def _relevel(rule: str) -> str:
    from contracts.sweeps import warning_levels
    from workflow import clock

    tiers = warning_levels(rule, clock.today())
    lower = " OR ".join(f"(reference_on < %(as_of)s::date - {int(t)} AND level < {int(level)})" for t, level in tiers)
    target = " ".join(f"WHEN reference_on < %(as_of)s::date - {int(t)} THEN {int(level)}" for t, level in tiers)
    return (
        f"UPDATE contracts_warning SET level = CASE {target} ELSE level END "
        f"WHERE rule = '{rule}' AND status IN {OPEN} AND ({lower})"
    )


MILESTONE_WARNING = (
    "SELECT c.agency_id, m.contract_id, m.id, 'm' || m.id, '{rule}', {level}, 'open', {reference}, %(as_of)s, '', NULL "
    "FROM contracts_milestone m JOIN contracts_contract c ON c.id = m.contract_id "
)
CONTRACT_WARNING = (
    "SELECT c.agency_id, c.id, NULL, 'c' || c.id, '{rule}', {level}, 'open', {reference}, %(as_of)s, '', NULL "
    "FROM contracts_contract c "
)
ACTIVE = "('registered', 'performing', 'in_disposal')"
LATE_PAYMENT = "m.kind = 'payment' AND m.status = 'due' AND m.payment_due_on < %(as_of)s AND m.paid_amount < m.amount"
LATE_DELIVERY = (
    "m.kind IN ('delivery', 'acceptance') AND m.status = 'planned' AND m.planned_on < %(as_of)s "
    f"AND m.contract_id IN (SELECT id FROM contracts_contract WHERE status IN {ACTIVE})"
)


def statements() -> dict[str, list[str]]:
    """Each step's statements, in order (parameters: as_of, horizon, now, changes, ct_m, ct_w)."""
    return {
        "contracts.payments": [
            _touch(LATE_PAYMENT),
            _audit(
                f"UPDATE contracts_milestone m SET status = 'overdue' WHERE {LATE_PAYMENT} "
                "RETURNING m.id, 'due' AS old",
                "milestone.overdue",
                "ct_m",
                "milestone",
                "overdue",
            ),
            "ANALYZE contracts_milestone",
            "INSERT INTO contracts_arrearscase (agency_id, enterprise_id, contract_id, milestone_id, due_on, owed, "
            "repaid, identified_on, resolved_on, status) SELECT c.agency_id, c.counterparty_id, m.contract_id, m.id, "
            "m.payment_due_on, m.amount - m.paid_amount, 0, %(as_of)s, NULL, 'identified' FROM contracts_milestone m "
            "JOIN contracts_contract c ON c.id = m.contract_id WHERE m.kind = 'payment' AND m.status = 'overdue' "
            "AND m.paid_amount < m.amount AND m.payment_due_on < %(as_of)s AND c.counterparty_size <> 'large' "
            "ON CONFLICT DO NOTHING",
            _warnings(
                "payment.overdue",
                MILESTONE_WARNING,
                _level("payment.overdue", "m.payment_due_on"),
                "m.payment_due_on",
                "WHERE m.kind = 'payment' AND m.status = 'overdue' AND m.paid_amount < m.amount",
            ),
            _warnings(
                "payment.due_soon",
                MILESTONE_WARNING,
                _level("payment.due_soon", "%(as_of)s::date"),
                "%(as_of)s",
                "WHERE m.kind = 'payment' AND m.status = 'due' AND m.paid_amount < m.amount "
                "AND m.payment_due_on BETWEEN %(as_of)s AND %(horizon)s",
            ),
            "ANALYZE contracts_warning",
            _audit(
                "UPDATE contracts_warning w SET status = 'resolved' FROM (SELECT w2.id, w2.status "
                "FROM contracts_warning w2 JOIN contracts_milestone m ON m.id = w2.milestone_id "
                "WHERE w2.rule = 'payment.due_soon' "
                f"AND w2.status IN {OPEN} AND m.status = 'overdue' FOR UPDATE OF w2) o WHERE w.id = o.id "
                "RETURNING w.id, o.status AS old",
                "warning.superseded",
                "ct_w",
                "warning",
                "resolved",
            ).replace("%(changes)s::jsonb", "'{}'::jsonb"),
            _relevel("payment.overdue"),
        ],
        "contracts.milestones": [
            _touch(LATE_DELIVERY),
            _audit(
                f"UPDATE contracts_milestone m SET status = 'overdue' WHERE {LATE_DELIVERY} "
                "RETURNING m.id, 'planned' AS old",
                "milestone.overdue",
                "ct_m",
                "milestone",
                "overdue",
            ).replace("%(changes)s::jsonb", "'{}'::jsonb"),
            "ANALYZE contracts_milestone",
        ],
        "contracts.reports": [
            _warnings(
                "report.missing",
                CONTRACT_WARNING,
                _level("report.missing", "c.next_report_due_on"),
                "c.next_report_due_on",
                f"WHERE c.status IN {ACTIVE} AND c.next_report_due_on < %(as_of)s",
            ),
            _relevel("report.missing"),
        ],
        "contracts.term": [
            _warnings(
                "term.ended",
                CONTRACT_WARNING,
                _level("term.ended", "c.ends_on"),
                "c.ends_on",
                f"WHERE c.status IN {ACTIVE} AND c.ends_on < %(as_of)s",
            ),
            _relevel("term.ended"),
        ],
        "contracts.registration": [
            _warnings(
                "register.late",
                CONTRACT_WARNING,
                _level("register.late", "c.register_due_on"),
                "c.register_due_on",
                "WHERE c.registered_on > c.register_due_on AND c.registered_on <= %(as_of)s AND NOT EXISTS "
                "(SELECT 1 FROM contracts_warning w WHERE w.rule = 'register.late' AND w.subject = 'c' || c.id)",
            ),
        ],
        "contracts.notify": [_notify()],
    }


def _notify() -> str:
    from django.utils.translation import gettext as _

    from contracts.models import Warning
    from workflow import roles

    heads, tails = [], []
    for rule, label in Warning.Rule.choices:
        head, _sep, tail = (_("Warning: %(rule)s — contract %(number)s") % {"rule": label, "number": "\x00"}).partition(
            "\x00"
        )
        heads.append(f"WHEN '{rule}' THEN {_literal(head)}")
        tails.append(f"WHEN '{rule}' THEN {_literal(tail)}")
    groups = ", ".join(_literal(g) for g in (roles.AGENCY_CLERK, roles.AGENCY_HEAD))
    return (
        "INSERT INTO workflow_notification (recipient_id, category, title, body, link, dedupe_key, created_at, "
        "read_at, emailed_at, case_code, party, step, due_on) "
        f"SELECT u.id, 'contract.warning', (CASE w.rule {' '.join(heads)} ELSE '' END) || "
        f"c.number || (CASE w.rule {' '.join(tails)} ELSE '' END), '', '', 'warning:' || w.id, %(now)s, NULL, NULL, "
        f"c.number, COALESCE(e.name, ''), {_literal(_('Acknowledge, resolve or escalate the warning'))}, NULL "
        "FROM contracts_warning w JOIN contracts_contract c ON c.id = w.contract_id "
        "LEFT JOIN workflow_enterprise e ON e.id = c.counterparty_id "
        "JOIN workflow_user u ON u.agency_id = w.agency_id AND u.is_active "
        "WHERE w.raised_on = %(as_of)s AND w.status = 'open' AND EXISTS (SELECT 1 FROM workflow_user_groups ug "
        f"JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name IN ({groups})) "
        "ON CONFLICT DO NOTHING"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def run_step(cursor, name: str, *, as_of: dt.date, now: dt.datetime) -> int:
    """Run one step's statements in the caller's transaction; returns the rows they wrote."""
    from django.contrib.contenttypes.models import ContentType

    from contracts.models import Milestone, Warning
    from contracts.sweeps import due_soon_days

    params = {
        "as_of": as_of,
        "horizon": as_of + dt.timedelta(days=due_soon_days(as_of)),
        "now": now,
        "changes": json.dumps({"as_of": as_of.isoformat()}),
        "ct_m": ContentType.objects.get_for_model(Milestone).pk,
        "ct_w": ContentType.objects.get_for_model(Warning).pk,
    }
    written = 0
    for sql in statements()[name]:
        cursor.execute(sql, params)
        written += max(cursor.rowcount, 0) if not sql.startswith("ANALYZE") else 0
    return written
