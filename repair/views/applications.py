"""Applications: the list, and an application with its progress (clock due dates, pause, extension and
reason), documents and the supplement upload; the reviewer's actions (ask for material, extend with a reason,
decide with reasons) and the supervisor's approval of serious-category repairs.

Thin: reads through repair.selectors, writes through repair.services and repair.process; a service's field
error is shown next to its field, a conflict as a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from repair.forms import DecideForm, ExtendForm, SupplementForm, SupplementReceivedForm
from repair.models import DishonestyRecord, RepairApplication
from repair.process import application_decide_as
from repair.selectors import (
    OPEN_APPLICATION,
    application_get_for_user,
    applications_visible_to,
    is_applicant,
    is_supervisor,
    is_unit_officer,
)
from repair.services.applications import application_extend, application_supplement, application_supplement_received
from repair.views.shared import PER_PAGE, audit_rows, clocks_of, documents_shown, or_404, proof_uploads
from workflow import clock
from workflow.deadlines import deadlines_for
from workflow.errors import DomainError, ValidationFailed
from workflow.forms import form_errors_from
from workflow.models import Deadline
from workflow.uploads import stored_file_response


@login_required
@require_GET
def application_list(request):
    user = request.user
    qs = applications_visible_to(user).prefetch_related("records")
    status = request.GET.get("status", "")
    if status in RepairApplication.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=OPEN_APPLICATION)
    page = Paginator(qs.order_by("-applied_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    ct = ContentType.objects.get_for_model(RepairApplication)
    ids = [str(a.pk) for a in page.object_list]
    feedback = {d.object_id: d for d in Deadline.objects.filter(content_type=ct, object_id__in=ids, purpose="feedback")}
    for a in page.object_list:
        a.feedback = feedback.get(str(a.pk))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/repair/applications.html",
        {
            "page": page,
            "status": status,
            "statuses": RepairApplication.Status.choices,
            "query": query.urlencode(),
            "today": clock.today(),
            "is_supervisor": is_supervisor(user),
        },
    )


def _progress(application, clocks: list[dict]) -> list[dict]:
    """The steps an applicant follows, each done, current or still to come."""
    a = application
    S = RepairApplication.Status
    by = {c["d"].purpose: c["d"] for c in clocks}
    serious = a.records.filter(category=DishonestyRecord.Category.SERIOUS).exists()
    steps = [{"label": _("Applied"), "state": "done", "on": a.applied_on}]
    if not a.eligible:
        steps.append({"label": _("Checked at once: not eligible"), "state": "stopped", "on": a.applied_on})
        return steps
    steps.append({"label": _("Checked at once and accepted"), "state": "done", "on": a.accepted_on})
    review_state = "done" if a.status not in (S.ACCEPTED, S.SUPPLEMENT) else "current"
    feedback = by.get("feedback")
    paused_on = feedback.paused_on if feedback is not None and feedback.status == feedback.Status.PAUSED else None
    paused = paused_on is not None
    steps.append(
        {
            "label": _("Waiting for material asked for")
            if a.status == S.SUPPLEMENT
            else _("Review by the deciding unit"),
            "state": review_state,
            "due": feedback.due_on if feedback and review_state == "current" and not paused else None,
            "note": _("The time for the result is stopped since %(day)s.") % {"day": paused_on.isoformat()}
            if paused_on is not None
            else "",
        }
    )
    if serious:
        steps.append(
            {
                "label": _("Supervisor's approval"),
                "state": "current" if a.status == S.AWAITING_APPROVAL else ("done" if a.decided_on else "pending"),
                "due": feedback.due_on if feedback and a.status == S.AWAITING_APPROVAL else None,
            }
        )
    if a.decided_on:
        steps.append(
            {
                "label": _("Decision: repaired") if a.approved else _("Decision: not repaired"),
                "state": "done" if a.approved else "stopped",
                "on": a.decided_on,
            }
        )
        sync = by.get("sync")
        if a.approved and sync is not None:
            shared = sync.status in (sync.Status.MET, sync.Status.MET_LATE)
            steps.append(
                {
                    "label": _("Publication stopped; sharing with other platforms stops"),
                    "state": "done" if shared else "current",
                    "on": sync.completed_on if shared else a.decided_on,
                    "due": None if shared else sync.due_on,
                }
            )
    else:
        steps.append({"label": _("Decision"), "state": "pending"})
    return steps


@proof_uploads
@login_required
def application_detail(request, pk):
    user = request.user
    application = or_404(application_get_for_user, user=user, pk=pk)
    S = RepairApplication.Status
    officer = is_unit_officer(user, application.deciding_unit)
    supervisor = is_supervisor(user)
    applicant = is_applicant(user, application)
    action_forms: dict[str, forms.Form | None] = {
        "supplement": SupplementForm(prefix="supplement") if officer and application.status == S.ACCEPTED else None,
        "extend": ExtendForm(prefix="extend") if officer and application.status in (S.ACCEPTED, S.SUPPLEMENT) else None,
        "decide": DecideForm(prefix="decide")
        if (officer and application.status == S.ACCEPTED) or (supervisor and application.status == S.AWAITING_APPROVAL)
        else None,
        "received": SupplementReceivedForm(prefix="received")
        if applicant and application.status == S.SUPPLEMENT
        else None,
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        unbound = action_forms.get(action)
        if unbound is None:
            messages.error(request, _("There is nothing for you to do on this application now."))
            return redirect("repair-application", application.pk)
        form = type(unbound)(request.POST, request.FILES, prefix=action)
        action_forms[action] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                done = _application_action(request, application, action, d)
            except ValidationFailed as exc:
                form_errors_from(exc, form, mapping={"amount": "days"})
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("repair-application", application.pk)
            else:
                messages.success(request, done)
                return redirect("repair-application", application.pk)
    clocks = clocks_of(application)
    return render(
        request,
        "staff/repair/application_detail.html",
        {
            "a": application,
            "records": list(application.records.select_related("deciding_unit").order_by("pk")),
            "proofs": list(application.proofs.order_by("pk")),
            "documents": documents_shown(application),
            "clocks": clocks,
            "progress": _progress(application, clocks),
            "forms": action_forms,
            "officer": officer,
            "supervisor": supervisor,
            "applicant": applicant,
            "awaiting_approval": application.status == S.AWAITING_APPROVAL,
            "objections": application.objections.order_by("-filed_on"),
            # An objection to a result is for a refusal; a granted repair has nothing left to object to.
            "can_object": user.enterprise_id == application.enterprise_id and application.approved is False,
            "audit": audit_rows(application) if (officer or supervisor) else [],
        },
    )


def _application_action(request, application, action, d) -> str:
    """Run one action on the application; returns what to tell the user (raises DomainError)."""
    user = request.user
    if action == "supplement":
        with transaction.atomic():
            application_supplement(application=application, items=d["items"], acting_user=user)
        return _("The applicant has been asked for the material; the time for the result stops until it arrives.")
    if action == "extend":
        with transaction.atomic():
            application = application_extend(application=application, days=d["days"], reason=d["reason"], approver=user)
        due = deadlines_for(application).get(purpose="feedback").due_on
        return _("Extended: the result is now due by %(day)s.") % {"day": due.isoformat()}
    if action == "received":
        with transaction.atomic():
            application = application_supplement_received(application=application, proofs=d["proofs"], acting_user=user)
        due = deadlines_for(application).get(purpose="feedback").due_on
        return _("Material handed in. The result is due by %(day)s.") % {"day": due.isoformat()}
    application = application_decide_as(
        application=application,
        user=user,
        approve=d["decision"] == "approve",
        reason=d["reason"],
        request=request,
    )
    if application.status == RepairApplication.Status.AWAITING_APPROVAL:
        return _("Proposed for approval: a supervisor approves the repair of serious dishonesty information.")
    return _("Decided. The decision has been issued to the applicant.")


@login_required
@require_GET
def proof_download(request, pk, proof_pk):
    application = or_404(application_get_for_user, user=request.user, pk=pk)
    proof = application.proofs.filter(pk=proof_pk).first()
    if proof is None or not proof.file:
        raise Http404
    return stored_file_response(proof)
