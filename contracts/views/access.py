"""Who may use the contract pages, and the contract a user may see or act on (404 / 403 otherwise)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from contracts import selectors
from contracts.attachments import (
    MAX_ATTACHMENT_BYTES,
)
from contracts.models import Contract, Milestone
from workflow import roles
from workflow.errors import NotFound
from workflow.errors import PermissionDenied as DomainPermissionDenied
from workflow.scoping import sees_everything
from workflow.uploads import capped_uploads

# --- access ---------------------------------------------------------------------------------------


def require_staff(user) -> None:
    """Contract pages are for agency staff and the credit office; enterprises use the portal."""
    if not (sees_everything(user) or getattr(user, "agency_id", None)):
        raise PermissionDenied


def can_act(user, contract: Contract) -> bool:
    """Clerks and heads of the contract's agency (or an agency above it) record its facts."""
    if not roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD):
        return False
    if sees_everything(user):
        return True
    return user.agency_id is not None and contract.agency.path.startswith(user.agency.path)


def contract_for_user(user, pk) -> Contract:
    require_staff(user)
    try:
        return selectors.contract_get_for_user(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def contract_for_clerk(user, pk) -> Contract:
    require_staff(user)
    try:
        return selectors.contract_get_for_clerk(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


# The 20 MB attachment cap, applied while the body streams in (before it is parsed).
attachment_cap = capped_uploads(MAX_ATTACHMENT_BYTES)


# --- lifecycle steps ------------------------------------------------------------------------------

CLOSED_MILESTONES = (Milestone.Status.MET, Milestone.Status.MET_LATE, Milestone.Status.WAIVED)
OPEN_CONTRACT = (Contract.Status.REGISTERED, Contract.Status.PERFORMING)


def may_fulfil(contract: Contract) -> bool:
    return contract.status in OPEN_CONTRACT


def may_terminate(contract: Contract) -> bool:
    return contract.status in (Contract.Status.DRAFT, *OPEN_CONTRACT)


def may_waive(milestone: Milestone) -> bool:
    return milestone.status not in CLOSED_MILESTONES and not (milestone.paid_amount > 0 and milestone.outstanding > 0)


def can_open_disposal(user, contract: Contract) -> bool:
    """Supervisors of the credit office open disposal on a registered or performing contract."""
    return roles.has_role(user, roles.SUPERVISOR) and contract.status in OPEN_CONTRACT


def can_review_publication(user) -> bool:
    """The contracting agency's clerks and heads review a publication; supervisors too (scope: the page's contract)."""
    return sees_everything(user) or roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD)
