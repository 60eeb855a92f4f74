"""Issue 9 item 7: a complaint clock running into a year with no holiday notice is provisional on
the complaint page and moves (audited, the complaint officers notified) when the notice is entered."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.contracts.test_complaints import clock, submit, u
from workflow.calendar import calendar_year_enter
from workflow.deadlines import deadline_provisional
from workflow.models import AuditLog, Notification

D = dt.date
pytestmark = pytest.mark.django_db


def test_complaint_accept_clock_into_2027_is_provisional_then_moves(client, demo, travel):
    c = submit(travel, day="2026-12-21")
    accept = clock(c, "accept")
    # 10 working days from Mon 2026-12-21: 22–25, 28–31 Dec, (元旦, provisional), 4 and 5 Jan.
    assert (accept.due_on, deadline_provisional(accept)) == (D(2027, 1, 5), True)
    officer = u("complaint_officer")
    client.force_login(officer)
    html = client.get(reverse("complaint-detail", args=[c.code])).content.decode()
    assert "2027-01-05" in html and "（暂定）" in html

    travel("2026-12-22")
    days = [(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "元旦")]  # hypothetical notice
    _year, moved = calendar_year_enter(year=2027, notice="测试通知", days=days, acting_user=u("supervisor"))
    accept.refresh_from_db()
    assert (accept.due_on, deadline_provisional(accept)) == (D(2027, 1, 6), False)
    assert [(m.before, m.after) for m in moved] == [(D(2027, 1, 5), D(2027, 1, 6))]
    assert AuditLog.objects.filter(action="deadline.recompute").count() == 1
    assert Notification.objects.filter(recipient=officer, category="calendar.recompute").count() == 1
    html = client.get(reverse("complaint-detail", args=[c.code])).content.decode()
    assert "2027-01-06" in html and "（暂定）" not in html
