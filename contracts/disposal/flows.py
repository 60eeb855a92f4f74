"""The disposal process (viewflow 2)."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import DetailTaskView

from contracts.disposal import services as disposal
from contracts.models import DisposalCase, DisposalProcess, EscalationProcess
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


class EscalationFlow(RoleScopedFlowMixin, flow.Flow):
    """提请督办: a clerk escalates a warning → a supervisor of the credit office handles it (opens a
    disposal on it, or closes it with an opinion)."""

    process_class = EscalationProcess
    process_title = _("Escalated warning")
    lock_impl = lock.select_for_update_lock
    view_roles = (roles.SUPERVISOR, roles.AGENCY_CLERK, roles.AGENCY_HEAD)

    start = flow.StartHandle(this.start_process).Annotation(title=_("Warning escalated")).Next(this.handle)
    handle = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Handle the escalated warning"))
        .Permission(role_permission(roles.SUPERVISOR))
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, warning, acting_user):
        activation.process.artifact = warning
        activation.process.data = {"escalated_by": acting_user.pk}
        activation.process.save()
        return activation.process
