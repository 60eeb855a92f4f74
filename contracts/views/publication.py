"""The publication (公示) page of a contract: the redaction review, publishing and withdrawing.

The contracting agency's clerks and heads record the redaction review (which parts are withheld and
why); the agency head or a supervisor then checks what the public will see and publishes, with an
explicit confirmation. Withdrawing needs a reason. The publication services decide; a step the user
may not take is a 403 and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contracts.models import Contract, ContractPublication
from contracts.publication.services import (
    can_publish,
    publication_publish,
    publication_review,
    publication_withdraw,
    published_on_time,
)
from contracts.views.access import can_review_publication, contract_for_user
from workflow.forms import form_service

PARTS = {
    "amount": gettext_lazy("Amount (CNY)"),
    "milestones": gettext_lazy("Milestones"),
    "payments": gettext_lazy("Payments"),
    "counterparty": gettext_lazy("Counterparty"),
}


class ReviewForm(forms.Form):
    redacted = forms.MultipleChoiceField(
        label=gettext_lazy("Parts withheld from the public"),
        choices=[(key, PARTS[key]) for key in ContractPublication.REDACTABLE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    review_note = forms.CharField(
        label=gettext_lazy("Why they are withheld (trade secret, personal data, …)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked what the public will see, listed above."),
        error_messages={"required": gettext_lazy("Confirm that you have checked what the public will see.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason.")},
    )


def _preview(contract: Contract, redacted: list[str]) -> list[tuple[str, str, bool]]:
    """(label, value as published, withheld?) for each part of the public record."""
    milestones = "; ".join(f"{m.title} {m.planned_on:%Y-%m-%d}" for m in contract.milestones.all()) or "—"
    payments = "; ".join(f"{p.paid_on:%Y-%m-%d} {p.amount:,.2f}" for p in contract.payments.all()) or "—"
    rows = [
        (_("Contract number"), contract.number, False),
        (_("Title"), contract.title, False),
        (_("Contracting agency"), contract.agency.name, False),
        (_("Signed on"), f"{contract.signed_on:%Y-%m-%d}", False),
        (str(PARTS["counterparty"]), contract.counterparty.name, "counterparty" in redacted),
        (str(PARTS["amount"]), f"{contract.amount:,.2f}", "amount" in redacted),
        (str(PARTS["milestones"]), milestones, "milestones" in redacted),
        (str(PARTS["payments"]), payments, "payments" in redacted),
    ]
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def contract_publication(request, pk: int):
    user = request.user
    contract = contract_for_user(user, pk)
    if not can_review_publication(user):
        raise PermissionDenied
    publication = ContractPublication.objects.filter(contract=contract).select_related("reviewed_by").first()
    publisher = can_publish(user, contract)
    current = list(publication.redacted) if publication else []
    review_form = ReviewForm(
        initial={"redacted": current, "review_note": publication.review_note if publication else ""}
    )
    publish_form, withdraw_form = PublishForm(), WithdrawForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("publish", "withdraw") and not publisher:
        raise PermissionDenied
    if action == "review":
        review_form = ReviewForm(request.POST)
        if (
            review_form.is_valid()
            and form_service(
                review_form,
                publication_review,
                mapping={"redacted": "redacted", "review_note": "review_note"},
                contract=contract,
                redacted=review_form.cleaned_data["redacted"],
                note=review_form.cleaned_data["review_note"],
                acting_user=user,
            )
            is not None
        ):
            messages.success(request, _("Redaction review recorded."))
            return redirect("contracts-publication", pk=contract.pk)
    elif action == "publish":
        publish_form = PublishForm(request.POST)
        if (
            publish_form.is_valid()
            and form_service(publish_form, publication_publish, contract=contract, acting_user=user) is not None
        ):
            messages.success(request, _("Contract %(number)s published.") % {"number": contract.number})
            return redirect("contracts-publication", pk=contract.pk)
    elif action == "withdraw":
        withdraw_form = WithdrawForm(request.POST)
        if (
            withdraw_form.is_valid()
            and form_service(
                withdraw_form,
                publication_withdraw,
                contract=contract,
                reason=withdraw_form.cleaned_data["reason"],
                acting_user=user,
            )
            is not None
        ):
            messages.success(request, _("Publication withdrawn."))
            return redirect("contracts-publication", pk=contract.pk)
    return render(
        request,
        "staff/contracts/publication.html",
        {
            "contract": contract,
            "publication": publication,
            "preview": _preview(contract, current),
            "review_form": review_form,
            "publish_form": publish_form,
            "withdraw_form": withdraw_form,
            "can_publish": publisher,
            "is_published": bool(publication and publication.status == ContractPublication.Status.PUBLISHED),
            "reviewed": bool(publication and publication.reviewed_by_id),
            "on_time": published_on_time(publication) if publication else None,
        },
    )
