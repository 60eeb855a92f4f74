from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from viewflow.workflow.models import Process

from contracts.models.contracts import Contract
from workflow.models import Agency, Enterprise
from workflow.models.base import CaseProcessMixin, StatefulModel
from workflow.uploads import StoredFile


class Complaint(StatefulModel):
    """An SME's complaint about arrears or a broken contract (政府违约失信投诉), on the statutory clocks
    of Art. 25 of the SME payment regulation (rules complaint.accept / .transfer / .handle)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("not accepted")
        TRANSFERRED = "transferred", _("transferred for handling")
        HANDLED = "handled", _("handled")
        ANSWERED = "answered", _("answered in writing")
        UNDER_REVIEW = "under_review", _("under supervisor review")
        CLOSED = "closed", _("closed")

    class Source(models.TextChoices):
        WEB = "web", _("online column")
        API = "api", _("API")
        NATIONAL = "national", _("national complaint platform")

    class RejectReason(models.TextChoices):
        NOT_SME = "not_sme", _("the complainant is not an SME")
        NOT_PAYMENT = "not_payment", _("not about payment owed under a contract")
        IN_COURT = "in_court", _("already before a court or arbitration")
        DUPLICATE = "duplicate", _("the same matter is already being handled")
        INSUFFICIENT = "insufficient", _("the facts or evidence are insufficient")
        OTHER = "other", _("other")

    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    complainant = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="complaints")
    complainant_size = models.CharField(_("size"), max_length=10, choices=Enterprise.Size.choices)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_mobile = models.CharField(_("mobile"), max_length=11)
    respondent = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints_against"
    )
    respondent_name = models.CharField(_("respondent (not in the list)"), max_length=200, blank=True)
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    amount_claimed = models.DecimalField(_("amount claimed (CNY)"), max_digits=16, decimal_places=2)
    facts = models.TextField(_("facts"))
    declaration = models.BooleanField(_("declaration"), default=False)
    status = FSMField(_("status"), default=Status.SUBMITTED, choices=Status.choices, protected=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_on = models.DateField(_("received on"), db_index=True)
    submitter_ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # acceptance review
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    reject_reason = models.CharField(_("reason not accepted"), max_length=16, choices=RejectReason.choices, blank=True)
    reject_text = models.TextField(_("explanation"), blank=True)
    # transfer and handling
    handling_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints_handled"
    )
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    findings = models.TextField(_("facts found"), blank=True)
    amount_confirmed = models.DecimalField(
        _("amount confirmed (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Late-payment interest on the unpaid principal (保障中小企业款项支付条例 第十七条), computed by
    # contracts.interest up to `handled_on` when the handling is recorded; none without a registered contract.
    interest_confirmed = models.DecimalField(
        _("late-payment interest (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    disputed = models.BooleanField(_("amount disputed"), default=False)
    repayment_plan = models.TextField(_("repayment plan"), blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    # written feedback and evaluation
    feedback = models.TextField(_("written feedback"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    satisfied = models.BooleanField(_("complainant satisfied"), null=True, blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    dissatisfaction_reason = models.TextField(_("why the complainant is not satisfied"), blank=True)
    review_note = models.TextField(_("supervisor review"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["respondent", "status"]), models.Index(fields=["contact_mobile"])]

    def __str__(self) -> str:
        return self.code

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def accept(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=Status.ACCEPTED, target=Status.TRANSFERRED)
    def transfer(self):
        pass

    @transition(field=status, source=[Status.TRANSFERRED, Status.UNDER_REVIEW], target=Status.HANDLED)
    def record_handling(self):
        pass

    @transition(field=status, source=Status.HANDLED, target=Status.ANSWERED)
    def answer(self):
        pass

    @transition(field=status, source=Status.ANSWERED, target=Status.CLOSED)
    def close_satisfied(self):
        pass

    @transition(field=status, source=Status.ANSWERED, target=Status.UNDER_REVIEW)
    def send_to_review(self):
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.CLOSED)
    def close_after_review(self):
        pass

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.TRANSFERRED)
    def reopen(self):
        pass


class ComplaintEvidence(StoredFile):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="complaints/%Y/%m/")

    default_name = "evidence"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class ComplaintProcess(CaseProcessMixin, Process):
    """viewflow process whose artifact is a Complaint."""

    case_url_name = "contracts-complaint"

    class Meta:
        proxy = True
        verbose_name = _("complaint process")
        verbose_name_plural = _("complaint processes")


class ComplaintSupervisionNotice(models.Model):
    """督办书: drafted by the sweep when the handling body does not report back in time; a supervisor
    reviews the text and issues it (the PDF and its document number are made on issue). One per complaint."""

    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="supervision_notice")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    drafted_on = models.DateField(_("drafted on"))
    due_on = models.DateField(_("handling was due on"))
    text = models.TextField(_("text"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-drafted_on", "-id"]
