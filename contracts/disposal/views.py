"""Staff pages of the disposal process: open a case, respond, review, follow it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from contracts import selectors
from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
from contracts.disposal.selectors import disposal_audit, disposal_current_step, disposal_steps, disposals_visible_to
from contracts.disposal.services import RECTIFY_RULE
from contracts.models import Contract, DisposalCase, GovernmentDishonestyRecord, Warning
from workflow import clock, roles
from workflow.errors import DomainError, ValidationFailed
from workflow.forms import form_errors_from
from workflow.rules import rule_in_force

PICK_ROWS = 50


class OpenForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 4}))
    rectification_days = forms.IntegerField(label=_("Days allowed for rectification"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The default and the ceiling are the rule's (contract.disposal.rectify); the service checks the ceiling.
        rule = rule_in_force(RECTIFY_RULE, clock.today())
        field = self.fields["rectification_days"]
        field.initial = rule.amount
        if rule.ceiling:
            field.widget.attrs["max"] = rule.ceiling


class RespondForm(forms.Form):
    response = forms.CharField(label=_("Rectification taken"), widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DisposalCase.Outcome.RECTIFIED, _("Rectified: close the case")),
            (DisposalCase.Outcome.DISHONEST, _("Not rectified: record government dishonesty")),
        ],
        widget=forms.RadioSelect,
    )
    record_kind = forms.ChoiceField(
        label=_("Kind of dishonesty record"),
        required=False,
        choices=[("", "—"), *GovernmentDishonestyRecord.Kind.choices],
    )
    note = forms.CharField(label=_("Review opinion"), widget=forms.Textarea(attrs={"rows": 4}))


def _case_for(user, pk) -> DisposalCase:
    case = disposals_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@login_required
def disposal_list(request):
    cases = disposals_visible_to(request.user).order_by("-opened_on", "-id")[:200]
    return render(
        request,
        "staff/disposals/list.html",
        {"cases": cases, "can_open": roles.has_role(request.user, roles.SUPERVISOR)},
    )


@login_required
def disposal_new(request):
    if not roles.has_role(request.user, roles.SUPERVISOR):
        raise DjangoPermissionDenied
    if not request.GET.get("contract"):
        return _contract_picker(request)
    try:
        contract = selectors.contract_get_for_user(user=request.user, pk=int(request.GET.get("contract", 0)))
    except (DomainError, ValueError) as exc:
        raise Http404 from exc
    warning = Warning.objects.filter(pk=request.GET.get("warning") or 0, contract=contract).first()
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = disposal_open(contract=contract, warning=warning, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Disposal opened; the rectification notice has been issued."))
            return redirect("contracts-disposal", case.pk)
    return render(request, "staff/disposals/new.html", {"form": form, "contract": contract, "warning": warning})


def _contract_picker(request):
    """No contract chosen yet: the contracts a disposal can be opened on, searchable, each a link."""
    q = (request.GET.get("q") or "").strip()[:100]
    qs = selectors.contracts_visible_to(request.user).filter(
        status__in=[Contract.Status.REGISTERED, Contract.Status.PERFORMING]
    )
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(counterparty__name__icontains=q))
    contracts = qs.order_by("-signed_on", "-id")[:PICK_ROWS]
    return render(request, "staff/disposals/pick.html", {"contracts": contracts, "q": q})


@login_required
def disposal_detail(request, pk):
    case = _case_for(request.user, pk)
    step = disposal_current_step(case=case, user=request.user)
    form: RespondForm | ReviewForm | None = None
    if step == "respond":
        form = RespondForm(request.POST or None)
    elif step == "review":
        form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("There is nothing for you to do on this case now."))
            return redirect("contracts-disposal", case.pk)
        if form.is_valid():
            try:
                if step == "respond":
                    disposal_task_respond(
                        case=case, user=request.user, request=request, response=form.cleaned_data["response"]
                    )
                else:
                    disposal_task_review(
                        case=case,
                        user=request.user,
                        request=request,
                        outcome=form.cleaned_data["outcome"],
                        note=form.cleaned_data["note"],
                        record_kind=form.cleaned_data["record_kind"] or None,
                    )
            except ValidationFailed as exc:
                form_errors_from(exc, form)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("contracts-disposal", case.pk)
            else:
                messages.success(request, _("Saved."))
                return redirect("contracts-disposal", case.pk)
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import Document

    documents = Document.objects.filter(
        content_type=ContentType.objects.get_for_model(DisposalCase), object_id=str(case.pk)
    ).order_by("created_at")
    return render(
        request,
        "staff/disposals/detail.html",
        {
            "case": case,
            "step": step,
            "form": form,
            "documents": documents,
            "record": GovernmentDishonestyRecord.objects.filter(disposal=case).first(),
            "audit": disposal_audit(case),
            "steps": disposal_steps(case),
        },
    )
