"""Staff pages of the SME complaint column (政府违约失信投诉专栏): the scoped list, the case page with the
form for the user's current step, the head's extension form, evidence and documents (404 for anyone who
may not see the complaint), deadlines and the audit trail.

Thin: reads through contracts.complaints.selectors, steps through contracts.complaints.process; a
service's ValidationFailed is shown next to the field it names.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from contracts.complaints.forms import STEP_FORMS, ExtendForm, ListFilterForm
from contracts.complaints.labels import CLOCK_LABELS, clock_label
from contracts.complaints.process import complaint_task
from contracts.complaints.selectors import (
    complaint_documents,
    complaint_get_for_user,
    complaint_respondents_for,
    complaints_listed,
    complaints_visible_to,
    open_step,
    public_steps,
    sees_all_complaints,
)
from contracts.complaints.services import complaint_extend
from contracts.models import Complaint, ComplaintSupervisionNotice
from workflow import clock, roles
from workflow.api.auth import display_name
from workflow.audit import audit_for
from workflow.deadlines import deadlines_for
from workflow.errors import DomainError, NotFound, ValidationFailed
from workflow.forms import form_errors_from
from workflow.models import DeadlineEvent, Document
from workflow.uploads import private_file_response, stored_file_response
from workflow.views.documents import document_pending_response

PER_PAGE = 25
AUDIT_ROWS = 200
STEP_TITLES = {
    "accept": gettext_lazy("Decide whether to accept the complaint"),
    "transfer": gettext_lazy("Transfer the complaint to the handling body"),
    "handle": gettext_lazy("Record the handling result"),
    "feedback": gettext_lazy("Reply to the complainant in writing"),
    "review": gettext_lazy("Review the unsatisfied evaluation"),
}
AUDIT_LABELS = {
    "complaint.submit": pgettext_lazy("complaint history", "Complaint submitted"),
    "complaint.accept": pgettext_lazy("complaint history", "Accepted"),
    "complaint.reject": pgettext_lazy("complaint history", "Not accepted"),
    "complaint.transfer": pgettext_lazy("complaint history", "Transferred for handling"),
    "complaint.handle": pgettext_lazy("complaint history", "Handling result recorded"),
    "complaint.extend": pgettext_lazy("complaint history", "Handling time extended"),
    "complaint.feedback": pgettext_lazy("complaint history", "Written reply sent"),
    "complaint.evaluate": pgettext_lazy("complaint history", "Evaluated by the complainant"),
    "complaint.review": pgettext_lazy("complaint history", "Reviewed by a supervisor"),
    "complaint.supervision_notice": pgettext_lazy("complaint history", "Supervision notice issued"),
}


def actor_name(row) -> str:
    """Who did it, as people read it: 李文清 (the login name only for someone with no name), the
    complainant, the system."""
    if row.actor_id:
        return display_name(row.actor)
    if row.actor_label == "complainant":
        return _("the complainant")
    if row.actor_label in ("system", "sweep"):
        return _("the system")
    return row.actor_label


def _require_staff(user) -> None:
    """Complaint officers, supervisors and agency staff; enterprises follow their complaints by code."""
    if not (sees_all_complaints(user) or user.agency_id):
        raise PermissionDenied


def is_supervisor(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.SUPERVISOR)


def _complaint_for(user, code) -> Complaint:
    _require_staff(user)
    try:
        return complaint_get_for_user(user=user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def complaint_list(request):
    user = request.user
    _require_staff(user)
    filters = ListFilterForm(request.GET or None, agencies=list(complaint_respondents_for(user)))
    today = clock.today()
    qs = complaints_listed(user, **filters.cleaned_data) if filters.is_valid() else complaints_listed(user)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/complaints/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "today": today,
            "is_supervisor": is_supervisor(user),
            "clock_labels": CLOCK_LABELS,
        },
    )


@login_required
def complaint_by_id(request, pk):
    """The flow's link to a complaint (ComplaintProcess.get_absolute_url): on to its case page."""
    _require_staff(request.user)
    complaint = complaints_visible_to(request.user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return redirect("complaint-detail", complaint.code)


def _step_form(step, data=None, complaint=None):
    cls = STEP_FORMS.get(step)
    if cls is None:
        return None
    initial = {}
    if step == "transfer" and complaint is not None and complaint.respondent_id:
        initial["agency"] = complaint.respondent.code
    if step == "handle" and complaint is not None and complaint.amount_confirmed is not None:
        initial["amount_confirmed"] = complaint.amount_confirmed
    return cls(data, initial=initial, prefix=step)


STEP_DONE = {
    "accept": gettext_lazy("Decision recorded."),
    "transfer": gettext_lazy("Transferred to %(agency)s; its handling time has started."),
    "handle": gettext_lazy("Handling result recorded. Now reply to the complainant in writing."),
    "feedback": gettext_lazy("The written reply has been issued; the complainant can now evaluate it."),
    "review": gettext_lazy("Review recorded."),
}


def _step_done(complaint, step) -> str:
    agency = complaint.handling_agency.name if complaint.handling_agency_id else ""
    return str(STEP_DONE[step]) % {"agency": agency}


def _post(request, complaint, form, run, done) -> HttpResponse | None:
    """Run the service behind a valid `form`: a field error goes on the form (None: show the page again),
    any other refusal is a message; `done()` is the message on success."""
    try:
        run()
    except ValidationFailed as exc:
        form_errors_from(exc, form, mapping={"amount": "days"})
        return None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done())
    return redirect("complaint-detail", complaint.code)


def _can_extend(user, complaint) -> bool:
    return (
        complaint.status == Complaint.Status.TRANSFERRED
        and roles.has_role(user, roles.AGENCY_HEAD)
        and user.agency_id is not None
        and user.agency_id == complaint.handling_agency_id
    )


@login_required
def complaint_detail(request, code):
    complaint = _complaint_for(request.user, code)
    if complaint.code != code:
        return redirect("complaint-detail", complaint.code)
    user = request.user
    step = open_step(complaint, user)
    form = _step_form(step, complaint=complaint)
    extend_form = ExtendForm(prefix="extend") if _can_extend(user, complaint) else None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "extend" and extend_form is not None:
            extend_form = ExtendForm(request.POST, prefix="extend")
            if extend_form.is_valid():
                d = extend_form.cleaned_data
                response = _post(
                    request,
                    complaint,
                    extend_form,
                    lambda: complaint_extend(complaint=complaint, days=d["days"], reason=d["reason"], approver=user),
                    lambda: _("Handling time extended; the complainant is told by SMS."),
                )
                if response is not None:
                    return response
        elif action and action == step:
            form = _step_form(step, request.POST, complaint=complaint)
            if form.is_valid():
                response = _post(
                    request,
                    complaint,
                    form,
                    lambda: complaint_task(complaint=complaint, user=user, request=request, **form.task_values()),
                    lambda: _step_done(complaint, step),
                )
                if response is not None:
                    return response
        else:
            messages.error(request, _("There is nothing for you to do on this complaint now."))
            return redirect("complaint-detail", complaint.code)
    today = clock.today()
    clocks = list(deadlines_for(complaint).select_related("rule").order_by("start_on", "id"))
    extensions = (
        DeadlineEvent.objects.filter(deadline__in=clocks, kind=DeadlineEvent.Kind.EXTEND)
        .select_related("approver", "deadline")
        .order_by("created_at", "id")
    )
    handle_rule = next((d.rule for d in clocks if d.purpose.startswith("handle")), None)
    notice = ComplaintSupervisionNotice.objects.filter(complaint=complaint).first()
    audit = list(audit_for(complaint).order_by("at", "id")[:AUDIT_ROWS])
    for row in audit:
        row.label = str(AUDIT_LABELS.get(row.action, row.action))
        row.who = actor_name(row)
    return render(
        request,
        "staff/complaints/detail.html",
        {
            "complaint": complaint,
            "step": step,
            "step_title": STEP_TITLES.get(step, "") if step is not None else "",
            "form": form,
            "extend_form": extend_form,
            "handle_rule": handle_rule,
            "clocks": [
                {
                    "d": d,
                    "label": clock_label(d.purpose),
                    "late": d.status in (d.Status.RUNNING, d.Status.OVERDUE) and d.due_on < today,
                }
                for d in clocks
            ],
            "extensions": extensions,
            "steps": public_steps(complaint),
            "evidence": complaint.evidence.order_by("pk"),
            "documents": complaint_documents(complaint).order_by("created_at", "id"),
            "notice": notice,
            "audit": audit,
            "is_supervisor": is_supervisor(user),
            "today": today,
        },
    )


@login_required
@require_GET
def complaint_evidence(request, code, pk):
    complaint = _complaint_for(request.user, code)
    evidence = complaint.evidence.filter(pk=pk).first()
    if evidence is None or not evidence.file:
        raise Http404
    return stored_file_response(evidence)


@login_required
@require_GET
def complaint_document(request, code, pk):
    complaint = _complaint_for(request.user, code)
    document = complaint_documents(complaint).filter(pk=pk).first()
    if document is None:
        raise Http404
    if not document.file:
        if document.status == Document.Status.REVOKED:
            raise Http404
        return document_pending_response(request, document)
    return private_file_response(
        document.file.open("rb"),
        filename=f"{document.doc_number or complaint.code + '-' + document.title}.pdf",
        content_type="application/pdf",
    )
