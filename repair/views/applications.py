"""Pages of credit repair as "one thing" (信用修复"一件事"), mounted at /staff/repair/ (and /public/records/).

- Penalty officer: the record form (with obligation rows), the unit's records, a record with the form that
  serves both notices with one delivery record, the publish button and the documents.
- Enterprise user (and a window clerk for an enterprise named by its USCC): "my records" with the earliest
  repair date and the reminders, the apply form (the credit commitment shown in full, typed name, accept box),
  the instant answer, the application with its progress (clock due dates, pause, extension and reason),
  documents and the supplement upload.
- Reviewer (the unit's penalty officers): ask for material, extend with a reason, decide with reasons.
- Supervisor: approval of serious-category repairs, objections and their answers, measures per deciding unit.
- Public: what is published now, with search (repair/urls/public.py).

Thin: reads through repair.api.records' scoped selectors, writes through the services; a service's field error is
shown next to its field, a conflict as a message.
"""

from __future__ import annotations

import types
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from repair.forms import (
    AnswerForm,
    ApplyForm,
    DecideForm,
    ExtendForm,
    ObjectionForm,
    ObligationFormSet,
    PeriodForm,
    PublicSearchForm,
    RecordFilterForm,
    RecordForm,
    ServeForm,
    SupplementForm,
    SupplementReceivedForm,
    WindowLookupForm,
)
from repair.metrics import repair_measures, repair_measures_by_unit
from repair.models import DishonestyRecord, Objection, RepairApplication
from repair.process import application_decide_as, application_submit
from repair.selectors import (
    ACTIVE,
    OPEN_APPLICATION,
    application_get_for_user,
    applications_visible_to,
    documents_of,
    enterprise_for_window,
    is_applicant,
    is_enterprise_user,
    is_officer,
    is_supervisor,
    is_unit_officer,
    is_window_clerk,
    objections_visible_to,
    public_records,
    record_delivery,
    record_get_for_user,
    records_visible_to,
)
from repair.services.applications import (
    application_extend,
    application_supplement,
    application_supplement_received,
    commitment_text,
)
from repair.services.documents import documents_render_now
from repair.services.objections import objection_answer, objection_file
from repair.services.records import record_create, record_publish, record_serve_notices, record_validate
from workflow import clock
from workflow.api.auth import display_name
from workflow.audit import audit_for
from workflow.deadlines import deadlines_for
from workflow.documents import document_render
from workflow.errors import DomainError, NotFound, ValidationFailed
from workflow.forms import form_errors_from
from workflow.masking import mask_name
from workflow.models import Deadline, DeadlineEvent, Delivery, Document
from workflow.notifications import notifications_for_user
from workflow.uploads import private_file_response, stored_file_response

PER_PAGE = 25
PUBLIC_PER_PAGE = 20
REMINDERS_SHOWN = 10
AUDIT_ROWS = 200

CLOCK_LABELS = {
    "accept": gettext_lazy("Decide on acceptance"),
    "feedback": gettext_lazy("Give the result"),
    "sync": gettext_lazy("Stop sharing with other platforms"),
}
EVENT_LABELS = {
    DeadlineEvent.Kind.PAUSE: gettext_lazy("paused"),
    DeadlineEvent.Kind.RESUME: gettext_lazy("running again"),
    DeadlineEvent.Kind.EXTEND: gettext_lazy("extended"),
}
AUDIT_LABELS = {
    "record.create": gettext_lazy("Recorded; decision and repair notice issued"),
    "record.serve": gettext_lazy("Both documents served"),
    "record.publish": gettext_lazy("Published"),
    "record.repaired": gettext_lazy("Repaired: publication and sharing stopped"),
    "record.expired": gettext_lazy("Publication period ended"),
    "objection.file": gettext_lazy("Objection filed"),
    "objection.answer": gettext_lazy("Objection answered"),
    "repair.apply": gettext_lazy("Applied; checked at once"),
    "repair.supplement": gettext_lazy("More material asked for"),
    "repair.supplement_received": gettext_lazy("Material handed in"),
    "repair.extend": gettext_lazy("Time for the result extended"),
    "repair.propose": gettext_lazy("Proposed for approval"),
    "repair.decide": gettext_lazy("Decided"),
}


# --- helpers ------------------------------------------------------------------------------------------------------


def _or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _audit_rows(obj) -> list:
    rows = list(audit_for(obj).order_by("at", "id")[:AUDIT_ROWS])
    for row in rows:
        row.label = str(AUDIT_LABELS.get(row.action, row.action))
        row.who = display_name(row.actor) if row.actor_id else _("the system")
    return rows


def _clocks(case) -> list[dict]:
    """Each statutory clock with its history of pauses, resumptions and extensions."""
    today = clock.today()
    clocks = list(deadlines_for(case).select_related("rule").order_by("start_on", "id"))
    events = (
        DeadlineEvent.objects.filter(deadline__in=clocks, kind__in=list(EVENT_LABELS))
        .select_related("approver")
        .order_by("created_at", "id")
    )
    by_clock: dict[int, list] = {}
    for e in events:
        e.label = EVENT_LABELS[e.kind]
        by_clock.setdefault(e.deadline_id, []).append(e)
    return [
        {
            "d": d,
            "label": CLOCK_LABELS.get(d.purpose, d.purpose),
            "late": d.status in (d.Status.RUNNING, d.Status.OVERDUE) and d.due_on < today,
            "events": by_clock.get(d.pk, []),
        }
        for d in clocks
    ]


def _documents(case) -> list[Document]:
    return list(documents_of(case).select_related("issuer"))


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- the entry ----------------------------------------------------------------------------------------------------


@login_required
def repair_home(request):
    """/staff/repair/: each role's starting page."""
    user = request.user
    if is_officer(user):
        return redirect("repair-records")
    if is_supervisor(user):
        return redirect("repair-applications")
    if is_enterprise_user(user) or is_window_clerk(user):
        return redirect("repair-mine")
    raise PermissionDenied


# --- records (penalty officer, supervisor) -------------------------------------------------------------------------


def _served_expression():
    ct = ContentType.objects.get_for_model(DishonestyRecord)
    return Exists(
        Delivery.objects.filter(
            documents__content_type=ct,
            documents__object_id=Cast(OuterRef("pk"), CharField()),
            documents__doc_type="repair_notice",
        )
    )


@login_required
@require_GET
def record_list(request):
    user = request.user
    if not (is_officer(user) or is_supervisor(user)):
        raise PermissionDenied
    filters = RecordFilterForm(request.GET or None)
    qs = records_visible_to(user).annotate(served=_served_expression())
    if filters.is_valid():
        f = filters.cleaned_data
        if f["q"]:
            q = f["q"].strip()
            qs = qs.filter(
                Q(decision_number__icontains=q)
                | Q(enterprise__name__icontains=q)
                | Q(enterprise__uscc__iexact=q.upper())
                | Q(person_name__icontains=q)
            )
        if f["status"]:
            qs = qs.filter(status=f["status"])
    page = Paginator(qs.order_by("-decided_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/repair/records.html",
        {"page": page, "filters": filters, "query": query.urlencode(), "can_record": is_officer(user)},
    )


@login_required
def record_new(request):
    user = request.user
    if not is_officer(user):
        raise PermissionDenied
    form = RecordForm(request.POST or None)
    formset = ObligationFormSet(request.POST or None, prefix="ob")
    if request.method == "POST":
        form.is_valid()
        formset.is_valid()
        rows = [f for f in formset.forms if not f.is_blank()]
        data = form.service_data([f.service_row() for f in rows])
        try:
            if form.errors or any(f.errors for f in rows):
                record_validate(data)  # say everything at once; saves nothing
            else:
                record = record_create(data=data, acting_user=user)
                documents_render_now(record)
                messages.success(
                    request,
                    _(
                        "Recorded. The penalty decision and the credit repair notice were issued together; "
                        "serve them now."
                    ),
                )
                return redirect("repair-record", record.pk)
        except ValidationFailed as exc:
            for key, msgs in (exc.errors or {exc.field: [exc.message]}).items():
                parts = (key or "").split(".")
                if parts[0] == "obligations" and len(parts) == 3 and int(parts[1]) < len(rows):
                    row = rows[int(parts[1])]
                    if not row.errors.get(parts[2]):
                        for message in msgs:
                            row.add_error(parts[2], message)
                    continue
                name = form.field_for(key)
                if name is not None and form.errors.get(name):
                    continue
                for message in msgs:
                    form.add_error(name, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "staff/repair/record_new.html", {"form": form, "formset": formset})


@login_required
def record_detail(request, pk):
    user = request.user
    record = _or_404(record_get_for_user, user=user, pk=pk)
    officer = is_unit_officer(user, record.deciding_unit)
    delivery = record_delivery(record)
    today = clock.today()
    serve_form = None
    if officer and delivery is None and record.status in ACTIVE:
        serve_form = ServeForm(initial={"method": Delivery.Method.IN_PERSON, "delivered_on": today}, prefix="serve")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "serve" and serve_form is not None:
            serve_form = ServeForm(request.POST, prefix="serve")
            if serve_form.is_valid():
                d = serve_form.cleaned_data
                try:
                    record_serve_notices(record=record, acting_user=user, **d)
                except ValidationFailed as exc:
                    form_errors_from(exc, serve_form)
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("repair-record", record.pk)
                else:
                    messages.success(request, _("Both documents are recorded as served together."))
                    return redirect("repair-record", record.pk)
        elif action == "publish" and officer:
            try:
                record_publish(record=record, acting_user=user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Published: the record now appears on the public list."))
            return redirect("repair-record", record.pk)
        else:
            messages.error(request, _("There is nothing for you to do on this record now."))
            return redirect("repair-record", record.pk)
    subject_user = user.enterprise_id is not None and user.enterprise_id == record.enterprise_id
    applications = applications_visible_to(user).filter(records=record).order_by("-applied_on", "-id")
    return render(
        request,
        "staff/repair/record_detail.html",
        {
            "record": record,
            "obligations": list(record.obligations.all()),
            "documents": _documents(record),
            "delivery": delivery,
            "serve_form": serve_form,
            "officer": officer,
            "can_publish": officer and record.status == DishonestyRecord.Status.RECORDED and record.publishable,
            "subject_user": subject_user,
            "can_apply": subject_user and record.status in ACTIVE,
            "applications": applications,
            "objections": record.objections.order_by("-filed_on", "-id"),
            "has_open_objection": record.objections.filter(status=Objection.Status.OPEN).exists(),
            "audit": _audit_rows(record),
            "today": today,
            "person_masked": mask_name(record.person_name),
            "may_apply_now": record.status in ACTIVE and record.earliest_repair_on <= today,
        },
    )


@login_required
@require_GET
def document_download(request, pk):
    """A document of a record or an application the user may see (rendered now if its worker has not yet)."""
    document = Document.objects.select_related("content_type").filter(pk=pk).first()
    if document is None:
        raise Http404
    model = document.content_type.model_class()
    if model is DishonestyRecord:
        visible = records_visible_to(request.user).filter(pk=document.object_id).exists()
    elif model is RepairApplication:
        visible = applications_visible_to(request.user).filter(pk=document.object_id).exists()
    else:
        visible = False
    if not visible:
        raise Http404
    if not document.file and document.status in (Document.Status.PENDING, Document.Status.FAILED):
        document_render(document.pk)
        document.refresh_from_db()
    if not document.file:
        raise Http404(_("This document has not been generated yet."))
    return private_file_response(
        document.file.open("rb"),
        filename=f"{document.doc_number or document.title}.pdf",
        content_type="application/pdf",
    )


# --- the enterprise's side ----------------------------------------------------------------------------------------


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
            r.may_apply = r.active and not r.pending and r.earliest_repair_on <= today
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
    if request.method == "POST":
        form = ApplyForm(request.POST, request.FILES, records=records)
        if form.is_valid():
            d = form.cleaned_data
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
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                documents_render_now(application)
                return redirect("repair-application-answer", application.pk)
    else:
        initial = {"records": request.GET.getlist("record")}
        if channel == RepairApplication.Channel.ONLINE:
            initial["signer_name"] = display_name(user)
        form = ApplyForm(initial=initial, records=records)
    chosen = {str(v) for v in (form["records"].value() or [])}
    before, after = _commitment_parts(enterprise)
    return render(
        request,
        "staff/repair/apply.html",
        {
            "form": form,
            "enterprise": enterprise,
            "window": channel == RepairApplication.Channel.WINDOW,
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
    application = _or_404(application_get_for_user, user=request.user, pk=pk)
    clocks = {d.purpose: d for d in deadlines_for(application)}
    return render(
        request,
        "staff/repair/answer.html",
        {
            "a": application,
            "accept": clocks.get("accept"),
            "feedback": clocks.get("feedback"),
            "records": list(application.records.order_by("pk")),
            "documents": _documents(application),
        },
    )


# --- applications: list and detail with the reviewer's and supervisor's actions -----------------------------------


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
    paused = feedback is not None and feedback.status == feedback.Status.PAUSED and feedback.paused_on is not None
    steps.append(
        {
            "label": _("Waiting for material asked for")
            if a.status == S.SUPPLEMENT
            else _("Review by the deciding unit"),
            "state": review_state,
            "due": feedback.due_on if feedback and review_state == "current" and not paused else None,
            "note": _("The time for the result is stopped since %(day)s.") % {"day": feedback.paused_on.isoformat()}
            if paused
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


@login_required
def application_detail(request, pk):
    user = request.user
    application = _or_404(application_get_for_user, user=user, pk=pk)
    S = RepairApplication.Status
    officer = is_unit_officer(user, application.deciding_unit)
    supervisor = is_supervisor(user)
    applicant = is_applicant(user, application)
    forms = {
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
        if forms.get(action) is None:
            messages.error(request, _("There is nothing for you to do on this application now."))
            return redirect("repair-application", application.pk)
        form = type(forms[action])(request.POST, request.FILES, prefix=action)
        forms[action] = form
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
    clocks = _clocks(application)
    return render(
        request,
        "staff/repair/application_detail.html",
        {
            "a": application,
            "records": list(application.records.select_related("deciding_unit").order_by("pk")),
            "proofs": list(application.proofs.order_by("pk")),
            "documents": _documents(application),
            "clocks": clocks,
            "progress": _progress(application, clocks),
            "forms": forms,
            "officer": officer,
            "supervisor": supervisor,
            "applicant": applicant,
            "awaiting_approval": application.status == S.AWAITING_APPROVAL,
            "objections": application.objections.order_by("-filed_on"),
            # An objection to a result is for a refusal; a granted repair has nothing left to object to.
            "can_object": user.enterprise_id == application.enterprise_id and application.approved is False,
            "audit": _audit_rows(application) if (officer or supervisor) else [],
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
    documents_render_now(application)
    if application.status == RepairApplication.Status.AWAITING_APPROVAL:
        return _("Proposed for approval: a supervisor approves the repair of serious dishonesty information.")
    return _("Decided. The decision has been issued to the applicant.")


@login_required
@require_GET
def proof_download(request, pk, proof_pk):
    application = _or_404(application_get_for_user, user=request.user, pk=pk)
    proof = application.proofs.filter(pk=proof_pk).first()
    if proof is None or not proof.file:
        raise Http404
    return stored_file_response(proof)


# --- objections ---------------------------------------------------------------------------------------------------


@login_required
def objection_new(request, pk):
    user = request.user
    record = _or_404(record_get_for_user, user=user, pk=pk)
    if user.enterprise_id is None or user.enterprise_id != record.enterprise_id:
        raise PermissionDenied
    decided = list(
        RepairApplication.objects.filter(records=record, decided_on__isnull=False).order_by("-decided_on", "-id")
    )
    initial = {"target": request.GET.get("target") or "", "application": request.GET.get("application") or ""}
    form = ObjectionForm(request.POST or None, applications=decided, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        application = next((a for a in decided if str(a.pk) == d["application"]), None)
        try:
            objection = objection_file(
                record=record, target=d["target"], text=d["text"], application=application, acting_user=user
            )
        except ValidationFailed as exc:
            form_errors_from(exc, form)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            due = deadlines_for(objection).get(purpose="answer").due_on
            messages.success(
                request,
                _(
                    "Objection filed. The credit office answers by %(day)s; meanwhile the record is marked as "
                    "under objection."
                )
                % {"day": due.isoformat()},
            )
            return redirect("repair-objection", objection.pk)
    return render(request, "staff/repair/objection_new.html", {"form": form, "record": record})


@login_required
@require_GET
def objection_list(request):
    user = request.user
    if not (is_supervisor(user) or user.enterprise_id):
        raise PermissionDenied
    qs = objections_visible_to(user).order_by("status", "-filed_on", "-id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ct = ContentType.objects.get_for_model(Objection)
    due = {
        d.object_id: d.due_on
        for d in Deadline.objects.filter(
            content_type=ct, object_id__in=[str(o.pk) for o in page.object_list], purpose="answer"
        )
    }
    for o in page.object_list:
        o.due_on = due.get(str(o.pk))
    return render(request, "staff/repair/objections.html", {"page": page, "today": clock.today()})


@login_required
def objection_detail(request, pk):
    user = request.user
    objection = objections_visible_to(user).filter(pk=pk).first()
    if objection is None:
        raise Http404
    record = objection.record
    form = None
    if is_supervisor(user) and objection.status == Objection.Status.OPEN:
        form = AnswerForm(
            request.POST or None,
            initial={
                "facts": record.facts,
                "basis": record.basis,
                "publication_ends_on": record.publication_ends_on,
            },
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            corrections = {}
            if d["outcome"] == "correct":
                for field in ("facts", "basis", "publication_ends_on"):
                    value = d[field].strip() if isinstance(d[field], str) else d[field]
                    if value and value != getattr(record, field):
                        corrections[field] = value
            try:
                objection_answer(
                    objection=objection,
                    upheld=d["outcome"] != "dismiss",
                    revoke=d["outcome"] == "revoke",
                    answer=d["answer"],
                    corrections=corrections,
                    acting_user=user,
                )
            except ValidationFailed as exc:
                form_errors_from(exc, form, mapping={"corrections": None})
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("repair-objection", objection.pk)
            else:
                messages.success(request, _("The objection has been answered."))
                return redirect("repair-objection", objection.pk)
    elif request.method == "POST":
        raise PermissionDenied
    clock_ = deadlines_for(objection).filter(purpose="answer").first()
    return render(
        request,
        "staff/repair/objection_detail.html",
        {"o": objection, "record": record, "form": form, "clock": clock_, "today": clock.today()},
    )


# --- measures -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def measures(request):
    if not is_supervisor(request.user):
        raise PermissionDenied
    from contracts.evaluation.services import period_parse

    default = str(clock.today().year)
    form = PeriodForm(request.GET or {"period": default})
    try:
        period = period_parse(request.GET.get("period") or default)
    except DomainError as exc:
        form.is_valid()
        form.add_error("period", exc.message)
        period = period_parse(default)

    def shown(m: dict) -> dict:
        return {
            **m,
            "notice_rate_pct": _pct(m["notice_rate"]),
            "repair_rate_pct": _pct(m["repair_rate"]),
            "accepted_on_time_pct": _pct(m["accepted_on_time_rate"]),
            "feedback_on_time_pct": _pct(m["feedback_on_time_rate"]),
        }

    return render(
        request,
        "staff/repair/measures.html",
        {
            "form": form,
            "period": period,
            "total": shown(repair_measures(start=period.start, end=period.end)),
            "units": [shown(m) for m in repair_measures_by_unit(start=period.start, end=period.end)],
        },
    )


# --- public -------------------------------------------------------------------------------------------------------


@require_GET
def public_record_list(request):
    """What is published now, searchable by enterprise name or USCC; no login."""
    form = PublicSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_bound and form.is_valid() else ""
    page = Paginator(public_records(q), PUBLIC_PER_PAGE).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.public_name = r.enterprise.name if r.enterprise_id else mask_name(r.person_name)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "portal/records/list.html",
        {"form": form, "page": page, "q": q, "query": query.urlencode(), "today": clock.today()},
    )
    return response
