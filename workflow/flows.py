"""Shared behaviour of govcredit's viewflow 2 flows.

viewflow's default asks for per-model permissions (`view_process`); govcredit decides by role
instead. A flow lists the roles that may see it; each node still declares its own
`.Permission(...)` for who may act, and selectors scope which cases a user sees.
"""

from django.utils.translation import gettext as _

from workflow import roles


class RoleScopedFlowMixin:
    view_roles: tuple[str, ...] = (roles.SUPERVISOR,)
    manage_roles: tuple[str, ...] = (roles.SUPERVISOR,)

    def has_view_permission(self, user, obj=None) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and (
            user.is_superuser or roles.has_role(user, *self.view_roles)
        )

    def has_manage_permission(self, user, obj=None) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and (
            user.is_superuser or roles.has_role(user, *self.manage_roles)
        )


def agency_staff_permission(agency_id: int) -> str:
    """The task permission for clerks and heads of `agency_id` (see workflow.auth.RolePermissionBackend)."""
    return f"govcredit.agency_staff_{agency_id}"


def unit_officer_permission(agency_id: int) -> str:
    """The task permission for penalty officers of deciding unit `agency_id`."""
    return f"govcredit.unit_officer_{agency_id}"


def role_permission(role: str) -> str:
    return f"govcredit.role_{role}"


def task_open_for_user(*, process, user, node):
    """The open task of `node` in `process` that `user` may take or already holds, or None."""
    from viewflow.workflow.status import STATUS

    task = process.task_set.filter(flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED]).first()
    if task is None:
        return None
    if task.status == STATUS.ASSIGNED:
        return task if task.owner_id == user.pk else None
    return task if node.can_assign(user, task) else None


def process_of(case, process_class):
    """The process of `process_class` (a proxy of viewflow's Process) whose artifact is `case`."""
    from django.contrib.contenttypes.models import ContentType

    return process_class.objects.get(
        artifact_content_type=ContentType.objects.get_for_model(type(case)), artifact_object_id=case.pk
    )


def task_run(*, process, node, user, request, apply, refused) -> None:
    """Do `user`'s open task of `node` in `process` (see task_execute); Conflict with the message
    `refused` when there is none for them."""
    from workflow.errors import Conflict

    task = task_open_for_user(process=process, user=user, node=node)
    if task is None:
        raise Conflict(refused, "task_state")
    task_execute(task=task, user=user, request=request, apply=apply)


def task_execute(*, task, user, request, apply) -> None:
    """Take `task` (assigning it to `user` when it is free), run `apply(activation)` — which calls a
    service — and complete it, activating the next nodes. One transaction, under the flow's lock.

    The process row is locked first, waiting (not viewflow's `nowait`), at the outermost level of the
    transaction: a racing request waits for the winner's commit and then finds the task taken or done
    (Conflict "task_state"), instead of a failed nowait lock inside an outer transaction (viewflow
    #161: InFailedSqlTransaction, a 500). viewflow's own lock then re-locks a row this transaction
    already holds, which always succeeds.
    """
    from django.db import transaction
    from viewflow.workflow.exceptions import FlowLockFailed
    from viewflow.workflow.status import STATUS

    from workflow.errors import Conflict, PermissionDenied

    taken = Conflict(_("This task has been taken or finished by someone else."), "task_state")
    with transaction.atomic():
        process_class = task.flow_task.flow_class.process_class
        process_class._default_manager.select_for_update().filter(pk=task.process_id).exists()
        try:
            with task.activation() as activation:
                if task.status == STATUS.NEW:
                    if not activation.assign.has_perm(user):
                        raise PermissionDenied("This task is not yours to take.", "forbidden")
                    activation.assign(user)
                if task.status != STATUS.ASSIGNED or task.owner_id != user.pk:
                    raise taken
                activation.start(request)
                apply(activation)
                activation.execute()
        except FlowLockFailed as exc:
            raise taken from exc
