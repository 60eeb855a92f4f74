"""Recompute dates counted with a provisional year once its State Council notice is entered.

Issue 9 item 7: a year with no notice is counted from 《全国年节及纪念日放假办法》 (see
workflow/workdays.py). When a supervisor enters the notice (workflow.calendar.calendar_year_enter),
every open date whose computation touched that year is recomputed with the new calendar; each
change is audited, the parties are notified, and the list of changes is shown to the supervisor.

Workflow does not import the apps that own the dates. Apps register:
- `@recompute_hook(name)`: `f(*, year, old, acting_user) -> list[Moved]` recomputes the app's own
  dates (contracts: milestone payment dates);
- `@deadline_recipients(model_label)`: `f(case) -> (users, link)` says who is told when a
  `Deadline` clock on such a case moves (workflow recomputes the clocks itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from workflow.workdays import WorkingCalendar


@dataclass(frozen=True)
class Moved:
    kind: str  # "deadline" or an app's name for its dates, e.g. "milestone"
    label: str  # what moved, for the supervisor's list
    before: dt.date
    after: dt.date
    link: str = ""
    notified: int = 0  # how many users were told

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "before": self.before.isoformat(),
            "after": self.after.isoformat(),
            "link": self.link,
            "notified": self.notified,
        }


Hook = Callable[..., list[Moved]]
Recipients = Callable[[Any], tuple[Iterable[Any], str]]

_hooks: dict[str, Hook] = {}
_recipients: dict[str, Recipients] = {}


def recompute_hook(name: str) -> Callable[[Hook], Hook]:
    def register(func: Hook) -> Hook:
        _hooks[name] = func
        return func

    return register


def deadline_recipients(model_label: str) -> Callable[[Recipients], Recipients]:
    def register(func: Recipients) -> Recipients:
        _recipients[model_label.lower()] = func
        return func

    return register


def recipients_for(case) -> tuple[list, str]:
    func = _recipients.get(case._meta.label_lower)
    if func is None:
        return [], ""
    users, link = func(case)
    return list(users), link


def calendar_recompute(*, year: int, old: WorkingCalendar, acting_user=None) -> list[Moved]:
    """Run every registered hook (the caller holds the transaction); the changes, in hook order."""
    moved: list[Moved] = []
    for name in sorted(_hooks):
        moved.extend(_hooks[name](year=year, old=old, acting_user=acting_user))
    return moved


def notify_moved(*, users, what: str, before: dt.date, after: dt.date, link: str, key: str) -> int:
    from workflow.notifications import notification_send

    sent = notification_send(
        recipients=users,
        title=_("Date moved by the holiday notice: %(what)s is now due on %(after)s (was %(before)s)")
        % {"what": what, "after": after.isoformat(), "before": before.isoformat()},
        link=link,
        category="calendar.recompute",
        dedupe_key=key,
    )
    return len(sent)


@recompute_hook("workflow.deadlines")
def _recompute_deadlines(*, year: int, old: WorkingCalendar, acting_user=None) -> list[Moved]:
    """Running and paused clocks whose period touched `year`: the same amount of time, recounted.

    The clock's time is kept, not its dates: for a working-day rule, the working days from its
    anchor (start, last resume, or pause) to its counted end under the old calendar are counted
    again under the new one; any deadline's end then moves off a rest day as the new calendar says.
    """
    from workflow.audit import audit_record
    from workflow.deadlines import _finish
    from workflow.models import Deadline, DeadlineEvent, Rule
    from workflow.workdays import get_calendar

    new = get_calendar()
    moved: list[Moved] = []
    rows = (
        Deadline.objects.select_for_update()
        .select_related("rule")
        .filter(
            status__in=[Deadline.Status.RUNNING, Deadline.Status.PAUSED],
            start_on__lte=dt.date(year, 12, 31),
            due_on__gte=dt.date(year, 1, 1),
        )
        .order_by("pk")
    )
    for d in rows:
        rule = d.rule
        if d.status == Deadline.Status.PAUSED and d.paused_on is not None:
            anchor = d.paused_on
        else:
            resumed = (
                DeadlineEvent.objects.filter(deadline=d, kind=DeadlineEvent.Kind.RESUME)
                .order_by("-on_date")
                .values_list("on_date", flat=True)
                .first()
            )
            anchor = max(d.start_on, resumed) if resumed else d.start_on
        base = d.base_due_on
        if rule.unit == Rule.Unit.WORKING_DAYS:
            base = new.add(anchor, old.count(anchor, d.base_due_on))
        due = _finish(rule, base)
        if (base, due) == (d.base_due_on, d.due_on):
            continue
        before = d.due_on
        d.base_due_on, d.due_on = base, due
        d.save(update_fields=["base_due_on", "due_on"])
        audit_record(
            action="deadline.recompute",
            obj=d,
            actor=acting_user,
            reason=_("State Council holiday notice for %(year)s entered") % {"year": year},
            changes={"year": year, "due": [before.isoformat(), due.isoformat()]},
        )
        case = d.case
        users, link = recipients_for(case) if case is not None else ([], "")
        what = f"{case} · {rule.title}" if case is not None else rule.title
        n = notify_moved(
            users=users, what=what, before=before, after=due, link=link, key=f"recompute:deadline:{d.pk}:{due}"
        )
        moved.append(Moved("deadline", what, before, due, link, n))
    return moved
