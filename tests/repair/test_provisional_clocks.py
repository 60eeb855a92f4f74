"""Issue 9 item 7: a repair clock running into a year with no holiday notice is provisional, and
moves (audited, notified) when the notice is entered."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.repair.test_applications import apply, record, u
from workflow.calendar import calendar_year_enter
from workflow.deadlines import deadline_provisional, deadlines_for
from workflow.models import AuditLog, Notification

D = dt.date
pytestmark = pytest.mark.django_db

# A hypothetical 2027 notice for the test: 元旦 on Friday 1 January plus Monday 4 January off.
NOTICE = "国办发明电〔2026〕99号（测试）"
DAYS = [(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "元旦")]


def test_repair_feedback_clock_into_2027_is_provisional_then_moves_with_the_notice(client, officer, travel):
    r = record(officer, travel)
    a = apply(travel, "2026-12-21", [r], proof_held_by_unit=True)
    feedback = deadlines_for(a).get(purpose="feedback")
    # 10 working days from Mon 2026-12-21: 22–25, 28–31 Dec, (元旦 1 Jan, provisional), 4 and 5 Jan.
    assert (feedback.rule.code, feedback.due_on) == ("repair.feedback", D(2027, 1, 5))
    assert deadline_provisional(feedback)
    client.force_login(officer)
    html = client.get(reverse("repair-application", args=[a.pk])).content.decode()
    assert "2027-01-05" in html and "（暂定）" in html

    travel("2026-12-28")
    _year, moved = calendar_year_enter(year=2027, notice=NOTICE, days=DAYS, acting_user=u("supervisor"))
    feedback.refresh_from_db()
    assert (feedback.due_on, deadline_provisional(feedback)) == (D(2027, 1, 6), False)
    assert [(m.kind, m.before, m.after) for m in moved] == [("deadline", D(2027, 1, 5), D(2027, 1, 6))]
    audit = AuditLog.objects.get(action="deadline.recompute")
    assert audit.changes["due"] == ["2027-01-05", "2027-01-06"]
    for user in (officer, u("enterprise_user")):
        assert Notification.objects.filter(recipient=user, category="calendar.recompute").count() == 1
    html = client.get(reverse("repair-application", args=[a.pk])).content.decode()
    assert "2027-01-06" in html and "（暂定）" not in html
