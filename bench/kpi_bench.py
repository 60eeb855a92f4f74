"""Benchmark (PostgreSQL): every KPI the product shows against a raw SQL `GROUP BY`, in one run.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gcb_kpi_100k .venv/bin/python bench/run.py kpi

on a database that holds the generated contracts (bench/run.py contracts or sweepsql leaves one; an
empty database is filled first with bench/data.py at --scale). When no sweep has run on it yet, the
catch-up sweep of --as-of (default 2026-11-20) runs first, so that warnings and arrears exist. The
clock stands at --as-of throughout (GOVCREDIT_TODAY).

For each KPI — the workbench panels (contracts.dashboards.arrears_panel, warnings_panel,
complaints_panel; repair.dashboards.repair_panel), the workbench page itself (GET /staff/),
contracts.evaluation.services.evaluation_compute for a quarter and a year, arrears_rates and
overdue_report — it times the project's function as a supervisor sees it (the whole city) and as the
head of the agency with the most contracts, and the hand-written GROUP BY of bench/kpi_baseline.py
that computes the same figures from the base tables, interleaved, BENCH_KPI_RUNS times (default 5),
and prints the medians, their ratio, and whether the figures are equal (any difference fails the
bench after every line is printed; BENCH_KPI_ONLY=word,… runs only the KPIs whose label has a word).
The evaluation ranks every agency, so a clerk's view computes
the same as the supervisor's and is timed once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import time
from decimal import Decimal

RUNS = int(os.environ.get("BENCH_KPI_RUNS", "5"))
# Comma-separated words: only the KPIs whose label contains one of them (e.g. "arrears,evaluation").
ONLY = [w for w in os.environ.get("BENCH_KPI_ONLY", "").split(",") if w]
HEAD = "bench_kpi_head"


def _prepare(report, scale: float, as_of: dt.date) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from contracts.models import Contract, Milestone
    from workflow.sweeps import sweep_run

    if not Contract.objects.exists():
        from bench.contracts_bench import sizes
        from bench.data import generate

        with override_settings(GOVCREDIT_DEMO_CASES=False):
            call_command("seed_demo", verbosity=0)
        started = time.perf_counter()
        world = generate(**sizes(scale), as_of=as_of)
        report(f"generate {world.counts['contracts']:,} contracts", time.perf_counter() - started, "s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if not Milestone.objects.filter(status=Milestone.Status.OVERDUE).exists():
        started = time.perf_counter()
        run = sweep_run(as_of=as_of)
        report(f"catch-up sweep_run(as_of={as_of})", time.perf_counter() - started, "s", error=run.error or "none")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _users():
    """The supervisor, and the head of the agency with the most contracts (made once, in the bench database)."""
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from contracts.models import Contract
    from workflow import roles
    from workflow.models import Agency, User

    supervisor = User.objects.filter(groups__name=roles.SUPERVISOR, is_active=True).order_by("pk").first()
    head = User.objects.filter(username=HEAD).first()
    if head is None:
        top = Contract.objects.order_by().values("agency").annotate(n=Count("id")).order_by("-n").first()
        agency = Agency.objects.get(pk=top["agency"]) if top else Agency.objects.order_by("pk").first()
        head = User.objects.create_user(username=HEAD, password=None, agency=agency)
        head.groups.add(Group.objects.get(name=roles.AGENCY_HEAD))
    return {"supervisor": supervisor, "agency head": head}


def _num(value):
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _panel(payload: dict) -> dict:
    """A panel's figures: its KPI values (with the count in an arrears ledger label) and each chart's
    categories and series data."""
    kpis = [_num(k["value"]) for k in payload["kpis"]]
    if any(c["id"] == "by_month" for c in payload["charts"]):  # the arrears panel: its ledger count is in a label
        kpis.append(int(re.findall(r"\d+", str(payload["kpis"][5]["label"]))[0]))
    charts = {}
    for c in payload["charts"]:
        categories = None if c["id"] == "by_age" else list(c["categories"])
        charts[c["id"]] = (categories, [[_num(v) for v in s["data"]] for s in c["series"]])
    return {"kpis": kpis, "charts": charts}


def _baseline_panel(result: dict) -> dict:
    return {
        "kpis": [_num(v) for v in result["kpis"]],
        "charts": {k: (cats, [[_num(v) for v in s] for s in series]) for k, (cats, series) in result["charts"].items()},
    }


def _evaluation_figures(rows) -> dict:
    return {r["agency"]["id"]: r["figures"] for r in rows}


def _overdue(report) -> list:
    return [(a["agency"]["id"], a["count"], a["amount"]) for a in report["agencies"]]


def _rates_overall(row: dict) -> dict:
    return {k: _num(v) for k, v in row.items()}


def _cases(as_of: dt.date, users: dict) -> list[tuple]:
    """(label, project callable, baseline callable(cursor), normalise project result, normalise baseline)."""
    from django.contrib.contenttypes.models import ContentType

    from bench import kpi_baseline as raw
    from contracts import dashboards
    from contracts.evaluation import services as evaluation
    from contracts.models import Complaint
    from repair import dashboards as repair_dashboards
    from repair.models import DishonestyRecord, RepairApplication
    from workflow.scoping import agencies_for_user, sees_everything

    year_start, year_end = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    q_end = dt.date(2026, 9, 30) if as_of > dt.date(2026, 9, 30) else year_end
    q_start = dt.date(q_end.year, q_end.month - 2, 1)
    cts = {
        "complaint_ct": ContentType.objects.get_for_model(Complaint).pk,
        "record_ct": ContentType.objects.get_for_model(DishonestyRecord).pk,
        "application_ct": ContentType.objects.get_for_model(RepairApplication).pk,
    }
    period = {"start": year_start, "end": year_end}
    out: list[tuple] = []
    for who, user in users.items():
        ids = None if sees_everything(user) else list(agencies_for_user(user).values_list("pk", flat=True))
        common = {"ids": ids, "today": as_of, **period}
        for name, build, baseline, extra in (
            ("arrears_panel", dashboards.arrears_panel, raw.arrears_panel, {}),
            ("warnings_panel", dashboards.warnings_panel, raw.warnings_panel, {}),
            (
                "complaints_panel",
                dashboards.complaints_panel,
                raw.complaints_panel,
                {"complaint_ct": cts["complaint_ct"]},
            ),
            (
                "repair_panel",
                repair_dashboards.repair_panel,
                raw.repair_panel,
                {"record_ct": cts["record_ct"], "application_ct": cts["application_ct"]},
            ),
        ):
            out.append(
                (
                    f"{name} {as_of.year} ({who})",
                    lambda build=build, user=user: build(user=user, **period),
                    lambda cursor, baseline=baseline, common=common, extra=extra: baseline(cursor, **common, **extra),
                    _panel,
                    _baseline_panel,
                )
            )
        out.append(
            (
                f"arrears_rates {as_of.year} by agency ({who})",
                lambda ids=ids: evaluation.arrears_rates(
                    start=year_start, end=year_end, group_by="agency", agency_ids=ids
                ),
                lambda cursor, ids=ids: raw._sum_groups(
                    raw._arrears_groups(cursor, year_start, year_end, ids), lambda r: r[0]
                ),
                lambda rows: {k: _rates_overall(v) for k, v in rows.items()},
                lambda rows: {k: _rates_overall(v) for k, v in rows.items()},
            )
        )
    horizon_q, horizon_y = min(q_end, as_of), min(year_end, as_of)
    for label, start, end, horizon in (
        (f"{q_start:%Y}Q{(q_start.month + 2) // 3}", q_start, q_end, horizon_q),
        (f"{as_of.year}", year_start, year_end, horizon_y),
    ):
        out.append(
            (
                f"evaluation_compute {label} (every agency)",
                lambda start=start, end=end: evaluation.evaluation_compute(period_start=start, period_end=end),
                lambda cursor, start=start, end=end, horizon=horizon: raw.evaluation(
                    cursor, start=start, end=end, horizon=horizon, complaint_ct=cts["complaint_ct"]
                ),
                _evaluation_figures,
                lambda figures: figures,
            )
        )
    out.append(
        (
            f"overdue_report {as_of.year} (every agency)",
            lambda: evaluation.overdue_report(year=as_of.year),
            lambda cursor: raw.overdue_report(cursor, year=as_of.year),
            _overdue,
            lambda rows: rows,
        )
    )
    return out


def _workbench_cases(users: dict, panel_baselines: dict) -> list[tuple]:
    """GET /staff/ (the workbench with every panel the user may see) against the GROUP BYs of those panels."""
    from django.test import Client

    out = []
    for who, user in users.items():
        client = Client()
        client.force_login(user)

        def page(client=client):
            response = client.get("/staff/")
            assert response.status_code == 200, response.status_code
            return None

        def baseline(cursor, who=who):
            for fn in panel_baselines[who]:
                fn(cursor)

        out.append((f"workbench GET /staff/ ({who})", page, baseline, lambda r: None, lambda r: None))
    return out


def _time(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(report, scale: float = 1.0, as_of: dt.date | None = None) -> dict | None:
    from django.db import connection
    from django.test.utils import override_settings

    from bench.data import DEFAULT_AS_OF

    if connection.vendor != "postgresql":
        report("kpi", "skipped", "", reason="the baselines are PostgreSQL SQL: set DATABASE_URL")
        return None
    as_of = as_of or DEFAULT_AS_OF
    saved_today = os.environ.get("GOVCREDIT_TODAY")
    os.environ["GOVCREDIT_TODAY"] = as_of.isoformat()
    out: dict = {"kpis": [], "mismatches": []}
    try:
        _prepare(report, scale, as_of)
        users = _users()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM contracts_contract), (SELECT count(*) FROM contracts_milestone), "
                "(SELECT count(*) FROM contracts_arrearscase), (SELECT count(*) FROM contracts_warning)"
            )
            contracts, milestones, arrears, warnings = cursor.fetchone()
        report(
            "  data",
            contracts,
            "contracts",
            milestones=milestones,
            arrears=arrears,
            warnings=warnings,
            head_agency=users["agency head"].agency.code,
            runs=RUNS,
        )
        cases = _cases(as_of, users)
        panel_baselines = {
            who: [c[2] for c in cases if c[0].endswith(f"({who})") and "_panel" in c[0]] for who in users
        }
        with override_settings(ALLOWED_HOSTS=["*"]):
            cases += _workbench_cases(users, panel_baselines)
            for label, project, baseline, norm_project, norm_baseline in cases:
                if ONLY and not any(word in label for word in ONLY):
                    continue
                project_times, baseline_times = [], []
                for i in range(RUNS + 1):  # the first round warms caches (templates, plans, pages) and is not counted
                    took, result = _time(project)
                    if i:
                        project_times.append(took)
                    with connection.cursor() as cursor:
                        took, expected = _time(lambda cursor=cursor, baseline=baseline: baseline(cursor))
                    if i:
                        baseline_times.append(took)
                p, b = statistics.median(project_times), statistics.median(baseline_times)
                mine, theirs = norm_project(result), norm_baseline(expected)
                same = mine == theirs
                if not same:
                    out["mismatches"].append(label)
                    print(f"MISMATCH {label}\n  project:  {mine!r:.2000}\n  baseline: {theirs!r:.2000}", flush=True)
                report(
                    label,
                    p,
                    "s",
                    baseline_s=b,
                    ratio=(p / b) if b else float("inf"),
                    same_figures=("yes" if mine is not None else "see the panels") if same else "NO",
                )
                out["kpis"].append({"label": label, "project": p, "baseline": b, "same": same})
    finally:
        if saved_today is None:
            os.environ.pop("GOVCREDIT_TODAY", None)
        else:
            os.environ["GOVCREDIT_TODAY"] = saved_today
    if out["mismatches"]:
        raise AssertionError(f"the KPIs differ from their GROUP BY in {out['mismatches']}")
    return out
