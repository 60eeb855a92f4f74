"""Reads for government contracts, always scoped to what the user may see."""

from django.db.models import Prefetch, Q

from contracts.models import ArrearsCase, Contract, Milestone, Payment, Warning
from workflow import roles
from workflow.errors import NotFound, PermissionDenied
from workflow.scoping import agency_filter, enterprise_filter


def _contract_scope(user) -> Q:
    # Agencies see their own and their sub-agencies' contracts; an enterprise sees those it is party to.
    return agency_filter(user, "agency") | enterprise_filter(user, "counterparty")


def contracts_visible_to(user):
    return Contract.objects.filter(_contract_scope(user)).select_related("agency", "counterparty")


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
