"""Benchmark: 100,000 contracts with 500,000 milestones — generation, the daily sweep, the evaluation.

Run on a scratch database (bench/run.py explains --db):
  .venv/bin/python bench/run.py contracts --db sqlite               (var/bench.sqlite3, recreated)
  .venv/bin/python bench/run.py contracts --db postgres             (an empty govcredit_bench database)
  .venv/bin/python bench/run.py contracts --db sqlite --scale 0.01  (1,000 contracts: a smoke run)

Measures (wall clock, and the process's peak RSS so far):
1. generating the data (bench/data.py) into the empty database;
2. the first daily sweep for `as_of` (2026-11-20): the catch-up after a bulk load, when everything
   that fell due before that day is found at once;
3. the same sweep again the same day: must create nothing (checked);
4. the sweep for the next day: the steady daily cost;
5. `contracts.evaluation.services.evaluation_compute` for 2026Q3 and for 2026.

Each sweep's per-step results are checked against what bench/data.py predicts from the facts it
generated (`World.expected`); any difference fails the bench after every figure is printed.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time

FULL = {"contracts": 100_000, "agencies": 200, "enterprises": 5_000}


def sizes(scale: float) -> dict:
    return {
        "contracts": max(1, round(FULL["contracts"] * scale)),
        "agencies": max(5, round(FULL["agencies"] * scale)),
        "enterprises": max(20, round(FULL["enterprises"] * scale)),
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _is_project_database() -> bool:
    from django.conf import settings
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and os.path.abspath(name) == os.path.abspath(settings.BASE_DIR / "db.sqlite3")


def _database_size_mib() -> float | None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 2**20
    name = str(connection.settings_dict["NAME"])
    return os.path.getsize(name) / 2**20 if os.path.exists(name) else None


def _analyze() -> None:
    """PostgreSQL: refresh the planner statistics, as autovacuum would have between the bulk load
    and a sweep, or between two sweeps (done here so that the figures do not depend on whether it
    already had; the project machine's server even runs with autovacuum off)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _rows() -> dict[str, int]:
    from contracts.models import ArrearsCase, Milestone, Warning
    from workflow.models import AuditLog, Notification

    return {
        "warnings": Warning.objects.count(),
        "arrears": ArrearsCase.objects.count(),
        "audit": AuditLog.objects.count(),
        "notifications": Notification.objects.count(),
        "overdue_milestones": Milestone.objects.filter(status=Milestone.Status.OVERDUE).count(),
    }


def _compact(result) -> str:
    if isinstance(result, dict):
        return " ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in result.items())
    return f"{result:,}" if isinstance(result, int) else str(result)


def _sweep(report, label: str, day: dt.date, expected: dict | None) -> dict:
    from workflow import clock
    from workflow.sweeps import sweep_run

    os.environ["GOVCREDIT_TODAY"] = day.isoformat()
    if clock.today() != day:
        raise RuntimeError("the bench moves the clock with GOVCREDIT_TODAY: turn GOVCREDIT_ALLOW_CLOCK_OVERRIDE on")
    _analyze()
    before = _rows()
    started = time.perf_counter()
    run = sweep_run(as_of=day)
    elapsed = time.perf_counter() - started
    after = _rows()
    created = {k: after[k] - before[k] for k in after}
    report(f"{label}: sweep_run(as_of={day})", elapsed, "s", peak_rss_mib=peak_rss_mib())
    mismatches = []
    for name, outcome in run.results.items():
        if outcome.get("ok"):
            report(f"  step {name}", outcome["seconds"], "s", result=_compact(outcome["result"]))
        else:
            report(f"  step {name}", outcome["seconds"], "s", error=outcome.get("error"))
            mismatches.append(f"{label}: step {name} failed: {outcome.get('error')}")
    report(f"  {label}: rows added", sum(created.values()), "rows", **created)
    for name, want in (expected or {}).items():
        got = run.results.get(name, {}).get("result")
        if got != want:
            mismatches.append(f"{label}: {name} reported {got!r}, the generated data says {want!r}")
    return {"day": day, "seconds": elapsed, "results": run.results, "created": created, "mismatches": mismatches}


def _evaluation(report) -> dict | None:
    from contracts.evaluation import services as evaluation

    compute = evaluation.evaluation_compute
    out = {}
    for label, start, end in (
        ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ):
        started = time.perf_counter()
        rows = compute(period_start=start, period_end=end)
        elapsed = time.perf_counter() - started
        figures = [r.get("figures", {}) for r in rows]
        out[label] = {"seconds": elapsed, "agencies": len(rows)}
        report(
            f"evaluation_compute({label}: {start}..{end})",
            elapsed,
            "s",
            agencies=len(rows),
            ranked=sum(1 for r in rows if r.get("score") is not None),
            payments_due=sum(f.get("payments_due", 0) for f in figures),
            overdue_payables=sum(f.get("overdue_payables_count", 0) for f in figures),
            arrears=sum(f.get("arrears_identified", 0) for f in figures),
            peak_rss_mib=peak_rss_mib(),
        )
    started = time.perf_counter()
    annual = evaluation.overdue_report(year=2026)
    elapsed = time.perf_counter() - started
    out["overdue_report"] = {"seconds": elapsed}
    report("overdue_report(year=2026)", elapsed, "s", agencies=len(annual["agencies"]), count=annual["total_count"])
    return out


def _try_sql(report, statements) -> None:
    from django.db import connection

    for sql in statements:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql)
        _analyze()
        report(f"try-sql: {sql}", time.perf_counter() - started, "s")


def run(report, scale: float = 1.0, as_of: dt.date | None = None, try_sql: list[str] | None = None) -> dict | None:
    from django.core.management import call_command
    from django.test.utils import override_settings

    from bench.data import DEFAULT_AS_OF, generate

    if _is_project_database():
        report("contracts", "skipped", "", reason="needs a scratch database: run with --db sqlite or --db postgres")
        return None
    as_of = as_of or DEFAULT_AS_OF
    n = sizes(scale)
    saved_today = os.environ.get("GOVCREDIT_TODAY")
    try:
        with override_settings(GOVCREDIT_DEMO_CASES=False):  # the demo parties, not the demo cases
            call_command("seed_demo", verbosity=0)
        started = time.perf_counter()
        world = generate(**n, as_of=as_of)
        _analyze()
        elapsed = time.perf_counter() - started
        c = world.counts
        report(
            f"generate {c['contracts']:,} contracts, {c['milestones']:,} milestones, {c['payments']:,} payments",
            elapsed,
            "s",
            agencies=c["agencies"],
            enterprises=c["enterprises"],
            peak_rss_mib=peak_rss_mib(),
        )
        report(
            "  generated",
            c["contracts"],
            "contracts",
            performing=c["performing"],
            payment_due_unpaid=len(world.unpaid_due),
            fell_due_before_as_of=sum(1 for m in world.unpaid_due if m[0] < as_of),
            planned_past=sum(1 for m in world.planned if m[0] < as_of),
            registered_late=sum(1 for x in world.contracts if x[3]),
            **{k: v for k, v in sorted(c.items()) if k.startswith("unrecorded.")},
        )
        report(
            "  milestones by kind.status",
            c["milestones"],
            "",
            **{k.removeprefix("milestone."): v for k, v in sorted(c.items()) if k.startswith("milestone.")},
        )
        size = _database_size_mib()
        if size is not None:
            report("  database size after generation", size, "MiB")
        _try_sql(report, try_sql or [])

        sweeps = [
            _sweep(report, "sweep 1 (catch-up)", as_of, world.expected(as_of)),
            _sweep(report, "sweep 2 (same day again)", as_of, world.expected(as_of, previous=as_of)),
        ]
        if any(sweeps[1]["created"].values()):
            sweeps[1]["mismatches"].append(f"sweep 2 created rows: {sweeps[1]['created']}")
        next_day = as_of + dt.timedelta(days=1)
        sweeps.append(_sweep(report, "sweep 3 (next day)", next_day, world.expected(next_day, previous=as_of)))
        evaluation = _evaluation(report)
        size = _database_size_mib()
        if size is not None:
            report("  database size at the end", size, "MiB", peak_rss_mib=peak_rss_mib())
    finally:
        if saved_today is None:
            os.environ.pop("GOVCREDIT_TODAY", None)
        else:
            os.environ["GOVCREDIT_TODAY"] = saved_today
    mismatches = [m for s in sweeps for m in s["mismatches"]]
    for m in mismatches:
        print(f"MISMATCH {m}", flush=True)
    if mismatches:
        raise AssertionError(f"{len(mismatches)} sweep result(s) differ from the generated data (see MISMATCH lines)")
    return {"counts": dict(world.counts), "world": world, "sweeps": sweeps, "evaluation": evaluation}
