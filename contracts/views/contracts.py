"""Staff pages for government contracts: list, register, detail with the clerk's actions, warnings.

Thin: reads go through contracts.selectors (scoped to the user), writes through contracts.services
and contracts.attachments; a service's ValidationFailed is shown next to the field it names and
nothing is saved. Another agency's contract is a 404; a page or action the role may not use is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contracts import selectors, services
from contracts.attachments import (
    MAX_ATTACHMENT_BYTES,
    attachment_get_for_contract,
    attachment_response,
    contract_attachment_add,
)
from contracts.forms import (
    ACTIVE,
    AmendForm,
    AttachmentForm,
    ContractFilterForm,
    ContractForm,
    DeliveryForm,
    MilestoneFormSet,
    PaymentForm,
    ReportForm,
    WarningActionForm,
    WarningFilterForm,
    milestone_rows,
)
from contracts.interest import milestone_interest
from contracts.models import Contract, Milestone, Warning
from workflow import clock, roles
from workflow.audit import audit_for
from workflow.errors import Conflict, DomainError, NotFound
from workflow.errors import PermissionDenied as DomainPermissionDenied
from workflow.forms import form_errors_from
from workflow.rules import rule_in_force
from workflow.scoping import agencies_for_user, sees_everything
from workflow.uploads import capped_uploads

PER_PAGE = 25
AUDIT_ROWS = 200
OPEN_WARNINGS = [Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED]


# --- access ---------------------------------------------------------------------------------------


def _require_staff(user) -> None:
    """Contract pages are for agency staff and the credit office; enterprises use the portal."""
    if not (sees_everything(user) or getattr(user, "agency_id", None)):
        raise PermissionDenied


def _can_act(user, contract: Contract) -> bool:
    """Clerks and heads of the contract's agency (or an agency above it) record its facts."""
    if not roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD):
        return False
    if sees_everything(user):
        return True
    return user.agency_id is not None and contract.agency.path.startswith(user.agency.path)


def _contract_for_user(user, pk) -> Contract:
    _require_staff(user)
    try:
        return selectors.contract_get_for_user(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _contract_for_clerk(user, pk) -> Contract:
    _require_staff(user)
    try:
        return selectors.contract_get_for_clerk(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


_capped_uploads = capped_uploads(MAX_ATTACHMENT_BYTES)  # the 20 MB cap, before the body is parsed


# --- list -----------------------------------------------------------------------------------------


@login_required
@require_GET
def contract_list(request):
    user = request.user
    _require_staff(user)
    agencies = list(agencies_for_user(user).order_by("path"))
    if len(agencies) < 2:
        agencies = []
    filters = ContractFilterForm(request.GET or None, agencies=agencies)
    qs = selectors.contracts_for_user(user).annotate(
        open_warnings=Count("warnings", filter=Q(warnings__status__in=OPEN_WARNINGS))
    )
    if filters.is_valid():
        f = filters.cleaned_data
        if f["q"]:
            q = f["q"].strip()
            qs = qs.filter(
                Q(number__icontains=q)
                | Q(title__icontains=q)
                | Q(counterparty__name__icontains=q)
                | Q(counterparty__uscc__iexact=q)
            )
        if f["status"]:
            qs = qs.filter(status=f["status"])
        if f["kind"]:
            qs = qs.filter(kind=f["kind"])
        if f["agency"]:
            qs = qs.filter(agency__code=f["agency"])
    page = Paginator(qs.order_by("-signed_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/contracts/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "show_agency": bool(agencies),
            "can_register": _can_register(user),
        },
    )


def _can_register(user) -> bool:
    return roles.has_role(user, roles.AGENCY_CLERK) and user.agency_id is not None


# --- register -------------------------------------------------------------------------------------


def _payment_ceiling() -> int | None:
    try:
        return rule_in_force("sme.pay.government", clock.today()).ceiling
    except DomainError:
        return None


@login_required
def _contract_new(request):
    user = request.user
    if not _can_register(user):
        raise PermissionDenied
    ceiling = _payment_ceiling()
    if request.method == "POST":
        form = ContractForm(request.POST, request.FILES, payment_ceiling=ceiling)
        formset = MilestoneFormSet(request.POST, prefix="milestones")
        if form.is_valid() and formset.is_valid():
            milestones, rows = milestone_rows(formset)
            try:
                with transaction.atomic():
                    contract = services.contract_register(
                        agency=user.agency, data=form.service_data(milestones), acting_user=user
                    )
                    # Last in the transaction: a stored file cannot be rolled back.
                    if form.cleaned_data.get("attachment"):
                        contract_attachment_add(
                            contract=contract, upload=form.cleaned_data["attachment"], acting_user=user
                        )
            except DomainError as exc:
                form_errors_from(exc, form, formset=formset, rows=rows, mapping=ContractForm.SERVICE_FIELDS)
            else:
                messages.success(
                    request,
                    _("Contract %(number)s registered on %(day)s.")
                    % {"number": contract.number, "day": contract.registered_on.isoformat()},
                )
                return redirect("contracts-detail", pk=contract.pk)
    else:
        form = ContractForm(payment_ceiling=ceiling, initial={"report_period_months": 1})
        formset = MilestoneFormSet(prefix="milestones")
    return render(
        request,
        "staff/contracts/new.html",
        {"form": form, "formset": formset, "agency": user.agency},
    )


contract_new = _capped_uploads(_contract_new)


# --- detail ---------------------------------------------------------------------------------------


def _rule_text(milestone: Milestone) -> tuple[str, str]:
    """(what, legal basis) of the payment rule as a person reads it, or the contract's own term."""
    code = milestone.payment_rule
    if not code:
        return "", ""
    if code == "contract.term":
        return _("The agreed payment term in the contract"), ""
    if code == "contract.planned":
        return _("The planned date in the contract"), ""
    start = milestone.accepted_on or milestone.delivered_on or milestone.contract.signed_on
    try:
        rule = rule_in_force(code, start)
    except DomainError:
        return code, ""
    return rule.title, f"{rule.basis_document} {rule.basis_article}".strip()


AUDIT_ACTIONS = {
    "contract.register": gettext_lazy("Contract registered"),
    "contract.amend": gettext_lazy("Amendment recorded"),
    "contract.attachment": gettext_lazy("Attachment uploaded"),
    "contract.report": gettext_lazy("Performance report submitted"),
    "milestone.delivery": gettext_lazy("Delivery recorded"),
    "milestone.overdue": gettext_lazy("Milestone overdue (daily sweep)"),
    "payment.record": gettext_lazy("Payment recorded"),
    "warning.acknowledge": gettext_lazy("Warning acknowledged"),
    "warning.resolve": gettext_lazy("Warning resolved"),
    "warning.escalate": gettext_lazy("Warning escalated"),
    "warning.superseded": gettext_lazy("Warning superseded (daily sweep)"),
}


def _audit_trail(contract: Contract, milestones, warnings):
    """The audit rows of the contract, its milestones and its warnings, newest first."""
    qs = audit_for(contract)
    for obj in [*milestones, *warnings]:
        qs = qs | audit_for(obj)
    states = {
        ContentType.objects.get_for_model(model).pk: dict(model.Status.choices)
        for model in (Contract, Milestone, Warning)
    }
    rows = list(qs.select_related("actor").order_by("-at", "-id")[:AUDIT_ROWS])
    for row in rows:
        labels = states.get(row.content_type_id, {})
        row.label = AUDIT_ACTIONS.get(row.action, row.action)
        row.from_label = labels.get(row.from_state, row.from_state)
        row.to_label = labels.get(row.to_state, row.to_state)
    return rows


def _detail(request, contract: Contract, *, status: int = 200, **forms):
    user = request.user
    today = clock.today()
    milestones = list(contract.milestones.all())
    by_id = {m.pk: m for m in milestones}
    for m in milestones:
        m.contract = contract  # already loaded: no query per milestone
        m.rule_title, m.rule_basis = _rule_text(m)
    payments = list(contract.payments.all())
    for p in payments:
        p.milestone_obj = by_id.get(p.milestone_id)
    warnings = list(contract.warnings.all())
    for w in warnings:
        w.milestone_obj = by_id.get(w.milestone_id)
        w.is_open = w.status in OPEN_WARNINGS
    arrears = list(contract.arrears.all())
    for case in arrears:
        case.interest = milestone_interest(case.milestone, as_of=today)
        case.outstanding = case.owed - case.repaid
    can_act = _can_act(user, contract)
    registered_on_time = (
        contract.registered_on <= contract.register_due_on
        if contract.registered_on and contract.register_due_on
        else None
    )
    reports = list(contract.reports.order_by("-period_start"))
    latest_end = max((r.period_end for r in reports), default=None)
    context = {
        "contract": contract,
        "today": today,
        "milestones": milestones,
        "payments": payments,
        "warnings": warnings,
        "arrears": arrears,
        "reports": reports,
        "versions": list(contract.versions.select_related("changed_by").order_by("-version")),
        "attachments": list(contract.attachments.order_by("-uploaded_at", "-id")),
        "audit": _audit_trail(contract, milestones, warnings),
        "registered_on_time": registered_on_time,
        "can_act": can_act,
        "paid_total": sum((p.amount for p in payments), 0),
        "warning_error": forms.pop("warning_error", None),
    }
    if can_act:
        context.update(
            delivery_form=forms.get("delivery_form")
            or DeliveryForm(milestones=milestones, initial={"delivered_on": today}),
            payment_form=forms.get("payment_form") or PaymentForm(milestones=milestones, initial={"paid_on": today}),
            report_form=forms.get("report_form")
            or ReportForm(initial={"period_start": latest_end or contract.signed_on}),
            amend_form=forms.get("amend_form") or AmendForm(contract=contract),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
            open_form=next((name for name, f in forms.items() if f is not None), ""),
        )
    return render(request, "staff/contracts/detail.html", context, status=status)


@login_required
@require_GET
def contract_detail(request, pk: int):
    return _detail(request, _contract_for_user(request.user, pk))


def _done(request, contract: Contract, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("contracts-detail", args=[contract.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def milestone_delivery(request, pk: int):
    contract = _contract_for_clerk(request.user, pk)
    form = DeliveryForm(request.POST, milestones=list(contract.milestones.all()))
    if form.is_valid():
        milestone = form.milestones[form.cleaned_data["milestone"]]
        try:
            milestone = services.milestone_record_delivery(
                milestone=milestone,
                delivered_on=form.cleaned_data["delivered_on"],
                accepted_on=form.cleaned_data["accepted_on"],
                acting_user=request.user,
            )
        except DomainError as exc:
            form_errors_from(exc, form)
        else:
            if milestone.payment_due_on:
                message = _("Delivery recorded for %(title)s. Payment is due on %(day)s.") % {
                    "title": milestone.title,
                    "day": milestone.payment_due_on.isoformat(),
                }
            else:
                message = _("Delivery recorded for %(title)s.") % {"title": milestone.title}
            return _done(request, contract, message, f"milestone-{milestone.pk}")
    return _detail(request, contract, delivery_form=form)


@login_required
@require_POST
def payment_create(request, pk: int):
    contract = _contract_for_clerk(request.user, pk)
    form = PaymentForm(request.POST, milestones=list(contract.milestones.all()))
    if form.is_valid():
        try:
            payment = services.payment_record(
                contract=contract,
                milestone=form.milestones[form.cleaned_data["milestone"]],
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                acting_user=request.user,
            )
        except DomainError as exc:
            form_errors_from(exc, form)
        else:
            return _done(
                request,
                contract,
                _("Payment of %(amount)s on %(day)s recorded.")
                % {"amount": f"{payment.amount:,.2f}", "day": payment.paid_on.isoformat()},
                "payments",
            )
    return _detail(request, contract, payment_form=form)


@login_required
@require_POST
def report_create(request, pk: int):
    contract = _contract_for_clerk(request.user, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                report = services.report_submit(contract=contract, acting_user=request.user, **form.cleaned_data)
        except IntegrityError:
            form.add_error("period_start", _("A report for this period has already been submitted."))
        except DomainError as exc:
            form_errors_from(exc, form)
        else:
            return _done(
                request,
                contract,
                _("Performance report for %(start)s – %(end)s submitted.")
                % {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
                "reports",
            )
    return _detail(request, contract, report_form=form)


@login_required
@require_POST
def contract_amend(request, pk: int):
    contract = _contract_for_clerk(request.user, pk)
    form = AmendForm(request.POST, contract=contract)
    if form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("Nothing was changed."))
        else:
            try:
                contract = services.contract_amend(
                    contract=contract, changes=changes, reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except DomainError as exc:
                form_errors_from(exc, form)
            else:
                return _done(
                    request, contract, _("Amendment recorded: now version %(v)s.") % {"v": contract.version}, "versions"
                )
    return _detail(request, contract, amend_form=form)


def _attachment_upload(request, pk: int):
    contract = _contract_for_clerk(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = contract_attachment_add(
                contract=contract, upload=form.cleaned_data["attachment"], acting_user=request.user
            )
        except DomainError as exc:
            form_errors_from(exc, form)
        else:
            return _done(request, contract, _("%(name)s uploaded.") % {"name": attachment.original_name}, "attachments")
    return _detail(request, contract, attachment_form=form)


attachment_upload = _capped_uploads(login_required(require_POST(_attachment_upload)))


@login_required
@require_GET
def attachment_download(request, pk: int, aid: int):
    """Anyone who may see the contract (its agency, the credit office, the counterparty) gets the
    file; anyone else a 404, as if it did not exist."""
    contract = selectors.contracts_for_user(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    try:
        attachment = attachment_get_for_contract(contract=contract, pk=aid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return attachment_response(attachment)


WARNING_ACTIONS = {
    "acknowledge": (services.warning_acknowledge, gettext_lazy("Warning acknowledged.")),
    "resolve": (services.warning_resolve, gettext_lazy("Warning resolved.")),
    "escalate": (services.warning_escalate, gettext_lazy("Warning escalated to the credit office.")),
}


@login_required
@require_POST
def warning_action(request, wid: int):
    user = request.user
    _require_staff(user)
    warning = selectors.warnings_for_user(user).filter(pk=wid).first()
    if warning is None:
        raise Http404
    contract = _contract_for_clerk(user, warning.contract_id)
    form = WarningActionForm(request.POST)
    if not form.is_valid():
        return _detail(request, contract, status=400, warning_error=(warning.pk, _("Choose an action.")))
    service, done = WARNING_ACTIONS[form.cleaned_data["action"]]
    try:
        service(warning=warning, acting_user=user, note=form.cleaned_data["note"])
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("contracts-detail", args=[contract.pk]) + f"#warning-{warning.pk}")
    except DomainError as exc:
        return _detail(request, contract, warning_error=(warning.pk, exc.message))
    return _done(request, contract, str(done), f"warning-{warning.pk}")


# --- warnings -------------------------------------------------------------------------------------


@login_required
@require_GET
def warning_list(request):
    user = request.user
    _require_staff(user)
    agencies = list(agencies_for_user(user).order_by("path"))
    data = request.GET.copy()
    data.setdefault("status", ACTIVE)
    filters = WarningFilterForm(data, agencies=agencies if len(agencies) > 1 else [])
    qs = selectors.warnings_for_user(user).select_related("contract__counterparty")
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
        {"page": page, "filters": filters, "query": query.urlencode(), "show_agency": len(agencies) > 1},
    )
