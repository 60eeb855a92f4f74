"""The clerk's record of performance on a contract's detail page: deliveries, payments, periodic
reports and attachments (errors re-render the detail page next to the form)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contracts import selectors, services
from contracts.attachments import (
    attachment_get_for_contract,
    attachment_response,
    contract_attachment_add,
)
from contracts.forms import (
    AttachmentForm,
    DeliveryForm,
    PaymentForm,
    ReportForm,
)
from contracts.views.access import attachment_cap, contract_for_clerk
from contracts.views.contracts import detail_page, done_redirect
from workflow.errors import DomainError, NotFound
from workflow.forms import form_errors_from, form_service


@login_required
@require_POST
def milestone_delivery(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    form = DeliveryForm(request.POST, milestones=list(contract.milestones.all()))
    if form.is_valid():
        milestone = form_service(
            form,
            services.milestone_record_delivery,
            milestone=form.milestones[form.cleaned_data["milestone"]],
            delivered_on=form.cleaned_data["delivered_on"],
            accepted_on=form.cleaned_data["accepted_on"],
            acting_user=request.user,
        )
        if milestone is not None:
            if milestone.payment_due_on:
                message = _("Delivery recorded for %(title)s. Payment is due on %(day)s.") % {
                    "title": milestone.title,
                    "day": milestone.payment_due_on.isoformat(),
                }
            else:
                message = _("Delivery recorded for %(title)s.") % {"title": milestone.title}
            return done_redirect(request, contract, message, f"milestone-{milestone.pk}")
    return detail_page(request, contract, delivery_form=form)


@login_required
@require_POST
def payment_create(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    form = PaymentForm(request.POST, milestones=list(contract.milestones.all()))
    if form.is_valid():
        payment = form_service(
            form,
            services.payment_record,
            contract=contract,
            milestone=form.milestones[form.cleaned_data["milestone"]],
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
            acting_user=request.user,
        )
        if payment is not None:
            return done_redirect(
                request,
                contract,
                _("Payment of %(amount)s on %(day)s recorded.")
                % {"amount": f"{payment.amount:,.2f}", "day": payment.paid_on.isoformat()},
                "payments",
            )
    return detail_page(request, contract, payment_form=form)


@login_required
@require_POST
def report_create(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
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
            return done_redirect(
                request,
                contract,
                _("Performance report for %(start)s – %(end)s submitted.")
                % {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
                "reports",
            )
    return detail_page(request, contract, report_form=form)


def _attachment_upload(request, pk: int):
    contract = contract_for_clerk(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = form_service(
            form,
            contract_attachment_add,
            contract=contract,
            upload=form.cleaned_data["attachment"],
            acting_user=request.user,
        )
        if attachment is not None:
            return done_redirect(
                request, contract, _("%(name)s uploaded.") % {"name": attachment.original_name}, "attachments"
            )
    return detail_page(request, contract, attachment_form=form)


attachment_upload = attachment_cap(login_required(require_POST(_attachment_upload)))


@login_required
@require_GET
def attachment_download(request, pk: int, aid: int):
    """Anyone who may see the contract (its agency, the credit office, the counterparty) gets the
    file; anyone else a 404, as if it did not exist."""
    contract = selectors.contracts_visible_to(request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    try:
        attachment = attachment_get_for_contract(contract=contract, pk=aid)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return attachment_response(attachment)
