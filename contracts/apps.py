from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Government contracts")

    def ready(self):
        # A complaint's and a disposal case's documents: exactly who may see the case.
        from contracts.complaints.selectors import complaints_visible_to
        from contracts.disposal.selectors import disposals_visible_to
        from contracts.models import Complaint, DisposalCase
        from workflow.documents import document_scope_register

        document_scope_register(Complaint, complaints_visible_to)
        document_scope_register(DisposalCase, disposals_visible_to)
        # The workbench panels (workflow.dashboards): arrears, warnings, complaint timeliness.
        from contracts import dashboards
        from workflow.dashboards import dashboard_panel_register

        for order, (key, url_name, build) in enumerate(
            (
                ("contracts.arrears", "contracts-dashboard-arrears", dashboards.arrears_panel),
                ("contracts.warnings", "contracts-dashboard-warnings", dashboards.warnings_panel),
                ("contracts.complaints", "contracts-dashboard-complaints", dashboards.complaints_panel),
            )
        ):
            dashboard_panel_register(
                key=key, order=10 + order, url_name=url_name, visible=dashboards.may_see, build=build
            )

        # Registers this app's hooks for the recompute after a holiday notice (workflow.recompute).
        # and the cache invalidation of the public list's facets (contracts.selectors) and of the cached
        # OCDS releases when an agency or enterprise changes (contracts.publication.ocds).
        from contracts import recompute, selectors  # noqa: F401
        from contracts.publication import ocds  # noqa: F401
