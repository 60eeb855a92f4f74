from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "repair"
    verbose_name = _("Credit repair")

    def ready(self):
        # Registers this app's hooks for the recompute after a holiday notice (workflow.recompute).
        from repair import recompute  # noqa: F401
