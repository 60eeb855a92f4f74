"""Warnings raised by the daily sweep: the list; acknowledge / resolve / escalate (提请督办) from a
contract's page; and the page where a supervisor handles an escalated warning (the escalation
process's task: open a disposal on it, or close it with the office's opinion)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import selectors, services
from contracts.disposal.process import escalation_task_close, warning_escalate_to_office
from contracts.disposal.selectors import escalation_process, escalation_task_for
from contracts.forms import (
    ACTIVE,
    WarningActionForm,
    WarningFilterForm,
)
from contracts.models import Warning
from contracts.views.access import OPEN_CONTRACT, contract_for_clerk, require_staff
from contracts.views.contracts import OPEN_WARNINGS, detail_page, done_redirect
from workflow import roles
from workflow.errors import Conflict, DomainError
from workflow.forms import form_service
from workflow.scoping import agencies_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PER_PAGE = 25


class WarningAction(Protocol):
    """A warning service: warning_acknowledge, warning_resolve or warning_escalate."""

    def __call__(self, *, warning: Warning, acting_user: Any, note: str) -> Warning: ...


WARNING_ACTIONS: dict[str, tuple[WarningAction, StrPromise]] = {
    "acknowledge": (services.warning_acknowledge, gettext_lazy("Warning acknowledged.")),
    "resolve": (services.warning_resolve, gettext_lazy("Warning resolved.")),
    "escalate": (
        warning_escalate_to_office,
        gettext_lazy("Warning escalated: the credit office has a task to handle it."),
    ),
}


@login_required
@require_POST
def warning_action(request, wid: int):
    user = request.user
    require_staff(user)
    warning = selectors.warnings_visible_to(user).filter(pk=wid).first()
    if warning is None:
        raise Http404
    contract = contract_for_clerk(user, warning.contract_id)
    form = WarningActionForm(request.POST)
    if not form.is_valid():
        return detail_page(request, contract, status=400, warning_error=(warning.pk, _("Choose an action.")))
    service, done = WARNING_ACTIONS[form.cleaned_data["action"]]
    try:
        service(warning=warning, acting_user=user, note=form.cleaned_data["note"])
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("contracts-detail", args=[contract.pk]) + f"#warning-{warning.pk}")
    except DomainError as exc:
        return detail_page(request, contract, warning_error=(warning.pk, exc.message))
    return done_redirect(request, contract, str(done), f"warning-{warning.pk}")


# --- warnings -------------------------------------------------------------------------------------


@login_required
@require_GET
def warning_list(request):
    user = request.user
    require_staff(user)
    agencies = list(agencies_for_user(user).order_by("path"))
    data = request.GET.copy()
    data.setdefault("status", ACTIVE)
    filters = WarningFilterForm(data, agencies=agencies if len(agencies) > 1 else [])
    qs = selectors.warnings_visible_to(user).select_related("contract__counterparty")
    if filters.is_valid():
        f = filters.cleaned_data
        if f["status"] == ACTIVE:
            qs = qs.filter(status__in=OPEN_WARNINGS)
        elif f["status"]:
            qs = qs.filter(status=f["status"])
        if f["rule"]:
            qs = qs.filter(rule=f["rule"])
        if f["level"]:
            qs = qs.filter(level=f["level"])
        if f["agency"]:
            qs = qs.filter(agency__code=f["agency"])
    else:
        qs = qs.filter(status__in=OPEN_WARNINGS)
    page = Paginator(qs.order_by("-raised_on", "-level", "id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/contracts/warnings.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "show_agency": len(agencies) > 1,
            "is_supervisor": roles.has_role(user, roles.SUPERVISOR),
            "disposable": OPEN_CONTRACT,
        },
    )


# --- escalation -----------------------------------------------------------------------------------


class EscalationCloseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Opinion of the credit office"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the credit office's opinion.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail(request, wid: int):
    user = request.user
    require_staff(user)
    warning = selectors.warnings_visible_to(user).select_related("contract__counterparty").filter(pk=wid).first()
    if warning is None:
        raise Http404
    task = escalation_task_for(warning=warning, user=user)
    form = EscalationCloseForm(request.POST or None)
    if request.method == "POST":
        if task is None:
            raise PermissionDenied
        if form.is_valid():
            form_service(
                form, escalation_task_close, warning=warning, note=form.cleaned_data["note"], user=user, request=request
            )
            if not form.errors:
                messages.success(request, _("Escalation closed."))
                return redirect("contracts-escalation", wid=warning.pk)
    process = escalation_process(warning)
    outcome = (process.data or {}).get("outcome") if process is not None else None
    return render(
        request,
        "staff/contracts/escalation.html",
        {
            "warning": warning,
            "contract": warning.contract,
            "process": process,
            "outcome": outcome,
            "task": task,
            "form": form,
            "can_open_disposal": task is not None and warning.contract.status in OPEN_CONTRACT,
        },
    )
