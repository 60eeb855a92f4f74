"""The daily sweep: a registry of idempotent steps run for an as-of date.

A step is a function `f(*, as_of: date) -> int | dict` registered with `@sweep_step(name, order)`.
`sweep_run(as_of=...)` runs every step in order, each in its own transaction, and records what
each did (or the error it raised) in a SweepRun row; a failing step does not stop the others.

Apps add steps in a module named `sweeps` (e.g. `contracts/sweeps.py`); every installed app's
`sweeps` module is imported (autodiscovered) before a run. Steps must be safe to run twice for
the same date and for a past date (q2 may replay a missed schedule).

This module registers the engine's own steps: `deadlines.overdue` and `documents.render_pending`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Cast, Concat
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from workflow import clock, rules, workdays
from workflow.errors import ValidationFailed
from workflow.models import AuditLog, SweepRun
from workflow.request_context import current_request_id

logger = logging.getLogger(__name__)

StepFunc = Callable[..., "int | dict"]


@dataclass(frozen=True)
class SweepStep:
    name: str
    order: int
    func: StepFunc


SWEEP_STEPS: dict[str, SweepStep] = {}
_discovered = False


def sweep_step(name: str, order: int = 100):
    """Register `f(*, as_of) -> int | dict` as a sweep step. Lower `order` runs first."""

    def register(func: StepFunc) -> StepFunc:
        existing = SWEEP_STEPS.get(name)
        if existing is not None and _qualname(existing.func) != _qualname(func):
            raise ValueError(f"sweep step {name!r} is already registered by {_qualname(existing.func)}")
        SWEEP_STEPS[name] = SweepStep(name=name, order=order, func=func)
        return func

    return register


def _qualname(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def discover_steps() -> None:
    """Import `<app>.sweeps` for every installed app that has one (once per process)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("sweeps")
        _discovered = True


def sweep_steps() -> list[SweepStep]:
    discover_steps()
    return sorted(SWEEP_STEPS.values(), key=lambda s: (s.order, s.name))


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@contextlib.contextmanager
def sweep_reads_pinned():
    """The rules and the working-day calendar as they are when the sweep starts, for the whole sweep:
    one signature check each on entry and no timed re-check while it runs (a 10-minute sweep at 1M
    contracts used to re-check every 30 s, so its statement count followed its wall time)."""
    with rules.pinned(), workdays.pinned():
        yield


def sweep_run(*, as_of: dt.date) -> SweepRun:
    """Run every registered step for `as_of` and record the outcome of each.

    Not one transaction: each step commits (or rolls back) on its own, so one failing step
    neither undoes nor blocks the others. Check `run.error` (empty when every step succeeded).
    """
    today = clock.today()
    if as_of > today:
        raise ValidationFailed(
            _("The sweep cannot run for a future date (%(as_of)s; today is %(today)s).")
            % {"as_of": as_of.isoformat(), "today": today.isoformat()},
            "sweep_future_date",
            field="as_of",
        )
    run = SweepRun.objects.create(as_of=as_of, started_at=clock.now(), results={})
    results: dict[str, dict] = {}
    failures: list[str] = []
    with sweep_reads_pinned():
        for step in sweep_steps():
            _step_run(step, as_of, results, failures)
    run.results = results
    run.error = "\n".join(failures)
    run.finished_at = clock.now()
    run.save(update_fields=["results", "error", "finished_at"])
    return run


def _step_run(step: SweepStep, as_of: dt.date, results: dict, failures: list[str]) -> None:
    started = time.monotonic()
    try:
        with transaction.atomic():
            outcome = step.func(as_of=as_of)
        results[step.name] = {"ok": True, "result": _jsonable(outcome)}
    except Exception as exc:
        logger.exception("Sweep step %s failed for %s", step.name, as_of)
        message = f"{type(exc).__name__}: {exc}"
        results[step.name] = {"ok": False, "error": message}
        failures.append(f"{step.name}: {message}")
    results[step.name]["seconds"] = round(time.monotonic() - started, 3)


def sweep_failed_steps(run: SweepRun) -> list[str]:
    return [name for name, outcome in (run.results or {}).items() if not outcome.get("ok")]


# --- the engine's own steps ------------------------------------------------------------------


@sweep_step("deadlines.overdue", order=10)
def _deadlines_overdue(*, as_of: dt.date) -> int:
    """Running statutory clocks whose due date is before as_of become overdue."""
    from workflow.deadlines import deadlines_mark_overdue

    return deadlines_mark_overdue(as_of=as_of)


@sweep_step("notifications.deadlines_soon", order=20)
def _deadlines_remind(*, as_of: dt.date) -> int:
    """The officer who owns a clock hears of it some working days before it ends (rule notify.deadline.remind)."""
    from workflow.notifications import deadlines_remind

    return deadlines_remind(as_of=as_of)


@sweep_step("documents.render_pending", order=90)
def _documents_render_pending(*, as_of: dt.date):
    """Render documents still waiting for their PDF (a worker died, or a render failed)."""
    from workflow.documents import documents_render_pending

    return documents_render_pending()


@sweep_step("ratelimit.purge_expired", order=95)
def _ratelimit_purge_expired(*, as_of: dt.date) -> int:
    """Delete the rate-limit counters whose window has closed (database backend)."""
    from workflow.ratelimit import purge_expired

    return purge_expired()


# --- set-based building blocks for the steps ------------------------------------------------
#
# A step's statements must not grow in number with the data: no ids through Python, no COUNT(*)
# before and after. Both helpers compile a Django queryset (so the SQL works on SQLite and
# PostgreSQL alike) and wrap it in one INSERT … SELECT or one UPDATE … RETURNING.


def _compiled(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _insert_columns(model, queryset, values: dict, **extra) -> tuple[list[str], list[str], str, tuple]:
    """The parts of an INSERT INTO `model` … SELECT over `queryset`: the quoted target columns, the
    aliases of the select list that feed them (in order), and the compiled SELECT, which also carries
    the `extra` annotations (e.g. the source row's pk) under their own names."""
    columns: list[str] = []
    annotations: dict = {}
    for i, field in enumerate(f for f in model._meta.concrete_fields if not f.primary_key):
        if field.name in values:
            expression = values[field.name]
        elif field.attname in values:
            expression = values[field.attname]
        else:  # what a model instance would get: its default, "" for text, else NULL
            default = field.get_default()
            if default is None and not field.null:
                raise ValueError(f"insert_select: no value for {model.__name__}.{field.name}")
            expression = Value(default, output_field=field)
        if not hasattr(expression, "resolve_expression"):
            expression = Value(expression, output_field=field)
        if isinstance(expression, Value) and expression.value is None:
            expression = Cast(expression, output_field=field)  # PostgreSQL: a bare NULL would be text
        annotations[f"gc_col{i}"] = expression
        columns.append(connection.ops.quote_name(field.column))
    aliases = list(annotations)
    select = queryset.order_by().annotate(**annotations, **extra).values_list(*aliases, *extra)
    sql, params = _compiled(select)
    return columns, aliases, sql, params


def insert_select(model, queryset, values: dict, *, on_conflict_skip: bool = True) -> int:
    """INSERT INTO `model` one row per row of `queryset`, each column from `values`
    (field name -> expression over the queryset's model) or the field's default. Rows that would
    break a unique constraint (e.g. "one open warning per subject and rule") are skipped with
    `ON CONFLICT DO NOTHING`. Returns the number of rows inserted. One statement."""
    columns, aliases, sql, params = _insert_columns(model, queryset, values)
    # The subquery keeps SQLite's parser from reading ON CONFLICT as a join constraint.
    # Identifiers come from the model's meta, values travel as parameters.
    table = connection.ops.quote_name(model._meta.db_table)
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(aliases)} FROM ({sql}) gc_src WHERE 1 = 1"  # noqa: S608
    )
    if on_conflict_skip:
        statement += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def update_audited(queryset, *, values: dict, audit: dict, returning: tuple[str, ...] = ()) -> list[tuple]:
    """Set `values` (field name -> constant) on every row of `queryset`, with one AuditLog row each
    built from `audit` (AuditLog field -> expression over the queryset's model), in the caller's
    transaction. Returns (pk, *returning) of each changed row as it was before the change (e.g. the
    name of a file the caller deletes after commit).

    PostgreSQL: one statement, the rows locked (FOR UPDATE), updated, and audited from the update's
    RETURNING. SQLite: the audit rows are inserted from the selection (which takes SQLite's database
    write lock, so the selection cannot change), then the rows are read and updated: three statements."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("update_audited must run inside a transaction")
    model = queryset.model
    rows = queryset.order_by()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    assigned = tuple(f.get_db_prep_save(values[f.name], connection) for f in fields)
    if connection.vendor == "postgresql":
        sql, params = _compiled(rows.values_list("pk", *returning).select_for_update(of=("self",)))
        names = ", ".join(["gc_pk", *(f"gc_r{i}" for i in range(len(returning)))])
        columns, aliases, audit_sql, audit_params = _insert_columns(
            AuditLog, model.objects.all(), audit, gc_source_pk=F("pk")
        )
        # Identifiers come from the models' meta, values travel as parameters.
        statement = (
            f"WITH gc_old ({names}) AS ({sql}), "  # noqa: S608
            f"gc_new AS (UPDATE {table} SET {assignments} FROM gc_old WHERE {table}.{pk} = gc_old.gc_pk "
            f"RETURNING gc_old.*), "
            f"gc_audit AS (INSERT INTO workflow_auditlog ({', '.join(columns)}) "
            f"SELECT {', '.join(aliases)} FROM ({audit_sql}) gc_src "
            f"WHERE gc_src.gc_source_pk IN (SELECT gc_pk FROM gc_new)) "
            f"SELECT {names} FROM gc_new ORDER BY gc_pk"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, (*params, *assigned, *audit_params))
            return [tuple(row) for row in cursor.fetchall()]
    audited = insert_select(AuditLog, rows, audit, on_conflict_skip=False)
    before = [tuple(row) for row in rows.order_by("pk").values_list("pk", *returning)]
    sql, params = _compiled(rows.values("pk"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} IN ({sql})", (*assigned, *params))  # noqa: S608
        changed = cursor.rowcount
    if not changed == audited == len(before):  # cannot happen under SQLite's write lock
        raise RuntimeError(f"update_audited: {changed} rows changed, {audited} audited, {len(before)} read")
    return before


class IsoDate(Func):
    """A date column as the text `date.isoformat()` gives ('2026-03-01'), on SQLite and PostgreSQL."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])  # dates are stored as ISO text

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql}, 'YYYY-MM-DD')", params


class IsoDateTime(Func):
    """A (UTC) datetime column as the text `datetime.isoformat()` gives for an aware UTC value
    ('2026-03-02T01:02:03.456789+00:00', no fraction when it is zero), on SQLite and PostgreSQL."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])  # stored as '2026-03-02 01:02:03[.ffffff]'
        return f"(replace({sql}, ' ', 'T') || '+00:00')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        utc = f"({sql} AT TIME ZONE 'UTC')"
        return (
            f"(CASE WHEN mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 "
            f"""THEN to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') """
            f"""ELSE to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS.US') END || '+00:00')"""
        ), params


def sql_text(template: str, **parts) -> Concat | Value:
    """A (translated) text with %(name)s placeholders as SQL: `parts` gives an expression for each
    name, so that a sweep builds each row's text in the database, in the order the language puts
    the placeholders (e.g. "From %(day)s you may apply … %(number)s")."""
    pieces: list = []
    position = 0
    for match in re.finditer(r"%\((\w+)\)s", template):
        if match.start() > position:
            pieces.append(Value(template[position : match.start()]))
        pieces.append(parts[match.group(1)])
        position = match.end()
    if position < len(template):
        pieces.append(Value(template[position:]))
    if len(pieces) == 1:
        return pieces[0]
    return Concat(*pieces, output_field=CharField())


def transition_where(queryset, *, field: str, source, target: str, action: str, changes: dict | None = None) -> int:
    """The set-based form of `workflow.transitions.transition` for sweeps: every row of `queryset`
    still in a `source` state moves to `target`, with one audit row each (who: "sweep", from, to,
    `changes`), in the caller's transaction. Returns the number of rows changed.

    PostgreSQL: one statement, the rows locked (FOR UPDATE) and updated with their previous state
    RETURNING into the INSERT of the audit rows. SQLite: the audit rows are inserted from the
    same selection and then the rows are updated; the first write takes SQLite's database write
    lock, so nothing can change the selection between the two statements."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_where must run inside a transaction")
    model = queryset.model
    sources = [source] if isinstance(source, str) else list(source)
    rows = queryset.filter(**{f"{field}__in": sources}).order_by()
    ct = ContentType.objects.get_for_model(model)
    now = clock.now()
    label = f"{model._meta.model_name} "
    changes_json = json.dumps(changes or {}, cls=DjangoJSONEncoder)
    request_id = current_request_id()
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    audit_columns = (
        "at, actor_id, actor_label, action, content_type_id, object_id, object_repr, from_state, to_state, "
        "reason, changes, request_id"
    )
    if connection.vendor == "postgresql":
        sql, params = _compiled(rows.values_list("pk", field).select_for_update(of=("self",)))
        # Identifiers come from the model's meta, values travel as parameters.
        statement = (
            f"WITH gc_old (pk, state) AS ({sql}), "  # noqa: S608
            f"gc_new AS (UPDATE {table} SET {column} = %s FROM gc_old WHERE {table}.{pk} = gc_old.pk "
            f"RETURNING gc_old.pk, gc_old.state) "
            f"INSERT INTO workflow_auditlog ({audit_columns}) "
            f"SELECT %s, NULL, 'sweep', %s, %s, CAST(pk AS varchar), %s || CAST(pk AS varchar), state, %s, '', "
            f"CAST(%s AS jsonb), %s FROM gc_new"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                statement,
                (
                    *params,
                    target,
                    connection.ops.adapt_datetimefield_value(now),
                    action,
                    ct.pk,
                    label,
                    target,
                    changes_json,
                    request_id,
                ),
            )
            return max(cursor.rowcount, 0)
    audited = insert_select(
        AuditLog,
        rows,
        {
            "at": Value(now, output_field=AuditLog._meta.get_field("at")),
            "actor_label": "sweep",
            "action": action,
            "content_type_id": ct.pk,
            "object_id": Cast("pk", output_field=CharField()),
            "object_repr": Concat(Value(label), Cast("pk", output_field=CharField()), output_field=CharField()),
            "from_state": F(field),
            "to_state": target,
            "changes": Value(changes or {}, output_field=AuditLog._meta.get_field("changes")),
            "request_id": request_id,
        },
        on_conflict_skip=False,
    )
    changed = model.objects.filter(pk__in=rows.values("pk")).update(**{field: target})
    if changed != audited:  # cannot happen under SQLite's write lock; refuse a half-audited change
        raise RuntimeError(f"transition_where: {changed} rows changed but {audited} audited")
    return changed


def statistics_refresh(*models) -> None:
    """PostgreSQL: after a bulk step, ANALYZE the tables it changed so that the step's next queries are
    planned for the data as it now is (in the same transaction, ANALYZE sees the transaction's own
    changes). Stale statistics made the "due soon superseded" query a nested loop over every overdue
    milestone: 497 s of a 1M-contract catch-up (issue 11). It runs whether few or many rows changed,
    so that the sweep's statement count does not depend on the data (it used to run above 5,000
    changed rows only); ANALYZE reads a fixed-size sample, so its cost does not grow with the table."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
