"""Lists that cost the same on page 1 at a million rows as at a thousand (issue 11): a fixed number
of queries whatever the number of contracts, counts capped and said so, keyset pagination in the
API, cached facets on the public list that follow a new publication."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contracts.publication.services import publication_publish, publication_review
from workflow import pagination

pytestmark = pytest.mark.django_db

User = get_user_model()
STAFF_LIST = "/staff/contracts/"
PUBLIC_LIST = "/public/contracts/"
API_LIST = "/api/v1/contracts/"


@pytest.fixture
def many(make_contract):
    """n contracts of the clerk's agency, signed on successive days from 2026-07-01."""

    def _many(n, start=0):
        return [
            make_contract(number=f"HT-{i:03d}", signed_on=(dt.date(2026, 7, 1) + dt.timedelta(days=i)).isoformat())
            for i in range(start, start + n)
        ]

    return _many


def logged_in(username="agency_clerk") -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def queries(client, url, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries), r.content.decode()


def test_the_staff_list_costs_the_same_for_3_and_30_contracts(many):
    many(3)
    client = logged_in()
    first, _html = queries(client, STAFF_LIST)  # fills the agency filter's cache and the count's
    few, html = queries(client, STAFF_LIST)
    assert "共 3 份合同" in html and few == first - 2
    many(27, start=3)  # a new contract makes the cached count stale: counted again, once
    counted, html = queries(client, STAFF_LIST)
    assert "共 30 份合同" in html and counted == few + 1
    more, html = queries(client, STAFF_LIST)
    assert "共 30 份合同" in html and html.count('<tr id="contract-') == 25
    assert more == few <= 3  # session, the user (agency, roles, unread count), the page
    # The newest first, and its open-warning count from the per-row subquery.
    assert html.index("HT-029") < html.index("HT-028")


def test_counts_above_the_cap_say_more_than(many, monkeypatch):
    many(7)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    _n, html = queries(logged_in(), STAFF_LIST)
    assert "超过 5 份合同" in html and "共 7 份合同" not in html
    assert html.count('<tr id="contract-') == 7  # the page itself is complete


def test_the_api_list_walks_every_contract_once_with_a_cursor(many):
    many(5)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="agency_clerk"))
    seen, url, costs = [], f"{API_LIST}?limit=2", []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        costs.append(len(ctx.captured_queries))
        seen += [c["number"] for c in r.json()]
        url = r.headers.get("X-Next-Cursor") and r.headers["Link"].split(">")[0].lstrip("<")
    assert seen == ["HT-004", "HT-003", "HT-002", "HT-001", "HT-000"]
    assert len(costs) == 3 and costs[1] == costs[2] and max(costs) <= 3  # page 3 costs what page 2 does
    # Without parameters: the newest 200, as before (a list, no cursor when it all fits).
    r = client.get(API_LIST)
    assert [c["number"] for c in r.json()][:2] == ["HT-004", "HT-003"] and "X-Next-Cursor" not in r.headers
    r = client.get(API_LIST, {"after": "garbage"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"
    r = client.get(API_LIST, {"limit": "201"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["limit"]


def test_the_api_list_costs_the_same_for_3_and_30_contracts(many):
    many(3)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="agency_clerk"))
    queries(client, API_LIST)  # the first request fills the user's per-request caches (roles)
    few, _body = queries(client, API_LIST)
    many(27, start=3)
    more, _body = queries(client, API_LIST)
    assert more == few <= 3


def publish(contract):
    head = User.objects.get(username="supervisor")
    publication_review(contract=contract, redacted=[], note="", acting_user=head)
    publication_publish(contract=contract, acting_user=head)


def test_the_public_list_caches_its_facets_and_follows_a_new_publication(make_contract):
    publish(make_contract(number="A-1", signed_on="2026-08-03"))
    visitor = Client()
    first, html = queries(visitor, PUBLIC_LIST)
    assert '<option value="2026">2026</option>' in html and '<option value="2025">' not in html
    again, _html = queries(visitor, PUBLIC_LIST)
    assert again < first and again <= 3  # facets from the cache: the page and its count only
    # A contract signed in 2025 by another agency is published: the filters offer it at once.
    publish(make_contract(number="B-1", signed_on="2025-12-01", agency_code="XJYJ"))
    _n, html = queries(visitor, PUBLIC_LIST)
    assert '<option value="2025">2025</option>' in html
