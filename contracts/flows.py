"""viewflow 2 processes of the contracts app."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import DetailTaskView

from contracts import disposal
from contracts.models import Complaint, ComplaintProcess, DisposalCase, DisposalProcess
from workflow import roles
from workflow.deadlines import due_moment
from workflow.flows import RoleScopedFlowMixin, agency_staff_permission, role_permission


class DisposalFlow(RoleScopedFlowMixin, flow.Flow):
    """处置: rectification notice → agency response → supervisor review → closed or dishonesty record."""

    process_class = DisposalProcess
    process_title = _("Disposal")
    lock_impl = lock.select_for_update_lock
    view_roles = (roles.SUPERVISOR, roles.AGENCY_CLERK, roles.AGENCY_HEAD)

    start = flow.StartHandle(this.start_process).Annotation(title=_("Open disposal")).Next(this.notice)
    notice = flow.Function(this.issue_notice).Annotation(title=_("Issue rectification notice")).Next(this.respond)
    respond = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Respond to the rectification notice"))
        .Permission(lambda activation: agency_staff_permission(activation.process.artifact.agency_id))
        # The rectification deadline, from our calendar: when it passes without a response, the case goes
        # to the supervisor's review (the timer interrupts the agency's task).
        .OnTimeout(
            lambda activation: due_moment(activation.process.artifact.rectification_due_on),
            this.no_response,
            title=_("Rectification deadline passed"),
        )
        .Next(this.review)
    )
    no_response = flow.Function(this.record_no_response).Annotation(title=_("No response in time")).Next(this.review)
    review = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Review the rectification"))
        .Permission(role_permission(roles.SUPERVISOR))
        .Next(this.outcome)
    )
    outcome = (
        flow.If(lambda activation: activation.process.artifact.outcome == DisposalCase.Outcome.RECTIFIED)
        .Annotation(title=_("Rectified?"))
        .Then(this.close)
        .Else(this.record)
    )
    record = flow.Function(this.record_dishonesty).Annotation(title=_("Record government dishonesty")).Next(this.close)
    close = flow.Function(this.close_case).Annotation(title=_("Close")).Next(this.end)
    end = flow.End()

    def start_process(self, activation, case, acting_user):
        activation.process.artifact = case
        activation.process.data = {"opened_by": acting_user.pk}
        activation.process.save()
        return activation.process

    def record_no_response(self, activation):
        disposal.disposal_no_response(case=activation.process.artifact)

    def issue_notice(self, activation):
        disposal.disposal_issue_notice(case=activation.process.artifact)

    def record_dishonesty(self, activation):
        from workflow.models import User

        case = activation.process.artifact
        reviewer = User.objects.get(pk=activation.process.data["reviewed_by"])
        disposal.disposal_record_dishonesty(case=case, kind=activation.process.data["record_kind"], decided_by=reviewer)

    def close_case(self, activation):
        from workflow.models import User

        reviewer = User.objects.filter(pk=activation.process.data.get("reviewed_by")).first()
        disposal.disposal_close(case=activation.process.artifact, acting_user=reviewer)


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
        from contracts.complaints import complaint_handling_overdue

        complaint_handling_overdue(complaint=activation.process.artifact)

    def record_evaluation(self, activation, satisfied):
        from contracts.complaints import complaint_evaluate

        complaint_evaluate(complaint=activation.process.artifact, satisfied=satisfied)
        # The If node that follows reads the artifact: give it the status just saved.
        activation.process.artifact.refresh_from_db()
