"""Inbox and notification rows name the case, the party, the step and the due date; overdue is red; they
sort by due date (issue 10, item 2)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from contracts.complaints.process import complaint_submit
from tests.contracts.test_notify import BODY
from workflow.models import User
from workflow.notifications import notification_send

D = dt.date
pytestmark = pytest.mark.django_db


def rows(html: str, cls: str) -> list[str]:
    """The text of each table row of class `cls`, tags removed and whitespace collapsed."""
    found = re.findall(rf'<tr[^>]*class="[^"]*{cls}[^"]*"[^>]*>(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in found]


def test_inbox_rows_show_case_party_step_and_due_date_sorted_overdue_in_red(demo, travel, client):
    travel("2026-09-01")
    older = complaint_submit(data=BODY, ip="203.0.113.9")  # acceptance due 09-15
    travel("2026-09-14")
    newer = complaint_submit(
        data={
            **BODY,
            "complainant": {
                **BODY["complainant"],
                "name": "X市明达软件科技有限公司",
                "uscc": "91410105DD272HD1TJ",
                "size": "micro",
            },
        },
        ip="203.0.113.10",
    )  # acceptance due 09-28
    travel("2026-09-16")
    client.force_login(User.objects.get(username="complaint_officer"))
    html = client.get(reverse("staff-inbox")).content.decode()
    # (viewflow stamps a task's creation with the real time: left out)
    found = [re.sub(r" \d{4}-\d\d-\d\d \d\d:\d\d ", " ", r) for r in rows(html, "task-row")]
    assert found == [
        f"2026-09-15 已逾期 投诉 {older.code} X市恒信建材有限公司 决定是否受理投诉 办理",
        f"2026-09-28 投诉 {newer.code} X市明达软件科技有限公司 决定是否受理投诉 办理",
    ]
    # Only the overdue row is red.
    assert html.count('class="task-row is-late"') == 1
    assert '<span class="late">2026-09-15</span>' in html
    assert '<span class="late">2026-09-28</span>' not in html
    # A clerk has none of these tasks.
    client.force_login(User.objects.get(username="agency_clerk2"))
    assert rows(client.get(reverse("staff-inbox")).content.decode(), "task-row") == []


def test_notifications_page_sorts_by_due_date_and_marks_overdue(demo, travel, client):
    travel("2026-09-16")
    me = User.objects.get(username="agency_clerk")
    for title, due in (
        ("无期限", None),
        ("后到期", D(2026, 9, 30)),
        ("已逾期", D(2026, 9, 15)),
        ("先到期", D(2026, 9, 18)),
    ):
        notification_send(
            recipients=[me],
            title=title,
            case_code=f"C-{title}",
            party="X市恒信建材有限公司",
            step="办理投诉",
            due_on=due,
        )
    notification_send(recipients=[User.objects.get(username="agency_clerk2")], title="别人的", due_on=D(2026, 9, 1))
    client.force_login(me)
    html = client.get(reverse("staff-notifications")).content.decode()
    found = rows(html, "unread")
    assert [r.split(" ")[0:2] for r in found] == [
        ["2026-09-15", "已逾期"],
        ["2026-09-18", "C-先到期"],
        ["2026-09-30", "C-后到期"],
        ["—", "C-无期限"],
    ]
    assert found[1].startswith("2026-09-18 C-先到期 X市恒信建材有限公司 办理投诉 先到期")
    assert html.count("is-late") == 1 and "别人的" not in html
