"""Create or update govcredit's q2 schedules (idempotent; schedules are found by unique name)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from workflow.clock import SHANGHAI
from workflow.management.base import GovcreditCommand

DAILY_SWEEP_AT = dt.time(1, 30)


def _next_local(at: dt.time) -> dt.datetime:
    """The next moment at `at` o'clock Asia/Shanghai, by the wall clock (schedules run in real time)."""
    now = timezone.now().astimezone(SHANGHAI)
    candidate = dt.datetime.combine(now.date(), at, tzinfo=SHANGHAI)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate


def schedule_specs() -> list[dict]:
    """name, func, type, and when the first run is."""
    every_minute = {"schedule_type": Schedule.MINUTES, "minutes": 1}
    return [
        {
            "name": "govcredit.daily_sweep",
            "func": "workflow.tasks.daily_sweep",
            "schedule_type": Schedule.DAILY,
            "minutes": None,
            "first_run": lambda: _next_local(DAILY_SWEEP_AT),
        },
        {"name": "govcredit.workflow_timers", "func": "workflow.tasks.fire_workflow_timers", **every_minute},
        {"name": "govcredit.outbox_flush", "func": "workflow.tasks.outbox_flush", **every_minute},
        {"name": "govcredit.heartbeat", "func": "workflow.tasks.heartbeat", **every_minute},
    ]


class Command(GovcreditCommand):
    help = "Create or update the q2 schedules: daily sweep, workflow timers, outbox flush, heartbeat."

    @transaction.atomic
    def handle(self, *args, **options):
        for spec in schedule_specs():
            spec = dict(spec)
            name = spec.pop("name")
            first_run = spec.pop("first_run", timezone.now)
            same_name = Schedule.objects.filter(name=name).order_by("id")
            existing = same_name.first()
            if existing is not None:
                # Names are unique by our convention only (the column is not): drop stray copies.
                same_name.exclude(pk=existing.pk).delete()
            defaults = {**spec, "hook": None, "args": None, "kwargs": None, "repeats": -1, "cron": None}
            timing_changed = existing is None or (existing.schedule_type, existing.minutes) != (
                defaults["schedule_type"],
                defaults["minutes"],
            )
            if timing_changed or existing.next_run is None:
                defaults["next_run"] = first_run()
            _schedule, created = Schedule.objects.update_or_create(name=name, defaults=defaults)
            self.stdout.write(f"{name}: {'created' if created else 'updated'}")
