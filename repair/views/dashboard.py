"""The JSON (and CSV) endpoint behind the workbench charts of credit repair; the figures come from
repair.dashboards, the shape and the refusals from workflow.dashboards."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from workflow.dashboards import dashboard_panel_response


@login_required
@require_GET
def repair_data(request):
    from contracts.evaluation.services import period_parse  # the evaluation's periods (2026, 2026Q3, …)

    return dashboard_panel_response(request, key="repair.measures", period_parse=period_parse)
