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
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q

from contracts.models import Contract, ContractPublication, Milestone, Payment
from workflow import clock

OCDS_VERSION = "1.1"
PAGE_SIZE = 500
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


def release_package(
    *, releases: list[dict], uri: str, next_uri: str | None = None, prev_uri: str | None = None
) -> dict:
    """A release package around `releases`. Its publishedDate is the latest release date (the
    package is generated on demand), or now when it is empty."""
    published = max((r["date"] for r in releases), default=None, key=lambda d: dt.datetime.fromisoformat(d))
    package = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [PAGINATION_EXTENSION],
        "publishedDate": published or _moment(clock.now()),
        "publisher": {"name": publisher_name(), "uri": settings.GOVCREDIT_PUBLIC_URL},
        "releases": releases,
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
    return package


def feed_page(
    *, since: dt.datetime | None, page: int = 1, after: tuple[dt.datetime, int] | None = None
) -> tuple[list[dict], tuple[dt.datetime, int] | None]:
    """Releases in release order and the (released_at, contract id) key of the last one when there
    is a next page (else None). With `after` (such a key), the releases after it: keyset
    pagination through the publication_feed index, the same cost at any depth. `page` (from 1) is
    the older offset form, kept for existing links. Reads one row more than a page instead of counting."""
    qs = published_for_feed(since=since)
    if after is not None:
        released_at, contract_id = after
        qs = qs.filter(Q(released_at__gt=released_at) | Q(released_at=released_at, contract_id__gt=contract_id))
        start = 0
    else:
        start = (page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    last = rows[-1] if rows else None
    next_key = (last.released_at, last.contract_id) if more and last is not None and last.released_at else None
    return [release_for(p) for p in rows], next_key
