"""The session's user is read with its roles and its unread-notification count in one query
(workflow.auth.LockoutModelBackend.get_user): nothing of it outlives the request, so a revoked role
and a notification sent from elsewhere show on the user's very next request."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from workflow import roles
from workflow.models import Notification, User

pytestmark = pytest.mark.django_db

SUPERVISOR_LABEL = "监管人员（信用办）"


@pytest.fixture
def supervisor(db):
    call_command("seed_demo", verbosity=0)
    return User.objects.get(username="supervisor")


def badge(html: str) -> str | None:
    marker = '<span class="badge" title="未读消息">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_a_revoked_role_takes_effect_on_the_next_request(supervisor):
    client = Client()
    client.force_login(supervisor)
    html = client.get("/staff/").content.decode()
    assert SUPERVISOR_LABEL in html and 'href="/staff/calendar/"' in html
    supervisor.groups.remove(Group.objects.get(name=roles.SUPERVISOR))  # e.g. in the admin, another process
    html = client.get("/staff/").content.decode()
    assert SUPERVISOR_LABEL not in html and 'href="/staff/calendar/"' not in html
    assert client.get("/staff/calendar/").status_code == 403
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    assert SUPERVISOR_LABEL in client.get("/staff/").content.decode()


def test_the_unread_badge_follows_notifications_sent_and_read_elsewhere(supervisor):
    client = Client()
    client.force_login(supervisor)
    assert badge(client.get("/staff/").content.decode()) is None
    for n in range(3):
        Notification.objects.create(recipient=supervisor, category="test", title=f"通知 {n}", created_at=timezone.now())
    assert badge(client.get("/staff/").content.decode()) == "3"
    Notification.objects.filter(recipient=supervisor).update(read_at="2026-11-20T08:00:00+08:00")
    assert badge(client.get("/staff/").content.decode()) is None


def test_user_roles_and_unread_count_cost_one_query(supervisor):
    client = Client()
    client.force_login(supervisor)
    client.get("/staff/contracts/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/staff/contracts/").status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 3  # the session, the user (with its agency, roles and unread count), the page
    users = [sql for sql in sqls if 'FROM "workflow_user"' in sql]
    assert len(users) == 1 and '"auth_group"' in users[0] and '"workflow_notification"' in users[0]


def test_the_kept_navigation_marks_each_page_and_follows_roles(supervisor):
    client = Client()
    client.force_login(supervisor)
    home = client.get("/staff/").content.decode()
    contracts = client.get("/staff/contracts/").content.decode()
    assert 'href="/staff/" aria-current="page"' in home and 'href="/staff/contracts/" aria-current' not in home
    assert (
        'href="/staff/contracts/" aria-current="page"' in contracts and 'href="/staff/" aria-current' not in contracts
    )
    assert 'href="/admin/"' in home  # the supervisor is staff in the demo
    clerk = Client()
    clerk.force_login(User.objects.get(username="agency_clerk"))
    html = clerk.get("/staff/").content.decode()
    assert 'href="/staff/calendar/"' not in html and 'href="/admin/"' not in html
    assert 'href="/staff/contracts/"' in html and 'href="/staff/" aria-current="page"' in html
