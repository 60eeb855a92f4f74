import datetime as dt
import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

import workflow.documents
from workflow import sweeps
from workflow.deadlines import deadline_start
from workflow.models import Agency, AuditLog, Deadline, DeadlineEvent, SweepRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the step registry (steps added by a test do not leak)."""
    sweeps.discover_steps()
    steps = dict(sweeps.SWEEP_STEPS)
    monkeypatch.setattr(sweeps, "SWEEP_STEPS", steps)
    return steps


@pytest.fixture
def engine_steps(registry):
    """Only the engine's own steps (apps' steps are tested with their apps)."""
    for name in [n for n in registry if not n.startswith(("deadlines.", "documents."))]:
        del registry[name]
    return registry


@pytest.fixture
def late_clock(travel):
    """A contract registration clock started 2026-03-02 (7 working days: due 2026-03-11)."""
    travel("2026-03-02")
    agency = Agency.objects.create(code="T1", name="X市测试局", kind=Agency.Kind.GOVERNMENT)
    deadline = deadline_start(
        case=agency, purpose="register", rule_code="contract.register", start_on=dt.date(2026, 3, 2)
    )
    assert deadline.due_on == dt.date(2026, 3, 11)
    travel("2026-04-01")
    return deadline


def run_command(*args):
    out = io.StringIO()
    call_command("sweep", *args, stdout=out)
    return out.getvalue().splitlines()


def test_sweep_marks_overdue_once_even_when_run_twice(engine_steps, late_clock):
    first = run_command("--as-of", "2026-03-12")
    assert first[0] == "deadlines.overdue: 1"
    assert first[-1].startswith("sweep 2026-03-12 done")
    assert first[-1].endswith("0 failed")
    second = run_command("--as-of", "2026-03-12")
    assert second[0] == "deadlines.overdue: 0"
    assert Deadline.objects.get(pk=late_clock.pk).status == Deadline.Status.OVERDUE
    assert DeadlineEvent.objects.filter(deadline=late_clock, kind=DeadlineEvent.Kind.OVERDUE).count() == 1
    assert AuditLog.objects.filter(action="deadline.overdue").count() == 1
    assert SweepRun.objects.filter(as_of=dt.date(2026, 3, 12)).count() == 2


def test_sweep_for_a_past_date_before_the_due_date_changes_nothing(engine_steps, late_clock):
    lines = run_command("--as-of", "2026-03-11")  # the due day itself is not late
    assert lines[0] == "deadlines.overdue: 0"
    assert Deadline.objects.get(pk=late_clock.pk).status == Deadline.Status.RUNNING


def test_default_as_of_is_today(engine_steps, late_clock):
    lines = run_command()
    assert lines[-1].startswith("sweep 2026-04-01 done")
    run = SweepRun.objects.get()
    assert run.as_of == dt.date(2026, 4, 1)
    assert run.results["deadlines.overdue"]["ok"] is True
    assert run.results["deadlines.overdue"]["result"] == 1
    assert run.finished_at is not None
    assert run.error == ""


def test_a_future_date_is_refused(travel):
    travel("2026-04-01")
    with translation.override("en"), pytest.raises(CommandError, match="future date"):
        run_command("--as-of", "2026-04-02")
    assert SweepRun.objects.count() == 0


def test_a_failing_step_is_recorded_and_the_others_still_run(engine_steps, late_clock):
    calls = []

    @sweeps.sweep_step("test.broken", order=5)
    def broken(*, as_of):
        calls.append("broken")
        Agency.objects.create(code="HALF", name="half-written", kind=Agency.Kind.GOVERNMENT)
        raise ValueError("rule table unreadable")

    @sweeps.sweep_step("test.after", order=200)
    def after(*, as_of):
        calls.append("after")
        return {"reminders": 3, "as_of": as_of}

    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("sweep", "--as-of", "2026-03-12", stdout=out)
    assert "1 of 4 step(s) failed: test.broken" in str(excinfo.value)
    lines = out.getvalue().splitlines()
    assert lines[0] == "test.broken: FAILED ValueError: rule table unreadable"
    assert lines[1] == "deadlines.overdue: 1"
    assert lines[3] == "test.after: reminders=3, as_of=2026-03-12"
    assert calls == ["broken", "after"]
    # The failing step's own writes were rolled back; the other steps' were kept.
    assert not Agency.objects.filter(code="HALF").exists()
    assert Deadline.objects.get(pk=late_clock.pk).status == Deadline.Status.OVERDUE
    run = SweepRun.objects.get()
    assert run.error == "test.broken: ValueError: rule table unreadable"
    assert run.results["test.after"]["result"] == {"reminders": 3, "as_of": "2026-03-12"}
    assert sweeps.sweep_failed_steps(run) == ["test.broken"]


def test_steps_run_in_order_and_names_are_unique(registry):
    assert [s.name for s in sweeps.sweep_steps()][:1] == ["deadlines.overdue"]
    assert "documents.render_pending" in [s.name for s in sweeps.sweep_steps()]
    with pytest.raises(ValueError, match="already registered"):
        sweeps.sweep_step("deadlines.overdue")(lambda *, as_of: 0)


def test_documents_step_uses_documents_render_pending(registry, travel, monkeypatch):
    travel("2026-04-01")
    monkeypatch.setattr(workflow.documents, "documents_render_pending", lambda **kw: {"queued": 2})
    run = sweeps.sweep_run(as_of=dt.date(2026, 4, 1))
    assert run.results["documents.render_pending"] == {
        "ok": True,
        "result": {"queued": 2},
        "seconds": run.results["documents.render_pending"]["seconds"],
    }


def test_documents_step_renders_a_document_left_pending(engine_steps, travel):
    """The render queued on commit never ran (the test transaction does not commit, as when a worker
    dies): the sweep renders it, once."""
    from workflow.documents import document_issue
    from workflow.models import Document

    travel("2026-04-01")
    issuer = Agency.objects.create(code="XFGW", name="X市发展和改革委员会", kind="government", doc_prefix="X发改")
    doc = document_issue(
        case=issuer,
        doc_type="notice",
        title="关于督促履行合同付款义务的通知",
        template="documents/sample_notice.html",
        context={"budget": "550.00"},
        issuer=issuer,
        series="信修",
    )
    assert Document.objects.get(pk=doc.pk).status == Document.Status.PENDING
    run = sweeps.sweep_run(as_of=dt.date(2026, 4, 1))
    assert run.results["documents.render_pending"]["result"] == {Document.Status.RENDERED: 1}
    doc.refresh_from_db()
    assert doc.status == Document.Status.RENDERED and doc.file.size > 10_000 and len(doc.sha256) == 64
    again = sweeps.sweep_run(as_of=dt.date(2026, 4, 1))
    assert again.results["documents.render_pending"]["result"] == {}


def test_apps_add_steps_in_a_sweeps_module(registry, tmp_path, monkeypatch, travel):
    travel("2026-04-01")
    package = tmp_path / "sweepdemo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sweeps.py").write_text(
        "from workflow.sweeps import sweep_step\n\n"
        "@sweep_step('sweepdemo.count', order=50)\n"
        "def count(*, as_of):\n"
        "    return 7\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sweeps, "_discovered", False)
    from django.conf import settings

    try:
        with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "sweepdemo"]):
            lines = run_command("--as-of", "2026-04-01")
    finally:
        sys.modules.pop("sweepdemo.sweeps", None)
        sys.modules.pop("sweepdemo", None)
    assert "sweepdemo.count: 7" in lines


def test_the_full_sweep_with_every_apps_steps_is_safe_to_repeat(late_clock):
    first = sweeps.sweep_run(as_of=dt.date(2026, 3, 31))
    events = DeadlineEvent.objects.count()
    audit = AuditLog.objects.count()
    second = sweeps.sweep_run(as_of=dt.date(2026, 3, 31))
    assert (first.error, second.error) == ("", "")
    assert second.results["deadlines.overdue"]["result"] == 0
    assert DeadlineEvent.objects.count() == events
    assert AuditLog.objects.count() == audit
