"""Pages of the SME complaint column (政府违约失信投诉专栏).

Public (no account): the complaint form with a simple challenge, the done page with the tracking code
and the receipt, tracking by code + the last four digits of the contact mobile (status and step dates
only, no personal data), the complainant's evaluation, and the complainant's documents.

Staff: the scoped list, the case page with the form for the user's current step, the head's
extension form, evidence and documents (404 for anyone who may not see the complaint), deadlines
and the audit trail; the supervisor's dashboard with overdue complaints, draft supervision notices
(督办书) and the measures for a period.

Thin: reads through contracts.complaints.services / complaint_supervision / complaint_metrics, writes through
their services; a service's ValidationFailed is shown next to the field it names.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contracts.complaints.api.endpoints import open_step, public_steps, submitter
from contracts.complaints.metrics import complaint_measures
from contracts.complaints.services import (
    complaint_evaluate_by_complainant,
    complaint_extend,
    complaint_get_for_tracking,
    complaint_get_for_user,
    complaint_submit,
    complaint_task,
    complaint_validate,
    complaints_for_user,
)
from contracts.complaints.supervision import (
    NOTICE_DOC_TYPE,
    complaints_overdue,
    complaints_with_clock,
    supervision_notice_document,
    supervision_notice_issue,
    supervision_notices_issued,
    supervision_notices_open,
)
from contracts.models import Complaint, ComplaintSupervisionNotice, Contract
from workflow import clock, roles
from workflow.api.auth import display_name
from workflow.audit import audit_for
from workflow.auth import client_ip
from workflow.deadlines import deadlines_for
from workflow.errors import Conflict, DomainError, NotFound, RateLimited, ValidationFailed
from workflow.forms import form_errors_from
from workflow.models import Agency, DeadlineEvent, Document, Enterprise
from workflow.rules import rule_in_force
from workflow.scoping import agencies_for_user
from workflow.uploads import MultipleFileField, capped_uploads, private_file_response, stored_file_response

PER_PAGE = 25
AUDIT_ROWS = 200
SME_SIZES = [(v, label) for v, label in Enterprise.Size.choices if v != Enterprise.Size.LARGE]

# --- the challenge ------------------------------------------------------------------------------------------
# A sum of two small numbers. The page carries a signed, time-limited token with a keyed hash of the
# answer (not the answer itself); nothing is stored on the server.

CHALLENGE_SALT = "govcredit.complaints.challenge"
CHALLENGE_MAX_AGE = 30 * 60


def _answer_hash(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()


def challenge_new() -> tuple[str, str]:
    """(question, token) — e.g. ("3 + 4 = ?", "eyJ…")."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _answer_hash(nonce, a + b)}, salt=CHALLENGE_SALT, compress=True)
    return f"{a} + {b} = ?", token


def challenge_error(token: str, answer: str) -> str | None:
    """None when `answer` solves the question of `token`; otherwise what to tell the person."""
    if not (answer or "").strip():
        return _("Answer the question.")
    try:
        payload = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        return _("The question has expired; please answer the new one.")
    except signing.BadSignature:
        return _("Answer the question shown on the page.")
    try:
        value = int(answer.strip())
    except ValueError:
        return _("Enter the answer as a number.")
    if not constant_time_compare(payload.get("h", ""), _answer_hash(payload.get("n", ""), value)):
        return _("That is not the right answer; please answer the new question.")
    return None


# --- forms ----------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _agency_choices(qs=None):
    return [("", "—")] + [(a.code, a.name) for a in (qs if qs is not None else Agency.objects.order_by("path"))]


# Service error keys ("complainant.uscc") → form fields.
FORM_FIELD_OF = {
    "complainant.name": "complainant_name",
    "complainant.uscc": "complainant_uscc",
    "complainant.size": "complainant_size",
    "contact.name": "contact_name",
    "contact.mobile": "contact_mobile",
    "respondent": "respondent_agency",
    "respondent.agency": "respondent_agency",
    "contract": "contract_number",
    "contract.id": "contract_id",
    "contract.signed_on": "contract_signed_on",
    "amount_claimed": "amount_claimed",
    "facts": "facts",
    "declaration": "declaration",
    "evidence": "evidence",
}


class ComplaintForm(forms.Form):
    complainant_name = forms.CharField(
        label=gettext_lazy("Enterprise name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the enterprise's name.")},
    )
    complainant_uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        help_text=gettext_lazy("18 characters, as on the business licence."),
        error_messages={"required": gettext_lazy("Enter a valid unified social credit code (18 characters).")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    complainant_size = forms.ChoiceField(
        label=gettext_lazy("Enterprise size"),
        choices=[("", "—"), *SME_SIZES],
        help_text=gettext_lazy("As classified under the SME size standards; the column is for SMEs."),
        error_messages={"required": gettext_lazy("Choose micro, small or medium.")},
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Contact person"),
        max_length=50,
        error_messages={"required": gettext_lazy("Enter the contact person.")},
    )
    contact_mobile = forms.CharField(
        label=gettext_lazy("Contact mobile"),
        max_length=11,
        help_text=gettext_lazy("With its last four digits and the tracking code you can follow the complaint."),
        error_messages={"required": gettext_lazy("Enter an 11-digit mainland mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    respondent_agency = forms.ChoiceField(label=gettext_lazy("Public body complained about"), required=False)
    respondent_other = forms.CharField(
        label=gettext_lazy("Not in the list? Its full name"), required=False, max_length=200
    )
    contract_id = forms.ChoiceField(label=gettext_lazy("Registered contract"), required=False)
    contract_number = forms.CharField(label=gettext_lazy("Contract number"), required=False, max_length=64)
    contract_signed_on = forms.DateField(label=gettext_lazy("Signed on"), required=False, widget=DateInput())
    amount_claimed = forms.CharField(
        label=gettext_lazy("Amount claimed (CNY)"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter the amount in yuan, with at most two decimals.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "180000.00"}),
    )
    facts = forms.CharField(
        label=gettext_lazy("Facts"),
        help_text=gettext_lazy(
            "What was delivered or done and when, what is owed and since when, and how you asked to be paid."
        ),
        error_messages={"required": gettext_lazy("Describe what happened (at least 10 characters).")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence"),
        required=False,
        help_text=gettext_lazy(
            "The contract, acceptance or delivery records, invoices, payment requests: PDF, JPG or PNG, "
            "at most %(files)s files of %(mb)s MB each."
        ),
    )
    declaration = forms.BooleanField(
        label=gettext_lazy(
            "I declare that the information given is true and complete, and that the matter is not before a "
            "court or an arbitration body."
        ),
        error_messages={"required": gettext_lazy("Confirm the declaration.")},
    )
    challenge_answer = forms.CharField(
        label=gettext_lazy("Check question"),
        max_length=4,
        error_messages={"required": gettext_lazy("Answer the question.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent_agency"].choices = _agency_choices()
        self.fields["evidence"].help_text = self.fields["evidence"].help_text % {
            "files": settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_FILES,
            "mb": settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES // (1024 * 1024),
        }
        self.contracts = {str(c.pk): c for c in contracts}
        if contracts:
            self.fields["contract_id"].choices = [("", "—")] + [
                (str(c.pk), f"{c.number} {c.title} ({c.agency.name})") for c in contracts
            ]
        else:
            del self.fields["contract_id"]

    def service_data(self) -> dict:
        """The submission in the service's (and the API's) shape, from whatever was entered."""
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def value(name):
            if name in d:
                return d[name]
            raw = self.data.get(name, "") if self.is_bound else ""
            return raw.strip() if isinstance(raw, str) else raw

        contract = self.contracts.get(str(value("contract_id") or ""))
        agency_code = value("respondent_agency") or (contract.agency.code if contract else "")
        respondent = {"agency": agency_code} if agency_code else {"name": value("respondent_other") or ""}
        if contract:
            contract_ref = {"id": contract.pk}
        else:
            signed_on = value("contract_signed_on")
            contract_ref = {"number": value("contract_number") or ""}
            if signed_on and not isinstance(signed_on, str):
                contract_ref["signed_on"] = signed_on.isoformat()
        return {
            "complainant": {
                "name": value("complainant_name") or "",
                "uscc": value("complainant_uscc") or "",
                "size": value("complainant_size") or "",
            },
            "contact": {"name": value("contact_name") or "", "mobile": value("contact_mobile") or ""},
            "respondent": respondent,
            "contract": contract_ref,
            "amount_claimed": value("amount_claimed") or "",
            "facts": value("facts") or "",
            "declaration": value("declaration") in (True, "on", "true", "1"),
        }

    def add_service_errors(self, exc: DomainError) -> None:
        errors = getattr(exc, "errors", None) or {exc.field: [exc.message]}
        for key, msgs in errors.items():
            name = FORM_FIELD_OF.get(key or "", key)
            if name == "contract_number" and "contract_id" in self.fields and self.data.get("contract_id"):
                name = "contract_id"
            if name not in self.fields:
                name = None
            if name is not None and self.errors.get(name):
                continue  # the form said it already
            for message in msgs:
                self.add_error(name, message)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    mobile_last4 = forms.RegexField(
        label=gettext_lazy("Last four digits of the contact mobile"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": gettext_lazy("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )


class AcceptForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("accept", gettext_lazy("Accept the complaint")), ("reject", gettext_lazy("Do not accept it"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for not accepting"),
        required=False,
        choices=[("", "—"), *Complaint.RejectReason.choices],
    )
    text = forms.CharField(
        label=gettext_lazy("Explanation to the complainant"),
        required=False,
        help_text=gettext_lazy("Needed when the complaint is not accepted; it goes into the written notice."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferForm(forms.Form):
    agency = forms.ChoiceField(label=gettext_lazy("Handling body"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _agency_choices()


class HandleForm(forms.Form):
    findings = forms.CharField(label=gettext_lazy("Facts found"), widget=forms.Textarea(attrs={"rows": 4}))
    amount_confirmed = forms.DecimalField(
        label=gettext_lazy("Amount confirmed as owed (CNY)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty when nothing is owed or the amount cannot be confirmed."),
    )
    disputed = forms.BooleanField(label=gettext_lazy("The amount is disputed"), required=False)
    repayment_plan = forms.CharField(
        label=gettext_lazy("Repayment plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Written reply to the complainant"),
        help_text=gettext_lazy("Issued as a reply letter (PDF) with the facts found and the amount confirmed."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            ("reopen", gettext_lazy("Reopen handling: the handling body handles it again")),
            ("close", gettext_lazy("Close the complaint")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=gettext_lazy("Review opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Extend by (days)"), min_value=1, max_value=365)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 7}))


class ListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Code or enterprise"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("any")), *Complaint.Status.choices]
    )
    respondent = forms.ChoiceField(label=gettext_lazy("Respondent"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].choices = [("", gettext_lazy("any"))] + [(a.code, a.name) for a in agencies]


STEP_FORMS = {
    "accept": AcceptForm,
    "transfer": TransferForm,
    "handle": HandleForm,
    "feedback": FeedbackForm,
    "review": ReviewForm,
}
STEP_TITLES = {
    "accept": gettext_lazy("Decide whether to accept the complaint"),
    "transfer": gettext_lazy("Transfer the complaint to the handling body"),
    "handle": gettext_lazy("Record the handling result"),
    "feedback": gettext_lazy("Reply to the complainant in writing"),
    "review": gettext_lazy("Review the unsatisfied evaluation"),
}
CLOCK_LABELS = {
    "accept": gettext_lazy("Decide on acceptance"),
    "transfer": gettext_lazy("Transfer to the handling body"),
    "handle": gettext_lazy("Handle and reply"),
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
    """Who did it, as people read it: 李文清 (agency_clerk), the complainant, the system."""
    if row.actor_id:
        name = display_name(row.actor)
        return name if name == row.actor.get_username() else f"{name} ({row.actor.get_username()})"
    if row.actor_label == "complainant":
        return _("the complainant")
    if row.actor_label in ("system", "sweep"):
        return _("the system")
    return row.actor_label


def clock_label(purpose: str) -> str:
    if purpose.startswith("handle") and purpose != "handle":
        return _("Handle and reply (round %(n)s)") % {"n": purpose[len("handle") :]}
    return str(CLOCK_LABELS.get(purpose, purpose))


def time_limits(on) -> dict:
    """The complaint rules in force on `on` (their amounts, units, ceiling and legal basis)."""
    out = {}
    for key in ("accept", "transfer", "handle"):
        try:
            out[key] = rule_in_force(f"complaint.{key}", on)
        except DomainError:
            out[key] = None
    return out


def _ensure_rendered(document: Document) -> Document:
    """A document still waiting for its worker is rendered now (once: document_render locks and checks),
    so that a complainant who has just filed gets the receipt at once."""
    if not document.file and document.status == Document.Status.PENDING:
        from workflow.documents import document_render

        document_render(document.pk)
        document.refresh_from_db()
    return document


def _documents_of(complaint: Complaint):
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id=str(complaint.pk)
    ).select_related("issuer")


# --- public: the form -----------------------------------------------------------------------------------------


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
    contracts = list(
        Contract.objects.filter(counterparty=enterprise)
        .exclude(status=Contract.Status.DRAFT)
        .select_related("agency")
        .order_by("-signed_on", "-id")[:100]
    )
    return initial, contracts


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
    data = form.data.copy() if form.is_bound else None
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


# --- public: tracking, evaluation, documents --------------------------------------------------------------------

PUBLIC_DOCUMENTS = {
    "receipt": ("complaint_receipt", "投诉登记回执"),
    "reply": ("complaint_feedback:", "投诉办理情况答复函"),
    "rejection": ("complaint_rejection", "投诉不予受理告知书"),
}


def _public_documents(complaint: Complaint) -> list[dict]:
    docs = list(_documents_of(complaint).order_by("created_at", "id"))
    out = []
    for kind, (prefix, _title) in PUBLIC_DOCUMENTS.items():
        found = [d for d in docs if d.doc_type == prefix or (prefix.endswith(":") and d.doc_type.startswith(prefix))]
        if found:
            out.append({"kind": kind, "document": found[-1], "ready": bool(found[-1].file)})
    return out


@require_GET
def complaint_track(request):
    """The tracking form; with a code and the digits, the complaint's progress."""
    form = TrackForm(request.GET or None)
    complaint = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            complaint = complaint_get_for_tracking(
                code=form.cleaned_data["code"], mobile_last4=form.cleaned_data["mobile_last4"]
            )
        except NotFound as exc:
            form.add_error(None, exc.message)
            status = 404
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
                "documents": _public_documents(complaint),
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
    try:
        complaint_evaluate_by_complainant(code=code, mobile_last4=digits, satisfied=choice == "yes")
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
        complaint = complaint_get_for_tracking(code=code, mobile_last4=request.GET.get("mobile_last4", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    found = next((d for d in _public_documents(complaint) if d["kind"] == kind), None)
    if found is None:
        raise Http404
    document = _ensure_rendered(found["document"])
    if not document.file:
        return render(request, "portal/complaints/not_ready.html", {"complaint": complaint}, status=503)
    response = private_file_response(
        document.file.open("rb"),
        filename=f"{complaint.code}-{PUBLIC_DOCUMENTS[kind][1]}.pdf",
        content_type="application/pdf",
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# --- staff ----------------------------------------------------------------------------------------------------


def _require_staff(user) -> None:
    """Complaint officers, supervisors and agency staff; enterprises follow their complaints by code."""
    if not (user.is_superuser or roles.has_role(user, roles.SUPERVISOR, roles.COMPLAINT_OFFICER) or user.agency_id):
        raise PermissionDenied


def _is_supervisor(user) -> bool:
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
    sees_all = user.is_superuser or roles.has_role(user, roles.SUPERVISOR, roles.COMPLAINT_OFFICER)
    agencies = list((Agency.objects.all() if sees_all else agencies_for_user(user)).order_by("path"))
    filters = ListFilterForm(request.GET or None, agencies=agencies)
    today = clock.today()
    qs = complaints_with_clock(
        complaints_for_user(user).select_related("complainant", "respondent", "handling_agency"), today=today
    )
    if filters.is_valid():
        f = filters.cleaned_data
        if f["q"]:
            q = f["q"].strip()
            qs = qs.filter(Q(code__iexact=q) | Q(complainant__name__icontains=q))
        if f["status"]:
            qs = qs.filter(status=f["status"])
        if f["respondent"]:
            qs = qs.filter(respondent__code=f["respondent"])
        if f["overdue"]:
            qs = qs.filter(is_overdue=True)
    page = Paginator(qs.order_by("-submitted_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
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
            "is_supervisor": _is_supervisor(user),
            "clock_labels": CLOCK_LABELS,
        },
    )


@login_required
def complaint_by_id(request, pk):
    """The flow's link to a complaint (ComplaintProcess.get_absolute_url): on to its case page."""
    _require_staff(request.user)
    complaint = complaints_for_user(request.user).filter(pk=pk).first()
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


def _do_step(request, complaint, step, form) -> None:
    """Run the step with the form's data; raises DomainError."""
    d = form.cleaned_data
    user = request.user
    if step == "accept":
        if d["decision"] == "accept":
            complaint_task(complaint=complaint, step="accept", user=user, request=request)
        else:
            complaint_task(
                complaint=complaint, step="reject", user=user, request=request, reason=d["reason"], text=d["text"]
            )
    elif step == "transfer":
        agency = Agency.objects.filter(code=d["agency"]).first()
        if agency is None:
            raise ValidationFailed(_("Unknown agency."), "invalid", field="agency")
        complaint_task(complaint=complaint, step="transfer", user=user, request=request, agency=agency)
    elif step == "handle":
        complaint_task(
            complaint=complaint,
            step="handle",
            user=user,
            request=request,
            findings=d["findings"],
            amount_confirmed=d["amount_confirmed"],
            disputed=d["disputed"],
            repayment_plan=d["repayment_plan"],
        )
    elif step == "feedback":
        complaint_task(complaint=complaint, step="feedback", user=user, request=request, text=d["text"])
    elif step == "review":
        complaint_task(
            complaint=complaint,
            step="review",
            user=user,
            request=request,
            reopen=d["outcome"] == "reopen",
            note=d["note"],
        )


STEP_DONE = {
    "accept": gettext_lazy("Decision recorded."),
    "transfer": gettext_lazy("Transferred to %(agency)s; its handling time has started."),
    "handle": gettext_lazy("Handling result recorded. Now reply to the complainant in writing."),
    "feedback": gettext_lazy("The written reply has been issued; the complainant can now evaluate it."),
    "review": gettext_lazy("Review recorded."),
}


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
                try:
                    with transaction.atomic():
                        complaint_extend(
                            complaint=complaint,
                            days=extend_form.cleaned_data["days"],
                            reason=extend_form.cleaned_data["reason"],
                            approver=user,
                        )
                except ValidationFailed as exc:
                    form_errors_from(exc, extend_form, mapping={"amount": "days"})
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("complaint-detail", complaint.code)
                else:
                    messages.success(request, _("Handling time extended; the complainant is told by SMS."))
                    return redirect("complaint-detail", complaint.code)
        elif action and action == step:
            form = _step_form(step, request.POST, complaint=complaint)
            if form.is_valid():
                try:
                    _do_step(request, complaint, step, form)
                except ValidationFailed as exc:
                    form_errors_from(exc, form, mapping={"amount": "days"})
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("complaint-detail", complaint.code)
                else:
                    complaint.refresh_from_db()
                    agency = complaint.handling_agency.name if complaint.handling_agency_id else ""
                    messages.success(request, str(STEP_DONE[step]) % {"agency": agency})
                    return redirect("complaint-detail", complaint.code)
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
            "step_title": STEP_TITLES.get(step, ""),
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
            "documents": _documents_of(complaint).order_by("created_at", "id"),
            "notice": notice,
            "audit": audit,
            "is_supervisor": _is_supervisor(user),
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
    document = _documents_of(complaint).filter(pk=pk).first()
    if document is None:
        raise Http404
    document = _ensure_rendered(document)
    if not document.file:
        raise Http404
    return private_file_response(
        document.file.open("rb"),
        filename=f"{document.doc_number or complaint.code + '-' + document.title}.pdf",
        content_type="application/pdf",
    )


# --- the supervisor's dashboard ---------------------------------------------------------------------------------


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
    if not _is_supervisor(request.user):
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
    documents = {
        d.object_id: d
        for d in Document.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            object_id__in=[str(n.complaint_id) for n in issued],
            doc_type=NOTICE_DOC_TYPE,
        )
    }
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
    if not _is_supervisor(request.user):
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
