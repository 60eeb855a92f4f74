"""Staff pages for government contracts: the list, registering, the detail page and amendments.

Thin: reads go through contracts.selectors (scoped to the user), writes through contracts.services
and contracts.attachments; a service's ValidationFailed is shown next to the field it names and
nothing is saved. Another agency's contract is a 404; a page or action the role may not use is a 403.
The clerk's other actions on a contract are in contracts.views.performance, warnings in .warnings.
"""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contracts import selectors, services
from contracts.attachments import (
    contract_attachment_add,
)
from contracts.forms import (
    AmendForm,
    AttachmentForm,
    ContractFilterForm,
    ContractForm,
    DeliveryForm,
    MilestoneFormSet,
    PaymentForm,
    ReportForm,
    milestone_rows,
)
from contracts.interest import milestone_interest
from contracts.models import Contract, ContractPublication, Milestone, Warning
from contracts.views.access import (
    attachment_cap,
    can_act,
    can_open_disposal,
    can_review_publication,
    contract_for_clerk,
    contract_for_user,
    may_fulfil,
    may_terminate,
    may_waive,
    require_staff,
)
from workflow import clock, money, roles
from workflow.audit import audit_for
from workflow.errors import DomainError
from workflow.forms import form_errors_from, form_service
from workflow.fragments import fragment
from workflow.pagination import CappedPaginator
from workflow.reverse import url_pattern
from workflow.rules import rule_in_force
from workflow.scoping import agency_choices_for_user

PER_PAGE = 25
AUDIT_ROWS = 200
OPEN_WARNINGS = Warning.OPEN_STATUSES


# --- list -----------------------------------------------------------------------------------------


@login_required
@require_GET
def contract_list(request):
    user = request.user
    require_staff(user)
    agencies = agency_choices_for_user(user)
    if len(agencies) < 2:
        agencies = []
    # Unfiltered (no GET), the form is only needed to render its cached fragment: built on a miss only
    # (normalising thousands of agency choices cost more than the rest of the page at city scale).
    filters = ContractFilterForm(request.GET, agencies=agencies) if request.GET else None
    qs = selectors.contracts_for_list(user)
    narrowed = False
    if filters is not None and filters.is_valid():
        f = filters.cleaned_data
        narrowed = bool(f["q"] or f["status"] or f["kind"] or filters.agency_codes() is not None)
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
        codes = filters.agency_codes()
        if codes is not None:
            qs = qs.filter(agency__code__in=codes)
    if narrowed:
        page = CappedPaginator(qs, PER_PAGE, cached=selectors.CONTRACT_COUNTS).get_page(request.GET.get("page"))
    else:
        # The list everyone opens first: its count is named by the user's scope rather than by its
        # compiled SQL, and its page is read with SQL compiled once per scope (selectors).
        page = CappedPaginator(
            qs, PER_PAGE, cached=selectors.CONTRACT_COUNTS, key=selectors.contracts_for_list_key(user)
        ).get_page(request.GET.get("page"))
        page.object_list = selectors.contracts_for_list_page(user, offset=(page.number - 1) * PER_PAGE, limit=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/contracts/list.html",
        {
            "page": page,
            "rows_html": _list_rows(page.object_list, show_agency=bool(agencies)),
            "filters_html": fragment(
                "staff/contracts/_filters.html",
                lambda: {
                    "filters": filters or ContractFilterForm(None, agencies=agencies),
                    "show_agency": bool(agencies),
                    "query": query.urlencode(),
                },
                # Unfiltered, the form is the same for everyone who sees these agencies.
                key=None
                if request.GET
                else (
                    "contracts-list-filters",
                    "search" if ContractFilterForm.searches_agencies(agencies) else tuple(agencies),
                ),
            ),
            "query": query.urlencode(),
            "show_agency": bool(agencies),
            "can_register": _can_register(user),
        },
    )


_ROW = (
    '            <tr id="contract-{pk}">\n'
    '              <td class="mono nowrap"><a href="{url}">{number}</a></td>\n'
    '              <td><a href="{url}">{title}</a></td>\n'
    "              {agency}\n"
    "              <td>{counterparty}</td>\n"
    '              <td class="num">{amount}</td>\n'
    '              <td class="nowrap">{signed_on}</td>\n'
    '              <td><span class="tag tag-c-{status}">{status_label}</span></td>\n'
    '              <td class="num"><span class="count-badge{zero}">{open_warnings}</span></td>\n'
    "            </tr>\n"
)


def _list_rows(contracts, *, show_agency: bool) -> SafeString:
    """The table's rows, written here rather than by the template: a template variable costs a lookup,
    a localisation and an escape, and the rows were most of the page's rendering after the session
    and the queries. Every value from the database is escaped (tests/contracts/test_list_agency_filter.py
    lists a title with markup)."""
    detail = url_pattern("contracts-detail")

    # The standard library's escape writes what django.utils.html.escape writes (& < > " ' as entities)
    # for a str, without the lazy-string wrapper that costs more than the escape itself (about 240 calls a
    # page: 1 of the 2 ms the rows took at 1M).
    def esc(value) -> str:
        return html.escape(str(value))

    labels = {value: esc(label) for value, label in Contract.Status.choices}
    rows = []
    for c in contracts:
        pk = int(c["id"])
        rows.append(
            _ROW.format(
                pk=pk,
                url=esc(detail.format(pk)),
                number=esc(c["number"]),
                title=esc(c["title"]),
                agency=f'<td class="small">{esc(c["agency__name"])}</td>' if show_agency else "",
                counterparty=esc(c["counterparty__name"]),
                amount=esc(money.rmb(c["amount"])),
                signed_on=c["signed_on"].isoformat() if c["signed_on"] else "",
                status=esc(c["status"]),
                status_label=labels.get(c["status"], esc(c["status"])),
                zero="" if c["open_warnings"] else " count-zero",
                open_warnings=int(c["open_warnings"] or 0),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


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
                assert contract.registered_on is not None  # contract_register registers it today
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


contract_new = attachment_cap(_contract_new)


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
    "warning.resolved_on_fulfil": gettext_lazy("Warning resolved: the contract was fulfilled"),
    "contract.disposal_open": gettext_lazy("Disposal opened"),
    "contract.fulfil": gettext_lazy("Contract fulfilled"),
    "contract.terminate": gettext_lazy("Contract terminated"),
    "contract.import": gettext_lazy("Contract imported from a spreadsheet"),
    "milestone.waive": gettext_lazy("Milestone waived"),
    "milestone.payment_due_recompute": gettext_lazy("Payment date recomputed (holiday notice)"),
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
    # What each row is about, as the page names it (the stored repr of a sweep's row reads "milestone 5").
    names = {(ContentType.objects.get_for_model(Contract).pk, str(contract.pk)): contract.number}
    names.update({(ContentType.objects.get_for_model(Milestone).pk, str(m.pk)): m.title for m in milestones})
    names.update({(ContentType.objects.get_for_model(Warning).pk, str(w.pk)): w.get_rule_display() for w in warnings})
    for row in rows:
        labels = states.get(row.content_type_id, {})
        row.object_repr = names.get((row.content_type_id, row.object_id), row.object_repr)
        row.label = AUDIT_ACTIONS.get(row.action, row.action)
        row.from_label = labels.get(row.from_state, row.from_state)
        row.to_label = labels.get(row.to_state, row.to_state)
    return rows


def detail_page(request, contract: Contract, *, status: int = 200, **forms):
    user = request.user
    today = clock.today()
    milestones = list(contract.milestones.all())
    by_id = {m.pk: m for m in milestones}
    may_act = can_act(user, contract)
    for m in milestones:
        m.contract = contract  # already loaded: no query per milestone
    # Each milestone with the (what, legal basis) of its payment rule.
    milestone_rows = [(m, *_rule_text(m)) for m in milestones]
    # Payments and warnings: their milestone is one of those loaded above (no query per row).
    payments = list(contract.payments.all())
    for p in payments:
        if (milestone := by_id.get(p.milestone_id)) is not None:
            p.milestone = milestone
    warnings = list(contract.warnings.all())
    for w in warnings:
        if w.milestone_id is not None and (milestone := by_id.get(w.milestone_id)) is not None:
            w.milestone = milestone
    # Each arrears case with its late-payment interest as of today.
    arrears = [(case, milestone_interest(case.milestone, as_of=today)) for case in contract.arrears.all()]
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
        "milestone_rows": milestone_rows,
        "payments": payments,
        "warnings": warnings,
        "arrears": arrears,
        "reports": reports,
        "versions": list(contract.versions.select_related("changed_by").order_by("-version")),
        "attachments": list(contract.attachments.order_by("-uploaded_at", "-id")),
        "audit": _audit_trail(contract, milestones, warnings),
        "registered_on_time": registered_on_time,
        "can_act": may_act,
        "paid_total": sum((p.amount for p in payments), 0),
        "warning_error": forms.pop("warning_error", None),
        "waivable": {m.pk for m in milestones if may_act and may_waive(m)},
        "may_fulfil": may_act and may_fulfil(contract),
        "may_terminate": may_act and may_terminate(contract),
        "can_open_disposal": can_open_disposal(user, contract),
        "can_review_publication": can_review_publication(user),
        "publication": ContractPublication.objects.filter(contract=contract).first(),
    }
    if may_act:
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
    return detail_page(request, contract_for_user(request.user, pk))


def done_redirect(request, contract: Contract, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("contracts-detail", args=[contract.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def contract_amend(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    form = AmendForm(request.POST, contract=contract)
    if form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("Nothing was changed."))
        else:
            amended = form_service(
                form,
                services.contract_amend,
                contract=contract,
                changes=changes,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            if amended is not None:
                message = _("Amendment recorded: now version %(v)s.") % {"v": amended.version}
                return done_redirect(request, amended, message, "versions")
    return detail_page(request, contract, amend_form=form)
