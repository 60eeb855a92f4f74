"""Benchmark: working-day arithmetic and deadline computation on the statutory calendar.

Run: .venv/bin/python bench/run.py calendar   (uses the project's database; read-only)
"""

import datetime as dt
import random
import time


def run(report):
    from workflow import workdays
    from workflow.deadlines import due_for

    rng = random.Random(42)
    t0 = time.perf_counter()
    workdays.invalidate()
    cal = workdays.get_calendar()
    build = time.perf_counter() - t0
    report(
        f"calendar build (years {min(cal.years)}–{max(cal.years)}, {len(cal.workdays)} working days)",
        build,
        "s",
    )

    starts = [dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 600)) for _ in range(100_000)]
    t0 = time.perf_counter()
    for s in starts:
        workdays.add_working_days(s, 10)
    elapsed = time.perf_counter() - t0
    report("add_working_days(start, 10) x 100,000", elapsed, "s", per_op_us=elapsed / len(starts) * 1e6)

    t0 = time.perf_counter()
    for s in starts:
        workdays.count_working_days(s, s + dt.timedelta(days=45))
    elapsed = time.perf_counter() - t0
    report("count_working_days(start, start+45) x 100,000", elapsed, "s", per_op_us=elapsed / len(starts) * 1e6)

    sample = starts[:10_000]
    t0 = time.perf_counter()
    for s in sample:
        due_for("sme.pay.government", s)
    elapsed = time.perf_counter() - t0
    report(
        "due_for('sme.pay.government', start) x 10,000 (rule lookup + count)",
        elapsed,
        "s",
        per_op_us=elapsed / len(sample) * 1e6,
    )
