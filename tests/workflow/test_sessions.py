"""The session store (workflow.sessions) reads a session with its own SQL: a live session logs the
user in, an expired or deleted one (logged out elsewhere) does not, and a bad key starts empty."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from workflow.models import User
from workflow.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(db):
    call_command("seed_demo", verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    return client


def key_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_project_uses_this_store():
    assert settings.SESSION_ENGINE == "workflow.sessions"


def test_a_live_session_keeps_the_user_in(client_in):
    assert client_in.get("/staff/").status_code == 200
    data = SessionStore(key_of(client_in)).load()
    assert data["_auth_user_id"] == str(User.objects.get(username="supervisor").pk)


def test_a_session_deleted_elsewhere_logs_out_at_the_next_request(client_in):
    assert client_in.get("/staff/").status_code == 200
    Session.objects.filter(session_key=key_of(client_in)).delete()  # logged out in another worker
    response = client_in.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_expired_session_is_not_read(client_in):
    Session.objects.filter(session_key=key_of(client_in)).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    store = SessionStore(key_of(client_in))
    assert store.load() == {} and store.session_key is None
    assert client_in.get("/staff/").status_code == 302


def test_an_unknown_or_malformed_key_starts_an_empty_session(client_in):
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("short").load() == {}  # refused as a key before any query
    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = "'; DROP TABLE django_session; --"
    assert stranger.get("/staff/").status_code == 302  # an empty session: asked to log in
    # The key was a parameter, not SQL: the table and the logged-in session are untouched.
    assert Session.objects.filter(session_key=key_of(client_in)).exists()
    assert client_in.get("/staff/").status_code == 200
