"""Reads of disposal cases, scoped to the user."""

from contracts.disposal.flows import DisposalFlow, EscalationFlow
from contracts.models import DisposalCase, DisposalProcess, EscalationProcess, Warning
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


def escalation_process(warning: Warning) -> EscalationProcess | None:
    """The escalation process of a warning a clerk escalated (提请督办), or None."""
    from django.contrib.contenttypes.models import ContentType

    return EscalationProcess.objects.filter(
        artifact_content_type=ContentType.objects.get_for_model(Warning), artifact_object_id=warning.pk
    ).first()


def escalation_task_for(*, warning: Warning, user):
    """The open "handle" task of the warning's escalation that `user` may take or holds, or None."""
    process = escalation_process(warning)
    if process is None:
        return None
    return task_open_for_user(process=process, user=user, node=EscalationFlow.handle)
