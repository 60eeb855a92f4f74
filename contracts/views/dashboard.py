"""The JSON (and CSV) endpoints behind the workbench charts of government contracts; the figures come from
contracts.dashboards, the shape and the refusals from workflow.dashboards."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from contracts.evaluation.services import period_parse
from workflow.dashboards import dashboard_panel_response


@login_required
@require_GET
def arrears_data(request):
    return dashboard_panel_response(request, key="contracts.arrears", period_parse=period_parse)


@login_required
@require_GET
def warnings_data(request):
    return dashboard_panel_response(request, key="contracts.warnings", period_parse=period_parse)


@login_required
@require_GET
def complaints_data(request):
    return dashboard_panel_response(request, key="contracts.complaints", period_parse=period_parse)
