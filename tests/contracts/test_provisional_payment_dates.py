"""Issue 9 item 7: a payment date in a year with no holiday notice is recorded provisionally, shown
as provisional, and moved (listed, audited, notified once) when a supervisor enters the notice."""

import datetime as dt

import pytest
from django.urls import reverse

from contracts.services import milestone_record_delivery
from workflow.models import AuditLog, Notification, User

D = dt.date
pytestmark = pytest.mark.django_db


def test_delivery_before_new_year_gets_a_provisional_date_that_moves_with_the_notice(
    client, make_contract, clerk, travel
):
    # 46 agreed days (within the 60-day ceiling) from 2026-12-15 end on Saturday 2027-01-30.
    contract = make_contract(payment_term_days=46)
    travel("2026-12-15")
    m = milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 12, 15), acting_user=clerk
    )
    # Recorded today (was: refused, no 2027 data): the Saturday moves to Monday, provisionally.
    assert (m.payment_due_on, m.status, m.payment_due_provisional) == (D(2027, 2, 1), "due", True)
    client.force_login(clerk)
    html = client.get(reverse("contracts-detail", args=[contract.pk])).content.decode()
    assert "2027-02-01</strong>" in html and "（暂定）" in html

    # The supervisor enters the 2027 notice; it makes Saturday 30 January an adjusted working day.
    travel("2026-12-20")
    client.force_login(User.objects.get(username="supervisor"))
    response = client.post(
        reverse("staff-calendar"),
        {
            "year": 2027,
            "notice": "国办发明电〔2026〕99号（测试）",
            "days": "2027-01-01 休 元旦\n2027-01-30 班 春节调休\n",
        },
        follow=True,
    )
    html = response.content.decode()
    assert 'id="calendar-recomputed"' in html
    assert html.count('class="recomputed-row"') == 1
    assert "2027-02-01" in html and "2027-01-30" in html and contract.number in html

    m.refresh_from_db()
    assert (m.payment_due_on, m.payment_due_provisional) == (D(2027, 1, 30), False)
    audit = AuditLog.objects.get(action="milestone.payment_due_recompute")
    assert audit.changes["payment_due_on"] == ["2027-02-01", "2027-01-30"]
    assert Notification.objects.filter(recipient=clerk, category="calendar.recompute").count() == 1
    assert Notification.objects.filter(category="calendar.recompute").exclude(recipient=clerk).count() == 0
    client.force_login(clerk)
    html = client.get(reverse("contracts-detail", args=[contract.pk])).content.decode()
    assert "2027-01-30</strong>" in html and "（暂定）" not in html
    # Shown once: the list does not come back on the next visit.
    client.force_login(User.objects.get(username="supervisor"))
    assert 'id="calendar-recomputed"' not in client.get(reverse("staff-calendar")).content.decode()
