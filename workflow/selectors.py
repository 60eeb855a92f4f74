"""Reads for the staff shell: landing cards, inbox, calendar page. No writes here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.module_loading import import_string

from workflow import workdays
from workflow.models import CalendarYear, HolidayOverride, OutboxMessage, SweepRun
from workflow.rules import rules_current

# -- calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarStatus:
    years: list[int]
    ranges: list[tuple[int, int]]  # contiguous runs of available years, e.g. [(2004, 2026)]
    next_year: int
    next_year_missing: bool
    this_year_missing: bool
    provisional_years: list[int] = field(default_factory=list)  # counted from 令第795号, no notice yet


def _year_ranges(years: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for year in years:
        if ranges and ranges[-1][1] == year - 1:
            ranges[-1] = (ranges[-1][0], year)
        else:
            ranges.append((year, year))
    return ranges


def calendar_status(*, today: dt.date) -> CalendarStatus:
    """Which years the working-day engine can answer for, and whether next year is entered yet."""
    calendar = workdays.get_calendar()
    years = sorted(calendar.years - calendar.provisional_years)  # years with their State Council notice
    return CalendarStatus(
        years=years,
        ranges=_year_ranges(years),
        next_year=today.year + 1,
        next_year_missing=(today.year + 1) not in years,
        this_year_missing=today.year not in years,
        provisional_years=sorted(calendar.provisional_years),
    )


def calendar_years_declared():
    return CalendarYear.objects.select_related("entered_by").order_by("-year")


def holiday_overrides_list(*, year: int | None = None):
    qs = HolidayOverride.objects.select_related("updated_by").order_by("day")
    if year is not None:
        qs = qs.filter(day__year=year)
    return qs


# -- supervisor health cards -----------------------------------------------------------------


def rules_unverified_count(*, on: dt.date) -> int:
    """Rules in force on `on` whose amount has not been confirmed against the legal text."""
    return rules_current(on).filter(verified=False).count()


def outbox_dead_count() -> int:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count()


def sweep_run_last() -> SweepRun | None:
    return SweepRun.objects.order_by("-started_at").first()


# -- tasks (viewflow) --------------------------------------------------------------------------


def flow_classes() -> list:
    """The viewflow Flow classes named (dotted paths) in settings.GOVCREDIT_FLOWS."""
    return [import_string(path) for path in getattr(settings, "GOVCREDIT_FLOWS", [])]


@dataclass(frozen=True)
class TaskRow:
    task: object
    title: str
    process: str
    created: dt.datetime
    url: str | None
    assigned: bool  # True: in the user's inbox; False: in a queue the user may take
    case_code: str = ""
    party: str = ""
    due_on: dt.date | None = None
    overdue: bool = False


def _task_url(task) -> str | None:
    # A process with a page of its own (our flows' case pages) links there; otherwise viewflow's URL.
    process = task.process
    proxy = getattr(task.flow_task.flow_class, "process_class", None)
    if proxy is not None and hasattr(proxy, "get_absolute_url") and not isinstance(process, proxy):
        process.__class__ = proxy  # a proxy model of the same row: no query
    try:
        if hasattr(process, "get_absolute_url"):
            return process.get_absolute_url()
        return task.flow_task.reverse("index", args=[task.process_id, task.pk])
    except (NoReverseMatch, AttributeError):
        return None


def _case_facts(tasks) -> dict[int, tuple[str, str, dt.date | None]]:
    """For each task's process: (case code, party, due date of its earliest open clock), read in a few
    queries per kind of case (never per task)."""
    from django.db.models import Min

    from workflow.models import Deadline
    from workflow.notifications import case_refs_for

    by_ct: dict[int, set[str]] = {}
    for task in tasks:
        process = task.process
        if process.artifact_content_type_id and process.artifact_object_id is not None:
            by_ct.setdefault(process.artifact_content_type_id, set()).add(str(process.artifact_object_id))
    if not by_ct:
        return {}
    from django.contrib.contenttypes.models import ContentType

    refs = {}
    for ct_id, ids in by_ct.items():
        ct = ContentType.objects.get_for_id(ct_id)
        refs[ct_id] = case_refs_for(f"{ct.app_label}.{ct.model}", ids)
    due: dict[tuple[int, str], dt.date] = {}
    open_states = [Deadline.Status.RUNNING, Deadline.Status.PAUSED, Deadline.Status.OVERDUE]
    for ct_id, ids in by_ct.items():
        for object_id, first in (
            Deadline.objects.filter(content_type_id=ct_id, object_id__in=ids, status__in=open_states)
            .exclude(status=Deadline.Status.PAUSED)
            .values("object_id")
            .annotate(first=Min("due_on"))
            .values_list("object_id", "first")
        ):
            due[(ct_id, object_id)] = first
    facts: dict[int, tuple[str, str, dt.date | None]] = {}
    for task in tasks:
        process = task.process
        key = (process.artifact_content_type_id, str(process.artifact_object_id))
        ref = refs.get(key[0], {}).get(key[1])
        if ref is None:
            continue
        facts[task.pk] = (ref.code, ref.party, due.get(key) or ref.due_on)
    return facts


def tasks_for_user(user) -> list[TaskRow]:
    """Tasks assigned to the user, then unassigned tasks the user may take; each group by due date (soonest
    first; no due date last), then newest first."""
    classes = flow_classes()
    if not classes or not getattr(user, "is_authenticated", False):
        return []
    from viewflow.workflow.models import Task

    from workflow import clock

    today = clock.today()
    rows: list[TaskRow] = []
    for assigned, qs in (
        (True, Task.objects.inbox(classes, user)),
        (False, Task.objects.queue(classes, user)),
    ):
        tasks = list(qs.select_related("process").order_by("-created"))
        facts = _case_facts(tasks)
        group = []
        for task in tasks:
            code, party, due_on = facts.get(task.pk, ("", "", None))
            group.append(
                TaskRow(
                    task=task,
                    title=str(task.title or task.flow_task),
                    process=f"{task.flow_task.flow_class.process_title} {code}".strip()
                    if code
                    else f"{task.flow_task.flow_class.process_title} #{task.process_id}",
                    created=task.created,
                    url=_task_url(task),
                    assigned=assigned,
                    case_code=code,
                    party=party,
                    due_on=due_on,
                    overdue=due_on is not None and due_on < today,
                )
            )
        group.sort(key=lambda r: (r.due_on is None, r.due_on or dt.date.max))  # stable: newest first within
        rows.extend(group)
    return rows


def tasks_count_for_user(user) -> int:
    classes = flow_classes()
    if not classes or not getattr(user, "is_authenticated", False):
        return 0
    from viewflow.workflow.models import Task

    return Task.objects.inbox(classes, user).count() + Task.objects.queue(classes, user).count()
