import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from workflow import clock, tasks
from workflow.models import Heartbeat, SweepRun

pytestmark = pytest.mark.django_db

NAMES = ["govcredit.daily_sweep", "govcredit.workflow_timers", "govcredit.outbox_flush", "govcredit.heartbeat"]


def setup_schedules():
    out = io.StringIO()
    call_command("setup_schedules", stdout=out)
    return out.getvalue().splitlines()


def test_setup_schedules_is_idempotent():
    assert setup_schedules() == [f"{name}: created" for name in NAMES]
    first_runs = dict(Schedule.objects.values_list("name", "next_run"))
    assert setup_schedules() == [f"{name}: updated" for name in NAMES]
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(NAMES)
    # Running it again does not move the next runs.
    assert dict(Schedule.objects.values_list("name", "next_run")) == first_runs


def test_schedule_functions_and_timing():
    before = timezone.now()
    setup_schedules()
    schedules = {s.name: s for s in Schedule.objects.all()}

    daily = schedules["govcredit.daily_sweep"]
    assert (daily.func, daily.schedule_type, daily.repeats) == ("workflow.tasks.daily_sweep", Schedule.DAILY, -1)
    local = daily.next_run.astimezone(clock.SHANGHAI)
    assert (local.hour, local.minute) == (1, 30)
    assert before < daily.next_run <= before + dt.timedelta(days=1)

    for name, func in [
        ("govcredit.workflow_timers", "workflow.tasks.fire_workflow_timers"),
        ("govcredit.outbox_flush", "workflow.tasks.outbox_flush"),
        ("govcredit.heartbeat", "workflow.tasks.heartbeat"),
    ]:
        schedule = schedules[name]
        assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
            func,
            Schedule.MINUTES,
            1,
            -1,
        )


def test_setup_schedules_repairs_a_changed_or_duplicated_schedule():
    setup_schedules()
    Schedule.objects.filter(name="govcredit.heartbeat").update(schedule_type=Schedule.HOURLY, func="x.y")
    Schedule.objects.create(name="govcredit.outbox_flush", func="stale.copy", schedule_type=Schedule.DAILY)
    setup_schedules()
    assert Schedule.objects.filter(name__startswith="govcredit.").count() == 4
    heartbeat = Schedule.objects.get(name="govcredit.heartbeat")
    assert (heartbeat.func, heartbeat.schedule_type) == ("workflow.tasks.heartbeat", Schedule.MINUTES)
    assert Schedule.objects.get(name="govcredit.outbox_flush").func == "workflow.tasks.outbox_flush"


def test_heartbeat_task_records_real_time(travel):
    travel("2020-01-01")  # the heartbeat ignores the demo clock: /healthz compares with the wall clock
    before = timezone.now()
    tasks.heartbeat()
    tasks.heartbeat()
    beat = Heartbeat.objects.get(name="q2")
    assert before <= beat.at <= timezone.now()
    assert Heartbeat.objects.count() == 1


def test_daily_sweep_task_runs_the_sweep_for_today(travel):
    travel("2026-10-08")
    result = tasks.daily_sweep()
    run = SweepRun.objects.get()
    assert run.as_of == dt.date(2026, 10, 8)
    assert result == {"run": run.pk, "as_of": "2026-10-08", "steps": len(run.results)}


def test_workflow_timers_task_fires_viewflow_dispatchers_on_our_clock(travel, monkeypatch):
    """Each of viewflow's three dispatchers runs once, reading govcredit's (moved) clock, and viewflow's
    own timezone module is put back afterwards. (A real timer firing: tests/contracts/test_disposal.py.)"""
    from viewflow.workflow import timers

    travel("2026-10-28")
    seen = []

    def dispatcher(name, fired):
        def run():
            seen.append((name, timers.timezone.now()))
            return fired

        return run

    monkeypatch.setattr(timers, "fire_due_timers", dispatcher("timers", 2))
    monkeypatch.setattr(timers, "fire_due_start_timers", dispatcher("start_timers", 0))
    monkeypatch.setattr(timers, "fire_due_conditions", dispatcher("conditions", 1))
    assert tasks.fire_workflow_timers() == {"timers": 2, "start_timers": 0, "conditions": 1}
    assert [name for name, _ in seen] == ["timers", "start_timers", "conditions"]
    assert {now.astimezone(clock.SHANGHAI).date() for _, now in seen} == {dt.date(2026, 10, 28)}
    assert timers.timezone is timezone


def test_outbox_flush_task_reports_counts():
    assert tasks.outbox_flush() == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
