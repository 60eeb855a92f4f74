"""The complaint process (viewflow 2)."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import DetailTaskView

from contracts.models import Complaint, ComplaintProcess
from workflow import roles
from workflow.deadlines import due_moment
from workflow.flows import RoleScopedFlowMixin, agency_staff_permission, role_permission


class ComplaintFlow(RoleScopedFlowMixin, flow.Flow):
    """政府违约失信投诉: acceptance → transfer → handling → written feedback → the complainant's evaluation
    → closed, or a supervisor's review that may reopen handling. Clocks are workflow Deadlines."""

    process_class = ComplaintProcess
    process_title = _("Complaint")
    lock_impl = lock.select_for_update_lock
    view_roles = (roles.SUPERVISOR, roles.COMPLAINT_OFFICER, roles.AGENCY_CLERK, roles.AGENCY_HEAD)

    start = flow.StartHandle(this.start_process).Annotation(title=_("Complaint submitted")).Next(this.accept)
    accept = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Decide whether to accept the complaint"))
        .Permission(role_permission(roles.COMPLAINT_OFFICER))
        .Next(this.accepted)
    )
    accepted = (
        flow.If(lambda activation: activation.process.artifact.status == Complaint.Status.ACCEPTED)
        .Then(this.transfer)
        .Else(this.end)
    )
    transfer = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Transfer the complaint to the handling body"))
        .Permission(role_permission(roles.COMPLAINT_OFFICER))
        .Next(this.handle)
    )
    handle = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Handle the complaint"))
        .Permission(lambda activation: agency_staff_permission(activation.process.artifact.handling_agency_id))
        # The statutory handling time, from our calendar: when it passes, a parallel branch drafts the
        # supervision notice; the handling task stays open (non-interrupting).
        .OnTimeout(this.handling_due_moment, this.handling_overdue, interrupting=False, title=_("Handling time passed"))
        .Next(this.feedback)
    )
    handling_overdue = (
        flow.Function(this.draft_supervision_notice)
        .Annotation(title=_("Draft the supervision notice"))
        .Next(this.overdue_end)
    )
    overdue_end = flow.End()
    feedback = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Reply to the complainant in writing"))
        .Permission(lambda activation: agency_staff_permission(activation.process.artifact.handling_agency_id))
        .Next(this.evaluate)
    )
    evaluate = flow.Handle(this.record_evaluation).Annotation(title=_("Complainant's evaluation")).Next(this.satisfied)
    satisfied = (
        flow.If(lambda activation: activation.process.artifact.status == Complaint.Status.CLOSED)
        .Then(this.end)
        .Else(this.review)
    )
    review = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Review the unsatisfied evaluation"))
        .Permission(role_permission(roles.SUPERVISOR))
        .Next(this.reopened)
    )
    reopened = (
        flow.If(lambda activation: activation.process.artifact.status == Complaint.Status.TRANSFERRED)
        .Then(this.handle)
        .Else(this.end)
    )
    end = flow.End()

    def start_process(self, activation, complaint):
        activation.process.artifact = complaint
        activation.process.save()
        return activation.process

    def handling_due_moment(self, activation):
        from workflow.deadlines import deadlines_for

        clocks = deadlines_for(activation.process.artifact).filter(purpose__startswith="handle")
        return due_moment(clocks.order_by("-start_on", "-id").first().due_on)

    def draft_supervision_notice(self, activation):
        from contracts.complaints.services import complaint_handling_overdue

        complaint_handling_overdue(complaint=activation.process.artifact)

    def record_evaluation(self, activation, satisfied, reason=""):
        from contracts.complaints.services import complaint_evaluate

        complaint_evaluate(complaint=activation.process.artifact, satisfied=satisfied, reason=reason)
        # The If node that follows reads the artifact: give it the status just saved.
        activation.process.artifact.refresh_from_db()
