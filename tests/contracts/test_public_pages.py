"""Public contract pages (no login): what a visitor sees, finds, and never sees."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from contracts.models import Contract
from contracts.publication.services import publication_publish, publication_review, publication_withdraw
from contracts.services import milestone_record_delivery, payment_record
from workflow.models import User

pytestmark = pytest.mark.django_db


LIST = "/public/contracts/"


def withheld() -> str:
    """What a withheld part reads in Chinese (依法不予公开 once the catalogue has it)."""
    with translation.override("zh-hans"):
        return translation.gettext("Withheld under the law")


def label(english: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(english)


@pytest.fixture
def visitor():
    return Client()


def page(client, url, **params):
    r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


@pytest.fixture
def head(demo):
    return User.objects.get(username="agency_head")


@pytest.fixture
def published(make_contract):
    supervisor = User.objects.get(username="supervisor")

    def _publish(*, redacted=(), note="", **contract_kwargs):
        contract = make_contract(**contract_kwargs)
        publication_review(
            contract=contract,
            redacted=list(redacted),
            note=note or ("审查" if redacted else ""),
            acting_user=supervisor,
        )
        publication_publish(contract=contract, acting_user=supervisor)
        return contract

    return _publish


def rows(html: str) -> int:
    return html.count('<tr id="contract-')


def test_a_visitor_sees_published_contracts_only(published, make_contract, head, visitor):
    shown = published(number="JT-2026-001", title="国道养护工程材料采购")
    pending = make_contract(number="JT-2026-002", title="办公楼物业服务")
    publication_review(contract=pending, redacted=[], note="", acting_user=head)
    html = page(visitor, LIST)
    assert rows(html) == 1
    assert "JT-2026-001" in html and "国道养护工程材料采购" in html
    assert "X市交通运输局" in html and "X市恒信建材有限公司" in html
    assert "¥300,000.00" in html
    assert label("Performing") in html
    assert "JT-2026-002" not in html
    assert visitor.get(f"{LIST}{pending.pk}/").status_code == 404
    detail = page(visitor, f"{LIST}{shown.pk}/")
    assert "国道养护工程材料采购" in detail and "第一期付款" in detail


def test_redacted_parts_read_withheld_and_are_not_in_the_page(published, clerk, travel, visitor):
    contract = published(redacted=["amount", "counterparty", "payments"], note="单价与供应商信息属商业秘密")
    milestone = contract.milestones.get(kind="payment")
    travel("2026-09-02")
    milestone_record_delivery(milestone=milestone, delivered_on=dt.date(2026, 9, 2), acting_user=clerk)
    payment_record(
        contract=contract, milestone=milestone, amount="40000.00", paid_on=dt.date(2026, 9, 2), acting_user=clerk
    )
    for url in (LIST, f"{LIST}{contract.pk}/"):
        html = page(visitor, url)
        assert withheld() in html
        assert "恒信建材" not in html and "91410100AY4CL12THU" not in html
        assert "300,000" not in html and "100,000" not in html and "40,000" not in html
        assert "商业秘密" not in html  # the review note is internal
    detail = page(visitor, f"{LIST}{contract.pk}/")
    assert "第一期付款" in detail  # milestones were not withheld
    assert 'id="payment-' not in detail


def test_search_covers_number_title_agency_and_counterparty(published, visitor):
    published(number="JT-2026-001", title="国道养护工程材料采购")
    published(number="JY-2026-007", title="校园安保服务", agency_code="XJYJ", redacted=["counterparty"])
    assert rows(page(visitor, LIST, q="JT-2026")) == 1
    assert rows(page(visitor, LIST, q="安保")) == 1
    assert rows(page(visitor, LIST, q="教育局")) == 1
    # Both are with 恒信建材, but one hides its counterparty: a search must not reveal it.
    html = page(visitor, LIST, q="恒信建材")
    assert rows(html) == 1 and "JT-2026-001" in html and "JY-2026-007" not in html
    html = page(visitor, LIST, q="没有这个合同")
    assert rows(html) == 0
    assert label("No published contract matches the search.") in html


def test_filters_by_agency_kind_status_and_year(published, clerk, sweep, visitor):
    road = published(number="JT-1", kind="works")
    school = published(number="JY-1", agency_code="XJYJ", signed_on="2025-12-01")
    closed = published(number="JT-2")
    Contract.objects.filter(pk=closed.pk).update(status=Contract.Status.FULFILLED)
    pay = road.milestones.get(kind="payment")
    milestone_record_delivery(milestone=pay, delivered_on=dt.date(2026, 8, 4), acting_user=clerk)
    sweep(dt.date(2026, 10, 9))  # the payment fell due 2026-09-03 and is unpaid

    def numbers(**params):
        html = page(visitor, LIST, **params)
        return sorted(n for n in ("JT-1", "JY-1", "JT-2") if f">{n}<" in html)

    assert numbers(agency=school.agency_id) == ["JY-1"]
    assert numbers(kind="works") == ["JT-1"]
    assert numbers(status="overdue") == ["JT-1"]
    assert numbers(status="fulfilled") == ["JT-2"]
    assert numbers(status="performing") == ["JY-1"]
    assert numbers(year=2025) == ["JY-1"]
    assert numbers(year="not-a-year") == ["JT-1", "JT-2", "JY-1"]  # a bad filter is ignored
    html = page(visitor, LIST)
    assert label("Overdue payments") in html and label("Fulfilled") in html
    detail = page(visitor, f"{LIST}{road.pk}/")
    assert label("Overdue payments") in detail


def test_a_withdrawn_contract_disappears_at_once(published, head, visitor):
    contract = published(number="JT-2026-009")
    assert "JT-2026-009" in page(visitor, LIST)
    publication_withdraw(contract=contract, reason="含个人信息", acting_user=head)
    assert "JT-2026-009" not in page(visitor, LIST)
    assert visitor.get(f"{LIST}{contract.pk}/").status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(published, visitor, django_assert_max_num_queries):
    for n in range(3):
        published(number=f"A-{n}")
    # Cold caches: the facets (2), the count, the page, the page's overdue flags (one query for its rows).
    with django_assert_max_num_queries(5):
        page(visitor, LIST)
    for n in range(22):
        published(number=f"B-{n}", redacted=["amount"] if n % 2 else ())
    with django_assert_max_num_queries(4):
        html = page(visitor, LIST, q="-", status="performing")
    assert rows(html) == 20  # one page


def test_the_unfiltered_first_page_is_kept_and_dropped_by_any_change_it_shows(published, head, clerk, visitor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflow.models import Agency, Enterprise

    contract = published(number="JT-2026-010")
    kept = published(number="JT-2026-011", signed_on="2026-08-04")
    page(visitor, LIST)
    with CaptureQueriesContext(connection) as ctx:
        html = page(visitor, LIST)
    assert len(ctx.captured_queries) == 0 and "JT-2026-010" in html  # facets, count and rows from the cache
    # Each change below shows on the very next request (the same process made it).
    agency = Agency.objects.get(code="XJTJ")
    agency.name = "X市交通运输委员会"
    agency.save()
    assert "X市交通运输委员会" in page(visitor, LIST)
    counterparty = contract.counterparty
    counterparty.name = "X市恒信新材料有限公司"
    counterparty.save()
    assert "X市恒信新材料有限公司" in page(visitor, LIST)
    assert isinstance(counterparty, Enterprise)
    assert withheld() not in page(visitor, LIST)
    # A published contract's amount is withheld after a new review: hidden at once.
    publication_review(contract=kept, redacted=["amount"], note="单价属商业秘密", acting_user=head)
    html = page(visitor, LIST)
    assert "JT-2026-011" in html and withheld() in html and "300,000.00" in html  # the other one's amount
    publication_withdraw(contract=contract, reason="含个人信息", acting_user=head)
    html = page(visitor, LIST)
    assert "JT-2026-010" not in html and "JT-2026-011" in html


def test_pages_are_paginated_and_keep_the_filters(published, visitor):
    for n in range(21):
        published(number=f"P-{n:02d}")
    html = page(visitor, LIST, q="P-")
    assert rows(html) == 20
    assert "?q=P-&amp;page=2" in html
    assert rows(page(visitor, LIST, q="P-", page=2)) == 1


def test_the_detail_page_reads_a_fixed_number_of_queries(published, visitor, django_assert_max_num_queries):
    contract = published()
    with django_assert_max_num_queries(3):
        page(visitor, f"{LIST}{contract.pk}/")
