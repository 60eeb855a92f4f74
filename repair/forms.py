"""Forms of the credit repair pages. They collect input in the services' shape; the services validate, and
their field errors are shown next to the field they name (`add_service_errors`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from repair.models import DishonestyRecord, Objection, Obligation
from repair.services.applications import proof_limits_text
from workflow.errors import DomainError
from workflow.forms import choice_field
from workflow.models import Delivery
from workflow.uploads import MultipleFileField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceErrorsMixin(forms.BaseForm):
    """Put a service's ValidationFailed errors ({"subject.uscc": [...]}) on the form's fields."""

    field_of: dict[str, str] = {}

    def add_service_errors(self, exc: DomainError) -> None:
        errors = getattr(exc, "errors", None) or {exc.field: [exc.message]}
        for key, messages in errors.items():
            name = self.field_of.get(key or "", key)
            if name not in self.fields:
                name = None
            if name is not None and self.errors.get(name):
                continue  # the form said it already
            for message in messages:
                self.add_error(name, message)


def _value(form, name):
    """A field's cleaned value, or what was typed when it did not clean."""
    cleaned = getattr(form, "cleaned_data", {})
    if name in cleaned:
        return cleaned[name]
    raw = form.data.get(form.add_prefix(name), "") if form.is_bound else ""
    return raw.strip() if isinstance(raw, str) else raw


# --- records --------------------------------------------------------------------------------------------------


class RecordForm(ServiceErrorsMixin, forms.Form):
    subject_kind = forms.ChoiceField(
        label=_("The subject is"),
        choices=[("enterprise", _("an enterprise or other organisation")), ("person", _("a natural person"))],
        initial="enterprise",
        widget=forms.RadioSelect,
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name of the enterprise"), required=False, max_length=200)
    person_name = forms.CharField(label=_("Person's name"), required=False, max_length=50)
    id_number = forms.CharField(
        label=_("ID card number"),
        required=False,
        max_length=18,
        help_text=_("Never shown to the public."),
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Type of information"), choices=[("", "—"), *DishonestyRecord.Type.choices])
    category = forms.ChoiceField(
        label=_("Category"),
        choices=DishonestyRecord.Category.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Minor: repair as soon as the duties are done, published only when necessary (at most 3 months). "
            "General: published 3 months to 1 year. Serious: 1 to 3 years, repair needs a supervisor's approval. "
            "A decision before 2026-04-01 gets the periods of the law in force on its date."
        ),
    )
    publish = forms.BooleanField(label=_("Minor only: publish it, because publication is necessary"), required=False)
    penalty_types = forms.MultipleChoiceField(
        label=_("Penalty types in the decision"),
        required=False,
        choices=DishonestyRecord.PenaltyType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every type the decision imposes: the longest publication period applies."),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        required=False,
        choices=DishonestyRecord.Domain.choices,
        help_text=_(
            "Some domains had a longer minimum publication period (令第58号: food, drugs, special "
            "equipment, work safety, fire safety)."
        ),
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=64, help_text=_("The decision's own number, e.g. X市监罚〔2026〕18号.")
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    decision_source = forms.ChoiceField(
        label=_("Penalty decision document"),
        choices=DishonestyRecord.DecisionSource.choices,
        initial=DishonestyRecord.DecisionSource.ISSUED,
        required=False,  # issued here unless the unit attaches its own
        widget=forms.RadioSelect,
        help_text=_(
            "Issued here: a complete decision document under the decision's own number, dated the decision date. "
            "Attached: the unit's own signed PDF, as it was issued (attach it now or on the record page before "
            "serving)."
        ),
    )
    decision_file = forms.FileField(
        label=_("The unit's own decision (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    subject_address = forms.CharField(
        label=_("Address of the party"),
        required=False,
        max_length=200,
        help_text=_("Required when the decision is issued here."),
    )
    facts = forms.CharField(label=pgettext_lazy("penalty", "Facts"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the decision is issued here."),
    )
    basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}))

    field_of = {
        "subject.uscc": "uscc",
        "subject.name": "name",
        "subject.person_name": "person_name",
        "subject.id_number": "id_number",
        "subject": "uscc",
    }

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (a missing subject is shown where the kind chosen asks)."""
        if key == "subject" and _value(self, "subject_kind") == "person":
            return "person_name"
        name = self.field_of.get(key or "", key)
        return name if name in self.fields else None

    def subject_data(self) -> dict:
        if _value(self, "subject_kind") == "person":
            return {"person_name": _value(self, "person_name") or "", "id_number": _value(self, "id_number") or ""}
        return {"uscc": _value(self, "uscc") or "", "name": _value(self, "name") or ""}

    def penalty_types_data(self) -> list[str]:
        """The ticked types, cleaned or as sent (an unknown one is the service's error to show)."""
        cleaned = getattr(self, "cleaned_data", {})
        if "penalty_types" in cleaned:
            return list(cleaned["penalty_types"])
        getlist = getattr(self.data, "getlist", None)
        return list(getlist(self.add_prefix("penalty_types"))) if self.is_bound and getlist else []

    def service_data(self, obligations: list[dict]) -> dict:
        decided = _value(self, "decided_on")
        return {
            "subject": self.subject_data(),
            "type": _value(self, "type") or None,
            "category": _value(self, "category") or None,
            "publish": _value(self, "publish") in (True, "on", "true", "1"),
            "penalty_types": self.penalty_types_data(),
            "domain": _value(self, "domain") or "",
            "decision_number": _value(self, "decision_number") or "",
            "decided_on": decided.isoformat() if hasattr(decided, "isoformat") else (decided or ""),
            "decision_source": _value(self, "decision_source") or None,
            "subject_address": _value(self, "subject_address") or "",
            "facts": _value(self, "facts") or "",
            "evidence": _value(self, "evidence") or "",
            "basis": _value(self, "basis") or "",
            "obligations": obligations,
        }


class ObligationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Obligation"), required=False, choices=[("", "—"), *Obligation.Kind.choices])
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def is_blank(self) -> bool:
        return not any(_value(self, name) for name in ("kind", "amount", "due_on"))

    def service_row(self) -> dict:
        due = _value(self, "due_on")
        return {
            "kind": _value(self, "kind") or None,
            "amount": _value(self, "amount") or None,
            "due_on": due.isoformat() if hasattr(due, "isoformat") else (due or None),
        }


class DecisionFileForm(forms.Form):
    decision_file = forms.FileField(
        label=_("The unit's own decision (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


ObligationFormSet = forms.formset_factory(ObligationForm, extra=3, max_num=10)


class ServeForm(forms.Form):
    method = forms.ChoiceField(label=_("Served"), choices=Delivery.Method.choices, widget=forms.RadioSelect)
    delivered_on = forms.DateField(label=_("Served on"), widget=DateInput())
    recipient = forms.CharField(label=_("Received by"), max_length=200)
    receipt = forms.CharField(
        label=_("Proof of service"),
        required=False,
        max_length=200,
        help_text=_("e.g. the number of the signed service receipt (送达回证) or the post's tracking number."),
    )


# --- applications ------------------------------------------------------------------------------------------------


class WindowLookupForm(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code of the enterprise"),
        max_length=18,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}),
    )


class ApplyForm(ServiceErrorsMixin, forms.Form):
    records = forms.MultipleChoiceField(
        label=_("Records to repair"), widget=forms.CheckboxSelectMultiple, error_messages={"required": ""}
    )
    correction = forms.CharField(
        label=_("How the conduct was corrected"),
        help_text=_("What was stopped or put right, and how the duties imposed (e.g. the fine) were performed."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proofs = MultipleFileField(label=_("Proof"))
    proof_held_by_unit = forms.BooleanField(
        label=_("The deciding unit already holds the proof (e.g. the fine was paid through its own system)"),
        required=False,
    )
    signer_name = forms.CharField(
        label=_("Signed by"), max_length=50, help_text=_("Type the full name of the person signing for the enterprise.")
    )
    accepted = forms.BooleanField(
        label=_("I have read the credit commitment above and make it on behalf of the enterprise."),
        error_messages={"required": _("The commitment must be accepted.")},
    )

    field_of = {
        "commitment.signer_name": "signer_name",
        "commitment.accepted": "accepted",
        "proofs": "proofs",
        "records": "records",
        "correction": "correction",
    }

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "records").choices = [(str(r.pk), r.decision_number) for r in records]
        self.fields["records"].error_messages["required"] = _("Choose one or more of your own records.")
        self.fields["proofs"].help_text = _("e.g. the receipt of the fine paid.") + " " + proof_limits_text()


class WindowApplyForm(ApplyForm):
    """The apply form at a service window: also the agent (代理人) who came for the enterprise and the
    power of attorney (授权委托书) they brought. The service checks the ID number and the file."""

    agent_name = forms.CharField(label=_("Agent's name"), max_length=50)
    agent_id_number = forms.CharField(
        label=_("Agent's resident ID number"),
        max_length=18,
        help_text=_("18 characters, as on the resident identity card; shown masked afterwards."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    agent_relationship = forms.CharField(
        label=_("Relationship to the enterprise"),
        max_length=50,
        help_text=_("e.g. employee, legal representative, lawyer."),
    )
    power_of_attorney = forms.FileField(
        label=_("Power of attorney (授权委托书)"),
        help_text=_("A scan or photo: PDF, JPG or PNG."),
        error_messages={"required": _("Attach the power of attorney (PDF, JPG or PNG).")},
    )

    field_of = {
        **ApplyForm.field_of,
        "agent.name": "agent_name",
        "agent.id_number": "agent_id_number",
        "agent.relationship": "agent_relationship",
        "power_of_attorney": "power_of_attorney",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer_name"].help_text = _(
            "The full name of the person signing the commitment for the enterprise (usually the agent)."
        )
        self.order_fields(
            ["agent_name", "agent_id_number", "agent_relationship", "power_of_attorney", *ApplyForm.base_fields]
        )


class SupplementForm(forms.Form):
    items = forms.CharField(
        label=_("Material needed"),
        help_text=_("The applicant sees this list. The time for the result stops until the material arrives."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupplementReceivedForm(forms.Form):
    proofs = MultipleFileField(
        label=_("The material asked for"),
        required=True,
        error_messages={"required": _("Attach the material asked for (PDF, JPG or PNG).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proofs"].help_text = proof_limits_text()


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (working days)"), min_value=1, initial=5)
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Why the case is complex; the applicant sees this reason."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Repair: publication and sharing stop")), ("reject", _("Do not repair"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"),
        help_text=_("They are written into the decision the applicant receives."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- objections ---------------------------------------------------------------------------------------------------


class ObjectionForm(forms.Form):
    target = forms.ChoiceField(
        label=_("The objection is to"), choices=Objection.Target.choices, widget=forms.RadioSelect
    )
    application = forms.ChoiceField(label=_("The decided application"), required=False)
    text = forms.CharField(
        label=_("Grounds of the objection"),
        help_text=_("What is wrong and what it should be; at least 10 characters."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "application").choices = [("", "—")] + [
            (str(a.pk), _("No. %(id)s, decided on %(day)s") % {"id": a.pk, "day": a.decided_on.isoformat()})
            for a in applications
        ]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("dismiss", _("Not upheld: the record stays as it is")),
            ("correct", _("Upheld: correct the record")),
            ("revoke", _("Upheld: revoke the record")),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("Answer to the subject"), widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(
        label=pgettext_lazy("penalty", "Facts (corrected)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    basis = forms.CharField(
        label=_("Legal basis (corrected)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    publication_ends_on = forms.DateField(
        label=_("Publication ends on (corrected)"), required=False, widget=DateInput()
    )


# --- lists --------------------------------------------------------------------------------------------------------


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("Subject or decision number"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *DishonestyRecord.Status.choices]
    )


class PublicSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Enterprise name or unified social credit code"),
        required=False,
        max_length=100,
        # A shape, not a real party: the placeholder must not advertise anyone's record.
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Part of the name, or the 18-character code")}
        ),
    )


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=30, help_text=_("2026, 2026Q3, 2026-07 or 2026-01-01..2026-06-30")
    )
