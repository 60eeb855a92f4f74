"""Abuse limits under concurrency (PostgreSQL): twenty requests at once get exactly the allowed number
through, the others a stable 409 or 429, and never a 500 or a duplicate row."""

import io
import time

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from contracts.models import Complaint
from tests.concurrency.race import codes, race, statuses
from tests.contracts.test_complaint_api import BODY
from workflow.models import AuditLog, Document, LoginAttempt, RateCounter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
N = 20
SECONDS = 10


@pytest.fixture
def demo(travel):
    travel("2026-09-14")
    call_command("seed_demo", stdout=io.StringIO())


def api(ip="203.0.113.9"):
    return APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def timed(act):
    started = time.monotonic()
    outcomes = race(N, act)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"the race took {elapsed:.1f} s"
    return outcomes


def refused(outcomes):
    """The error responses (a created complaint's body has a `code` too: its tracking code)."""
    return [o for o in outcomes if getattr(o, "status_code", 500) >= 400]


def assert_documents_unique():
    numbers = list(Document.objects.exclude(doc_number="").values_list("doc_number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_identical_complaints_file_one(demo, settings):
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 100
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_MOBILE_DAY = 100
    outcomes = timed(lambda i: api(f"198.51.100.{i + 1}").post("/api/v1/complaints/", BODY, format="json"))
    assert statuses(outcomes) == {201: 1, 409: N - 1}
    assert codes(refused(outcomes)) == {"duplicate_complaint": N - 1}
    duplicate = next(o for o in outcomes if o.status_code == 409).json()
    assert duplicate["message"] == "The same complaint (same enterprise, body and contract) is already being handled."
    assert Complaint.objects.count() == 1
    assert AuditLog.objects.filter(action="complaint.submit").count() == 1
    assert Document.objects.filter(doc_type="complaint_receipt").count() == 1
    assert_documents_unique()


def test_complaints_from_one_address_stop_at_the_limit(demo, settings):
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 5

    def act(i):
        body = {**BODY, "contact": {"name": "李", "mobile": f"139000000{i:02d}"}, "contract": {"number": f"A-{i}"}}
        return api().post("/api/v1/complaints/", body, format="json")

    outcomes = timed(act)
    assert statuses(outcomes) == {201: 5, 429: N - 5}
    assert codes(refused(outcomes)) == {"rate_limited": N - 5}
    assert all(int(o["Retry-After"]) > 0 for o in outcomes if o.status_code == 429)
    assert Complaint.objects.count() == 5
    assert AuditLog.objects.filter(action="complaint.submit").count() == 5
    assert Document.objects.filter(doc_type="complaint_receipt").count() == 5
    assert_documents_unique()
    # The refused hits were rolled back with their submission's transaction.
    assert RateCounter.objects.get(key="complaint-ip:203.0.113.9").count == 5


def token(username, password, ip="198.51.100.7"):
    return api(ip).post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_wrong_passwords_for_one_user_stop_at_the_lockout(demo, settings):
    assert settings.LOGIN_LOCKOUT_ATTEMPTS == 5
    outcomes = timed(lambda i: token("supervisor", f"wrong-{i}"))
    assert statuses(outcomes) == {400: 5, 429: N - 5}
    assert codes(outcomes) == {"invalid_credentials": 5, "locked_out": N - 5}
    # Only five passwords were checked; the others were refused unread.
    assert LoginAttempt.objects.filter(username="supervisor").count() == 5
    # From elsewhere the supervisor still logs in.
    assert token("supervisor", "demo-pass-2026", ip="10.9.9.9").status_code == 200


def test_password_spraying_from_one_address_stops_at_the_limit(demo, settings):
    settings.LOGIN_FAILURES_PER_IP = 5
    outcomes = timed(lambda i: token(f"guess{i}", "Password1"))
    assert statuses(outcomes) == {400: 5, 429: N - 5}
    assert codes(outcomes) == {"invalid_credentials": 5, "too_many_logins": N - 5}
    assert LoginAttempt.objects.count() == 5


def test_guessing_tracking_digits_stops_at_the_limit(demo, settings):
    settings.GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR = 10
    code = api().post("/api/v1/complaints/", BODY, format="json").json()["code"]
    outcomes = timed(lambda i: api(f"198.51.100.{i + 1}").get(f"/api/v1/complaints/{code}?mobile_last4={i:04d}"))
    assert statuses(outcomes) == {404: 10, 429: N - 10}
    assert codes(outcomes) == {"not_found": 10, "tracking_limited": N - 10}
    assert RateCounter.objects.get(key=f"track-code:{code}").count == N
