"""The complaint as a process: filing one starts ComplaintFlow, and each step is a flow task done by a
person (the service runs inside the task, in one transaction under the flow's lock). complaint_task is
the one dispatcher of the steps, for the staff page and the API alike."""

from typing import Any, Protocol

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from contracts.complaints.flows import ComplaintFlow
from contracts.complaints.selectors import complaint_get_for_tracking, complaint_process
from contracts.complaints.services import (
    complaint_accept,
    complaint_feedback,
    complaint_handle,
    complaint_reject,
    complaint_review,
    complaint_transfer,
)
from contracts.complaints.submission import (
    complaint_evidence_check,
    complaint_file,
    complaint_throttle,
    complaint_validate,
)
from contracts.models import Complaint
from workflow.errors import Conflict
from workflow.flows import task_run


class ComplaintStep(Protocol):
    """A step's service: complaint_accept, complaint_reject, …, called with complaint=, acting_user= and the
    step's own keyword values (the services differ in these, so the protocol leaves the arguments open)."""

    def __call__(self, *args: Any, **values: Any) -> Complaint: ...


# step → (the flow task it does, the service it runs there); not accepting is the acceptance task too.
STEPS: dict[str, tuple[str, ComplaintStep]] = {
    "accept": ("accept", complaint_accept),
    "reject": ("accept", complaint_reject),
    "transfer": ("transfer", complaint_transfer),
    "handle": ("handle", complaint_handle),
    "feedback": ("feedback", complaint_feedback),
    "review": ("review", complaint_review),
}


def complaint_submit(
    *, data: dict, evidence=(), source: str = Complaint.Source.WEB, ip: str | None = None, acting_user=None
) -> Complaint:
    """File a complaint: a tracking code, the acceptance clock, the receipt PDF, the process."""
    cleaned = complaint_validate(data)
    files = complaint_evidence_check(evidence)
    with transaction.atomic():
        # Rate limits count even when the submission is then refused as a duplicate.
        complaint_throttle(ip=ip, mobile=cleaned["mobile"])
    with transaction.atomic():
        complaint = complaint_file(cleaned=cleaned, files=files, source=source, ip=ip, acting_user=acting_user)
        ComplaintFlow.start.run(complaint=complaint)
    return complaint


def complaint_task(*, complaint: Complaint, step: str, user, request=None, **values) -> Complaint:
    """Do `step` (a key of STEPS) of the complaint as `user` with the service's `values`: the flow task
    and the service in one transaction. Conflict when the task is not open to `user`."""
    node_name, service = STEPS[step]
    task_run(
        process=complaint_process(complaint),
        node=getattr(ComplaintFlow, node_name),
        user=user,
        request=request,
        apply=lambda activation: service(complaint=complaint, acting_user=user, **values),
        refused=_("There is nothing for you to do on this complaint now."),
    )
    complaint.refresh_from_db()
    return complaint


def complaint_evaluate_by_complainant(
    *, code: str, mobile_last4: str, satisfied: bool, reason: str = "", ip: str | None = None
) -> Complaint:
    """The complainant's evaluation from the public tracking page (code + mobile digits); failed look-ups
    count against the code and the client address like any tracking look-up."""
    complaint = complaint_get_for_tracking(code=code, mobile_last4=mobile_last4, ip=ip)
    task = complaint_process(complaint).task_set.filter(flow_task=ComplaintFlow.evaluate, status=STATUS.NEW).first()
    if task is None:
        raise Conflict(_("This complaint is not waiting for your evaluation."), "complaint_state")
    with transaction.atomic():
        ComplaintFlow.evaluate.run(task, satisfied=satisfied, reason=reason)
    complaint.refresh_from_db()
    return complaint
