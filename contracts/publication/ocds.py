"""Open Contracting Data Standard (OCDS 1.1) releases of published contracts.

One release per published contract, describing it as the public sees it now: its date is the
publication's `released_at`, so every change of public data gives a new release with a new id.
Redacted parts are left out. The package validates against the official release-package and
release schemas (1.1.5; see tests/contracts/test_ocds.py).

Mapping:
- ocid: settings.GOVCREDIT_OCDS_PREFIX + contract id.
- buyer: the contracting agency (identifier CN-USCC when it has a USCC, else its code).
- supplier: the counterparty (CN-USCC), in `parties` and as the award's supplier, unless redacted.
- awards[0] / contracts[0]: OCDS needs an award for every contract; ours is the signing itself.
- implementation.milestones: delivery / acceptance / payment nodes (unless "milestones" is redacted).
- implementation.transactions: the payments (unless "payments" is redacted, which also hides the
  day a payment milestone was met: that is the day it was paid).
- "amount" withholds every money figure: the contract value and milestone and payment amounts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, FilteredRelation, Prefetch, Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from contracts.models import Contract, ContractPublication, Milestone, OcdsRelease, Payment
from workflow import clock
from workflow.models import Agency, Enterprise

OCDS_VERSION = "1.1"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
# The version of the mapping below: change it whenever release_for's output changes, and every cached
# release (OcdsRelease) is rebuilt when next read.
RELEASE_FORMAT = "2026-11-30"
DEFAULT_PREFIX = "ocds-govcredit-"
DEFAULT_PUBLISHER = "X市社会信用体系建设领导小组办公室"
USCC_SCHEME = "CN-USCC"
DEFAULT_AGENCY_SCHEME = "GOVCREDIT-AGENCY"
# `links.next` / `links.prev` in a release package come from the pagination extension.
PAGINATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/master/extension.json"
)
CURRENCY = "CNY"

CONTRACT_STATUS = {
    Contract.Status.DRAFT: "pending",
    Contract.Status.REGISTERED: "active",
    Contract.Status.PERFORMING: "active",
    Contract.Status.IN_DISPOSAL: "active",
    Contract.Status.BREACHED: "active",
    # Signed, in force, and now come to a close (completed or ended early).
    Contract.Status.FULFILLED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}
CONTRACT_FINAL_STATUS = {Contract.Status.FULFILLED: "complete", Contract.Status.TERMINATED: "incomplete"}
MILESTONE_TYPE: dict[str, str] = {
    Milestone.Kind.DELIVERY: "delivery",
    Milestone.Kind.ACCEPTANCE: "assessment",
    # Open codelist; "payment" is the code OCDS 1.2 added for it.
    Milestone.Kind.PAYMENT: "payment",
}
MILESTONE_STATUS = {
    Milestone.Status.PLANNED: "scheduled",
    Milestone.Status.DUE: "scheduled",
    Milestone.Status.MET: "met",
    Milestone.Status.MET_LATE: "met",
    Milestone.Status.OVERDUE: "notMet",
    # waived: no status (the obligation was dropped, neither met nor failed).
}


def ocid_prefix() -> str:
    return getattr(settings, "GOVCREDIT_OCDS_PREFIX", DEFAULT_PREFIX)


def publisher_name() -> str:
    return getattr(settings, "GOVCREDIT_OCDS_PUBLISHER", DEFAULT_PUBLISHER)


def ocid_for(contract_id: int) -> str:
    return f"{ocid_prefix()}{contract_id}"


def release_id(ocid: str, released_at: dt.datetime) -> str:
    utc = released_at.astimezone(dt.UTC)
    return f"{ocid}-{utc:%Y%m%dT%H%M%S.%f}Z"


def _moment(value: dt.datetime) -> str:
    return clock.local(value).isoformat()


def _day(day: dt.date | None, *, end: bool = False) -> str | None:
    if day is None:
        return None
    at = dt.time(23, 59, 59) if end else dt.time(0)
    return dt.datetime.combine(day, at, tzinfo=clock.SHANGHAI).isoformat()


def _number(amount: Decimal) -> int | float:
    amount = Decimal(amount)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _value(amount) -> dict:
    return {"amount": _number(amount), "currency": CURRENCY}


def _identifier(scheme: str, ident: str, name: str) -> dict:
    return {"scheme": scheme, "id": ident, "legalName": name}


def buyer_party(agency) -> dict:
    if agency.uscc:
        scheme, ident = USCC_SCHEME, agency.uscc
    else:
        scheme, ident = getattr(settings, "GOVCREDIT_OCDS_AGENCY_SCHEME", DEFAULT_AGENCY_SCHEME), agency.code
    return {
        "id": f"{scheme}-{ident}",
        "name": agency.name,
        "identifier": _identifier(scheme, ident, agency.name),
        "roles": ["buyer"],
    }


def supplier_party(contract: Contract) -> dict:
    enterprise = contract.counterparty
    return {
        "id": f"{USCC_SCHEME}-{enterprise.uscc}",
        "name": enterprise.name,
        "identifier": _identifier(USCC_SCHEME, enterprise.uscc, enterprise.name),
        "roles": ["supplier"],
        # The size declared at signing (SME payment regulation Art. 3).
        "details": {"scale": contract.counterparty_size},
    }


def _ref(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _milestone(m: Milestone, *, show_amounts: bool, show_payments: bool) -> dict:
    out: dict[str, object] = {
        "id": str(m.pk),
        "title": m.title,
        "type": MILESTONE_TYPE.get(m.kind, m.kind),
        "code": m.kind,
        "dueDate": _day(m.payment_due_on or m.planned_on, end=True),
    }
    status = MILESTONE_STATUS.get(m.status)
    if m.status == Milestone.Status.OVERDUE and m.paid_amount:
        status = "partiallyMet"
    if status:
        out["status"] = status
    # A payment milestone is completed on the day it is paid: withheld with the payments.
    if m.completed_on and (show_payments or m.kind != Milestone.Kind.PAYMENT):
        out["dateMet"] = _day(m.completed_on)
    if show_amounts and m.amount is not None:
        out["value"] = _value(m.amount)
    return out


def release_for(publication: ContractPublication) -> dict:
    """The release for a published contract. Expects the contract's agency and counterparty
    selected and its milestones and payments prefetched (see `published_for_feed`)."""
    contract = publication.contract
    hidden = set(publication.redacted or [])
    show_amounts = "amount" not in hidden
    ocid = ocid_for(contract.pk)
    buyer = buyer_party(contract.agency)
    supplier = None if "counterparty" in hidden else supplier_party(contract)

    transactions = []
    if "payments" not in hidden:
        for p in contract.payments.all():
            t = {"id": str(p.pk), "date": _day(p.paid_on), "payer": _ref(buyer)}
            if show_amounts:
                t["value"] = _value(p.amount)
            if supplier:
                t["payee"] = _ref(supplier)
            transactions.append(t)
    if transactions:
        buyer["roles"].append("payer")
        if supplier:
            supplier["roles"].append("payee")

    period = {"startDate": _day(contract.signed_on)}
    if contract.ends_on:
        period["endDate"] = _day(contract.ends_on, end=True)

    award_id = f"{ocid}-award"
    award: dict[str, object] = {
        "id": award_id,
        "status": "active",
        "date": _day(contract.signed_on),
        "contractPeriod": period,
    }
    ocds_contract: dict[str, object] = {
        "id": contract.number,
        "awardID": award_id,
        "title": contract.title,
        "status": CONTRACT_STATUS[contract.status],
        "dateSigned": _day(contract.signed_on),
        "period": period,
    }
    if contract.status in CONTRACT_FINAL_STATUS:
        ocds_contract["finalStatus"] = CONTRACT_FINAL_STATUS[contract.status]
    if show_amounts:
        award["value"] = ocds_contract["value"] = _value(contract.amount)
    if supplier:
        award["suppliers"] = [_ref(supplier)]
    implementation = {}
    if "milestones" not in hidden:
        show_payments = "payments" not in hidden
        milestones = [
            _milestone(m, show_amounts=show_amounts, show_payments=show_payments) for m in contract.milestones.all()
        ]
        if milestones:
            implementation["milestones"] = milestones
    if transactions:
        implementation["transactions"] = transactions
    if implementation:
        ocds_contract["implementation"] = implementation

    released_at = publication.released_at
    assert released_at is not None  # published_for_feed: released publications only
    return {
        "ocid": ocid,
        "id": release_id(ocid, released_at),
        "date": _moment(released_at),
        "tag": ["implementation"] if transactions else ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "parties": [buyer, *([supplier] if supplier else [])],
        "buyer": _ref(buyer),
        "awards": [award],
        "contracts": [ocds_contract],
    }


def published_for_feed(*, since: dt.datetime | None = None):
    """Published contracts in release order (oldest change first), ready for `release_for`."""
    qs = (
        ContractPublication.objects.filter(status=ContractPublication.Status.PUBLISHED, released_at__isnull=False)
        .select_related("contract__agency", "contract__counterparty")
        .prefetch_related(
            Prefetch("contract__milestones", queryset=Milestone.objects.order_by("planned_on", "id")),
            Prefetch("contract__payments", queryset=Payment.objects.order_by("paid_on", "id")),
        )
        .order_by("released_at", "contract_id")
    )
    if since is not None:
        qs = qs.filter(released_at__gte=since)
    return qs


def dumps(value) -> str:
    """JSON text as the API's renderer writes it: compact, UTF-8 (not \\u-escaped), U+2028/U+2029 escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def release_fingerprint() -> str:
    """What a cached release depends on besides the data: the mapping's version and the settings it reads."""
    scheme = getattr(settings, "GOVCREDIT_OCDS_AGENCY_SCHEME", DEFAULT_AGENCY_SCHEME)
    raw = "\x1f".join([RELEASE_FORMAT, ocid_prefix(), scheme])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _releases_cached(rows: list[tuple[int, int, dt.datetime, str | None]], fingerprint: str) -> list[str]:
    """The release JSON of each (publication id, contract id, released_at, cached JSON or None) row, in
    order: the cached text where the cache holds this release, else built now and stored (3 queries
    for all the misses of a page together, and one upsert)."""
    missing = [pk for pk, _contract, _released, data in rows if data is None]
    built: dict[int, str] = {}
    if missing:
        released = {pk: released_at for pk, _contract, released_at, _data in rows}
        for publication in published_for_feed().filter(pk__in=missing):
            # Keyed by the released_at read with the page: the data read after it is at least as new
            # (a change moves released_at in its own transaction), never older.
            publication.released_at = released[publication.pk]
            built[publication.pk] = dumps(release_for(publication))
        cache = [
            OcdsRelease(publication_id=pk, released_at=released[pk], fingerprint=fingerprint, data=data)
            for pk, data in built.items()
        ]
        try:
            with transaction.atomic():
                OcdsRelease.objects.bulk_create(
                    cache,
                    update_conflicts=True,
                    unique_fields=["publication"],
                    update_fields=["released_at", "fingerprint", "data"],
                )
        except DatabaseError:  # withdrawn or deleted meanwhile: the cache is only a cache
            pass
    texts = [data if data is not None else built.get(pk) for pk, _contract, _released, data in rows]
    return [text for text in texts if text is not None]


def release_package(
    *,
    releases: list[str],
    latest: dt.datetime | None,
    uri: str,
    next_uri: str | None = None,
    prev_uri: str | None = None,
) -> str:
    """The JSON text of a release package around `releases` (each already JSON text). Its
    publishedDate is the latest release date (the package is generated on demand), or now when it is
    empty. The releases are spliced in as they are, never parsed again."""
    marker = f"releases-{uuid.uuid4().hex}"
    package = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [PAGINATION_EXTENSION],
        "publishedDate": _moment(latest or clock.now()),
        "publisher": {"name": publisher_name(), "uri": settings.GOVCREDIT_PUBLIC_URL},
        "releases": marker,
    }
    license_uri = getattr(settings, "GOVCREDIT_OCDS_LICENSE", None)
    if license_uri:
        package["license"] = license_uri
    links = {}
    if next_uri:
        links["next"] = next_uri
    if prev_uri:
        links["prev"] = prev_uri
    if links:
        package["links"] = links
    return dumps(package).replace(f'"{marker}"', "[" + ",".join(releases) + "]", 1)


def feed_page(
    *,
    since: dt.datetime | None,
    page: int = 1,
    after: tuple[dt.datetime, int] | None = None,
    limit: int | None = None,
) -> tuple[list[str], dt.datetime | None, tuple[dt.datetime, int] | None]:
    """The JSON text of up to `limit` (default PAGE_SIZE) releases in release order, the latest release
    date among them, and the (released_at, contract id) key of the last one when there is a next page
    (else None). With `after` (such a key), the releases after it: keyset pagination through the
    publication_feed index, the same cost at any depth. `page` (from 1) is the older offset form,
    kept for existing links. Reads one row more than a page instead of counting.

    A release is read from the OcdsRelease cache when it holds the contract at this `released_at`
    (one query for the page with its cached JSON); only changed or new releases are built."""
    size = limit or PAGE_SIZE
    fingerprint = release_fingerprint()
    cached = FilteredRelation(
        "release_cache",
        condition=Q(release_cache__released_at=F("released_at"), release_cache__fingerprint=fingerprint),
    )
    qs = (
        ContractPublication.objects.filter(status=ContractPublication.Status.PUBLISHED, released_at__isnull=False)
        .annotate(cached=cached)
        .order_by("released_at", "contract_id")
    )
    if since is not None:
        qs = qs.filter(released_at__gte=since)
    if after is not None:
        released_at, contract_id = after
        qs = qs.filter(Q(released_at__gt=released_at) | Q(released_at=released_at, contract_id__gt=contract_id))
        start = 0
    else:
        start = (page - 1) * size
    rows = list(qs.values_list("pk", "contract_id", "released_at", "cached__data")[start : start + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_key = (rows[-1][2], rows[-1][1]) if more and rows else None
    latest = max((r[2] for r in rows), default=None)
    return _releases_cached(rows, fingerprint), latest, next_key


@receiver(post_save, sender=Agency, dispatch_uid="contracts-ocds-agency-changed")
def _agency_changed(instance, created, **kwargs) -> None:
    # A buyer's name or identifier is part of every release of its contracts: rebuilt when next read.
    if not created:
        OcdsRelease.objects.filter(publication__contract__agency=instance).delete()


@receiver(post_save, sender=Enterprise, dispatch_uid="contracts-ocds-enterprise-changed")
def _enterprise_changed(instance, created, **kwargs) -> None:
    if not created:
        OcdsRelease.objects.filter(publication__contract__counterparty=instance).delete()
