"""Public pages of the SME complaint column (政府违约失信投诉专栏), no account needed: the complaint form with
a simple check question, the done page with the tracking code and the receipt, tracking by code + the last
four digits of the contact mobile (status and step dates only, no personal data), the complainant's
evaluation, and the complainant's documents.

Thin: reads through contracts.complaints.selectors, writes through contracts.complaints.process; a
service's ValidationFailed is shown next to the field it names.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contracts.complaints.challenge import challenge_error, challenge_new
from contracts.complaints.forms import ComplaintForm, TrackForm
from contracts.complaints.process import complaint_evaluate_by_complainant, complaint_submit
from contracts.complaints.selectors import (
    PUBLIC_DOCUMENTS,
    complainable_contracts,
    complaint_get_for_tracking,
    complaint_public_documents,
    public_steps,
)
from contracts.complaints.submission import complaint_validate, submitter
from contracts.models import Complaint
from workflow import clock
from workflow.api.auth import display_name
from workflow.auth import client_ip
from workflow.deadlines import deadlines_for
from workflow.errors import Conflict, DomainError, NotFound, RateLimited, ValidationFailed
from workflow.models import Enterprise, Rule
from workflow.rules import rule_in_force
from workflow.uploads import capped_uploads, private_file_response
from workflow.views.documents import document_pending_response


def time_limits(on) -> dict:
    """The complaint rules in force on `on` (their amounts, units, ceiling and legal basis)."""
    out: dict[str, Rule | None] = {}
    for key in ("accept", "transfer", "handle"):
        try:
            out[key] = rule_in_force(f"complaint.{key}", on)
        except DomainError:
            out[key] = None
    return out


# Cap each evidence file at the column's limit before the body is parsed (then check CSRF).
_evidence_uploads = capped_uploads(lambda: settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES)


def _enterprise_initial(user) -> tuple[dict, list]:
    enterprise = getattr(user, "enterprise", None) if getattr(user, "is_authenticated", False) else None
    if enterprise is None:
        return {}, []
    initial = {
        "complainant_name": enterprise.name,
        "complainant_uscc": enterprise.uscc,
        "complainant_size": enterprise.size if enterprise.size != Enterprise.Size.LARGE else "",
        "contact_name": display_name(user),
    }
    if user.mobile:
        initial["contact_mobile"] = user.mobile
    return initial, list(complainable_contracts(enterprise))


@_evidence_uploads
def complaint_new(request):
    initial, contracts = _enterprise_initial(request.user)
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, contracts=contracts)
        form.is_valid()
        problem = challenge_error(request.POST.get("challenge_token", ""), request.POST.get("challenge_answer", ""))
        if problem and "challenge_answer" not in form.errors:
            form.add_error("challenge_answer", problem)
        if form.errors:
            # Say everything at once: the service's checks too, without saving anything.
            try:
                complaint_validate(form.service_data())
            except ValidationFailed as exc:
                form.add_service_errors(exc)
        else:
            try:
                complaint = complaint_submit(
                    data=form.service_data(),
                    evidence=form.cleaned_data["evidence"],
                    source=Complaint.Source.WEB,
                    ip=client_ip(request),
                    acting_user=submitter(request.user),
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except (RateLimited, Conflict) as exc:
                form.add_error(None, exc.message)
            else:
                request.session["complaint_done"] = {"code": complaint.code, "last4": complaint.contact_mobile[-4:]}
                return redirect("complaint-done")
    else:
        form = ComplaintForm(initial=initial, contracts=contracts)
    question, token = challenge_new()
    # A new question each time the page is shown; the old answer does not carry over.
    data = request.POST.copy() if form.is_bound else None  # a bound form's data is request.POST
    if data is not None:
        data["challenge_token"], data["challenge_answer"] = token, ""
        form.data = data
    else:
        form.initial["challenge_token"] = token
    return render(
        request,
        "portal/complaints/new.html",
        {
            "form": form,
            "question": question,
            "limits": time_limits(clock.today()),
            "has_contracts": bool(contracts),
            "files_dropped": form.is_bound and bool(request.FILES),
        },
    )


@require_GET
def complaint_index(request):
    """The column's front page: who may complain, the statutory time limits, file or track."""
    return render(
        request,
        "portal/complaints/index.html",
        {"limits": time_limits(clock.today()), "track_form": TrackForm()},
    )


@require_GET
def complaint_done(request):
    done = request.session.get("complaint_done")
    if not done:
        return redirect("complaint-track")
    complaint = Complaint.objects.filter(code=done["code"]).first()
    if complaint is None:
        return redirect("complaint-track")
    accept = deadlines_for(complaint).filter(purpose="accept").first()
    return render(
        request,
        "portal/complaints/done.html",
        {
            "complaint": complaint,
            "last4": done["last4"],
            "accept_due": accept.due_on if accept else None,
            "limits": time_limits(complaint.received_on),
            "track_query": urlencode({"code": complaint.code, "mobile_last4": done["last4"]}),
        },
    )


@require_GET
def complaint_track(request):
    """The tracking form; with a code and the digits, the complaint's progress."""
    form = TrackForm(request.GET or None)
    complaint = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            complaint = complaint_get_for_tracking(
                code=form.cleaned_data["code"], mobile_last4=form.cleaned_data["mobile_last4"], ip=client_ip(request)
            )
        except NotFound as exc:
            form.add_error(None, exc.message)
            status = 404
        except RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
    if complaint is None:
        response = render(request, "portal/complaints/track.html", {"form": form}, status=status)
    else:
        digits = form.cleaned_data["mobile_last4"]
        response = render(
            request,
            "portal/complaints/track.html",
            {
                "form": form,
                "complaint": complaint,
                "steps": public_steps(complaint),
                "documents": complaint_public_documents(complaint),
                "last4": digits,
                "can_evaluate": complaint.status == Complaint.Status.ANSWERED,
                "doc_query": urlencode({"mobile_last4": digits}),
            },
        )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the digits in the URL never leave the site
    return response


def _track_url(code: str, digits: str) -> str:
    return reverse("complaint-track") + "?" + urlencode({"code": code, "mobile_last4": digits})


@require_POST
def complaint_evaluate(request, code):
    digits = request.POST.get("mobile_last4", "")
    choice = request.POST.get("satisfied", "")
    if choice not in ("yes", "no"):
        messages.error(request, _("Choose whether you are satisfied with how the complaint was handled."))
        return redirect(_track_url(code, digits))
    reason = request.POST.get("reason", "")[:2000]
    try:
        complaint_evaluate_by_complainant(
            code=code, mobile_last4=digits, satisfied=choice == "yes", reason=reason, ip=client_ip(request)
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Thank you. The complaint is closed.")
            if choice == "yes"
            else _("Thank you. A supervisor of the credit office will review how the complaint was handled."),
        )
    return redirect(_track_url(code, digits))


@require_GET
def complaint_public_document(request, code, kind):
    """The complainant's documents (receipt, written reply, notice of non-acceptance): code + digits."""
    try:
        complaint = complaint_get_for_tracking(
            code=code, mobile_last4=request.GET.get("mobile_last4", ""), ip=client_ip(request)
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except RateLimited as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
    found = next((d for d in complaint_public_documents(complaint) if d["kind"] == kind), None)
    if found is None:
        raise Http404
    document = found["document"]
    if not document.file:  # its q2 worker has not rendered it yet: a page that reloads itself
        return document_pending_response(request, document, back_url=reverse("complaint-track"))
    response = private_file_response(
        document.file.open("rb"),
        filename=f"{complaint.code}-{PUBLIC_DOCUMENTS[kind][1]}.pdf",
        content_type="application/pdf",
    )
    response["X-Robots-Tag"] = "noindex"
    return response
