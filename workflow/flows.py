"""Shared behaviour of govcredit's viewflow 2 flows.

viewflow's default asks for per-model permissions (`view_process`); govcredit decides by role
instead. A flow lists the roles that may see it; each node still declares its own
`.Permission(...)` for who may act, and selectors scope which cases a user sees.
"""

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
