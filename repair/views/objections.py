"""Objections (异议申诉): the subject files one against a record or a refused repair; a supervisor answers,
correcting or revoking the record when upheld."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from repair.forms import AnswerForm, ObjectionForm
from repair.models import Objection, RepairApplication
from repair.selectors import is_supervisor, objections_visible_to, record_get_for_user
from repair.services.objections import objection_answer, objection_file
from repair.views.shared import PER_PAGE, or_404
from workflow import clock
from workflow.deadlines import deadlines_for
from workflow.errors import DomainError, ValidationFailed
from workflow.forms import form_errors_from, form_service
from workflow.models import Deadline


@login_required
def objection_new(request, pk):
    user = request.user
    record = or_404(record_get_for_user, user=user, pk=pk)
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
        objection = form_service(
            form,
            objection_file,
            record=record,
            target=d["target"],
            text=d["text"],
            application=application,
            acting_user=user,
        )
        if not form.errors:
            assert objection is not None  # form_service returns None only after putting errors on the form
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
