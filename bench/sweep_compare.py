"""Benchmark (PostgreSQL): the contracts sweep against its hand-written SQL baseline, in one run.

  createdb -h 127.0.0.1 -U postgres gcb_src
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gcb_src .venv/bin/python bench/run.py sweepsql --scale 1

generates the data once into the (empty) database named by DATABASE_URL (bench/data.py), copies it
twice with `createdb -T` (`<name>_orm`, `<name>_sql`), and then, for the catch-up day, the same day
again and the next day, runs the project's contracts sweep steps on one copy and the baseline
(bench/sweep_baseline.py) on the other, interleaved, each step in its own transaction as the sweep
runs it. It prints both times and their ratio, the project sweep's statement count, and checks that
both copies hold the same rows afterwards (milestone states, warnings, arrears, audit rows,
notifications): any difference fails the bench. The copies are dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time

CHECKS = {
    "milestones": "SELECT id, status FROM contracts_milestone",
    "warnings": "SELECT subject, rule, level, status, reference_on, raised_on, agency_id, contract_id, milestone_id "
    "FROM contracts_warning",
    "arrears": "SELECT milestone_id, contract_id, agency_id, enterprise_id, due_on, owed, identified_on, status "
    "FROM contracts_arrearscase",
    # Warning ids depend on the order rows were inserted in: compare warnings by (subject, rule).
    "audit": "SELECT a.action, coalesce(w.subject || '/' || w.rule, a.object_id), a.from_state, a.to_state, "
    "a.changes::text FROM workflow_auditlog a LEFT JOIN contracts_warning w ON a.action LIKE 'warning.%%' "
    "AND a.object_id = w.id::text WHERE a.actor_label = 'sweep'",
    "notifications": "SELECT n.recipient_id, w.subject, w.rule, n.title, n.category FROM workflow_notification n "
    "LEFT JOIN contracts_warning w ON n.dedupe_key = 'warning:' || w.id",
    "publications": "SELECT contract_id, released_at > %(before)s FROM contracts_contractpublication",
}


def _pg(args: list[str], settings_dict: dict) -> None:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    base = ["-h", str(settings_dict.get("HOST") or "127.0.0.1"), "-p", str(settings_dict.get("PORT") or 5432)]
    base += ["-U", str(settings_dict.get("USER") or "postgres")]
    subprocess.run([args[0], *base, *args[1:]], check=True, env=env, capture_output=True)  # noqa: S603


def _use(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _fingerprints(before: dt.datetime) -> dict[str, tuple[int, str]]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table, sql in CHECKS.items():
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM ({sql}) t",  # noqa: S608
                {"before": before},
            )
            out[table] = tuple(cursor.fetchone())
    return out


def _orm_sweep(as_of: dt.date) -> tuple[float, int, dict]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from workflow.sweeps import sweep_steps

    steps = [s for s in sweep_steps() if s.name.startswith("contracts.")]
    seconds, statements, results, slow = 0.0, 0, {}, []
    for step in steps:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            with transaction.atomic():
                results[step.name] = step.func(as_of=as_of)
            seconds += time.perf_counter() - started
        statements += sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"] and q["sql"] != "BEGIN")
        slow += [(float(q["time"]), step.name, q["sql"][:160]) for q in ctx.captured_queries]
    results["slowest"] = sorted(slow, reverse=True)[:3]
    return seconds, statements, results


def _sql_sweep(as_of: dt.date) -> float:
    from django.db import connection, transaction

    from bench import sweep_baseline
    from workflow import clock

    now = clock.now()
    seconds = 0.0
    for name in [*sweep_baseline.STEPS, "contracts.notify"]:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            sweep_baseline.run_step(cursor, name, as_of=as_of, now=now)
        seconds += time.perf_counter() - started
    return seconds


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(report, scale: float = 1.0, as_of: dt.date | None = None) -> dict | None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from bench.contracts_bench import sizes
    from bench.data import DEFAULT_AS_OF, generate
    from workflow import clock

    if connection.vendor != "postgresql":
        report("sweepsql", "skipped", "", reason="needs PostgreSQL (createdb -T): set DATABASE_URL")
        return None
    as_of = as_of or DEFAULT_AS_OF
    source = str(connection.settings_dict["NAME"])
    settings_dict = dict(connection.settings_dict)
    copies = {"orm": f"{source}_orm", "sql": f"{source}_sql"}
    saved_today = os.environ.get("GOVCREDIT_TODAY")
    out: dict = {"days": []}
    try:
        with override_settings(GOVCREDIT_DEMO_CASES=False):
            call_command("seed_demo", verbosity=0)
        started = time.perf_counter()
        world = generate(**sizes(scale), as_of=as_of)
        _analyze()
        report(
            f"generate {world.counts['contracts']:,} contracts, {world.counts['milestones']:,} milestones",
            time.perf_counter() - started,
            "s",
        )
        _use("postgres")
        for name in copies.values():
            _pg(["dropdb", "--if-exists", name], settings_dict)
            started = time.perf_counter()
            _pg(["createdb", "-T", source, name], settings_dict)
            report(f"  createdb -T {source} {name}", time.perf_counter() - started, "s")
        before = clock.now()
        for label, day in (
            ("catch-up", as_of),
            ("same day", as_of),
            ("next day", as_of + dt.timedelta(days=1)),
        ):
            os.environ["GOVCREDIT_TODAY"] = day.isoformat()
            _use(copies["orm"])
            _analyze()  # as autovacuum would have between two runs; outside the timing, on both sides
            orm_seconds, statements, results = _orm_sweep(day)
            _use(copies["sql"])
            _analyze()
            sql_seconds = _sql_sweep(day)
            ratio = orm_seconds / sql_seconds if sql_seconds else float("inf")
            report(
                f"sweep {label} ({day}): project / baseline",
                ratio,
                "x",
                project_s=orm_seconds,
                baseline_s=sql_seconds,
                project_statements=statements,
            )
            for took, step_name, sql in results.pop("slowest"):
                report(f"    slowest: {step_name}", took, "s", sql=sql)
            out["days"].append(
                {"label": label, "ratio": ratio, "project": orm_seconds, "baseline": sql_seconds, "results": results}
            )
        prints = {}
        for side, name in copies.items():
            _use(name)
            prints[side] = _fingerprints(before)
        mismatches = [t for t in CHECKS if prints["orm"][t] != prints["sql"][t]]
        for table in CHECKS:
            report(
                f"  same rows: {table}",
                "yes" if table not in mismatches else "NO",
                "",
                rows=prints["orm"][table][0],
                baseline_rows=prints["sql"][table][0],
            )
        out["mismatches"] = mismatches
    finally:
        if saved_today is None:
            os.environ.pop("GOVCREDIT_TODAY", None)
        else:
            os.environ["GOVCREDIT_TODAY"] = saved_today
        _use("postgres")
        if not os.environ.get("BENCH_KEEP_COPIES"):  # keep them to look at a mismatch
            for name in copies.values():
                _pg(["dropdb", "--if-exists", name], settings_dict)
        _use(source)
    if out.get("mismatches"):
        raise AssertionError(f"the project sweep and the baseline left different rows in {out['mismatches']}")
    return out
