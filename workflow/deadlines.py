"""The deadline engine: how the law counts time (DESIGN.md §4), and statutory clocks on cases.

Counting (民法典 第200–204条 and the same convention in administrative procedure):
- the start day is not counted; counting begins the next day;
- working days skip weekends and statutory holidays and count adjusted working weekends;
- months and years end on the corresponding day of the final month, or on its last day when it
  has no such day;
- a *deadline* whose last day is a rest day moves to the first working day after it; *waiting*
  and *expiry* dates do not move.

The two edges of a period, read as the law reads them, live here and nowhere else:
- *waiting* ("最短公示期届满后方可申请"): the act is allowed from the day AFTER the period's last
  day (`Due.due` is that first day; `Due.base_due` the last day of the period);
- *expiry* ("公示期至X止"): the thing lasts through X, its last day, and is gone on X+1 (`Due.due`
  is X).
Every consumer asks `allowed_on` / `lasts_on` (or their queryset forms `allowed_q` / `lasting_q` /
`ended_q`) instead of comparing dates itself.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow import clock, workdays
from workflow.audit import audit_record
from workflow.errors import Conflict, ValidationFailed
from workflow.models import AuditLog, Deadline, DeadlineEvent, Rule
from workflow.rules import rule_in_force
from workflow.transitions import locked, refusal, transition

COUNTED_KINDS = (Rule.Kind.DEADLINE, Rule.Kind.WAITING, Rule.Kind.EXPIRY)


def add_months(day: dt.date, months: int) -> dt.date:
    """Corresponding day `months` later; the month's last day when there is no such day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, _stdcal.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    rule: Rule
    start: dt.date
    amount: int | None
    base_due: dt.date  # the last day of the period as counted
    # deadline: base_due moved off a rest day; waiting: the first day allowed (base_due + 1);
    # expiry: base_due, the last day it lasts
    due: dt.date
    provisional: bool = False  # counted with a year whose State Council notice is not entered yet

    @property
    def moved(self) -> bool:
        """Whether a deadline was moved off a rest day (waiting and expiry dates never move)."""
        return self.rule.kind == Rule.Kind.DEADLINE and self.due != self.base_due

    def as_dict(self) -> dict:
        r = self.rule
        return {
            "rule": r.code,
            "title": r.title,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "counted_end": self.base_due.isoformat(),
            "moved_off_rest_day": self.moved,
            "provisional": self.provisional,
            "kind": r.kind,
            "amount": self.amount,
            "unit": r.unit,
            "ceiling": r.ceiling,
            "basis": r.basis,
            "verified": r.verified,
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
        }


def _advance(rule: Rule, start: dt.date, amount: int) -> dt.date:
    unit = rule.unit
    if unit == Rule.Unit.WORKING_DAYS:
        return workdays.add_working_days(start, amount)
    if unit == Rule.Unit.CALENDAR_DAYS:
        return start + dt.timedelta(days=amount)
    if unit == Rule.Unit.MONTHS:
        return add_months(start, amount)
    if unit == Rule.Unit.YEARS:
        return add_months(start, 12 * amount)
    if unit == Rule.Unit.ANNUAL_DATE:
        params = rule.params or {}
        return dt.date(start.year + amount, int(params["month"]), int(params["day"]))
    raise ValidationFailed(_("Rule %(code)s has no countable period") % {"code": rule.code}, "rule_not_countable")


def _finish(rule: Rule, base: dt.date) -> dt.date:
    if rule.kind == Rule.Kind.DEADLINE:
        return workdays.next_working_day(base)
    if rule.kind == Rule.Kind.WAITING:  # 届满后方可: allowed from the day after the last day
        return base + dt.timedelta(days=1)
    return base  # expiry: the last day it still lasts


# --- the edges of waiting and expiry periods: the one place that compares them with a day -----


def allowed_on(first_day: dt.date, on: dt.date) -> bool:
    """Whether an act held back by a waiting period (first allowed day `first_day`) is allowed on `on`."""
    return on >= first_day


def lasts_on(last_day: dt.date | None, on: dt.date) -> bool:
    """Whether something that lasts "至 last_day 止" (None: no end) still lasts on `on`: yes on its
    last day, no from the day after."""
    return last_day is None or on <= last_day


def allowed_q(field: str, on: dt.date) -> Q:
    """Rows whose waiting period (first allowed day in `field`) is over on `on`."""
    return Q(**{f"{field}__lte": on})


def lasting_q(field: str, on: dt.date) -> Q:
    """Rows that still last on `on` (their last day in `field`, or no end)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": on})


def ended_q(field: str, on: dt.date) -> Q:
    """Rows whose last day (`field`) is before `on`: gone on `on`."""
    return Q(**{f"{field}__lt": on})


def check_amount(rule: Rule, amount: int) -> None:
    if amount < 0:
        raise ValidationFailed(_("The term cannot be negative."), "invalid_amount", field="amount")
    if rule.ceiling is not None and amount > rule.ceiling:
        raise ValidationFailed(
            _("The agreed term of %(amount)s %(unit)s exceeds the legal ceiling of %(ceiling)s %(unit)s (%(basis)s).")
            % {"amount": amount, "ceiling": rule.ceiling, "unit": rule.get_unit_display(), "basis": rule.basis},
            "above_legal_ceiling",
            field="amount",
        )


def compute_due(rule: Rule, start: dt.date, *, amount: int | None = None) -> Due:
    """When the period of `rule` counted from `start` ends. `amount` overrides the rule's own term
    (a contract's agreed payment term), within the rule's legal ceiling."""
    if rule.kind not in COUNTED_KINDS:
        raise ValidationFailed(_("Rule %(code)s has no countable period") % {"code": rule.code}, "rule_not_countable")
    if amount is None:
        amount = rule.amount
    else:
        check_amount(rule, amount)
    if amount is None:
        raise ValidationFailed(_("Rule %(code)s has no countable period") % {"code": rule.code}, "rule_not_countable")
    base = _advance(rule, start, amount)
    due = _finish(rule, base)
    return Due(
        rule=rule, start=start, amount=amount, base_due=base, due=due, provisional=uses_provisional(rule, start, due)
    )


def deadline_provisional(deadline: Deadline) -> bool:
    """Whether a clock's current due date was counted with a provisional year."""
    return uses_provisional(deadline.rule, deadline.start_on, deadline.due_on)


def uses_provisional(rule: Rule, start: dt.date, due: dt.date) -> bool:
    """Whether a period of `rule` from `start` to `due` was counted with a provisional year.

    Working days use every year from start to due; a deadline moved off a rest day uses the year
    it ends in. Provisional years are the latest ones, so the due date's year decides the second.
    """
    if rule.unit == Rule.Unit.WORKING_DAYS:
        return workdays.span_provisional(start, due)
    if rule.kind == Rule.Kind.DEADLINE:
        return workdays.is_provisional(due.year)
    return False


def due_for(code: str, start: dt.date, *, amount: int | None = None) -> Due:
    """compute_due with the version of the rule in force on the start date."""
    return compute_due(rule_in_force(code, start), start, amount=amount)


# --- statutory clocks on cases ---------------------------------------------------------------


def _event(deadline, kind, on, *, before=None, after=None, amount=None, reason="", approver=None, actor=None):
    DeadlineEvent.objects.create(
        deadline=deadline,
        kind=kind,
        on_date=on,
        due_before=before,
        due_after=after,
        amount=amount,
        reason=reason,
        approver=approver if getattr(approver, "is_authenticated", False) else None,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


REFUSED = gettext_lazy("This deadline is %(status)s; that action is not possible now.")


@transaction.atomic
def deadline_start(
    *, case, purpose: str, rule_code: str, start_on: dt.date, amount: int | None = None, acting_user=None
) -> Deadline:
    """Start the clock of `rule_code` on `case` from `start_on`; one clock per (case, purpose)."""
    due = due_for(rule_code, start_on, amount=amount)
    ct = ContentType.objects.get_for_model(case)
    deadline, created = Deadline.objects.get_or_create(
        content_type=ct,
        object_id=str(case.pk),
        purpose=purpose,
        defaults={
            "rule": due.rule,
            "start_on": start_on,
            "amount": due.amount,
            "due_on": due.due,
            "original_due_on": due.due,
            "base_due_on": due.base_due,
        },
    )
    if created:
        _event(deadline, DeadlineEvent.Kind.START, start_on, after=due.due, amount=due.amount, actor=acting_user)
        audit_record(
            action="deadline.start",
            obj=deadline,
            actor=acting_user,
            to_state=deadline.status,
            changes={"rule": rule_code, "start": start_on.isoformat(), "due": due.due.isoformat()},
        )
    return deadline


@transaction.atomic
def deadline_pause(*, deadline: Deadline, on: dt.date, reason: str, acting_user=None) -> Deadline:
    """Stop the clock (e.g. 补正: waiting for the applicant's materials)."""
    if not reason.strip():
        raise ValidationFailed(_("A pause needs a reason."), "reason_required", field="reason")
    deadline = locked(deadline, "rule")
    transition(
        deadline,
        "pause",
        refused=REFUSED,
        values={"paused_on": on},
        actor=acting_user,
        action="deadline.pause",
        reason=reason,
    )
    _event(deadline, DeadlineEvent.Kind.PAUSE, on, before=deadline.due_on, reason=reason, actor=acting_user)
    return deadline


def _remaining(deadline: Deadline, paused_on: dt.date) -> int:
    if deadline.rule.unit == Rule.Unit.WORKING_DAYS:
        return max(0, workdays.count_working_days(paused_on, deadline.base_due_on))
    return max(0, (deadline.base_due_on - paused_on).days)


def _resume_from(deadline: Deadline, resume_on: dt.date, remaining: int) -> dt.date:
    if deadline.rule.unit == Rule.Unit.WORKING_DAYS:
        return workdays.add_working_days(resume_on, remaining)
    return resume_on + dt.timedelta(days=remaining)


@transaction.atomic
def deadline_resume(*, deadline: Deadline, on: dt.date, acting_user=None) -> Deadline:
    """Restart a paused clock: the time left when it stopped counts again from the day after `on`."""
    deadline = locked(deadline, "rule")
    paused_on = deadline.paused_on
    if paused_on is None:  # not paused: refused as the transition below would refuse it
        raise refusal(deadline, refused=REFUSED)
    if on < paused_on:
        raise ValidationFailed(_("A clock cannot resume before it was paused."), "resume_before_pause", field="on")
    remaining = _remaining(deadline, paused_on)
    before_due = deadline.due_on
    base_due_on = _resume_from(deadline, on, remaining)
    due_on = _finish(deadline.rule, base_due_on)
    transition(
        deadline,
        "resume",
        refused=REFUSED,
        values={"paused_on": None, "base_due_on": base_due_on, "due_on": due_on},
        actor=acting_user,
        action="deadline.resume",
        changes={"due": [before_due.isoformat(), due_on.isoformat()]},
    )
    _event(
        deadline,
        DeadlineEvent.Kind.RESUME,
        on,
        before=before_due,
        after=deadline.due_on,
        amount=remaining,
        actor=acting_user,
    )
    return deadline


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, amount: int, reason: str, approver, on: dt.date | None = None, acting_user=None
) -> Deadline:
    """Extend a clock by `amount` units of its rule, with a reason and an approver, within the ceiling."""
    deadline = locked(deadline, "rule")
    rule = deadline.rule
    if not reason.strip():
        raise ValidationFailed(_("An extension needs a reason."), "reason_required", field="reason")
    if approver is None or not getattr(approver, "is_authenticated", False):
        raise ValidationFailed(_("An extension needs an approver."), "approver_required", field="approver")
    if amount <= 0:
        raise ValidationFailed(_("An extension must be at least one unit."), "invalid_amount", field="amount")
    if rule.ceiling is None:
        raise Conflict(_("Rule %(code)s allows no extension.") % {"code": rule.code}, "extension_not_allowed")
    total = deadline.amount + deadline.extended_amount + amount
    if total > rule.ceiling:
        raise ValidationFailed(
            _(
                "With this extension the term would be %(total)s %(unit)s, above the legal ceiling of "
                "%(ceiling)s %(unit)s (%(basis)s)."
            )
            % {"total": total, "ceiling": rule.ceiling, "unit": rule.get_unit_display(), "basis": rule.basis},
            "above_legal_ceiling",
            field="amount",
        )
    before_due = deadline.due_on
    base_due_on = _advance(rule, deadline.base_due_on, amount)
    due_on = _finish(rule, base_due_on)
    transition(
        deadline,
        "extend",
        refused=REFUSED,
        values={"base_due_on": base_due_on, "due_on": due_on, "extended_amount": deadline.extended_amount + amount},
        actor=acting_user,
        action="deadline.extend",
        reason=reason,
        changes={
            "due": [before_due.isoformat(), due_on.isoformat()],
            "amount": amount,
            "approver": approver.get_username(),
        },
    )
    on = on or clock.today()
    _event(
        deadline,
        DeadlineEvent.Kind.EXTEND,
        on,
        before=before_due,
        after=deadline.due_on,
        amount=amount,
        reason=reason,
        approver=approver,
        actor=acting_user,
    )
    return deadline


@transaction.atomic
def deadline_complete(*, deadline: Deadline, on: dt.date, acting_user=None) -> Deadline:
    """The act was done on `on`: met on time, or late."""
    deadline = locked(deadline, "rule")
    late = deadline.status != Deadline.Status.PAUSED and on > deadline.due_on
    transition(
        deadline,
        "complete_late" if late else "complete_on_time",
        refused=REFUSED,
        values={"completed_on": on},
        actor=acting_user,
        action="deadline.complete",
    )
    _event(deadline, DeadlineEvent.Kind.COMPLETE, on, before=deadline.due_on, actor=acting_user)
    return deadline


@transaction.atomic
def deadline_cancel(*, deadline: Deadline, reason: str, acting_user=None) -> Deadline:
    deadline = locked(deadline, "rule")
    transition(deadline, "cancel", refused=REFUSED, actor=acting_user, action="deadline.cancel", reason=reason)
    _event(deadline, DeadlineEvent.Kind.CANCEL, clock.today(), reason=reason, actor=acting_user)
    return deadline


@transaction.atomic
def deadlines_mark_overdue(*, as_of: dt.date) -> int:
    """Set-based: every running clock whose due date is before `as_of` becomes overdue. Idempotent."""
    ids = list(
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(status=Deadline.Status.RUNNING, due_on__lt=as_of)
        .values_list("id", flat=True)
    )
    if not ids:
        return 0
    updated = Deadline.objects.filter(id__in=ids, status=Deadline.Status.RUNNING).update(status=Deadline.Status.OVERDUE)
    ct = ContentType.objects.get_for_model(Deadline)
    now = clock.now()
    rows = Deadline.objects.filter(id__in=ids).values_list("id", "due_on")
    DeadlineEvent.objects.bulk_create(
        [
            DeadlineEvent(deadline_id=pk, kind=DeadlineEvent.Kind.OVERDUE, on_date=as_of, due_before=due)
            for pk, due in rows
        ]
    )
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                at=now,
                actor_label="sweep",
                action="deadline.overdue",
                content_type=ct,
                object_id=str(pk),
                object_repr=f"deadline {pk}",
                from_state=Deadline.Status.RUNNING,
                to_state=Deadline.Status.OVERDUE,
                changes={"as_of": as_of.isoformat()},
            )
            for pk, _due in rows
        ]
    )
    return updated


def deadlines_for(case):
    ct = ContentType.objects.get_for_model(case)
    return Deadline.objects.filter(content_type=ct, object_id=str(case.pk)).select_related("rule")


def due_moment(due: dt.date) -> dt.datetime:
    """The moment a deadline has passed: 00:00 Asia/Shanghai on the day after its due date.

    viewflow 2 `Timer` nodes and `.OnTimeout()` accept a callable returning a datetime; flows feed
    them this, so their timers follow the statutory calendar rather than a fixed timedelta.
    """
    return clock.start_of_day(due + dt.timedelta(days=1))
