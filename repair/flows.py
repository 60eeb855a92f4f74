"""viewflow 2 process of credit repair: review by the deciding unit, supervisor approval when serious."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import DetailTaskView

from repair.models import RepairApplication, RepairProcess
from workflow import roles
from workflow.flows import RoleScopedFlowMixin, role_permission, unit_officer_permission


class RepairFlow(RoleScopedFlowMixin, flow.Flow):
    process_class = RepairProcess
    process_title = _("Credit repair")
    lock_impl = lock.select_for_update_lock
    view_roles = (roles.SUPERVISOR, roles.PENALTY_OFFICER)

    start = flow.StartHandle(this.start_process).Annotation(title=_("Application accepted")).Next(this.review)
    review = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Review the repair application"))
        .Permission(lambda activation: unit_officer_permission(activation.process.artifact.deciding_unit_id))
        .Next(this.needs_approval)
    )
    needs_approval = (
        flow.If(lambda a: a.process.artifact.status == RepairApplication.Status.AWAITING_APPROVAL)
        .Then(this.approve)
        .Else(this.end)
    )
    approve = (
        flow.View(DetailTaskView.as_view())
        .Annotation(title=_("Approve the repair of serious dishonesty information"))
        .Permission(role_permission(roles.SUPERVISOR))
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, application):
        activation.process.artifact = application
        activation.process.save()
        return activation.process
