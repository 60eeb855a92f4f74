"""The enterprise's side (and a window clerk's, for an enterprise named by its USCC): "my records" with the
earliest repair date and the reminders, the apply form (the credit commitment shown in full, typed name, accept
box) and the instant answer (即申即办)."""

from __future__ import annotations

import types
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from repair.forms import ApplyForm, WindowApplyForm, WindowLookupForm
from repair.models import DishonestyRecord, RepairApplication
from repair.process import application_submit
from repair.selectors import (
    ACTIVE,
    OPEN_APPLICATION,
    application_get_for_user,
    applications_visible_to,
    enterprise_for_window,
    is_enterprise_user,
    is_window_clerk,
)
from repair.services.applications import commitment_text
from repair.views.shared import documents_shown, or_404, proof_uploads
from workflow import clock
from workflow.api.auth import display_name
from workflow.deadlines import allowed_on, deadlines_for
from workflow.errors import DomainError, ValidationFailed
from workflow.notifications import notifications_for_user

REMINDERS_SHOWN = 10


def _window_enterprise(request, uscc: str):
    try:
        return enterprise_for_window(user=request.user, uscc=uscc), None
    except ValidationFailed as exc:
        return None, exc.message


@login_required
@require_GET
def my_records(request):
    """An enterprise's records with the earliest repair date, its reminders and its applications. A window
    clerk names the enterprise by its USCC."""
    user = request.user
    lookup, reminders, enterprise = None, [], None
    if is_enterprise_user(user):
        enterprise = user.enterprise
        reminders = list(notifications_for_user(user).filter(category="repair.reminder")[:REMINDERS_SHOWN])
    elif is_window_clerk(user):
        lookup = WindowLookupForm(request.GET or None)
        if lookup.is_bound and lookup.is_valid():
            enterprise, error = _window_enterprise(request, lookup.cleaned_data["uscc"])
            if error:
                lookup.add_error("uscc", error)
    else:
        raise PermissionDenied
    today = clock.today()
    records, applications = [], []
    if enterprise is not None:
        pending = RepairApplication.objects.filter(records=OuterRef("pk"), status__in=OPEN_APPLICATION)
        records = list(
            DishonestyRecord.objects.filter(enterprise=enterprise)
            .select_related("deciding_unit")
            .annotate(pending=Exists(pending))
            .order_by("-decided_on", "-id")
        )
        for r in records:
            r.active = r.status in ACTIVE
            r.may_apply = r.active and not r.pending and allowed_on(r.earliest_repair_on, today)
        applications = applications_visible_to(user).filter(enterprise=enterprise).order_by("-applied_on", "-id")[:50]
    return render(
        request,
        "staff/repair/mine.html",
        {
            "enterprise": enterprise,
            "lookup": lookup,
            "records": records,
            "reminders": reminders,
            "applications": applications,
            "today": today,
            "window": lookup is not None,
        },
    )


def _commitment_parts(enterprise) -> tuple[str, str]:
    """The commitment text around the decision numbers (the page fills them in as records are ticked)."""
    text = commitment_text(enterprise, [types.SimpleNamespace(decision_number="\x00")])
    before, _sep, after = text.partition("\x00")
    return before, after


@proof_uploads
@login_required
def apply(request):
    user = request.user
    if is_enterprise_user(user):
        enterprise, channel, uscc = user.enterprise, RepairApplication.Channel.ONLINE, ""
    elif is_window_clerk(user):
        uscc = request.POST.get("subject_uscc") or request.GET.get("uscc") or ""
        enterprise, error = _window_enterprise(request, uscc)
        if enterprise is None:
            messages.error(request, error)
            return redirect(reverse("repair-mine") + (f"?{urlencode({'uscc': uscc})}" if uscc else ""))
        channel = RepairApplication.Channel.WINDOW
    else:
        raise PermissionDenied
    records = list(
        DishonestyRecord.objects.filter(enterprise=enterprise, status__in=ACTIVE)
        .select_related("deciding_unit")
        .order_by("-decided_on", "-id")
    )
    window = channel == RepairApplication.Channel.WINDOW
    form_class = WindowApplyForm if window else ApplyForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, records=records)
        if form.is_valid():
            d = form.cleaned_data
            at_window = (
                {
                    "agent": {
                        "name": d["agent_name"],
                        "id_number": d["agent_id_number"],
                        "relationship": d["agent_relationship"],
                    },
                    "power_of_attorney": d["power_of_attorney"],
                }
                if window
                else {}
            )
            try:
                application = application_submit(
                    enterprise=enterprise,
                    record_ids=d["records"],
                    correction=d["correction"],
                    proof_held_by_unit=d["proof_held_by_unit"],
                    commitment={"signer_name": d["signer_name"], "accepted": d["accepted"]},
                    acting_user=user,
                    proofs=d["proofs"],
                    channel=channel,
                    **at_window,
                )
            except DomainError as exc:  # bad fields, or an application for the record is already open
                form.add_service_errors(exc)
            else:
                return redirect("repair-application-answer", application.pk)
    else:
        initial = {"records": request.GET.getlist("record")}
        if channel == RepairApplication.Channel.ONLINE:
            initial["signer_name"] = display_name(user)
        form = form_class(initial=initial, records=records)
    chosen = {str(v) for v in (form["records"].value() or [])}
    before, after = _commitment_parts(enterprise)
    return render(
        request,
        "staff/repair/apply.html",
        {
            "form": form,
            "enterprise": enterprise,
            "window": window,
            "uscc": enterprise.uscc,
            "records": records,
            "chosen": chosen,
            "commitment_before": before,
            "commitment_after": after,
            "commitment_numbers": "、".join(r.decision_number for r in records if str(r.pk) in chosen),
            "files_dropped": form.is_bound and bool(request.FILES),
            "today": clock.today(),
        },
    )


@login_required
@require_GET
def application_answer(request, pk):
    """The instant answer (即申即办): accepted with the due dates, or every reason and the earliest date."""
    application = or_404(application_get_for_user, user=request.user, pk=pk)
    clocks = {d.purpose: d for d in deadlines_for(application)}
    return render(
        request,
        "staff/repair/answer.html",
        {
            "a": application,
            "accept": clocks.get("accept"),
            "feedback": clocks.get("feedback"),
            "records": list(application.records.order_by("pk")),
            "documents": documents_shown(application),
        },
    )
