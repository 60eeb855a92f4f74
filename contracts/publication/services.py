"""Publication of government contracts (公示): redaction review, publish, withdraw.

A contract reaches the public only through its `ContractPublication` record, after a redaction
review that decides which parts (amount, milestones, payments, counterparty) are withheld as trade
secrets or personal data. Publishing is for the agency head of the contracting agency (or of an
agency above it) or a supervisor of the credit office. `released_at` moves whenever what the public
sees changes; it is the date of the contract's OCDS release.

Other services call `publication_touch(contract)` (or `publication_touch_many(ids)` from set-based
sweeps) inside their transaction whenever a published contract's public data changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractPublication, Milestone, OcdsRelease, Payment
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from workflow.scoping import agency_filter, sees_everything

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _HasOverdue(TypedDict):
        has_overdue: bool

    # A publication annotated with whether its contract has an overdue payment (publications_public).
    PublicPublication = WithAnnotations[ContractPublication, _HasOverdue]

REDACTABLE = ContractPublication.REDACTABLE
# A later release must have a later date even when the clock has not moved (ids stay unique).
TICK = dt.timedelta(microseconds=1)
TOUCH_CHUNK = 500


def _in_scope(user, contract: Contract) -> bool:
    return Contract.objects.filter(agency_filter(user, "agency"), pk=contract.pk).exists()


def _authorize(user, contract: Contract, *, role_names: tuple[str, ...], message) -> None:
    """Supervisors may act on every contract; others need one of `role_names` and the contract
    in their agency's scope. Without the role: 403; with it, for another agency's contract: 404."""
    if sees_everything(user):
        return
    if not roles.has_role(user, *role_names):
        raise PermissionDenied(message, "forbidden")
    if not _in_scope(user, contract):
        raise NotFound(_("No such contract."), "not_found")


PUBLISHERS = (roles.AGENCY_HEAD,)
REVIEWERS = (roles.AGENCY_CLERK, roles.AGENCY_HEAD)


def can_publish(user, contract: Contract) -> bool:
    """The agency head of the contracting agency (or of one above it), or a supervisor."""
    if sees_everything(user):
        return True
    return roles.has_role(user, *PUBLISHERS) and _in_scope(user, contract)


def published_on_time(publication: ContractPublication) -> bool | None:
    """For a procurement contract: was it first published by its `procurement.publish` date?
    None when no publication deadline applies or it has not been published yet."""
    due = publication.contract.publish_due_on
    if due is None or publication.published_at is None:
        return None
    return clock.local(publication.published_at).date() <= due


def _clean_redacted(redacted) -> list[str]:
    if redacted is None:
        return []
    if isinstance(redacted, str) or not isinstance(redacted, Iterable):
        raise ValidationFailed(_("Give a list of the parts to withhold."), "invalid", field="redacted")
    parts = list(redacted)
    unknown = [p for p in parts if p not in REDACTABLE]
    if unknown:
        raise ValidationFailed(
            _("%(parts)s cannot be withheld; choose from %(allowed)s.")
            % {"parts": ", ".join(map(str, unknown)), "allowed": ", ".join(REDACTABLE)},
            "invalid",
            field="redacted",
        )
    # Stored in a fixed order, without repeats.
    return [p for p in REDACTABLE if p in parts]


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("agency", "counterparty").get(pk=contract.pk)


def _lock_publication(contract: Contract) -> ContractPublication | None:
    return ContractPublication.objects.select_for_update().filter(contract_id=contract.pk).first()


@transaction.atomic
def publication_review(*, contract: Contract, redacted: list, note: str, acting_user) -> ContractPublication:
    """Record the redaction review (which parts are withheld, and why). Creates the pending
    publication on the first review. Reviewing a published contract again changes what the public
    sees at once, so it is for those who may publish."""
    _authorize(
        acting_user,
        contract,
        role_names=REVIEWERS,
        message=_("Only the contracting agency's staff review a publication."),
    )
    parts = _clean_redacted(redacted)
    note = (note or "").strip()
    if parts and not note:
        raise ValidationFailed(
            _("Say why these parts are withheld (trade secret, personal data, …)."),
            "reason_required",
            field="review_note",
        )
    contract = _lock_contract(contract)
    if contract.status == Contract.Status.DRAFT:
        raise Conflict(_("A draft contract cannot be published."), "contract_state")
    found = _lock_publication(contract)
    created = found is None
    publication = ContractPublication(contract=contract) if found is None else found
    publication.contract = contract
    before = {"redacted": list(publication.redacted or []), "review_note": publication.review_note}
    is_published = publication.status == ContractPublication.Status.PUBLISHED
    if is_published and not can_publish(acting_user, contract):
        raise PermissionDenied(
            _("This contract is published: only the agency head or a supervisor may change what is withheld."),
            "forbidden",
        )
    publication.redacted = parts
    publication.review_note = note
    publication.reviewed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    fields = ["redacted", "review_note", "reviewed_by"]
    if is_published and parts != before["redacted"]:
        publication.released_at = _next_release(publication.released_at)
        fields.append("released_at")
    if created:
        publication.save()
    else:
        publication.save(update_fields=fields)
    audit_record(
        action="publication.review",
        obj=publication,
        actor=acting_user,
        reason=note,
        changes={"redacted": [before["redacted"], parts]},
    )
    return publication


def _next_release(previous: dt.datetime | None) -> dt.datetime:
    now = clock.now()
    if previous is not None and now <= previous:
        return previous + TICK
    return now


@transaction.atomic
def publication_publish(*, contract: Contract, acting_user) -> ContractPublication:
    """Publish a reviewed contract on the public pages and in the OCDS feed.

    `published_at` keeps the moment of the first publication (what the `procurement.publish`
    deadline is measured against); a re-publication after a withdrawal moves only `released_at`.
    """
    _authorize(
        acting_user,
        contract,
        role_names=PUBLISHERS,
        message=_("Only the agency head or a supervisor publishes a contract."),
    )
    contract = _lock_contract(contract)
    publication = _lock_publication(contract)
    if publication is None or publication.reviewed_by_id is None:
        raise Conflict(_("Record the redaction review before publishing."), "review_required")
    if contract.status == Contract.Status.DRAFT:
        raise Conflict(_("A draft contract cannot be published."), "contract_state")
    if publication.status == ContractPublication.Status.PUBLISHED:
        raise Conflict(_("This contract is already published."), "publication_state")
    publication.contract = contract
    before = publication.status
    publication.publish()
    now = clock.now()
    fields = ["status", "released_at"]
    if publication.published_at is None:
        publication.published_at = now
        fields.append("published_at")
    publication.released_at = _next_release(publication.released_at)
    publication.save(update_fields=fields)
    on_time = published_on_time(publication)
    audit_record(
        action="publication.publish",
        obj=publication,
        actor=acting_user,
        from_state=before,
        to_state=publication.status,
        changes={
            "redacted": list(publication.redacted),
            "publish_due_on": contract.publish_due_on.isoformat() if contract.publish_due_on else None,
            "published_on_time": on_time,
        },
    )
    return publication


@transaction.atomic
def publication_withdraw(*, contract: Contract, reason: str, acting_user) -> ContractPublication:
    """Take a contract off the public pages and out of the feed at once. Publishing it again needs
    a fresh redaction review."""
    _authorize(
        acting_user,
        contract,
        role_names=PUBLISHERS,
        message=_("Only the agency head or a supervisor withdraws a publication."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the publication is withdrawn."), "reason_required", field="reason")
    contract = _lock_contract(contract)
    publication = _lock_publication(contract)
    if publication is None or publication.status != ContractPublication.Status.PUBLISHED:
        raise Conflict(_("This contract is not published."), "publication_state")
    publication.contract = contract
    before = publication.status
    publication.withdraw()
    publication.withdrawn_at = clock.now()
    publication.withdraw_reason = reason
    publication.released_at = _next_release(publication.released_at)
    previous_reviewer = publication.reviewed_by_id
    publication.reviewed_by = None
    publication.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "released_at", "reviewed_by"])
    # Out of the feed at once (the feed reads published records only); its cached release goes too.
    OcdsRelease.objects.filter(publication=publication).delete()
    audit_record(
        action="publication.withdraw",
        obj=publication,
        actor=acting_user,
        from_state=before,
        to_state=publication.status,
        reason=reason,
        changes={"previous_reviewer": previous_reviewer},
    )
    return publication


def publication_touch(contract) -> int:
    """What the public sees of this contract changed (payment, delivery, status, amendment):
    move its release date, if it is published. Call inside the transaction of the change.
    Accepts a Contract or its id; returns 1 when a published record was touched, else 0."""
    pk = getattr(contract, "pk", contract)
    return publication_touch_many([pk])


def publication_touch_many(contract_ids) -> int:
    """Set-based `publication_touch` for sweeps: contract ids (any number, chunked) or a QuerySet
    of contract ids used as a subquery, e.g. `Milestone.objects.filter(...).values("contract_id")`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publication_touch must run inside the transaction of the change")
    now = Value(clock.now())
    later = Greatest(now, Coalesce(F("released_at") + TICK, now))
    published = ContractPublication.objects.filter(status=ContractPublication.Status.PUBLISHED)
    if isinstance(contract_ids, QuerySet):
        return published.filter(contract_id__in=contract_ids).update(released_at=later)
    ids = sorted(set(contract_ids))
    touched = 0
    for i in range(0, len(ids), TOUCH_CHUNK):
        touched += published.filter(contract_id__in=ids[i : i + TOUCH_CHUNK]).update(released_at=later)
    return touched


# -- public reads (no login) -------------------------------------------------------------------

ACTIVE = [Contract.Status.REGISTERED, Contract.Status.PERFORMING, Contract.Status.IN_DISPOSAL]


class Performance:
    """How a published contract is doing, as the public pages say it."""

    PERFORMING = "performing"
    OVERDUE = "overdue"
    FULFILLED = "fulfilled"
    TERMINATED = "terminated"
    BREACHED = "breached"

    @staticmethod
    def labels() -> dict[str, str]:
        return {
            Performance.PERFORMING: _("Performing"),
            Performance.OVERDUE: _("Overdue payments"),
            Performance.FULFILLED: _("Fulfilled"),
            Performance.TERMINATED: _("Terminated"),
            Performance.BREACHED: _("Breach confirmed"),
        }

    @staticmethod
    def of(contract_status: str, has_overdue: bool) -> str:
        # A confirmed breach first; then unpaid overdue payments, which matter even once the
        # contract is closed; then how it ended.
        if contract_status == Contract.Status.BREACHED:
            return Performance.BREACHED
        if has_overdue:
            return Performance.OVERDUE
        if contract_status == Contract.Status.FULFILLED:
            return Performance.FULFILLED
        if contract_status == Contract.Status.TERMINATED:
            return Performance.TERMINATED
        return Performance.PERFORMING

    @staticmethod
    def q(key: str) -> Q:
        overdue = Q(has_overdue=True)
        breached = Q(contract__status=Contract.Status.BREACHED)
        return {
            Performance.BREACHED: breached,
            Performance.OVERDUE: overdue & ~breached,
            Performance.FULFILLED: Q(contract__status=Contract.Status.FULFILLED) & ~overdue,
            Performance.TERMINATED: Q(contract__status=Contract.Status.TERMINATED) & ~overdue,
            Performance.PERFORMING: Q(contract__status__in=ACTIVE) & ~overdue,
        }[key]


def _overdue_payments() -> Exists:
    return Exists(
        Milestone.objects.filter(
            contract_id=OuterRef("contract_id"), kind=Milestone.Kind.PAYMENT, status=Milestone.Status.OVERDUE
        )
    )


def _counterparty_hidden() -> Q:
    # `redacted` is a JSON list of strings; this matches the quoted element on SQLite and PostgreSQL.
    return Q(redacted__icontains='"counterparty"')


def contracts_with_overdue_payments(contract_ids: list[int]) -> set[int]:
    """Which of these contracts have an unpaid overdue payment (one query, for a page of rows)."""
    if not contract_ids:
        return set()
    return set(
        Milestone.objects.filter(
            contract_id__in=contract_ids, kind=Milestone.Kind.PAYMENT, status=Milestone.Status.OVERDUE
        ).values_list("contract_id", flat=True)
    )


def publications_public(
    *, q: str = "", agency=None, kind: str = "", performance: str = "", year=None, with_overdue: bool = True
) -> QuerySet[PublicPublication]:
    """Published contracts for the public list, newest publication first, with `has_overdue` (unless
    `with_overdue=False` and no performance filter: then see `contracts_with_overdue_payments`).

    The search covers number, title, agency name and counterparty name — the counterparty only
    where it is not withheld, so that a search cannot reveal a hidden counterparty.
    """
    qs = (
        ContractPublication.objects.filter(status=ContractPublication.Status.PUBLISHED)
        .select_related("contract__agency", "contract__counterparty")
        .order_by("-published_at", "-contract_id")
    )
    if with_overdue or performance:
        qs = qs.annotate(has_overdue=_overdue_payments())
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(contract__number__icontains=q)
            | Q(contract__title__icontains=q)
            | Q(contract__agency__name__icontains=q)
            | (Q(contract__counterparty__name__icontains=q) & ~_counterparty_hidden())
        )
    if agency:
        qs = qs.filter(contract__agency_id=agency)
    if kind:
        qs = qs.filter(contract__kind=kind)
    if performance:
        qs = qs.filter(Performance.q(performance))
    if year:
        qs = qs.filter(contract__signed_on__year=year)
    return qs


def publication_public_get(*, pk) -> PublicPublication:
    """A published contract with its milestones and payments, or NotFound (also once withdrawn)."""
    publication = (
        ContractPublication.objects.filter(status=ContractPublication.Status.PUBLISHED, contract_id=pk)
        .select_related("contract__agency", "contract__counterparty")
        .annotate(has_overdue=_overdue_payments())
        .prefetch_related(
            Prefetch("contract__milestones", queryset=Milestone.objects.order_by("planned_on", "id")),
            Prefetch("contract__payments", queryset=Payment.objects.order_by("paid_on", "id")),
        )
        .first()
    )
    if publication is None:
        raise NotFound(_("No such published contract."), "not_found")
    return publication
