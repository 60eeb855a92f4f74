"""workflow.transitions: lock, check, transition, save and audit in one place."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import translation

from contracts.imports.services import _claim
from contracts.models import ContractImport
from workflow import clock
from workflow import deadlines as engine
from workflow.errors import Conflict
from workflow.models import Agency, AuditLog, Deadline, User
from workflow.transitions import ConcurrentTransition, locked, transition

D = dt.date
pytestmark = pytest.mark.django_db


def _deadline(code="T1") -> Deadline:
    case = Agency.objects.create(code=code, name="转换测试局", kind=Agency.Kind.GOVERNMENT)
    return engine.deadline_start(case=case, purpose="x", rule_code="repair.accept", start_on=D(2026, 9, 18))


def _audit(obj, action):
    return AuditLog.objects.filter(object_id=str(obj.pk), action=action)


def _race(n: int, attempt) -> list:
    """Run `attempt()` in `n` threads released at once, each on its own connection; their results."""
    barrier = threading.Barrier(n)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(attempt())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_a_transition_saves_the_state_and_writes_one_audit_row():
    d = _deadline()
    with transaction.atomic():
        d = locked(d, "rule")
        before = transition(
            d, "complete_on_time", values={"completed_on": D(2026, 9, 21)}, action="deadline.test", reason="done"
        )
    assert before == Deadline.Status.RUNNING
    d.refresh_from_db()
    assert (d.status, d.completed_on) == (Deadline.Status.MET, D(2026, 9, 21))
    row = _audit(d, "deadline.test").get()
    assert (row.from_state, row.to_state, row.reason, row.actor_label) == ("running", "met", "done", "system")


def test_a_step_the_state_no_longer_allows_is_refused_and_changes_nothing():
    d = _deadline()
    stale = Deadline.objects.get(pk=d.pk)
    engine.deadline_complete(deadline=d, on=D(2026, 9, 21))  # the state moves on meanwhile
    with translation.override("en"), transaction.atomic():
        current = locked(stale)
        with pytest.raises(Conflict) as refused:
            transition(current, "complete_on_time", values={"completed_on": D(2026, 9, 30)}, action="deadline.test")
    assert refused.value.code == "deadline_state"
    assert refused.value.message == "Deadline is met on time; that is not possible now."
    d.refresh_from_db()
    assert (d.status, d.completed_on) == (Deadline.Status.MET, D(2026, 9, 21))
    assert not _audit(d, "deadline.test").exists()


def test_a_stale_unlocked_instance_is_refused_by_the_conditional_save():
    d = _deadline()
    stale = Deadline.objects.get(pk=d.pk)
    engine.deadline_complete(deadline=d, on=D(2026, 9, 21))
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        transition(stale, "cancel", refused=engine.REFUSED, action="deadline.test")  # allowed from "running" in memory
    d.refresh_from_db()
    assert d.status == Deadline.Status.MET
    assert not _audit(d, "deadline.test").exists()


def test_the_caller_s_message_and_code_are_kept():
    d = _deadline()
    engine.deadline_cancel(deadline=d, reason="撤回")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        engine.deadline_pause(deadline=d, on=D(2026, 9, 20), reason="补正")
    assert refused.value.code == "deadline_state"
    assert refused.value.message == "This deadline is cancelled; that action is not possible now."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_the_same_transition_exactly_one_wins():
    d = _deadline("T3")
    n = 12

    def cancel():
        try:
            with transaction.atomic():
                mine = locked(Deadline.objects.get(pk=d.pk))
                transition(mine, "cancel", refused=engine.REFUSED, action="deadline.race")
            return "ok"
        except Conflict as exc:
            return exc.code

    outcomes = _race(n, cancel)
    assert sorted(outcomes) == ["deadline_state"] * (n - 1) + ["ok"]
    assert Deadline.objects.get(pk=d.pk).status == Deadline.Status.CANCELLED
    row = _audit(d, "deadline.race").get()
    assert (row.from_state, row.to_state) == ("running", "cancelled")


# --- ContractImport's state machine ---------------------------------------------------------------------


def _queued_import(code="T4") -> ContractImport:
    agency = Agency.objects.create(code=code, name="导入测试局", kind=Agency.Kind.GOVERNMENT)
    user = User.objects.create_user(username=f"importer-{code}", password="x")
    return ContractImport.objects.create(
        agency=agency,
        file="imports/test.xlsx",
        original_name="test.xlsx",
        sha256="0" * 64,
        uploaded_by=user,
        created_at=clock.now(),
    )


def _move(imp, name):
    with transaction.atomic():
        transition(imp, name)


def test_a_queued_import_is_claimed_once():
    imp = _queued_import()
    assert imp.status == ContractImport.Status.QUEUED
    assert _claim(imp.pk) is True
    assert ContractImport.objects.get(pk=imp.pk).status == ContractImport.Status.VALIDATING
    assert _claim(imp.pk) is False
    assert _claim(10**9) is False  # no such import
    with pytest.raises(ConcurrentTransition):
        _move(imp, "claim")  # this instance still says "queued": the conditional save refuses it
    imp.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        _move(imp, "claim")
    assert refused.value.code == "contractimport_state"


def test_an_import_ends_only_from_the_right_states():
    imp = _queued_import()
    for name in ("complete", "reject", "fail", "start_import"):
        with pytest.raises(Conflict):
            _move(imp, name)  # not before it is claimed
    _move(imp, "claim")
    with pytest.raises(Conflict):
        _move(imp, "complete")  # not while validating
    _move(imp, "start_import")
    _move(imp, "complete")
    assert ContractImport.objects.get(pk=imp.pk).status == ContractImport.Status.DONE
    for name in ("claim", "start_import", "complete", "reject", "fail"):
        with pytest.raises(Conflict):
            _move(imp, name)  # done is final
    for path in (["claim", "reject"], ["claim", "fail"], ["claim", "start_import", "reject"]):
        other = _queued_import(f"T{len(path)}{path[-1]}")
        for name in path:
            _move(other, name)
        assert other.status == {"reject": "rejected", "fail": "failed"}[path[-1]]
        with pytest.raises(Conflict):
            _move(other, "complete")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_workers_claim_an_import_once():
    imp = _queued_import("T5")
    n = 10
    outcomes = _race(n, lambda: _claim(imp.pk))
    assert sorted(outcomes) == [False] * (n - 1) + [True]
    assert ContractImport.objects.get(pk=imp.pk).status == ContractImport.Status.VALIDATING
