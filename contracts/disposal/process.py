"""Disposal as a process: opening a case starts DisposalFlow, and each step is a flow task done by a
person (the service runs inside the task, in one transaction under the flow's lock)."""

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.disposal.flows import DisposalFlow
from contracts.disposal.selectors import disposal_process
from contracts.disposal.services import disposal_case_open, disposal_respond, disposal_review
from contracts.models import Contract, DisposalCase, Warning
from workflow.flows import task_run


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
    return case


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
