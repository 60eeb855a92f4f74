"""Records (penalty officer, supervisor): the record form with obligation rows, the unit's records, a record
with the form that serves both notices with one delivery record, the publish button and the documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from repair.forms import DecisionFileForm, ObligationFormSet, RecordFilterForm, RecordForm, ServeForm
from repair.models import DishonestyRecord, Objection, PenaltyDecisionFile, RepairApplication
from repair.selectors import (
    ACTIVE,
    applications_visible_to,
    is_officer,
    is_supervisor,
    is_unit_officer,
    record_delivery,
    record_get_for_user,
    records_visible_to,
)
from repair.services.records import (
    record_create,
    record_decision_attach,
    record_publish,
    record_serve_notices,
    record_validate,
)
from repair.views.shared import PER_PAGE, audit_rows, documents_shown, or_404
from workflow import clock
from workflow.deadlines import allowed_on
from workflow.documents import document_get_for_user
from workflow.errors import DomainError, NotFound, ValidationFailed
from workflow.forms import form_errors_from
from workflow.masking import mask_name
from workflow.models import Delivery, Document
from workflow.uploads import MAX_FILE_BYTES, capped_uploads, private_file_response, stored_file_response
from workflow.views.documents import document_pending_response


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
@capped_uploads(MAX_FILE_BYTES)
def record_new(request):
    user = request.user
    if not is_officer(user):
        raise PermissionDenied
    form = RecordForm(request.POST or None, request.FILES or None)
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
                record = record_create(
                    data=data, acting_user=user, decision_file=form.cleaned_data.get("decision_file")
                )
                waiting = record.decision_source == DishonestyRecord.DecisionSource.ATTACHED and not hasattr(
                    record, "decision_file"
                )
                messages.success(
                    request,
                    _(
                        "Recorded. The credit repair notice and the service receipt were issued; attach the unit's "
                        "own decision (PDF), then serve both together."
                    )
                    if waiting
                    else _(
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
@capped_uploads(MAX_FILE_BYTES)
def record_detail(request, pk):
    user = request.user
    record = or_404(record_get_for_user, user=user, pk=pk)
    officer = is_unit_officer(user, record.deciding_unit)
    delivery = record_delivery(record)
    today = clock.today()
    decision_file = PenaltyDecisionFile.objects.filter(record=record).first()
    attach_form = None
    attached = record.decision_source == DishonestyRecord.DecisionSource.ATTACHED
    if officer and delivery is None and decision_file is None and attached:
        attach_form = DecisionFileForm(prefix="decision")
    serve_form = None
    if officer and delivery is None and record.status in ACTIVE and not (attached and decision_file is None):
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
        elif action == "attach" and attach_form is not None:
            attach_form = DecisionFileForm(request.POST, request.FILES, prefix="decision")
            if attach_form.is_valid():
                try:
                    record_decision_attach(
                        record=record, upload=attach_form.cleaned_data["decision_file"], acting_user=user
                    )
                except ValidationFailed as exc:
                    attach_form.add_error("decision_file", exc.message)
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("repair-record", record.pk)
                else:
                    messages.success(request, _("The unit's own decision is attached; serve it with the notice."))
                    return redirect("repair-record", record.pk)
        elif action == "publish" and officer:
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Confirm that you have checked the record before it is made public."))
                return redirect("repair-record", record.pk)
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
            "documents": documents_shown(record),
            "delivery": delivery,
            "serve_form": serve_form,
            "attach_form": attach_form,
            "decision_file": decision_file,
            "officer": officer,
            "can_publish": officer and record.status == DishonestyRecord.Status.RECORDED and record.publishable,
            "subject_user": subject_user,
            "can_apply": subject_user and record.status in ACTIVE,
            "applications": applications,
            "objections": record.objections.order_by("-filed_on", "-id"),
            "has_open_objection": record.objections.filter(status=Objection.Status.OPEN).exists(),
            "audit": audit_rows(record),
            "today": today,
            "person_masked": mask_name(record.person_name),
            "may_apply_now": record.status in ACTIVE and allowed_on(record.earliest_repair_on, today),
        },
    )


@login_required
@require_GET
def decision_file_download(request, pk):
    """The unit's own decision PDF, for whoever may see the record."""
    record = or_404(record_get_for_user, user=request.user, pk=pk)
    stored = PenaltyDecisionFile.objects.filter(record=record).first()
    if stored is None:
        raise Http404
    return stored_file_response(stored, filename=f"{record.decision_number}.pdf")


@login_required
@require_GET
def document_download(request, pk):
    """A document of a record or an application the user may see (a 生成中 page until its worker has rendered it)."""
    try:  # the one rule of workflow.documents (the case's selector), limited to repair's own cases here
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    if document.content_type.model_class() not in (DishonestyRecord, RepairApplication):
        raise Http404
    if not document.file and document.status in (Document.Status.PENDING, Document.Status.FAILED):
        return document_pending_response(request, document)
    if not document.file:
        raise Http404(_("This document has not been generated yet."))
    return private_file_response(
        document.file.open("rb"),
        filename=f"{document.doc_number or document.title}.pdf",
        content_type="application/pdf",
    )
