"""Disposal as a process: opening a case starts DisposalFlow, and each step is a flow task done by a
person (the service runs inside the task, in one transaction under the flow's lock)."""

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.disposal.flows import DisposalFlow, EscalationFlow
from contracts.disposal.selectors import disposal_process, escalation_process, escalation_task_for
from contracts.disposal.services import disposal_case_open, disposal_respond, disposal_review
from contracts.models import Contract, DisposalCase, Warning
from contracts.services import warning_escalate, warning_escalation_close
from workflow.flows import task_execute, task_run


@transaction.atomic
def disposal_open(
    *,
    contract: Contract,
    grounds: str,
    acting_user,
    warning: Warning | None = None,
    rectification_days: int | None = None,
) -> DisposalCase:
    """Open a disposal case and start its process: the rectification notice is issued at once."""
    case = disposal_case_open(
        contract=contract,
        grounds=grounds,
        acting_user=acting_user,
        warning=warning,
        rectification_days=rectification_days,
    )
    DisposalFlow.start.run(case=case, acting_user=acting_user)
    if warning is not None and (task := escalation_task_for(warning=warning, user=acting_user)) is not None:
        # The disposal answers the clerk's escalation: the supervisor's task is done.
        def answered(activation):
            activation.process.data = {**activation.process.data, "outcome": "disposal", "disposal": case.pk}
            activation.process.save(update_fields=["data"])

        task_execute(task=task, user=acting_user, request=None, apply=answered)
    return case


@transaction.atomic
def warning_escalate_to_office(*, warning: Warning, acting_user, note: str) -> Warning:
    """提请督办: the clerk escalates the warning and the credit office's supervisors get a task to
    handle it (open a disposal, or close it with an opinion)."""
    warning = warning_escalate(warning=warning, acting_user=acting_user, note=note)
    EscalationFlow.start.run(warning=warning, acting_user=acting_user)
    return warning


def escalation_task_close(*, warning: Warning, note: str, user, request=None) -> None:
    """The supervisor closes the escalation without a disposal, giving the office's opinion."""
    process = escalation_process(warning)
    if process is None:
        from workflow.errors import Conflict

        raise Conflict(_("There is nothing for you to do on this warning now."), "task_state")

    def apply(activation):
        warning_escalation_close(warning=warning, acting_user=user, note=note)
        activation.process.data = {**activation.process.data, "outcome": "closed", "closed_by": user.pk}
        activation.process.save(update_fields=["data"])

    task_run(
        process=process,
        node=EscalationFlow.handle,
        user=user,
        request=request,
        apply=apply,
        refused=_("There is nothing for you to do on this warning now."),
    )


def _run_task(*, case, user, request, node_name, apply):
    task_run(
        process=disposal_process(case),
        node=getattr(DisposalFlow, node_name),
        user=user,
        request=request,
        apply=apply,
        refused=_("There is nothing for you to do on this case now."),
    )


def disposal_task_respond(*, case: DisposalCase, response: str, user, request=None) -> None:
    _run_task(
        case=case,
        user=user,
        request=request,
        node_name="respond",
        apply=lambda activation: disposal_respond(case=case, response=response, acting_user=user),
    )


def disposal_task_review(
    *, case: DisposalCase, outcome: str, note: str, record_kind: str | None, user, request=None
) -> None:
    def apply(activation):
        disposal_review(case=case, outcome=outcome, note=note, record_kind=record_kind, acting_user=user)
        activation.process.data = {**activation.process.data, "reviewed_by": user.pk, "record_kind": record_kind}
        activation.process.save(update_fields=["data"])

    _run_task(case=case, user=user, request=request, node_name="review", apply=apply)
