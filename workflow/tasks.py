"""q2 task entry points of the shared engine.

Each takes ids (or nothing), re-fetches what it needs, calls a service, and is safe to run twice.
Schedules (see the setup_schedules command) and workflow.jobs.enqueue refer to these by dotted
path, e.g. "workflow.tasks.outbox_deliver".
"""

from __future__ import annotations

import logging

from django.utils import timezone

from workflow import clock
from workflow.models import Heartbeat
from workflow.notifications import (
    notification_email,
    notification_email_batch,
    notification_sms,
    party_message_send,
)
from workflow.outbox import outbox_deliver
from workflow.outbox import outbox_flush as _outbox_flush
from workflow.sweeps import sweep_failed_steps, sweep_run

logger = logging.getLogger(__name__)

HEARTBEAT_NAME = "q2"

__all__ = [
    "daily_sweep",
    "fire_workflow_timers",
    "heartbeat",
    "notification_email",
    "notification_email_batch",
    "notification_sms",
    "outbox_deliver",
    "outbox_flush",
    "party_message_send",
]


def daily_sweep() -> dict:
    """The nightly sweep for today (Asia/Shanghai). Raises after recording if a step failed,
    so the failure shows in q2's failed tasks; re-running is safe."""
    run = sweep_run(as_of=clock.today())
    failed = sweep_failed_steps(run)
    if failed:
        raise RuntimeError(f"sweep {run.as_of.isoformat()} (run {run.pk}): step(s) failed: {', '.join(failed)}")
    return {"run": run.pk, "as_of": run.as_of.isoformat(), "steps": len(run.results)}


class _GovcreditClock:
    """Stands in for django.utils.timezone inside viewflow's dispatcher: "now" is govcredit's clock,
    which is the real time in production and the moved clock in demos and tests."""

    def __getattr__(self, name):
        return getattr(timezone, name)

    @staticmethod
    def now():
        from workflow import clock

        return clock.now()


def fire_workflow_timers() -> dict:
    """viewflow's timer dispatcher: due Timer tasks, due StartTimers, and true conditions. Timers are
    fed due moments from our calendar (workflow.deadlines.due_moment) and compared with our clock."""
    from viewflow.workflow import timers

    original = timers.timezone
    timers.timezone = _GovcreditClock()
    try:
        return {
            "timers": timers.fire_due_timers(),
            "start_timers": timers.fire_due_start_timers(),
            "conditions": timers.fire_due_conditions(),
        }
    finally:
        timers.timezone = original


def outbox_flush() -> dict:
    """Deliver due pending outbox messages (retries after backoff land here)."""
    return _outbox_flush()


def heartbeat() -> str:
    """Record that the q2 cluster is alive. Real time on purpose: /healthz compares with the wall clock."""
    at = timezone.now()
    Heartbeat.objects.update_or_create(name=HEARTBEAT_NAME, defaults={"at": at})
    return at.isoformat()
