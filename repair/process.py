"""Credit repair as a process: an accepted application starts RepairFlow, and the unit's review and the
supervisor's approval are flow tasks done by a person (the service runs inside the task, in one
transaction under the flow's lock)."""

from django.db import transaction
from django.utils.translation import gettext as _

from repair.flows import RepairFlow
from repair.models import RepairApplication
from repair.selectors import application_decision_step, application_process
from repair.services.applications import application_create, application_decide, application_supervisor_decide
from workflow.flows import task_run


@transaction.atomic
def application_submit(**kwargs) -> RepairApplication:
    """Apply: application_create(**kwargs) (the same keyword arguments), and an application accepted for
    review starts its process. Not eligible, or decided at once (straight through), starts none."""
    application = application_create(**kwargs)
    if application.status == RepairApplication.Status.ACCEPTED:
        RepairFlow.start.run(application=application)
    return application


def application_task(*, application, step: str, user, request=None, **kwargs) -> RepairApplication:
    """Do `step` ("review" or "approve") as `user`: the flow task and the service in one transaction."""
    action = {
        "review": lambda: application_decide(application=application, acting_user=user, **kwargs),
        "approve": lambda: application_supervisor_decide(application=application, acting_user=user, **kwargs),
    }[step]
    task_run(
        process=application_process(application),
        node=getattr(RepairFlow, step),
        user=user,
        request=request,
        apply=lambda activation: action(),
        refused=_("There is nothing for you to do on this application now."),
    )
    application.refresh_from_db()
    return application


def application_decide_as(*, application, user, approve: bool, reason: str, request=None) -> RepairApplication:
    """The unit's review, or a supervisor's approval when the application awaits it."""
    step = application_decision_step(application=application, user=user)
    return application_task(
        application=application, step=step, user=user, request=request, approve=approve, reason=reason
    )
