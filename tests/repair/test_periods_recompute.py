"""Stored periods follow a corrected rule: records still recorded or published are recomputed, each
change audited; repaired/expired/revoked records and unchanged ones are left alone (issue 9)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from repair.models import DishonestyRecord
from repair.services.records import record_publish, records_recompute_periods
from tests.repair.test_periods import make, u
from workflow.errors import ValidationFailed
from workflow.models import AuditLog, Rule
from workflow.rules import invalidate, rule_update

D = dt.date
pytestmark = pytest.mark.django_db


def correct_58_maximum(years: int):
    rule = Rule.objects.get(code="publication.penalty.max", effective_from=D(2023, 5, 1))
    rule_update(rule=rule, data={"amount": years}, acting_user=u("supervisor"), reason="按原文更正")


def test_a_corrected_period_rule_moves_the_stored_dates_of_live_records_only(demo, travel):
    old = make(travel, today="2025-06-01", decided_on="2025-05-31", decision_number="R-1")
    record_publish(record=old, acting_user=u("penalty_officer"))
    revoked = make(travel, today="2025-06-01", decided_on="2025-05-30", decision_number="R-2")
    DishonestyRecord.objects.filter(pk=revoked.pk).update(status=DishonestyRecord.Status.REVOKED)
    new = make(travel, today="2026-11-30", decided_on="2026-04-01", decision_number="R-3")
    assert (old.earliest_repair_on, old.publication_ends_on) == (D(2025, 9, 1), D(2028, 5, 31))

    correct_58_maximum(2)
    changed = records_recompute_periods(reason="令第58号 最长公示期更正", acting_user=u("supervisor"))

    assert changed == [
        {"record": old.pk, "decision_number": "R-1", "publication_ends_on": ["2028-05-31", "2027-05-31"]}
    ]
    old.refresh_from_db()
    assert (old.status, old.earliest_repair_on, old.publication_ends_on) == ("published", D(2025, 9, 1), D(2027, 5, 31))
    revoked.refresh_from_db()
    new.refresh_from_db()
    assert revoked.publication_ends_on == D(2028, 5, 30) and new.publication_ends_on == D(2027, 4, 1)
    row = AuditLog.objects.get(action="record.periods_recompute")
    assert (row.object_id, row.reason, row.actor.username) == (str(old.pk), "令第58号 最长公示期更正", "supervisor")
    assert row.changes["publication_ends_on"] == ["2028-05-31", "2027-05-31"]
    assert row.changes["rules"] == [
        "publication.penalty.min@2023-05-01",
        "publication.penalty.max@2023-05-01",
    ]
    # A second run finds nothing to change and writes nothing.
    assert records_recompute_periods(reason="再次核对") == []
    assert AuditLog.objects.filter(action="record.periods_recompute").count() == 1


def test_the_command_prints_each_change_and_requires_a_reason(demo, travel):
    make(travel, today="2025-06-01", decided_on="2025-05-31", decision_number="R-9")
    correct_58_maximum(1)
    out = StringIO()
    call_command("records_recompute_periods", reason="更正", stdout=out)
    assert out.getvalue().splitlines() == ["R-9: publication_ends_on 2028-05-31 -> 2026-05-31", "1 record(s) changed"]
    out = StringIO()
    call_command("records_recompute_periods", reason="更正", stdout=out)
    assert out.getvalue().splitlines() == ["0 record(s) changed"]
    with pytest.raises(ValidationFailed) as exc:
        records_recompute_periods(reason="  ")
    assert exc.value.code == "reason_required"


def test_a_record_no_rule_covers_any_more_is_reported_and_left_alone(demo, travel):
    record = make(travel, today="2025-06-01", decided_on="2025-05-31", decision_number="R-7")
    # A correction that (wrongly or rightly) starts the 58号 rows later leaves 2025-05-31 uncovered.
    Rule.objects.filter(code__startswith="publication.penalty.").update(effective_from=D(2025, 6, 1))
    invalidate()  # a queryset update sends no signal
    out = StringIO()
    call_command("records_recompute_periods", reason="更正", stdout=out)
    assert out.getvalue().splitlines() == ["R-7: not recomputed (rule_not_in_force)", "0 record(s) changed"]
    record.refresh_from_db()
    assert (record.earliest_repair_on, record.publication_ends_on) == (D(2025, 9, 1), D(2028, 5, 31))
    assert not AuditLog.objects.filter(action="record.periods_recompute").exists()
