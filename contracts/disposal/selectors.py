"""Reads of disposal cases, scoped to the user."""

from contracts.disposal.flows import DisposalFlow
from contracts.models import DisposalCase, DisposalProcess
from workflow import roles
from workflow.flows import process_of, task_open_for_user
from workflow.scoping import agency_filter, sees_everything


def disposals_visible_to(user):
    """The disposal cases of the agencies `user` may see, for their clerks and heads and for supervisors
    (other staff of the agency see none). The case's documents follow the same rule."""
    qs = DisposalCase.objects.select_related("contract", "agency")
    if not (sees_everything(user) or roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD)):
        return qs.none()
    return qs.filter(agency_filter(user, "agency"))


def disposal_process(case: DisposalCase) -> DisposalProcess:
    return process_of(case, DisposalProcess)


def disposal_current_step(*, case: DisposalCase, user) -> str | None:
    """ "respond" or "review" when `user` may act on the case now, else None."""
    process = disposal_process(case)
    for name in ("respond", "review"):
        if task_open_for_user(process=process, user=user, node=getattr(DisposalFlow, name)) is not None:
            return name
    return None
