"""The forms of the complaint column: the complaint, tracking, each staff step, the extension, the
supervision notice and the list's filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy, pgettext_lazy

from contracts.complaints.selectors import transfer_agency
from contracts.models import Complaint
from workflow.errors import DomainError
from workflow.forms import choice_field
from workflow.models import Agency, Enterprise
from workflow.uploads import MultipleFileField

SME_SIZES = [(v, label) for v, label in Enterprise.Size.choices if v != Enterprise.Size.LARGE]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _agency_choices(qs=None):
    return [("", "—")] + [(a.code, a.name) for a in (qs if qs is not None else Agency.objects.order_by("path"))]


# Service error keys ("complainant.uscc") → form fields.
FORM_FIELD_OF = {
    "complainant.name": "complainant_name",
    "complainant.uscc": "complainant_uscc",
    "complainant.size": "complainant_size",
    "contact.name": "contact_name",
    "contact.mobile": "contact_mobile",
    "respondent": "respondent_agency",
    "respondent.agency": "respondent_agency",
    "contract": "contract_number",
    "contract.id": "contract_id",
    "contract.signed_on": "contract_signed_on",
    "amount_claimed": "amount_claimed",
    "facts": "facts",
    "declaration": "declaration",
    "evidence": "evidence",
}


class ComplaintForm(forms.Form):
    complainant_name = forms.CharField(
        label=gettext_lazy("Enterprise name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the enterprise's name.")},
    )
    complainant_uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        help_text=gettext_lazy("18 characters, as on the business licence."),
        error_messages={"required": gettext_lazy("Enter a valid unified social credit code (18 characters).")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    complainant_size = forms.ChoiceField(
        label=gettext_lazy("Enterprise size"),
        choices=[("", "—"), *SME_SIZES],
        help_text=gettext_lazy("As classified under the SME size standards; the column is for SMEs."),
        error_messages={"required": gettext_lazy("Choose micro, small or medium.")},
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Contact person"),
        max_length=50,
        error_messages={"required": gettext_lazy("Enter the contact person.")},
    )
    contact_mobile = forms.CharField(
        label=gettext_lazy("Contact mobile"),
        max_length=11,
        help_text=gettext_lazy("With its last four digits and the tracking code you can follow the complaint."),
        error_messages={"required": gettext_lazy("Enter an 11-digit mainland mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    respondent_agency = forms.ChoiceField(label=gettext_lazy("Public body complained about"), required=False)
    respondent_other = forms.CharField(
        label=gettext_lazy("Not in the list? Its full name"), required=False, max_length=200
    )
    contract_id = forms.ChoiceField(label=gettext_lazy("Registered contract"), required=False)
    contract_number = forms.CharField(label=gettext_lazy("Contract number"), required=False, max_length=64)
    contract_signed_on = forms.DateField(label=gettext_lazy("Signed on"), required=False, widget=DateInput())
    amount_claimed = forms.CharField(
        label=gettext_lazy("Amount claimed (CNY)"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter the amount in yuan, with at most two decimals.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "180000.00"}),
    )
    facts = forms.CharField(
        label=pgettext_lazy("complaint", "Facts"),
        help_text=gettext_lazy(
            "What was delivered or done and when, what is owed and since when, and how you asked to be paid."
        ),
        error_messages={"required": gettext_lazy("Describe what happened (at least 10 characters).")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence"),
        required=False,
        help_text=gettext_lazy(
            "The contract, acceptance or delivery records, invoices, payment requests: PDF, JPG or PNG, "
            "at most %(files)s files of %(mb)s MB each."
        ),
    )
    declaration = forms.BooleanField(
        label=gettext_lazy(
            "I declare that the information given is true and complete, and that the matter is not before a "
            "court or an arbitration body."
        ),
        error_messages={"required": gettext_lazy("Confirm the declaration.")},
    )
    challenge_answer = forms.CharField(
        label=gettext_lazy("Check question"),
        max_length=4,
        error_messages={"required": gettext_lazy("Answer the question.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "respondent_agency").choices = _agency_choices()
        self.fields["evidence"].help_text = self.fields["evidence"].help_text % {
            "files": settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_FILES,
            "mb": settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES // (1024 * 1024),
        }
        self.contracts = {str(c.pk): c for c in contracts}
        if contracts:
            choice_field(self, "contract_id").choices = [("", "—")] + [
                (str(c.pk), f"{c.number} {c.title} ({c.agency.name})") for c in contracts
            ]
        else:
            del self.fields["contract_id"]

    def service_data(self) -> dict:
        """The submission in the service's (and the API's) shape, from whatever was entered."""
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def value(name):
            if name in d:
                return d[name]
            raw = self.data.get(name, "") if self.is_bound else ""
            return raw.strip() if isinstance(raw, str) else raw

        contract = self.contracts.get(str(value("contract_id") or ""))
        agency_code = value("respondent_agency") or (contract.agency.code if contract else "")
        respondent = {"agency": agency_code} if agency_code else {"name": value("respondent_other") or ""}
        if contract:
            contract_ref = {"id": contract.pk}
        else:
            signed_on = value("contract_signed_on")
            contract_ref = {"number": value("contract_number") or ""}
            if signed_on and not isinstance(signed_on, str):
                contract_ref["signed_on"] = signed_on.isoformat()
        return {
            "complainant": {
                "name": value("complainant_name") or "",
                "uscc": value("complainant_uscc") or "",
                "size": value("complainant_size") or "",
            },
            "contact": {"name": value("contact_name") or "", "mobile": value("contact_mobile") or ""},
            "respondent": respondent,
            "contract": contract_ref,
            "amount_claimed": value("amount_claimed") or "",
            "facts": value("facts") or "",
            "declaration": value("declaration") in (True, "on", "true", "1"),
        }

    def add_service_errors(self, exc: DomainError) -> None:
        errors = getattr(exc, "errors", None) or {exc.field: [exc.message]}
        for key, msgs in errors.items():
            name = FORM_FIELD_OF.get(key or "", key)
            if name == "contract_number" and "contract_id" in self.fields and self.data.get("contract_id"):
                name = "contract_id"
            if name not in self.fields:
                name = None
            if name is not None and self.errors.get(name):
                continue  # the form said it already
            for message in msgs:
                self.add_error(name, message)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    mobile_last4 = forms.RegexField(
        label=gettext_lazy("Last four digits of the contact mobile"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": gettext_lazy("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )


class AcceptForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("accept", gettext_lazy("Accept the complaint")), ("reject", gettext_lazy("Do not accept it"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for not accepting"),
        required=False,
        choices=[("", "—"), *Complaint.RejectReason.choices],
    )
    text = forms.CharField(
        label=gettext_lazy("Explanation to the complainant"),
        required=False,
        help_text=gettext_lazy("Needed when the complaint is not accepted; it goes into the written notice."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def task_values(self) -> dict:
        """The step (accept or reject) and its values, as contracts.complaints.process.complaint_task takes them."""
        d = self.cleaned_data
        if d["decision"] == "accept":
            return {"step": "accept"}
        return {"step": "reject", "reason": d["reason"], "text": d["text"]}


class TransferForm(forms.Form):
    agency = forms.ChoiceField(label=gettext_lazy("Handling body"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "agency").choices = _agency_choices()

    def task_values(self) -> dict:
        return {"step": "transfer", "agency": transfer_agency(self.cleaned_data["agency"])}


class HandleForm(forms.Form):
    findings = forms.CharField(label=gettext_lazy("Facts found"), widget=forms.Textarea(attrs={"rows": 4}))
    amount_confirmed = forms.DecimalField(
        label=gettext_lazy("Amount confirmed as owed (CNY)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty when nothing is owed or the amount cannot be confirmed."),
    )
    disputed = forms.BooleanField(label=gettext_lazy("The amount is disputed"), required=False)
    repayment_plan = forms.CharField(
        label=gettext_lazy("Repayment plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def task_values(self) -> dict:
        d = self.cleaned_data
        return {
            "step": "handle",
            "findings": d["findings"],
            "amount_confirmed": d["amount_confirmed"],
            "disputed": d["disputed"],
            "repayment_plan": d["repayment_plan"],
        }


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Written reply to the complainant"),
        help_text=gettext_lazy("Issued as a reply letter (PDF) with the facts found and the amount confirmed."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def task_values(self) -> dict:
        return {"step": "feedback", "text": self.cleaned_data["text"]}


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[
            ("reopen", gettext_lazy("Reopen handling: the handling body handles it again")),
            ("close", gettext_lazy("Close the complaint")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=gettext_lazy("Review opinion"), widget=forms.Textarea(attrs={"rows": 3}))

    def task_values(self) -> dict:
        d = self.cleaned_data
        return {"step": "review", "reopen": d["outcome"] == "reopen", "note": d["note"]}


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Extend by (days)"), min_value=1, max_value=365)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 7}))


class ListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Code or enterprise"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("any")), *Complaint.Status.choices]
    )
    respondent = forms.ChoiceField(label=gettext_lazy("Respondent"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "respondent").choices = [("", gettext_lazy("any"))] + [(a.code, a.name) for a in agencies]


STEP_FORMS = {
    "accept": AcceptForm,
    "transfer": TransferForm,
    "handle": HandleForm,
    "feedback": FeedbackForm,
    "review": ReviewForm,
}
