"""Reads of disposal cases, scoped to the user."""

from django.utils.translation import pgettext_lazy

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


def disposal_steps(case: DisposalCase) -> list[dict]:
    """The case's steps for the stepper (templates/_stepper.html): opened with the rectification notice,
    the agency's response (due by the rectification date), the supervisor's review, the outcome."""
    from django.utils.translation import gettext as _

    open_ = case.outcome == DisposalCase.Outcome.OPEN
    responded = case.responded_on is not None
    if case.outcome == DisposalCase.Outcome.DISHONEST:
        outcome = {"label": _("Government dishonesty recorded"), "state": "stopped", "on": case.closed_on}
    elif case.outcome == DisposalCase.Outcome.RECTIFIED:
        outcome = {"label": _("Closed as rectified"), "state": "done", "on": case.closed_on}
    else:
        outcome = {"label": _("Outcome"), "state": "pending"}
    return [
        {"name": "opened", "label": _("Rectification notice issued"), "state": "done", "on": case.opened_on},
        {
            "name": "response",
            "label": _("Agency response"),
            "state": "done" if responded else ("current" if open_ else "pending"),
            "on": case.responded_on,
            "due": None if responded else case.rectification_due_on,
        },
        {
            "name": "review",
            "label": _("Supervisor review"),
            "state": "pending" if not responded else ("current" if open_ else "done"),
            "on": case.closed_on if not open_ else None,
        },
        {"name": "outcome", **outcome},
    ]


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
