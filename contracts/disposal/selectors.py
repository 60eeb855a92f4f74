"""Reads of disposal cases, scoped to the user."""

from contracts.disposal.flows import DisposalFlow
from contracts.models import DisposalCase, DisposalProcess
from workflow.flows import process_of, task_open_for_user
from workflow.scoping import agency_filter


def disposals_visible_to(user):
    """The disposal cases of the agencies `user` may see."""
    return DisposalCase.objects.filter(agency_filter(user, "agency")).select_related("contract", "agency")


def disposal_process(case: DisposalCase) -> DisposalProcess:
    return process_of(case, DisposalProcess)


def disposal_current_step(*, case: DisposalCase, user) -> str | None:
    """ "respond" or "review" when `user` may act on the case now, else None."""
    process = disposal_process(case)
    for name in ("respond", "review"):
        if task_open_for_user(process=process, user=user, node=getattr(DisposalFlow, name)) is not None:
            return name
    return None
