"""Reads for government contracts, always scoped to what the user may see."""

import functools

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contracts.models import ArrearsCase, Contract, ContractPublication, Milestone, Payment, Warning
from workflow import roles
from workflow.compiled import compiled_rows
from workflow.errors import NotFound, PermissionDenied
from workflow.models import Agency, Enterprise
from workflow.pagination import count_cache_forget, count_cache_version
from workflow.scoping import agency_filter, enterprise_filter


def _contract_scope(user) -> Q:
    # Agencies see their own and their sub-agencies' contracts; an enterprise sees those it is party to.
    return agency_filter(user, "agency") | enterprise_filter(user, "counterparty")


def contracts_visible_to(user):
    return Contract.objects.filter(_contract_scope(user)).select_related("agency", "counterparty")


def contracts_for_list(user):
    """The staff list: visible contracts newest signed first (index contract_signed), each with
    `open_warnings` counted by a subquery per row of the page, never a GROUP BY over the table.
    Rows are dicts of LIST_COLUMNS and open_warnings (no model instances)."""
    return _contracts_for_list_base().filter(_contract_scope(user))


def contracts_for_list_key(user) -> tuple:
    """What the unfiltered staff list depends on for `user`: its scope (a Q, compared by value)."""
    return ("contracts-for-list", _contract_scope(user))


def contracts_for_list_page(user, *, offset: int, limit: int) -> list[dict]:
    """Rows `offset`..`offset + limit` of contracts_for_list(user), unfiltered, read now with SQL compiled
    once per scope and process (workflow.compiled): compiling it cost about as much as running it."""
    key = contracts_for_list_key(user)
    return compiled_rows(key, lambda: _contracts_for_list_base().filter(key[1]), offset=offset, limit=limit)


@functools.cache
def _contracts_for_list_base():
    """What contracts_for_list reads before the user's scope, built once per process (each `.filter()`
    makes a new query): building it took about as long as running it on every list request."""
    open_warnings = (
        Warning.objects.filter(contract=OuterRef("pk"), status__in=Warning.OPEN_STATUSES)
        .order_by()
        .values("contract")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Contract.objects.annotate(open_warnings=Coalesce(Subquery(open_warnings, output_field=IntegerField()), 0))
        .order_by("-signed_on", "-id")
        .values(*LIST_COLUMNS, "open_warnings")
    )


# What the staff list shows of a contract (contracts.views.contracts._list_rows), and nothing more.
LIST_COLUMNS = ("id", "number", "title", "amount", "signed_on", "status", "agency__name", "counterparty__name")


def contracts_keyset(user, *, after: tuple | None, limit: int) -> tuple[list[dict], tuple | None]:
    """Up to `limit` visible contracts newest signed first, after the (signed_on, id) key `after`,
    and the key to continue from (None on the last page). Reads limit + 1 rows through the
    contract_signed index whatever the page: no OFFSET, no COUNT. Each row is a dict of the columns
    the API list shows (KEYSET_COLUMNS; `agency__code` for the agency), no model instances."""
    qs = Contract.objects.filter(_contract_scope(user)).order_by("-signed_on", "-id")
    if after is not None:
        signed_on, pk = after
        qs = qs.filter(Q(signed_on__lt=signed_on) | Q(signed_on=signed_on, id__lt=pk))
    rows = list(qs.values(*KEYSET_COLUMNS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1]["signed_on"], rows[-1]["id"]) if more else None)


KEYSET_COLUMNS = ("id", "number", "title", "status", "agency__code", "amount", "signed_on")


def contract_get_for_user(*, user, pk) -> Contract:
    contract = (
        contracts_visible_to(user)
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_on", "id")),
            Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id")),
            Prefetch("warnings", queryset=Warning.objects.order_by("-raised_on", "id")),
            Prefetch(
                "arrears",
                queryset=ArrearsCase.objects.select_related("milestone__contract").prefetch_related(
                    "milestone__payments"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise NotFound("No such contract.", "not_found")
    return contract


def contract_get_for_clerk(*, user, pk) -> Contract:
    """A contract the user may change: a clerk or head of its agency (or above it)."""
    contract = contract_get_for_user(user=user, pk=pk)
    if (
        not roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD)
        or not Contract.objects.filter(agency_filter(user, "agency"), pk=pk).exists()
    ):
        raise PermissionDenied("Only the contracting agency's clerks record this.", "forbidden")
    return contract


def arrears_visible_to(user, *, contract=None, agency=None, status=None):
    qs = (
        ArrearsCase.objects.filter(agency_filter(user, "agency") | enterprise_filter(user, "enterprise"))
        .select_related("contract", "milestone__contract")
        .prefetch_related("milestone__payments")
        .order_by("due_on", "id")
    )
    if contract:
        qs = qs.filter(contract_id=contract)
    if agency:
        qs = qs.filter(Q(agency__code=agency) | Q(agency_id=agency if str(agency).isdigit() else None))
    if status:
        qs = qs.filter(status=status)
    return qs


def warnings_visible_to(user, *, status=None):
    qs = Warning.objects.filter(agency_filter(user, "agency")).select_related("contract", "agency", "milestone")
    if status:
        qs = qs.filter(status=status)
    return qs


def agencies_visible_ids(user) -> list[int]:
    from workflow.scoping import agencies_for_user

    return list(agencies_for_user(user).values_list("id", flat=True))


# -- public list facets (no login) -------------------------------------------------------------

PUBLIC_FACETS_KEY = "contracts:public-facets:v1"
PUBLIC_FACETS_SECONDS = 300


def public_facets() -> dict:
    """The agencies (id, name) and signing years of the published contracts, for the public list's
    filters. Cached: computing them scans every published contract. Deleted from the cache when a
    publication is saved (published, withdrawn, reviewed), and at most PUBLIC_FACETS_SECONDS old
    in another process whose cache is not shared (the default in-process cache)."""
    facets = cache.get(PUBLIC_FACETS_KEY)
    if facets is None:
        published = Contract.objects.filter(publication__status=ContractPublication.Status.PUBLISHED)
        facets = {
            "agencies": list(
                Agency.objects.filter(pk__in=published.values("agency_id")).order_by("code").values_list("pk", "name")
            ),
            "years": sorted({d.year for d in published.dates("signed_on", "year")}, reverse=True),
        }
        cache.set(PUBLIC_FACETS_KEY, facets, PUBLIC_FACETS_SECONDS)
    return facets


@receiver([post_save, post_delete], sender=ContractPublication, dispatch_uid="contracts-public-facets")
def _public_facets_forget(**kwargs) -> None:
    cache.delete(PUBLIC_FACETS_KEY)


# -- cached list counts (workflow.pagination.CappedPaginator(cached=...)) ----------------------------

CONTRACT_COUNTS = "contracts"
PUBLICATION_COUNTS = "publications"


@receiver([post_save, post_delete], sender=Contract, dispatch_uid="contracts-list-counts-contract")
def _contract_counts_forget(**kwargs) -> None:
    count_cache_forget(CONTRACT_COUNTS)
    count_cache_forget(PUBLICATION_COUNTS)


@receiver([post_save, post_delete], sender=ContractPublication, dispatch_uid="contracts-list-counts-publication")
def _publication_counts_forget(**kwargs) -> None:
    count_cache_forget(PUBLICATION_COUNTS)


# -- the public list's first page (contracts.views.public) --------------------------------------------

PUBLIC_LIST_SECONDS = 30


def public_list_version() -> int:
    """Changes (in this process) whenever something the public list shows is saved here: a publication
    (published, withdrawn, redaction reviewed) or a contract (above), an agency or an enterprise (names),
    a milestone or a payment (the overdue flag). The unfiltered first page is kept PUBLIC_LIST_SECONDS
    under this version: dropped at once in the process that made the change, at most that old in
    another process and after the sweep's set-based updates."""
    return count_cache_version(PUBLICATION_COUNTS)


@receiver([post_save, post_delete], sender=Agency, dispatch_uid="contracts-public-list-agency")
@receiver([post_save, post_delete], sender=Enterprise, dispatch_uid="contracts-public-list-enterprise")
@receiver([post_save, post_delete], sender=Milestone, dispatch_uid="contracts-public-list-milestone")
@receiver([post_save, post_delete], sender=Payment, dispatch_uid="contracts-public-list-payment")
def _public_list_forget(**kwargs) -> None:
    count_cache_forget(PUBLICATION_COUNTS)
