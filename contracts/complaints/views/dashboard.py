"""The supervisor's dashboard of the complaint column: overdue complaints, draft supervision notices (督办书)
to review and issue, the notices issued, and the measures for a period."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contracts.complaints.forms import NoticeForm
from contracts.complaints.labels import clock_label
from contracts.complaints.metrics import complaint_measures
from contracts.complaints.supervision import (
    complaints_overdue,
    supervision_notice_document,
    supervision_notice_documents,
    supervision_notice_issue,
    supervision_notices_issued,
    supervision_notices_open,
)
from contracts.complaints.views.staff import is_supervisor
from contracts.models import Complaint, ComplaintSupervisionNotice
from workflow import clock
from workflow.errors import DomainError


def _period(request):
    from contracts.evaluation.services import period_parse

    default = str(clock.today().year)
    try:
        return period_parse(request.GET.get("period") or default), None
    except DomainError as exc:
        return period_parse(default), exc.message


@login_required
@require_GET
def complaint_dashboard(request):
    if not is_supervisor(request.user):
        raise PermissionDenied
    today = clock.today()
    period, error = _period(request)
    if error:
        messages.error(request, error)
    overdue = list(
        complaints_overdue(
            Complaint.objects.select_related("complainant", "respondent", "handling_agency"), today=today
        )[:200]
    )
    for c in overdue:
        c.days_late = (today - c.overdue_since).days
        c.step_label = clock_label(c.overdue_purpose or "")
    drafts = list(supervision_notices_open())
    for n in drafts:
        n.form = NoticeForm(initial={"text": n.text}, prefix=f"n{n.pk}")
        n.moot = n.complaint.status != Complaint.Status.TRANSFERRED
    issued = list(supervision_notices_issued())
    documents = supervision_notice_documents(issued)
    for n in issued:
        n.document = documents.get(str(n.complaint_id))
    measures = complaint_measures(start=period.start, end=period.end)
    status_labels = dict(Complaint.Status.choices)
    return render(
        request,
        "staff/complaints/dashboard.html",
        {
            "today": today,
            "period": period,
            "overdue": overdue,
            "drafts": drafts,
            "issued": issued,
            "m": measures,
            "by_status": [
                (status_labels[s], measures["by_status"].get(s, 0))
                for s in Complaint.Status.values
                if measures["by_status"].get(s)
            ],
        },
    )


@login_required
@require_POST
def complaint_notice_issue(request, pk):
    if not is_supervisor(request.user):
        raise PermissionDenied
    notice = ComplaintSupervisionNotice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    form = NoticeForm(request.POST, prefix=f"n{pk}")
    if not form.is_valid():
        messages.error(request, _("Write the text of the supervision notice."))
        return redirect("complaints-dashboard")
    try:
        notice = supervision_notice_issue(notice=notice, text=form.cleaned_data["text"], acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        document = supervision_notice_document(notice)
        messages.success(
            request,
            _("Supervision notice %(number)s issued to %(agency)s.")
            % {"number": document.doc_number if document else "", "agency": notice.agency.name},
        )
    return redirect("complaints-dashboard")
