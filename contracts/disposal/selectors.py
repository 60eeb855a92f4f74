"""Reads of disposal cases, scoped to the user."""

from django.utils.translation import pgettext_lazy

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


AUDIT_LABELS = {
    "contract.disposal_open": pgettext_lazy("disposal history", "Disposal opened"),
    "disposal.respond": pgettext_lazy("disposal history", "The agency responded"),
    "disposal.no_response": pgettext_lazy("disposal history", "No response by the rectification date"),
    "disposal.review": pgettext_lazy("disposal history", "Reviewed by a supervisor"),
    "disposal.dishonesty_record": pgettext_lazy("disposal history", "Government dishonesty recorded"),
    "disposal.close": pgettext_lazy("disposal history", "Case closed"),
}


def disposal_audit(case: DisposalCase, limit: int = 50) -> list:
    """The case's audit rows, newest first, each with `label`: what happened, as people say it."""
    from workflow.audit import audit_for

    rows = list(audit_for(case).select_related("actor")[:limit])
    outcomes = dict(DisposalCase.Outcome.choices)
    for row in rows:
        row.label = AUDIT_LABELS.get(row.action, row.action)
        row.to_label = outcomes.get(row.to_state, row.to_state)
    return rows


def disposal_process(case: DisposalCase) -> DisposalProcess:
    return process_of(case, DisposalProcess)


def disposal_current_step(*, case: DisposalCase, user) -> str | None:
    """ "respond" or "review" when `user` may act on the case now, else None."""
    process = disposal_process(case)
    for name in ("respond", "review"):
        if task_open_for_user(process=process, user=user, node=getattr(DisposalFlow, name)) is not None:
            return name
    return None
