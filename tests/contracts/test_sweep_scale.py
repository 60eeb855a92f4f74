"""The daily sweep is built for the database: its statements do not grow with the data, and a
same-day re-run writes nothing (issue 11). The data comes from the bench generator (bench/data.py),
which makes a realistic mix: overdue payments, SME arrears, late reports, ended terms, late registrations."""

import datetime as dt
import itertools
import types

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from bench.data import generate
from contracts.models import ArrearsCase, Milestone, Warning
from workflow.models import AuditLog, Notification
from workflow.sweeps import sweep_run

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


class _Undo(Exception):
    pass


def _rows() -> dict[str, int]:
    return {
        "warnings": Warning.objects.count(),
        "arrears": ArrearsCase.objects.count(),
        "audit": AuditLog.objects.count(),
        "notifications": Notification.objects.count(),
        "overdue": Milestone.objects.filter(status=Milestone.Status.OVERDUE).count(),
    }


def _sweep(day: dt.date) -> tuple[int, dict, dict]:
    """(statements issued, savepoints aside; per-step results; rows added) of one sweep_run for `day`."""
    before = _rows()
    with CaptureQueriesContext(connection) as ctx:
        run = sweep_run(as_of=day)
    after = _rows()
    assert run.error == ""
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    return len(statements), run.results, {k: after[k] - before[k] for k in after}


def _three_sweeps(contracts: int) -> list[tuple[int, dict, dict]]:
    """Catch-up, the same day again, the next day, on `contracts` generated contracts; rolled back."""
    out = []
    try:
        with transaction.atomic():
            generate(contracts=contracts, agencies=5, enterprises=20, as_of=AS_OF)
            out.append(_sweep(AS_OF))
            out.append(_sweep(AS_OF))
            out.append(_sweep(AS_OF + dt.timedelta(days=1)))
            raise _Undo
    except _Undo:
        pass
    return out


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setenv("GOVCREDIT_TODAY", (AS_OF + dt.timedelta(days=1)).isoformat())
    with override_settings(GOVCREDIT_DEMO_CASES=False):
        call_command("seed_demo", verbosity=0)


def test_the_sweep_issues_as_many_queries_for_100_contracts_as_for_10(world):
    _three_sweeps(10)  # warms the per-process caches (content types, rules) that the first run fills
    small = _three_sweeps(10)
    large = _three_sweeps(100)
    # The larger world really has more to do: more rows written by the catch-up.
    assert sum(large[0][2].values()) > sum(small[0][2].values()) > 0
    assert (
        large[0][1]["contracts.payments"]["result"]["overdue"] > small[0][1]["contracts.payments"]["result"]["overdue"]
    )
    # ... with the same number of statements, sweep by sweep.
    assert [queries for queries, _results, _rows in large] == [queries for queries, _results, _rows in small]


def test_a_same_day_rerun_writes_nothing_in_a_few_queries(world):
    first, again, _next_day = _three_sweeps(100)
    assert first[2]["warnings"] > 0 and first[2]["notifications"] > 0 and first[2]["audit"] > 0
    assert again[2] == dict.fromkeys(again[2], 0)
    # Every step of the sweep (the engine's, repair's, complaints', contracts') in about thirty
    # statements, with its SweepRun row: each contracts step one or two selective statements, each
    # repair step its fixed set-based statements (they run whether or not a row qualifies).
    assert again[0] <= 34  # with the two signature checks of the pinned rules and calendar
    payments = again[1]["contracts.payments"]["result"]
    assert set(payments.values()) == {0}
    assert again[1]["contracts.notify"]["result"] == 0


def test_a_long_sweep_issues_as_many_statements_as_a_quick_one(world, monkeypatch):
    """At 1M contracts a catch-up runs for ten minutes; the rules and calendar caches re-check their
    signature every 30 s, and those checks made the sweep's statement count follow its wall time
    (30 at 1M against 26 at 100k). The sweep now reads them as they are when it starts."""
    _three_sweeps(10)
    quick = [queries for queries, _results, _rows in _three_sweeps(10)]
    # Every reading of either cache's clock is 31 s after the previous one: each read is "stale".
    ticks = itertools.count(start=1000.0, step=31.0)
    slow_clock = types.SimpleNamespace(monotonic=lambda: next(ticks))
    monkeypatch.setattr("workflow.rules.time", slow_clock)
    monkeypatch.setattr("workflow.workdays.time", slow_clock)
    slow = [queries for queries, _results, _rows in _three_sweeps(10)]
    assert slow == quick
