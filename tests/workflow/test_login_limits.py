"""Login lockout per (username, address) with backoff, and the per-address limit against spraying."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from workflow.models import LoginAttempt

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def token(username, password=PASSWORD, ip="198.51.100.7"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ip)
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_failures_from_one_address_do_not_lock_the_user_out_elsewhere(client, demo):
    for _ in range(5):
        assert token("supervisor", "wrong", ip="6.6.6.6").status_code == 400
    assert token("supervisor", ip="6.6.6.6").json()["code"] == "locked_out"
    response = client.post(reverse("login"), {"username": "supervisor", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert LoginAttempt.objects.filter(username="supervisor", success=False).count() == 5


def test_a_success_clears_the_failures(demo):
    for _ in range(4):
        token("agency_clerk", "wrong")
    assert token("agency_clerk").status_code == 200
    for _ in range(4):
        assert token("agency_clerk", "wrong").status_code == 400
    assert token("agency_clerk").status_code == 200


def test_each_further_lockout_of_the_pair_lasts_twice_as_long(demo, travel, settings):
    settings.LOGIN_LOCKOUT_MINUTES = 20 * 60
    settings.LOGIN_LOCKOUT_MAX_MINUTES = 30 * 60
    travel("2026-09-14")
    for _ in range(5):
        token("supervisor", "wrong")
    first = token("supervisor")
    assert (first.status_code, first["Retry-After"]) == (429, str(20 * 3600))
    assert "1200 minutes" in first.json()["message"]
    travel("2026-09-15")  # the first lockout is over
    assert token("supervisor", "wrong").status_code == 400
    for _ in range(4):
        token("supervisor", "wrong")
    second = token("supervisor")
    assert (second.status_code, second["Retry-After"]) == (429, str(30 * 3600))  # 40 h, capped at 30 h


def test_password_spraying_from_one_address_is_limited(client, demo, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    for username in ("supervisor", "agency_clerk", "complaint_officer"):
        assert token(username, "wrong").status_code == 400
    sprayed = token("agency_head", "wrong")
    assert sprayed.status_code == 429
    assert sprayed.json()["code"] == "too_many_logins"
    assert sprayed.json()["message"] == "Too many failed logins from this address; try again in 15 minutes."
    # The right password is not even checked from that address now; elsewhere it works.
    assert token("agency_head").status_code == 429
    assert token("agency_head", ip="203.0.113.5").status_code == 200
    assert LoginAttempt.objects.filter(ip="198.51.100.7").count() == 3
    page = client.post(reverse("login"), {"username": "agency_head", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert page.status_code == 200
    assert "此地址登录失败次数过多，请 15 分钟后再试。" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_logins_do_not_count_towards_the_address_limit(demo, settings):
    settings.LOGIN_FAILURES_PER_IP = 2
    for _ in range(5):
        assert token("agency_clerk").status_code == 200
    assert token("supervisor").status_code == 200
