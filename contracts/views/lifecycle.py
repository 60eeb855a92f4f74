"""Closing steps of a contract on pages: fulfil (履约完毕), terminate (终止) and waive a milestone.

Each step has a confirmation page (GET) that says what will happen and asks for the reason; the
POST from that page calls the service. Only the contracting agency's clerks and heads (or those of
an agency above it) reach these pages (403 otherwise, 404 for another agency's contract); a missing
reason is a form error and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contracts import services
from contracts.views.access import CLOSED_MILESTONES, contract_for_clerk
from contracts.views.contracts import done_redirect
from workflow.forms import form_service


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Give the reason.")},
    )


def _confirm(request, contract, form, *, step: str, title: str, lead: str, button: str, extra=None):
    context = {"contract": contract, "form": form, "step": step, "title": title, "lead": lead, "button": button}
    context.update(extra or {})
    return render(request, "staff/contracts/confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_fulfil(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    open_milestones = [m for m in contract.milestones.all() if m.status not in CLOSED_MILESTONES]
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form,
            services.contract_fulfil,
            contract=contract,
            note=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        if done is not None:
            return done_redirect(request, done, _("Contract %(number)s closed as fulfilled.") % {"number": done.number})
    return _confirm(
        request,
        contract,
        form,
        step="fulfil",
        title=_("Close the contract as fulfilled"),
        lead=_(
            "Every milestone must be met or waived. Once fulfilled, the contract needs no more performance "
            "reports and its open report and term warnings are resolved."
        ),
        button=_("Confirm: contract fulfilled"),
        extra={"open_milestones": open_milestones},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_terminate(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form,
            services.contract_terminate,
            contract=contract,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        if done is not None:
            return done_redirect(request, done, _("Contract %(number)s terminated.") % {"number": done.number})
    return _confirm(
        request,
        contract,
        form,
        step="terminate",
        title=_("Terminate the contract"),
        lead=_(
            "The contract ends early. Payments already owed stay owed: the arrears ledger keeps them. "
            "This cannot be undone."
        ),
        button=_("Confirm: terminate the contract"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_waive(request, pk: int, mid: int):
    contract = contract_for_clerk(request.user, pk)
    milestone = next((m for m in contract.milestones.all() if m.pk == mid), None)
    if milestone is None:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = form_service(
            form,
            services.milestone_waive,
            milestone=milestone,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        if done is not None:
            message = _("Milestone %(title)s waived.") % {"title": milestone.title}
            return done_redirect(request, contract, message, f"milestone-{milestone.pk}")
    return _confirm(
        request,
        contract,
        form,
        step="waive",
        title=_("Waive the milestone %(title)s") % {"title": milestone.title},
        lead=_("The milestone is closed without being met; no payment is expected for it and no warning is raised."),
        button=_("Confirm: waive the milestone"),
        extra={"milestone": milestone},
    )
