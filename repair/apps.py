from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "repair"
    verbose_name = _("Credit repair")

    def ready(self):
        # A record's and an application's documents: exactly who may see the record or the application.
        from repair.models import DishonestyRecord, RepairApplication
        from repair.selectors import applications_visible_to, records_visible_to
        from workflow.documents import document_scope_register

        document_scope_register(DishonestyRecord, records_visible_to)
        document_scope_register(RepairApplication, applications_visible_to)
        # The workbench panel (workflow.dashboards): 告知率, 修复率 and timeliness.
        from repair import dashboards
        from workflow.dashboards import dashboard_panel_register

        dashboard_panel_register(
            key="repair.measures",
            order=40,
            url_name="repair-dashboard-measures",
            visible=dashboards.may_see,
            build=dashboards.repair_panel,
        )

        # Registers this app's hooks for the recompute after a holiday notice (workflow.recompute).
        from repair import recompute  # noqa: F401
