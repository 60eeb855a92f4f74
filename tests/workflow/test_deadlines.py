"""The deadline engine: DESIGN.md §4, with the seeded rules of STATUTES.md."""

import datetime as dt
import threading

import pytest
from django.db import connection

from workflow import deadlines as engine
from workflow.errors import CalendarDataMissing, Conflict, NotFound, UnknownRule, ValidationFailed
from workflow.models import Agency, AuditLog, Deadline, DeadlineEvent, User

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code, start, amount, due, counted_end",
    [
        # 30 calendar days end on 10-02, inside National Day: the deadline moves to 10-08.
        ("sme.pay.government", D(2026, 9, 2), None, D(2026, 10, 8), D(2026, 10, 2)),
        # An agreed 45 days ends on Saturday 10-17: moves to Monday 10-19.
        ("sme.pay.government", D(2026, 9, 2), 45, D(2026, 10, 19), D(2026, 10, 17)),
        # The 60-day ceiling itself is allowed: Sunday 11-01 moves to Monday 11-02.
        ("sme.pay.government", D(2026, 9, 2), 60, D(2026, 11, 2), D(2026, 11, 1)),
        # Ends on a Saturday that is an adjusted working day: it does not move.
        ("sme.pay.government", D(2026, 1, 15), None, D(2026, 2, 14), D(2026, 2, 14)),
        # Ends on the first day of Spring Festival: moves past the whole holiday.
        ("sme.pay.government", D(2026, 1, 16), None, D(2026, 2, 24), D(2026, 2, 15)),
        # 2025: ends inside the eight-day National Day holiday.
        ("sme.pay.government", D(2025, 9, 5), None, D(2025, 10, 9), D(2025, 10, 5)),
        ("sme.pay.large_enterprise", D(2026, 8, 3), None, D(2026, 10, 8), D(2026, 10, 2)),
        # Working-day rules land on working days.
        ("contract.register", D(2026, 9, 30), None, D(2026, 10, 15), D(2026, 10, 15)),
        ("procurement.publish", D(2026, 9, 29), None, D(2026, 10, 8), D(2026, 10, 8)),
        ("repair.accept", D(2026, 4, 30), None, D(2026, 5, 8), D(2026, 5, 8)),
        ("repair.feedback", D(2026, 9, 18), None, D(2026, 10, 9), D(2026, 10, 9)),
        ("complaint.transfer", D(2026, 9, 30), None, D(2026, 10, 20), D(2026, 10, 20)),
        # Months: month-end fallback, then the deadline moves off a rest day.
        ("contract.report.period", D(2026, 1, 31), None, D(2026, 2, 28), D(2026, 2, 28)),
        ("contract.report.period", D(2026, 9, 5), None, D(2026, 10, 8), D(2026, 10, 5)),
        ("contract.report.period", D(2026, 8, 31), None, D(2026, 9, 30), D(2026, 9, 30)),
        # Annual date: last year's overdue payables published by 31 March.
        ("sme.overdue.publish", D(2025, 6, 15), None, D(2026, 3, 31), D(2026, 3, 31)),
    ],
)
def test_deadlines_move_off_rest_days(code, start, amount, due, counted_end):
    result = engine.due_for(code, start, amount=amount)
    assert result.due == due
    assert result.base_due == counted_end
    assert result.rule.kind == "deadline"


@pytest.mark.parametrize(
    "code, start, last_day, due",
    [
        # Waiting ("届满后方可"): the period's last day, then the first day allowed is the day after.
        # Month-end: 3 months from 30 November ends on the last day of February; allowed from 1 March.
        ("publication.general.min", D(2025, 11, 30), D(2026, 2, 28), D(2026, 3, 1)),
        ("publication.general.min", D(2026, 1, 31), D(2026, 4, 30), D(2026, 5, 1)),
        ("publication.general.min", D(2026, 5, 31), D(2026, 8, 31), D(2026, 9, 1)),
        # Leap year: 2027-11-30 + 3 months = 2028-02-29, allowed from 2028-03-01.
        ("publication.general.min", D(2027, 11, 30), D(2028, 2, 29), D(2028, 3, 1)),
        # 令第58号: 3 months from a decision of 2025-05-31.
        ("publication.penalty.min", D(2025, 5, 31), D(2025, 8, 31), D(2025, 9, 1)),
        # Waiting and expiry dates do not move off holidays or weekends...
        ("publication.serious.min", D(2025, 10, 1), D(2026, 10, 1), D(2026, 10, 2)),  # National Day
        # Expiry ("至X止"): X is the last day it lasts, and the date shown.
        ("publication.general.max", D(2025, 10, 4), D(2026, 10, 4), D(2026, 10, 4)),  # Sunday, holiday
        # ... and need no working-day data: 2027 has none yet.
        ("publication.general.min", D(2026, 11, 30), D(2027, 2, 28), D(2027, 3, 1)),
        ("publication.serious.max", D(2026, 4, 1), D(2029, 4, 1), D(2029, 4, 1)),
        # Leap day: three years later there is no 29 February (令第58号's maximum).
        ("publication.penalty.max", D(2024, 2, 29), D(2027, 2, 28), D(2027, 2, 28)),
        ("publication.minor.max", D(2026, 11, 30), D(2027, 2, 28), D(2027, 2, 28)),
    ],
)
def test_waiting_and_expiry_dates_do_not_move(code, start, last_day, due):
    result = engine.due_for(code, start)
    assert (result.base_due, result.due) == (last_day, due)
    assert result.rule.kind in ("waiting", "expiry") and not result.moved
    assert result.provisional is False


@pytest.mark.parametrize(
    "first_day, day, allowed",
    [
        (D(2026, 3, 1), D(2026, 2, 28), False),
        (D(2026, 3, 1), D(2026, 3, 1), True),
        (D(2026, 3, 1), D(2026, 3, 2), True),
    ],
)
def test_a_waiting_period_allows_the_act_from_its_first_day(first_day, day, allowed):
    assert engine.allowed_on(first_day, day) is allowed


@pytest.mark.parametrize(
    "last_day, day, lasts",
    [
        (D(2026, 11, 30), D(2026, 11, 29), True),
        (D(2026, 11, 30), D(2026, 11, 30), True),  # "至2026年11月30日止": still on the 30th
        (D(2026, 11, 30), D(2026, 12, 1), False),  # gone the day after
        (None, D(2099, 1, 1), True),
    ],
)
def test_an_expiry_lasts_through_its_last_day(last_day, day, lasts):
    assert engine.lasts_on(last_day, day) is lasts


def test_agreed_term_above_the_legal_ceiling_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        engine.due_for("sme.pay.government", D(2026, 9, 2), amount=61)
    assert exc.value.code == "above_legal_ceiling"
    assert "60" in str(exc.value)


def test_a_deadline_ending_in_a_year_without_notice_is_provisional(travel):
    # Issue 9 item 7 (was: refused). 30 days from 2026-12-02 end on 2027-01-01, 元旦 under
    # 令第795号: the deadline moves to Monday 2027-01-04, provisionally.
    travel("2026-11-30")
    due = engine.due_for("complaint.handle", D(2026, 12, 2))
    assert (due.base_due, due.due, due.provisional) == (D(2027, 1, 1), D(2027, 1, 4), True)
    assert due.as_dict()["provisional"] is True
    due = engine.due_for("complaint.handle", D(2026, 12, 1))
    assert (due.due, due.provisional) == (D(2026, 12, 31), False)
    # A 30-day payment term from 2026-12-15 ends on 2027-01-14: counted with 2027, provisional.
    assert engine.due_for("sme.pay.government", D(2026, 12, 15)).provisional is True
    with pytest.raises(CalendarDataMissing):  # far beyond next year: refused
        engine.due_for("complaint.handle", D(2030, 12, 2))


def test_the_rule_in_force_on_the_start_date_is_used():
    before = engine.due_for("repair.accept", D(2026, 3, 31))
    after = engine.due_for("repair.accept", D(2026, 4, 1))
    assert "第58号" in before.rule.basis and before.rule.effective_to == D(2026, 3, 31)
    assert "第36号" in after.rule.basis and after.rule.effective_from == D(2026, 4, 1)
    assert engine.due_for("sme.pay.government", D(2025, 5, 31)).rule.basis_article == "第八条"
    assert engine.due_for("sme.pay.government", D(2025, 6, 1)).rule.basis_article == "第九条"


def test_unknown_rule_and_rule_not_yet_in_force():
    with pytest.raises(UnknownRule):
        engine.due_for("no.such.rule", D(2026, 1, 5))
    with pytest.raises(NotFound) as exc:
        engine.due_for("sme.pay.large_enterprise", D(2020, 8, 31))  # before the regulation
    assert exc.value.code == "rule_not_in_force"


def test_rules_without_a_period_cannot_be_counted():
    with pytest.raises(ValidationFailed) as exc:
        engine.due_for("sme.late_interest", D(2026, 1, 5))
    assert exc.value.code == "rule_not_countable"


# --- clocks on cases --------------------------------------------------------------------------


@pytest.fixture
def case():
    # Any model instance can carry deadlines; an agency is the simplest one at hand.
    return Agency.objects.create(code="T1", name="测试局", kind=Agency.Kind.GOVERNMENT)


@pytest.fixture
def head():
    return User.objects.create_user("head", password="x-very-long-1")


def test_start_is_idempotent_per_case_and_purpose(case):
    first = engine.deadline_start(case=case, purpose="feedback", rule_code="repair.feedback", start_on=D(2026, 9, 18))
    again = engine.deadline_start(case=case, purpose="feedback", rule_code="repair.feedback", start_on=D(2026, 9, 18))
    assert first.pk == again.pk
    assert first.due_on == D(2026, 10, 9)
    assert DeadlineEvent.objects.filter(deadline=first, kind="start").count() == 1


def test_pause_for_supplement_moves_the_working_day_deadline(case):
    d = engine.deadline_start(case=case, purpose="feedback", rule_code="repair.feedback", start_on=D(2026, 9, 18))
    d = engine.deadline_pause(deadline=d, on=D(2026, 9, 22), reason="补正：请补充缴款凭证")
    assert d.status == Deadline.Status.PAUSED
    # 7 working days were left (09-23, 09-24, 09-28, 09-29, 09-30, 10-08, 10-09); materials arrive 10-12.
    d = engine.deadline_resume(deadline=d, on=D(2026, 10, 12))
    assert d.status == Deadline.Status.RUNNING
    assert d.due_on == D(2026, 10, 21)
    assert d.original_due_on == D(2026, 10, 9)
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds == ["start", "pause", "resume"]


def test_a_running_clock_cannot_resume(case):
    d = engine.deadline_start(case=case, purpose="feedback", rule_code="repair.feedback", start_on=D(2026, 9, 18))
    with pytest.raises(Conflict) as exc:
        engine.deadline_resume(deadline=d, on=D(2026, 9, 22))
    assert exc.value.code == "deadline_state"
    d.refresh_from_db()
    assert (d.status, d.due_on) == (Deadline.Status.RUNNING, D(2026, 10, 9))


def test_pause_of_a_calendar_day_deadline_counts_from_the_unmoved_end(case):
    d = engine.deadline_start(case=case, purpose="handle", rule_code="complaint.handle", start_on=D(2026, 9, 1))
    assert (d.base_due_on, d.due_on) == (D(2026, 10, 1), D(2026, 10, 8))
    d = engine.deadline_pause(deadline=d, on=D(2026, 9, 10), reason="等待补充材料")
    d = engine.deadline_resume(deadline=d, on=D(2026, 9, 20))
    # 21 days were left (09-10 → 10-01); from 09-20 that is Sunday 10-11, moved to Monday 10-12.
    assert (d.base_due_on, d.due_on) == (D(2026, 10, 11), D(2026, 10, 12))


def test_extension_needs_reason_and_approver_and_stays_within_the_ceiling(case, head):
    d = engine.deadline_start(case=case, purpose="handle", rule_code="complaint.handle", start_on=D(2026, 9, 1))
    with pytest.raises(ValidationFailed) as exc:
        engine.deadline_extend(deadline=d, amount=30, reason="", approver=head)
    assert exc.value.code == "reason_required"
    with pytest.raises(ValidationFailed) as exc:
        engine.deadline_extend(deadline=d, amount=30, reason="情况复杂", approver=None)
    assert exc.value.code == "approver_required"
    d = engine.deadline_extend(
        deadline=d, amount=60, reason="涉及多个项目，需调取档案", approver=head, on=D(2026, 9, 28)
    )
    # 90 days in all: 10-01 + 60 days = Monday 11-30.
    assert d.due_on == D(2026, 11, 30)
    assert d.extended_amount == 60
    with pytest.raises(ValidationFailed) as exc:
        engine.deadline_extend(deadline=d, amount=1, reason="再延期", approver=head)
    assert exc.value.code == "above_legal_ceiling"
    d.refresh_from_db()
    assert d.due_on == D(2026, 11, 30)  # the refused extension changed nothing
    event = d.events.get(kind="extend")
    assert (event.due_before, event.due_after, event.approver, event.amount) == (
        D(2026, 10, 8),
        D(2026, 11, 30),
        head,
        60,
    )


def test_rule_without_ceiling_cannot_be_extended(case, head):
    d = engine.deadline_start(case=case, purpose="accept", rule_code="repair.accept", start_on=D(2026, 9, 18))
    with pytest.raises(Conflict) as exc:
        engine.deadline_extend(deadline=d, amount=1, reason="x", approver=head)
    assert exc.value.code == "extension_not_allowed"


def test_completion_on_time_and_late(case):
    a = engine.deadline_start(case=case, purpose="a", rule_code="sme.pay.government", start_on=D(2026, 9, 2))
    a = engine.deadline_complete(deadline=a, on=D(2026, 10, 8))
    assert a.status == Deadline.Status.MET
    b = engine.deadline_start(case=case, purpose="b", rule_code="sme.pay.government", start_on=D(2026, 9, 2))
    b = engine.deadline_complete(deadline=b, on=D(2026, 10, 9))
    assert b.status == Deadline.Status.MET_LATE
    with pytest.raises(Conflict):
        engine.deadline_pause(deadline=b, on=D(2026, 10, 10), reason="too late")


def test_overdue_sweep_is_set_based_and_idempotent(case):
    d = engine.deadline_start(case=case, purpose="pay", rule_code="sme.pay.government", start_on=D(2026, 9, 2))
    assert engine.deadlines_mark_overdue(as_of=D(2026, 10, 8)) == 0  # due today: not yet overdue
    assert engine.deadlines_mark_overdue(as_of=D(2026, 10, 9)) == 1
    assert engine.deadlines_mark_overdue(as_of=D(2026, 10, 9)) == 0
    d.refresh_from_db()
    assert d.status == Deadline.Status.OVERDUE
    assert d.events.filter(kind="overdue").count() == 1
    assert AuditLog.objects.filter(action="deadline.overdue", object_id=str(d.pk)).count() == 1


def test_every_change_is_audited_in_the_same_transaction(case, head):
    d = engine.deadline_start(case=case, purpose="h", rule_code="complaint.handle", start_on=D(2026, 9, 1))
    engine.deadline_extend(deadline=d, amount=10, reason="复杂", approver=head, acting_user=head)
    row = AuditLog.objects.get(action="deadline.extend")
    assert row.actor == head
    assert row.changes["due"] == ["2026-10-08", "2026-10-12"]  # 10-01 + 10 days = Sunday 10-11 → 10-12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_completions_exactly_one_wins():
    case = Agency.objects.create(code="T2", name="并发测试局", kind=Agency.Kind.GOVERNMENT)
    d = engine.deadline_start(case=case, purpose="x", rule_code="repair.accept", start_on=D(2026, 9, 18))
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            engine.deadline_complete(deadline=Deadline.objects.get(pk=d.pk), on=D(2026, 9, 21))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert DeadlineEvent.objects.filter(deadline_id=d.pk, kind="complete").count() == 1


def test_a_rule_edit_takes_effect_at_once_and_keeps_history(head):
    from workflow.rules import rule_in_force, rule_update

    assert engine.due_for("complaint.accept", D(2026, 9, 30)).due == D(2026, 10, 20)
    rule = rule_in_force("complaint.accept", D(2026, 9, 30))
    assert rule.verified is False
    rule_update(rule=rule, data={"amount": 5, "verified": True}, acting_user=head, reason="按新办法确认")
    assert engine.due_for("complaint.accept", D(2026, 9, 30)).due == D(2026, 10, 13)
    row = AuditLog.objects.get(action="rule.update")
    assert row.changes == {"amount": ["10", "5"], "verified": ["False", "True"]}
    assert (row.actor, row.reason) == (head, "按新办法确认")
    with pytest.raises(ValidationFailed):
        rule_update(rule=rule, data={"code": "other"}, acting_user=head)
