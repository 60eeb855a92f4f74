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

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from workflow import clock
from workflow.errors import ValidationFailed
from workflow.models import SweepRun

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
    for step in sweep_steps():
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
    run.results = results
    run.error = "\n".join(failures)
    run.finished_at = clock.now()
    run.save(update_fields=["results", "error", "finished_at"])
    return run


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
