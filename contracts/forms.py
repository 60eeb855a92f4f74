"""Forms of the staff contract pages. They check the shape of the input only; the services decide
(statutory ceilings, dates, duplicates) and their ValidationFailed errors are put back on the
field they name (`form_errors_from`)."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contracts.attachments import attachment_check
from contracts.models import Contract, Milestone, Payment, PerformanceReport, Warning
from workflow.errors import DomainError
from workflow.forms import choice_field
from workflow.models import Enterprise
from workflow.models.parties import validate_uscc
from workflow.uploads import ACCEPT

NO_CHOICE = [("", "---------")]


def _label(model, field: str):
    return capfirst(model._meta.get_field(field).verbose_name)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(model, field: str, *, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=_label(model, field), required=required, widget=DateInput(), **kwargs)


def _amount(model, field: str, *, required=True, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_label(model, field),
        required=required,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


def _validate_attachment(upload):
    if upload is None:
        return upload
    try:
        attachment_check(upload)
    except DomainError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from exc
    return upload


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Signed contract scan"))
        kwargs.setdefault("help_text", _("PDF, JPG or PNG, at most 20 MB."))
        super().__init__(widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), **kwargs)

    def clean(self, data, initial=None):
        return _validate_attachment(super().clean(data, initial))


# --- registering a contract --------------------------------------------------------------------


class ContractForm(forms.Form):
    number = forms.CharField(label=_label(Contract, "number"), max_length=64)
    title = forms.CharField(label=_label(Contract, "title"), max_length=200)
    kind = forms.ChoiceField(label=_label(Contract, "kind"), choices=NO_CHOICE + list(Contract.Kind.choices))
    procurement = forms.BooleanField(label=_label(Contract, "procurement"), required=False)
    counterparty_name = forms.CharField(label=_label(Enterprise, "name"), max_length=200)
    counterparty_uscc = forms.CharField(
        label=_label(Enterprise, "uscc"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}),
    )
    counterparty_size = forms.ChoiceField(
        label=_label(Contract, "counterparty_size"),
        choices=NO_CHOICE + list(Enterprise.Size.choices),
        help_text=_("As declared when the contract was signed: micro, small and medium enterprises are SMEs."),
    )
    amount = _amount(Contract, "amount")
    signed_on = _date(Contract, "signed_on")
    ends_on = _date(Contract, "ends_on", required=False)
    payment_term_days = forms.IntegerField(
        label=_label(Contract, "payment_term_days"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_(
            "Days from delivery (or acceptance). Leave empty for the statutory term; for an SME payee "
            "the legal ceiling applies."
        ),
    )
    late_interest_daily = forms.DecimalField(
        label=_label(Contract, "late_interest_daily"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        help_text=_("For example 0.0003. Leave empty for the statutory 0.05 % a day."),
    )
    report_period_months = forms.IntegerField(
        label=_label(Contract, "report_period_months"), min_value=1, max_value=12, initial=1
    )
    attachment = AttachmentField(required=False)

    # Service field names ("counterparty.uscc") → form field names.
    SERVICE_FIELDS = {
        "counterparty.name": "counterparty_name",
        "counterparty.uscc": "counterparty_uscc",
        "counterparty.size": "counterparty_size",
    }

    def __init__(self, *args, payment_ceiling: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if payment_ceiling:
            self.fields["payment_term_days"].widget.attrs["data-ceiling"] = payment_ceiling
            self.fields["payment_term_days"].help_text = _(
                "Days from delivery (or acceptance). Leave empty for the statutory term; for an SME payee "
                "at most %(ceiling)s days may be agreed."
            ) % {"ceiling": payment_ceiling}

    def clean_counterparty_uscc(self):
        # The check character is checked here too, so that a mistyped code shows with the other
        # field errors instead of after them (the service checks it again).
        value = self.cleaned_data["counterparty_uscc"].strip().upper()
        validate_uscc(value)
        return value

    def service_data(self, milestones: list[dict]) -> dict:
        """The shape contracts.services.contract_register expects (the API's validated data)."""
        d = self.cleaned_data
        return {
            "number": d["number"],
            "title": d["title"],
            "kind": d["kind"],
            "procurement": d["procurement"],
            "counterparty": {
                "name": d["counterparty_name"],
                "uscc": d["counterparty_uscc"],
                "size": d["counterparty_size"],
            },
            "amount": d["amount"],
            "signed_on": d["signed_on"],
            "ends_on": d["ends_on"],
            "payment_term_days": d["payment_term_days"],
            "late_interest_daily": d["late_interest_daily"],
            "report_period_months": d["report_period_months"],
            "milestones": milestones,
        }


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_label(Milestone, "kind"), choices=NO_CHOICE + list(Milestone.Kind.choices))
    title = forms.CharField(label=_label(Milestone, "title"), max_length=200)
    amount = _amount(Milestone, "amount", required=False)
    planned_on = _date(Milestone, "planned_on")
    payment_after_acceptance = forms.BooleanField(label=_label(Milestone, "payment_after_acceptance"), required=False)
    acceptance_period_days = forms.IntegerField(
        label=_label(Milestone, "acceptance_period_days"), required=False, min_value=0, max_value=365
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # shown in a table: the column head is the visible label
            field.widget.attrs["aria-label"] = field.label

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("kind", "title", "amount", "planned_on", "payment_after_acceptance")} | {
            "acceptance_period_days": d["acceptance_period_days"]
        }


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=50, validate_max=True)


def milestone_rows(formset) -> tuple[list[dict], list[forms.Form]]:
    """(service data, form of each row) for the rows that were filled in, in order."""
    rows = [f for f in formset.forms if f.has_changed()]
    return [f.service_data() for f in rows], rows


# --- actions on a registered contract -----------------------------------------------------------


def _milestone_label(m: Milestone) -> str:
    label = f"{m.title} · {m.get_kind_display()}"
    if m.amount is not None:
        label += f" · {m.amount:,.2f}"
    return label


class DeliveryForm(forms.Form):
    milestone = forms.TypedChoiceField(label=_("Milestone"), coerce=int)
    delivered_on = _date(Milestone, "delivered_on")
    accepted_on = _date(
        Milestone,
        "accepted_on",
        required=False,
        help_text=_("Only when payment depends on acceptance, or acceptance has taken place."),
    )

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        closed = (Milestone.Status.MET, Milestone.Status.MET_LATE, Milestone.Status.WAIVED)
        self.milestones = {m.pk: m for m in milestones if m.status not in closed}
        choice_field(self, "milestone").choices = NO_CHOICE + [
            (m.pk, _milestone_label(m)) for m in self.milestones.values()
        ]


class PaymentForm(forms.Form):
    milestone = forms.TypedChoiceField(label=_("Payment milestone"), coerce=int)
    amount = _amount(Milestone, "amount")
    paid_on = _date(Payment, "paid_on")

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = {
            m.pk: m
            for m in milestones
            if m.kind == Milestone.Kind.PAYMENT and m.status != Milestone.Status.WAIVED and m.outstanding > 0
        }
        choice_field(self, "milestone").choices = NO_CHOICE + [
            (
                m.pk,
                _("%(milestone)s (%(amount)s yuan unpaid)")
                % {"milestone": _milestone_label(m), "amount": f"{m.outstanding:,.2f}"},
            )
            for m in self.milestones.values()
        ]


class ReportForm(forms.Form):
    period_start = _date(PerformanceReport, "period_start")
    progress = forms.CharField(label=_label(PerformanceReport, "progress"), widget=forms.Textarea(attrs={"rows": 3}))
    issues = forms.CharField(
        label=_label(PerformanceReport, "issues"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendForm(forms.Form):
    title = forms.CharField(label=_label(Contract, "title"), max_length=200)
    amount = _amount(Contract, "amount")
    ends_on = _date(Contract, "ends_on", required=False)
    payment_term_days = forms.IntegerField(
        label=_label(Contract, "payment_term_days"), required=False, min_value=1, max_value=3650
    )
    late_interest_daily = forms.DecimalField(
        label=_label(Contract, "late_interest_daily"), required=False, min_value=0, max_digits=9, decimal_places=6
    )
    report_period_months = forms.IntegerField(label=_label(Contract, "report_period_months"), min_value=1, max_value=12)
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2}))

    AMENDABLE = ("title", "amount", "ends_on", "payment_term_days", "late_interest_daily", "report_period_months")

    def __init__(self, *args, contract: Contract, **kwargs):
        kwargs.setdefault("initial", {f: getattr(contract, f) for f in self.AMENDABLE})
        super().__init__(*args, **kwargs)
        self.contract = contract

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.AMENDABLE if self.cleaned_data[f] != getattr(self.contract, f)}


class AttachmentForm(forms.Form):
    attachment = AttachmentField()


class WarningActionForm(forms.Form):
    ACTIONS = ("acknowledge", "resolve", "escalate")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(required=False, max_length=2000)


# --- filters ------------------------------------------------------------------------------------


# Above this many visible agencies the contract list's agency filter is a search field, not a select.
AGENCY_SELECT_MAX = 300


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title or counterparty")}),
    )
    status = forms.ChoiceField(label=_label(Contract, "status"), required=False)
    kind = forms.ChoiceField(label=_label(Contract, "kind"), required=False)
    agency = forms.ChoiceField(label=_label(Contract, "agency"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        choice_field(self, "status").choices = everything + list(Contract.Status.choices)
        choice_field(self, "kind").choices = everything + list(Contract.Kind.choices)
        self.agencies = list(agencies)  # (code, name) pairs: those the user may see
        self.agency_search = self.searches_agencies(self.agencies)
        if self.agency_search:
            # A city's thousands of agencies are not sent as a select: the user types a name or a code.
            self.fields["agency"] = forms.CharField(
                label=self.fields["agency"].label,
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Agency name or code")}),
            )
        else:
            choice_field(self, "agency").choices = everything + self.agencies

    @staticmethod
    def searches_agencies(agencies) -> bool:
        return len(agencies) > AGENCY_SELECT_MAX

    def agency_codes(self) -> list[str] | None:
        """The codes of the visible agencies the (valid) form's agency filter names, None without one:
        the chosen code, or in search mode every agency whose code is the term (any case) or whose
        name contains it. Only agencies the user may see can match."""
        term = (self.cleaned_data.get("agency") or "").strip()
        if not term:
            return None
        if not self.agency_search:
            return [term]
        folded = term.casefold()
        return [code for code, name in self.agencies if code.casefold() == folded or folded in name.casefold()]


ACTIVE = "active"


class WarningFilterForm(forms.Form):
    status = forms.ChoiceField(label=_label(Warning, "status"), required=False)
    rule = forms.ChoiceField(label=_label(Warning, "rule"), required=False)
    level = forms.TypedChoiceField(label=_label(Warning, "level"), required=False, coerce=int, empty_value=None)
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        choice_field(self, "status").choices = [(ACTIVE, _("Open or acknowledged")), ("", _("All"))] + list(
            Warning.Status.choices
        )
        choice_field(self, "rule").choices = everything + list(Warning.Rule.choices)
        choice_field(self, "level").choices = everything + list(Warning.Level.choices)
        choice_field(self, "agency").choices = everything + [(a.code, a.name) for a in agencies]
