"""The service window's papers for an application: the printable acceptance receipt (受理回执, an
HTML page with print styles: the browser prints it or saves it as PDF) and the power of attorney
the agent brought. Whoever may see the application (repair.selectors) may see these; anyone else
gets a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from repair.models import RepairPowerOfAttorney
from repair.selectors import application_get_for_user
from repair.views.shared import or_404
from workflow.api.auth import display_name
from workflow.deadlines import deadlines_for
from workflow.uploads import stored_file_response


@login_required
@require_GET
def application_receipt(request, pk):
    application = or_404(application_get_for_user, user=request.user, pk=pk)
    clocks = {d.purpose: d for d in deadlines_for(application)}
    return render(
        request,
        "staff/repair/receipt.html",
        {
            "a": application,
            "records": list(application.records.select_related("deciding_unit").order_by("pk")),
            "proofs": list(application.proofs.order_by("pk")),
            "attorney": RepairPowerOfAttorney.objects.filter(application=application).first(),
            "feedback": clocks.get("feedback"),
            "clerk": display_name(application.filed_by),
            "clerk_agency": application.filed_by.agency.name if application.filed_by.agency_id else "",
        },
    )


@login_required
@require_GET
def power_of_attorney_download(request, pk):
    application = or_404(application_get_for_user, user=request.user, pk=pk)
    attorney = RepairPowerOfAttorney.objects.filter(application=application).first()
    if attorney is None or not attorney.file:
        raise Http404
    return stored_file_response(attorney)
