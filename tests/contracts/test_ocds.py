"""The public OCDS feed: valid against the official 1.1.5 schemas (offline), redaction, since, pages."""

import datetime as dt
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from rest_framework.test import APIClient

from contracts.models import Contract, OcdsRelease
from contracts.publication import ocds
from contracts.publication.services import publication_publish, publication_review, publication_withdraw
from contracts.services import milestone_record_delivery, payment_record
from workflow.models import Agency, User

pytestmark = pytest.mark.django_db


FEED = "/api/v1/ocds/releases.json"
REPO = Path(__file__).resolve().parents[2]


def _schema_dir() -> Path:
    for candidate in (
        os.environ.get("OCDS_SCHEMA_DIR"),
        REPO / "contracts" / "ocds_schema",
        REPO.parent / "shared" / "ocds",
    ):
        if candidate and (Path(candidate) / "release-schema.json").exists():
            return Path(candidate)
    raise AssertionError("OCDS schemas not found: set OCDS_SCHEMA_DIR (copies ship in contracts/ocds_schema/)")


# jsonschema checks "date-time" and "uri" only with optional packages; check them here, offline.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
formats = FormatChecker()


@formats.checks("date-time")
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(RFC3339.match(value)) and dt.datetime.fromisoformat(value).tzinfo is not None


@formats.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


@pytest.fixture(scope="module")
def validators():
    folder = _schema_dir()
    release_schema = json.loads((folder / "release-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((folder / "release-package-schema.json").read_text(encoding="utf-8"))
    # The package schema refers to the release schema by its URL: serve that URL from the local copy.
    registry = Registry().with_resource(
        release_schema["id"], Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    return (
        Draft4Validator(package_schema, registry=registry, format_checker=formats),
        Draft4Validator(release_schema, registry=registry, format_checker=formats),
    )


def assert_valid(package, validators):
    package_validator, release_validator = validators
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator.iter_errors(package)]
    for i, release in enumerate(package["releases"]):
        errors += [
            f"releases/{i}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in release_validator.iter_errors(release)
        ]
    assert errors == []


def feed(**params):
    r = APIClient().get(FEED, params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/json")
    return r.json()


@pytest.fixture
def head(demo):
    return User.objects.get(username="agency_head")


@pytest.fixture
def published(make_contract, travel):
    """A supervisor publishes a contract registered by make_contract, on `day` (default: the day after signing)."""
    head = User.objects.get(username="supervisor")

    def _publish(*, redacted=(), day=None, **contract_kwargs):
        contract = make_contract(**contract_kwargs)
        if day:
            travel(day)
        publication_review(
            contract=contract, redacted=list(redacted), note="审查" if redacted else "", acting_user=head
        )
        publication_publish(contract=contract, acting_user=head)
        return contract

    return _publish


def pay(contract, clerk, travel, *, amount="100000.00", day="2026-09-10"):
    milestone = contract.milestones.get(kind="payment")
    travel("2026-09-02")
    milestone_record_delivery(milestone=milestone, delivered_on=dt.date(2026, 9, 2), acting_user=clerk)
    travel(day)
    # The payment service itself moves the release date of a published contract.
    payment_record(
        contract=contract, milestone=milestone, amount=amount, paid_on=dt.date.fromisoformat(day), acting_user=clerk
    )


def test_the_package_and_every_release_validate_against_the_official_schemas(
    published, clerk, travel, validators, settings
):
    plain = published(number="HT-1")
    paid = published(number="HT-2")
    hidden = published(number="HT-3", redacted=["amount", "counterparty", "milestones", "payments"])
    agency = Agency.objects.get(code="XJYJ")
    agency.uscc = "11410100MB0123456B"  # a made-up USCC of a government body, with a valid check character
    agency.full_clean()
    agency.save()
    with_uscc = published(number="HT-4", agency_code="XJYJ", procurement=True, ends_on=None)
    pay(paid, clerk, travel)
    travel("2026-09-11")
    Contract.objects.filter(pk=plain.pk).update(status=Contract.Status.FULFILLED)  # a closed contract, too

    package = feed()
    assert_valid(package, validators)
    assert package["version"] == "1.1"
    assert package["publisher"]["name"] == "X市社会信用体系建设领导小组办公室"
    assert package["uri"] == f"http://testserver{FEED}"
    assert len(package["releases"]) == 4
    by_number = {r["contracts"][0]["id"]: r for r in package["releases"]}
    assert set(by_number) == {"HT-1", "HT-2", "HT-3", "HT-4"}
    assert {r["ocid"] for r in package["releases"]} == {
        f"ocds-govcredit-{c.pk}" for c in (plain, paid, hidden, with_uscc)
    }
    assert package["publishedDate"] == max(r["date"] for r in package["releases"])
    assert by_number["HT-1"]["contracts"][0]["status"] == "terminated"
    assert by_number["HT-1"]["contracts"][0]["finalStatus"] == "complete"
    assert by_number["HT-2"]["contracts"][0]["status"] == "active"
    assert by_number["HT-4"]["parties"][0]["id"] == "CN-USCC-11410100MB0123456B"
    assert by_number["HT-4"]["parties"][0]["identifier"]["scheme"] == "CN-USCC"
    assert "endDate" not in by_number["HT-4"]["contracts"][0]["period"]
    hidden_release = by_number["HT-3"]
    assert [p["roles"] for p in hidden_release["parties"]] == [["buyer"]]


def test_a_release_describes_the_contract_as_the_public_sees_it(published, clerk, travel):
    contract = published()
    release = feed()["releases"][0]
    ocid = f"ocds-govcredit-{contract.pk}"
    assert release["ocid"] == ocid
    assert release["id"] == f"{ocid}-20260804T020000.000000Z"
    assert release["date"] == "2026-08-04T10:00:00+08:00"
    assert release["tag"] == ["contract"]
    assert release["language"] == "zh"
    assert release["initiationType"] == "tender"
    buyer, supplier = release["parties"]
    assert buyer == {
        "id": "GOVCREDIT-AGENCY-XJTJ",
        "name": "X市交通运输局",
        "identifier": {"scheme": "GOVCREDIT-AGENCY", "id": "XJTJ", "legalName": "X市交通运输局"},
        "roles": ["buyer"],
    }
    assert release["buyer"] == {"id": "GOVCREDIT-AGENCY-XJTJ", "name": "X市交通运输局"}
    assert supplier["identifier"] == {
        "scheme": "CN-USCC",
        "id": "91410100AY4CL12THU",
        "legalName": "X市恒信建材有限公司",
    }
    assert supplier["roles"] == ["supplier"] and supplier["details"] == {"scale": "small"}
    c = release["contracts"][0]
    assert c["awardID"] == release["awards"][0]["id"]
    assert release["awards"][0]["suppliers"] == [{"id": "CN-USCC-91410100AY4CL12THU", "name": "X市恒信建材有限公司"}]
    assert (c["title"], c["status"], c["value"]) == (
        "道路养护服务采购",
        "active",
        {"amount": 300000, "currency": "CNY"},
    )
    assert c["dateSigned"] == "2026-08-03T00:00:00+08:00"
    assert c["period"] == {"startDate": "2026-08-03T00:00:00+08:00", "endDate": "2027-08-02T23:59:59+08:00"}
    assert [(m["title"], m["type"], m["status"]) for m in c["implementation"]["milestones"]] == [
        ("第一批交付", "delivery", "scheduled"),
        ("第一期付款", "payment", "scheduled"),
    ]
    assert "transactions" not in c["implementation"]

    # A payment: a new release (new id and date) tagged implementation, with the transaction.
    pay(contract, clerk, travel, amount="40000.50")
    release = feed()["releases"][0]
    assert release["id"] == f"{ocid}-20260910T020000.000000Z"
    assert release["tag"] == ["implementation"]
    (t,) = release["contracts"][0]["implementation"]["transactions"]
    assert t["date"] == "2026-09-10T00:00:00+08:00"
    assert t["value"] == {"amount": 40000.5, "currency": "CNY"}
    assert t["payer"]["id"] == "GOVCREDIT-AGENCY-XJTJ"
    assert t["payee"]["id"] == "CN-USCC-91410100AY4CL12THU"
    assert release["parties"][0]["roles"] == ["buyer", "payer"]


def test_redacted_parts_are_not_in_the_feed(published, clerk, travel, validators):
    contract = published(redacted=["amount", "counterparty"])
    pay(contract, clerk, travel)
    package = feed()
    assert_valid(package, validators)
    release = package["releases"][0]
    text = json.dumps(package, ensure_ascii=False)
    assert "恒信建材" not in text and "91410100AY4CL12THU" not in text
    assert "300000" not in text and "100000" not in text
    assert [p["roles"] for p in release["parties"]] == [["buyer", "payer"]]
    assert "suppliers" not in release["awards"][0] and "value" not in release["awards"][0]
    c = release["contracts"][0]
    assert "value" not in c
    (t,) = c["implementation"]["transactions"]
    assert "value" not in t and "payee" not in t
    assert all("value" not in m for m in c["implementation"]["milestones"])


def test_withheld_milestones_and_payments_leave_no_implementation(published, clerk, travel):
    contract = published(redacted=["milestones", "payments"])
    pay(contract, clerk, travel)
    release = feed()["releases"][0]
    assert "implementation" not in release["contracts"][0]
    assert release["tag"] == ["contract"]


def test_withheld_payments_also_hide_the_day_a_payment_milestone_was_paid(published, clerk, travel):
    contract = published(redacted=["payments"], note="付款信息涉及银行账户")
    pay(contract, clerk, travel, amount="100000.00")
    c = feed()["releases"][0]["contracts"][0]
    assert "transactions" not in c["implementation"]
    payment_milestone = c["implementation"]["milestones"][1]
    assert payment_milestone["status"] == "met" and "dateMet" not in payment_milestone
    detail = APIClient().get(f"/public/contracts/{contract.pk}/").content.decode()
    row = detail[detail.index(f'id="milestone-{contract.milestones.get(kind="payment").pk}"') :]
    row = row[: row.index("</tr>")]
    assert "2026-09-10" not in row
    with translation.override("zh-hans"):
        assert translation.gettext("Withheld under the law") in row


def test_only_published_contracts_and_a_withdrawn_one_leaves_the_feed_at_once(published, make_contract, head):
    kept = published(number="HT-KEEP")
    gone = published(number="HT-GONE")
    pending = make_contract(number="HT-PENDING")
    publication_review(contract=pending, redacted=[], note="", acting_user=head)
    assert {r["contracts"][0]["id"] for r in feed()["releases"]} == {"HT-KEEP", "HT-GONE"}
    publication_withdraw(contract=gone, reason="误发", acting_user=head)
    assert [r["ocid"] for r in feed()["releases"]] == [f"ocds-govcredit-{kept.pk}"]


def test_since_returns_releases_dated_at_or_after_it(published, travel):
    published(number="HT-A", signed_on="2026-08-03")  # published 2026-08-04 10:00 (+08:00)
    published(number="HT-B", signed_on="2026-08-10")  # published 2026-08-11 10:00
    ids = lambda **p: [r["contracts"][0]["id"] for r in feed(**p)["releases"]]  # noqa: E731
    assert ids() == ["HT-A", "HT-B"]
    assert ids(since="2026-08-04T10:00:00+08:00") == ["HT-A", "HT-B"]
    assert ids(since="2026-08-04T02:00:01Z") == ["HT-B"]
    assert ids(since="2026-08-11") == ["HT-B"]  # a date: from its start in Asia/Shanghai
    assert ids(since="2026-08-11T10:00:00") == ["HT-B"]  # no offset: Asia/Shanghai
    assert ids(since="2026-08-11T10:00:01+08:00") == []
    # "+08:00" sent without encoding the plus arrives as " 08:00"; still understood.
    r = APIClient().get(f"{FEED}?since=2026-08-11T10:00:00+08:00")
    assert [x["contracts"][0]["id"] for x in r.json()["releases"]] == ["HT-B"]
    assert feed(since="2026-08-11")["uri"] == f"http://testserver{FEED}?since=2026-08-11T00%3A00%3A00%2B08%3A00"


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-08-04T25:00:00"])
def test_a_bad_since_is_a_400_on_the_field(db, value):
    r = APIClient().get(FEED, {"since": value})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert list(r.json()["errors"]) == ["since"]


def test_pages_and_links(published, monkeypatch, validators):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 2)
    for n in range(3):
        published(number=f"HT-{n}")
    first = feed()
    assert len(first["releases"]) == 2
    # links.next carries a keyset cursor (the releases after the last one shown).
    assert list(first["links"]) == ["next"] and first["links"]["next"].startswith(f"http://testserver{FEED}?after=")
    r = APIClient().get(first["links"]["next"])
    assert r.status_code == 200
    second = r.json()
    assert_valid(second, validators)
    assert [r["contracts"][0]["id"] for r in second["releases"]] == ["HT-2"]
    assert "next" not in second.get("links", {})
    # The older page numbers still work.
    by_number = feed(page=2)
    assert [r["contracts"][0]["id"] for r in by_number["releases"]] == ["HT-2"]
    assert by_number["links"] == {"prev": f"http://testserver{FEED}"}
    assert feed(page=9)["releases"] == []
    r = APIClient().get(FEED, {"page": "0"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["page"]
    r = APIClient().get(FEED, {"after": "not-a-cursor"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


def test_since_and_the_cursor_together_walk_the_changes_once(published, monkeypatch):
    monkeypatch.setattr(ocds, "PAGE_SIZE", 2)
    for n in range(5):
        published(number=f"HT-{n}")
    seen, url = [], f"{FEED}?since=2000-01-01"
    while url:
        package = APIClient().get(url).json()
        seen += [r["contracts"][0]["id"] for r in package["releases"]]
        url = package.get("links", {}).get("next")
        assert url is None or "since=2000-01-01" in url
    assert sorted(seen) == [f"HT-{n}" for n in range(5)] and len(seen) == 5


def test_the_feed_needs_no_login_and_ignores_credentials(published):
    published()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(FEED).status_code == 200


def test_the_ocid_prefix_and_publisher_come_from_settings(published, settings):
    contract = published()
    settings.GOVCREDIT_OCDS_PREFIX = "ocds-x1y2z3-"
    settings.GOVCREDIT_OCDS_PUBLISHER = "X市信用办"
    package = feed()
    assert package["releases"][0]["ocid"] == f"ocds-x1y2z3-{contract.pk}"
    assert package["publisher"]["name"] == "X市信用办"


def test_the_feed_reads_a_fixed_number_of_queries(published, django_assert_max_num_queries):
    for n in range(6):
        published(number=f"HT-{n}")
    # The first read builds the six releases (page, contracts, milestones, payments) and stores them
    # (the upsert inside its savepoint); the next reads take the page with its cached JSON in one query.
    with django_assert_max_num_queries(7):
        first = feed()
    assert len(first["releases"]) == 6
    with django_assert_max_num_queries(1):
        assert feed() == first


def _cached(contract) -> OcdsRelease:
    return OcdsRelease.objects.get(publication__contract=contract)


def test_an_unchanged_release_is_served_from_the_cache(published):
    contract = published(number="HT-1")
    release = feed()["releases"][0]
    row = _cached(contract)
    assert json.loads(row.data) == release and row.released_at == contract.publication.released_at
    # What the feed sends is the stored text: change it behind the feed's back and the feed says so.
    OcdsRelease.objects.filter(pk=row.pk).update(data=row.data.replace("道路养护服务采购", "CACHED"))
    assert feed()["releases"][0]["contracts"][0]["title"] == "CACHED"


def test_a_changed_contract_gets_a_new_release_built_again(published, clerk, travel):
    contract = published(number="HT-1")
    other = published(number="HT-2", signed_on="2026-08-05")
    before = {r["contracts"][0]["id"]: r for r in feed()["releases"]}
    kept = _cached(other)
    OcdsRelease.objects.filter(pk=kept.pk).update(data=kept.data.replace("道路养护服务采购", "KEPT"))
    pay(contract, clerk, travel, amount="40000.50")  # the payment moves HT-1's released_at
    after = {r["contracts"][0]["id"]: r for r in feed()["releases"]}
    assert after["HT-1"]["id"] == f"ocds-govcredit-{contract.pk}-20260910T020000.000000Z" != before["HT-1"]["id"]
    assert after["HT-1"]["date"] == "2026-09-10T10:00:00+08:00"
    assert after["HT-1"]["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"] == 40000.5
    assert after["HT-1"]["contracts"][0]["title"] == "道路养护服务采购"
    assert after["HT-2"]["contracts"][0]["title"] == "KEPT"  # unchanged: served from the cache
    assert _cached(contract).released_at == Contract.objects.get(pk=contract.pk).publication.released_at


def test_the_sweep_moves_a_release_and_the_feed_rebuilds_it(published, travel):
    from contracts.sweeps import sweep_payments

    contract = published(number="HT-1")
    feed()
    milestone = contract.milestones.get(kind="payment")
    type(milestone).objects.filter(pk=milestone.pk).update(status="due", payment_due_on=dt.date(2026, 9, 1))
    travel("2026-09-03")
    sweep_payments(as_of=dt.date(2026, 9, 3))  # set-based: the overdue payment moves released_at
    release = feed()["releases"][0]
    assert release["date"] == "2026-09-03T10:00:00+08:00"
    assert release["contracts"][0]["implementation"]["milestones"][1]["status"] == "notMet"


def test_a_withdrawn_contract_leaves_the_feed_and_the_cache(published, head):
    kept = published(number="HT-KEEP")
    gone = published(number="HT-GONE")
    assert len(feed()["releases"]) == 2 and OcdsRelease.objects.count() == 2
    publication_withdraw(contract=gone, reason="误发", acting_user=head)
    assert [r["contracts"][0]["id"] for r in feed()["releases"]] == ["HT-KEEP"]
    assert list(OcdsRelease.objects.values_list("publication__contract", flat=True)) == [kept.pk]


def test_renaming_the_agency_or_changing_the_ocid_prefix_rebuilds_the_release(published, settings):
    contract = published(number="HT-1")
    feed()
    agency = Agency.objects.get(code="XJTJ")
    agency.name = "X市交通局"
    agency.save()
    assert feed()["releases"][0]["buyer"]["name"] == "X市交通局"
    settings.GOVCREDIT_OCDS_PREFIX = "ocds-x1y2z3-"
    assert feed()["releases"][0]["ocid"] == f"ocds-x1y2z3-{contract.pk}"


def test_limit_sets_the_page_size_and_stays_in_the_links(published):
    for n in range(3):
        published(number=f"HT-{n}")
    first = feed(limit=2)
    assert [r["contracts"][0]["id"] for r in first["releases"]] == ["HT-0", "HT-1"]
    assert "limit=2" in first["links"]["next"]
    second = APIClient().get(first["links"]["next"]).json()
    assert [r["contracts"][0]["id"] for r in second["releases"]] == ["HT-2"]
    r = APIClient().get(FEED, {"limit": str(ocds.MAX_PAGE_SIZE + 1)})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["limit"]


def test_an_empty_feed_is_still_a_valid_package(db, validators):
    package = feed()
    assert package["releases"] == []
    assert_valid(package, validators)
