"""The arrears ledger (欠款台账) on pages: city-wide for the credit office, per agency (its own and
its sub-agencies', through contracts.selectors) for agency staff; an arrears case with its repayment
plan (还款计划) and repayments.

Figures: owed, repaid, outstanding and late-payment interest as of today per case, and for the rows
shown 化解率 (resolved cases / cases) and 清偿率 (repaid / owed). The plan and repayments are for
the contracting agency's clerks and heads (contracts.selectors.contract_get_for_clerk): anyone else
gets a 403 and nothing is written.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from contracts import selectors, services
from contracts.forms import DateInput
from contracts.interest import milestone_interest
from contracts.models import ArrearsCase
from contracts.views.access import can_act, contract_for_clerk, require_staff
from workflow import clock
from workflow.errors import DomainError
from workflow.forms import choice_field, form_service
from workflow.scoping import agencies_for_user

PLAN_ROWS = 6
ZERO = Decimal("0.00")


class LedgerFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        choice_field(self, "status").choices = everything + list(ArrearsCase.Status.choices)
        choice_field(self, "agency").choices = everything + [(a.code, a.name) for a in agencies]


class InstalmentForm(forms.Form):
    due_on = forms.DateField(label=gettext_lazy("Due on"), required=False, widget=DateInput())
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (CNY)"), required=False, min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=PLAN_ROWS, max_num=PLAN_ROWS * 4)


class RepaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount repaid (CNY)"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=DateInput())


def _rate(part, whole) -> str:
    """A percentage with one decimal, or a dash when there is nothing to measure."""
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%" if whole else "—"


def ledger_totals(cases: list[ArrearsCase], interest: dict[int, Decimal]) -> dict:
    owed = sum((c.owed for c in cases), ZERO)
    repaid = sum((min(c.repaid, c.owed) for c in cases), ZERO)
    resolved = sum(1 for c in cases if c.status == ArrearsCase.Status.RESOLVED)
    return {
        "cases": len(cases),
        "resolved": resolved,
        "owed": owed,
        "repaid": repaid,
        "outstanding": owed - repaid,
        "interest": sum(interest.values(), ZERO),
        "resolution_rate": _rate(resolved, len(cases)),
        "repayment_rate": _rate(repaid, owed),
    }


@login_required
@require_GET
def arrears_ledger(request):
    user = request.user
    require_staff(user)
    agencies = list(agencies_for_user(user).order_by("path"))
    agencies = agencies if len(agencies) > 1 else []
    filters = LedgerFilterForm(request.GET or None, agencies=agencies)
    status = agency = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        agency = filters.cleaned_data["agency"] or None
    contract = request.GET.get("contract") or None
    if contract is not None and not str(contract).isdigit():
        contract = None
    qs = selectors.arrears_visible_to(user, contract=contract, status=status).select_related("agency", "enterprise")
    if agency:
        qs = qs.filter(agency__code=agency)
    cases = list(qs.prefetch_related("instalments"))
    today = clock.today()
    interest = {c.pk: milestone_interest(c.milestone, as_of=today) for c in cases}
    return render(
        request,
        "staff/contracts/arrears.html",
        {
            "rows": [(c, interest[c.pk]) for c in cases],
            "totals": ledger_totals(cases, interest),
            "filters": filters,
            "show_agency": bool(agencies) or not getattr(user, "agency_id", None),
            "today": today,
        },
    )


def _case_for(user, pk) -> ArrearsCase:
    require_staff(user)
    case = selectors.arrears_visible_to(user).select_related("agency", "enterprise").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _instalments(formset) -> list[dict]:
    rows = []
    for form in formset:
        data = form.cleaned_data
        if data.get("due_on") or data.get("amount"):
            rows.append({"due_on": data.get("due_on"), "amount": data.get("amount")})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def arrears_detail(request, pk: int):
    user = request.user
    case = _case_for(user, pk)
    may_act = can_act(user, case.contract)
    plan_formset = InstalmentFormSet(prefix="plan")
    repay_form = RepaymentForm(initial={"paid_on": clock.today()})
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        contract = contract_for_clerk(user, case.contract_id)  # 403 for anyone else: nothing written
        if action == "plan":
            plan_formset = InstalmentFormSet(request.POST, prefix="plan")
            if plan_formset.is_valid():
                rows = _instalments(plan_formset)
                try:
                    services.arrears_plan_set(case=case, instalments=rows, acting_user=user)
                except DomainError as exc:
                    _plan_errors(exc, plan_formset)
                else:
                    messages.success(request, _("Repayment plan recorded."))
                    return redirect("contracts-arrears-case", pk=case.pk)
        elif action == "repay":
            repay_form = RepaymentForm(request.POST)
            if (
                repay_form.is_valid()
                and form_service(
                    repay_form,
                    services.payment_record,
                    mapping={"milestone": None},
                    contract=contract,
                    milestone=case.milestone,
                    amount=repay_form.cleaned_data["amount"],
                    paid_on=repay_form.cleaned_data["paid_on"],
                    acting_user=user,
                )
                is not None
            ):
                messages.success(
                    request,
                    _("Repayment of %(amount)s on %(day)s recorded.")
                    % {
                        "amount": f"{repay_form.cleaned_data['amount']:,.2f}",
                        "day": repay_form.cleaned_data["paid_on"].isoformat(),
                    },
                )
                return redirect("contracts-arrears-case", pk=case.pk)
    case.refresh_from_db()
    today = clock.today()
    return render(
        request,
        "staff/contracts/arrears_case.html",
        {
            "case": case,
            "interest": milestone_interest(case.milestone, as_of=today),
            "instalments": list(case.instalments.order_by("due_on", "id")),
            "payments": list(case.milestone.payments.order_by("paid_on", "id")),
            "can_act": may_act and case.status != ArrearsCase.Status.RESOLVED,
            "plan_formset": plan_formset,
            "repay_form": repay_form,
            "today": today,
        },
    )


def _plan_errors(exc: DomainError, formset) -> None:
    """The plan service names rows "instalments.<i>[.<field>]": put each error on that row of the
    formset (rows are the filled ones, in order), the rest on the formset."""
    filled = [f for f in formset if f.cleaned_data.get("due_on") or f.cleaned_data.get("amount")]
    errors = getattr(exc, "errors", None) or {exc.field: [exc.message]}
    for field, messages_ in errors.items():
        parts = (field or "").split(".")
        for message in messages_:
            if len(parts) >= 2 and parts[0] == "instalments" and parts[1].isdigit() and int(parts[1]) < len(filled):
                form = filled[int(parts[1])]
                form.add_error(parts[2] if len(parts) == 3 else None, message)
            else:
                formset.non_form_errors().append(message)
    if not errors:
        formset.non_form_errors().append(exc.message)
