import datetime as dt

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from workflow import tasks, workdays
from workflow.models import Heartbeat
from workflow.views import ops

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year():
    calendar = workdays.get_calendar()
    return max(calendar.years - calendar.provisional_years)


def get(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


def test_ok_with_a_fresh_heartbeat(client, travel, last_year):
    travel(f"{last_year}-06-01")
    tasks.heartbeat()
    status, body = get(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert set(body) == {"status", "database", "jobs", "calendar"}
    jobs = body["jobs"]
    assert set(jobs) == {"last_heartbeat", "heartbeat_age_seconds", "queued", "oldest_queued_age_seconds"}
    assert 0 <= jobs["heartbeat_age_seconds"] <= 5
    assert dt.datetime.fromisoformat(jobs["last_heartbeat"]) == Heartbeat.objects.get(name="q2").at
    assert (jobs["queued"], jobs["oldest_queued_age_seconds"]) == (0, None)
    years = sorted(workdays.get_calendar().years)
    assert body["calendar"] == {
        "years": [years[0], last_year + 2],
        "next_year_available": False,
        "provisional_years": [last_year + 1, last_year + 2],
        "next_year_provisional": True,
    }


def test_degraded_without_heartbeat_or_with_a_stale_one(client, travel, last_year):
    travel(f"{last_year}-06-01")
    status, body = get(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["jobs"]["last_heartbeat"] is None
    assert body["jobs"]["heartbeat_age_seconds"] is None

    Heartbeat.objects.create(name="q2", at=timezone.now() - dt.timedelta(minutes=6))
    status, body = get(client)
    assert (status, body["status"]) == (200, "degraded")
    assert 360 <= body["jobs"]["heartbeat_age_seconds"] <= 365

    Heartbeat.objects.filter(name="q2").update(at=timezone.now() - dt.timedelta(minutes=4))
    assert get(client)[1]["status"] == "ok"


def test_degraded_from_1_december_when_next_years_calendar_is_missing(client, travel, last_year):
    tasks.heartbeat()
    travel(f"{last_year}-11-30")
    assert get(client)[1]["status"] == "ok"
    travel(f"{last_year}-12-01")
    status, body = get(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["calendar"]["next_year_available"] is False
    # Dates in next year are still counted, provisionally: the JSON says so.
    assert body["calendar"]["next_year_provisional"] is True
    assert body["calendar"]["provisional_years"] == [last_year + 1, last_year + 2]
    travel(f"{last_year - 1}-12-01")  # next year is known then
    status, body = get(client)
    assert (body["status"], body["calendar"]["next_year_available"]) == ("ok", True)


def test_queued_tasks_and_the_age_of_the_oldest(client):
    tasks.heartbeat()
    async_task("workflow.tasks.heartbeat", sync=False)
    async_task("workflow.tasks.heartbeat", sync=False)
    status, body = get(client)
    assert status == 200
    assert body["jobs"]["queued"] == 2
    assert 0 <= body["jobs"]["oldest_queued_age_seconds"] <= 5


def test_503_when_the_database_does_not_answer(client, monkeypatch):
    class Broken:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(ops, "connection", Broken())
    status, body = get(client)
    assert status == 503
    assert body == {"status": "error", "database": "error", "jobs": None, "calendar": None}


def test_no_login_needed_and_not_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
