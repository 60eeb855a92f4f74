"""The contracts benchmark keeps working: its generator and its three sweeps at a tiny scale.

bench/contracts_bench.py fails by itself when a sweep reports other numbers than the generated
data predicts (bench/data.py `World.expected`); this runs it for 200 contracts on the test database.
"""

import pytest

from bench import contracts_bench

pytestmark = pytest.mark.django_db

CONTRACT_STEPS = ["contracts.milestones", "contracts.reports", "contracts.term", "contracts.registration"]


@pytest.fixture
def figures(monkeypatch):
    monkeypatch.delenv("GOVCREDIT_TODAY", raising=False)
    lines = []
    out = contracts_bench.run(lambda label, value, unit="", **extra: lines.append(label), scale=0.002)
    return out, lines


def test_the_generator_makes_what_the_bench_reports(figures):
    out, lines = figures
    counts = out["counts"]
    assert (counts["contracts"], counts["milestones"]) == (200, 1000)
    assert counts["agencies"] == 8 + 5 and counts["enterprises"] == 5 + 20
    assert 0 < counts["performing"] < 200
    assert counts["partially_paid"] > 0 and counts["milestone.payment.met_late"] > 0
    # One payment row per milestone paid in full (on time or late) or in part.
    assert counts["payments"] == (
        counts["milestone.payment.met"] + counts["milestone.payment.met_late"] + counts["partially_paid"]
    )
    kinds = {k.split(".")[1] for k in counts if k.startswith("milestone.")}
    assert kinds == {"delivery", "acceptance", "payment"}
    assert any(label.startswith("generate 200 contracts, 1,000 milestones") for label in lines)


def test_every_sweep_step_does_what_the_data_predicts(figures):
    out, _lines = figures
    first, again, next_day = out["sweeps"]
    for sweep in (first, again, next_day):
        assert sweep["mismatches"] == []
        assert all(outcome["ok"] for outcome in sweep["results"].values())
    # The catch-up sweep exercises every contracts step.
    payments = first["results"]["contracts.payments"]["result"]
    assert payments["overdue"] > 0 and payments["arrears_opened"] > 0 and payments["warnings_due_soon"] > 0
    assert payments["warnings_overdue"] == payments["overdue"]
    assert all(first["results"][step]["result"] > 0 for step in CONTRACT_STEPS)
    assert first["results"]["contracts.notify"]["result"] > 0
    assert first["created"]["warnings"] == (
        payments["warnings_overdue"]
        + payments["warnings_due_soon"]
        + sum(first["results"][step]["result"] for step in CONTRACT_STEPS[1:])
    )
    # The same day again: nothing new at all.
    assert again["created"] == dict.fromkeys(again["created"], 0)
    # The next day: a day's worth of work, far less than the catch-up.
    assert 0 < sum(next_day["created"].values()) < sum(first["created"].values())


def test_the_evaluation_is_timed(figures):
    out, lines = figures
    assert {"2026Q3", "2026"} <= set(out["evaluation"])
    # Every agency that signed a generated contract is in the ranking, for the quarter and the year.
    assert out["evaluation"]["2026Q3"]["agencies"] == out["evaluation"]["2026"]["agencies"] > 0
    assert any(label.startswith("evaluation_compute(2026Q3") for label in lines)
