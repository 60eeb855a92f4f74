"""Tracking look-ups (code + the mobile's last four digits) are limited per code and per address."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Complaint
from tests.contracts.test_complaint_api import BODY

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(demo, travel):
    travel("2026-09-14")
    response = APIClient(REMOTE_ADDR="203.0.113.9").post("/api/v1/complaints/", BODY, format="json")
    assert response.status_code == 201
    return response.json()["code"]


def look(code, digits, ip="198.51.100.7"):
    client = APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")
    return client.get(f"/api/v1/complaints/{code}", {"mobile_last4": digits})


def test_guessing_the_digits_of_one_code_stops_after_the_limit(code, settings):
    settings.GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR = 3
    for i, ip in enumerate(("198.51.100.1", "198.51.100.2", "198.51.100.3")):
        assert look(code, f"000{i}", ip=ip).status_code == 404
    refused = look(code, "5678", ip="198.51.100.4")  # even the right digits, from a fourth address
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "tracking_limited",
        "message": "Too many failed look-ups; please try again later.",
    }
    assert 0 < int(refused["Retry-After"]) <= 3600


def test_successful_look_ups_do_not_count(code, settings):
    settings.GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR = 2
    settings.GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR = 2
    for _ in range(10):
        assert look(code, "5678").status_code == 200


def test_one_address_probing_many_codes_is_limited(code, settings, client):
    settings.GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR = 3
    for i in range(3):
        assert look(f"TS20260914AAAA{i}", "1234").status_code == 404
    assert look(code, "5678").status_code == 429
    assert look(code, "5678", ip="203.0.113.50").status_code == 200
    page = client.get(reverse("complaint-track"), {"code": code, "mobile_last4": "5678"}, REMOTE_ADDR="198.51.100.7")
    assert page.status_code == 429
    assert "查询失败次数过多，请稍后再试。" in page.content.decode()
    assert "complaint" not in page.context or page.context.get("complaint") is None
    assert Complaint.objects.count() == 1


def test_the_evaluation_counts_against_the_address_too(code, settings):
    """The evaluation endpoint looks the complaint up by code and digits as well: guesses made through it
    use up the same per-address allowance."""
    settings.GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR = 2
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    for i in range(2):
        guess = client.post(
            f"/api/v1/complaints/TS20260914BBBB{i}/evaluate", {"mobile_last4": "1234", "satisfied": True}, format="json"
        )
        assert guess.status_code == 404
    assert look(code, "5678").status_code == 429  # the same address, now limited
    assert look(code, "5678", ip="203.0.113.50").status_code == 200
