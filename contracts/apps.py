from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Government contracts")

    def ready(self):
        # Registers this app's hooks for the recompute after a holiday notice (workflow.recompute).
        from contracts import recompute  # noqa: F401
