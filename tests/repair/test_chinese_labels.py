"""One English word, two Chinese readings (msgctxt): a penalty's 违法事实, a complaint's 事实与理由."""

import pytest
from django.test import Client
from django.urls import reverse

from contracts.complaints.process import complaint_submit
from tests.contracts.test_notify import BODY
from tests.repair.test_applications import record
from workflow.models import User

pytestmark = pytest.mark.django_db


def page(username, url):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_facts_read_as_penalty_facts_on_a_record_and_as_grounds_on_a_complaint(officer, travel):
    r = record(officer, travel)
    html = page("penalty_officer", reverse("repair-record", args=[r.pk]))
    assert "<dt>违法事实</dt>" in html and "事实与理由" not in html
    travel("2026-09-14")
    c = complaint_submit(data=BODY, ip="203.0.113.9")
    html = page("complaint_officer", reverse("contracts-complaint", args=[c.pk]))
    assert "<dt>事实与理由</dt>" in html and "违法事实" not in html
