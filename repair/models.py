from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition
from viewflow.workflow.models import Process

from workflow.masking import mask_id_number
from workflow.models import Agency, Enterprise
from workflow.models.base import CaseProcessMixin, CharStatusField, StatefulModel
from workflow.uploads import StoredFile


class DecidingUnitProfile(models.Model):
    """What a deciding unit's acts must tell the party and that only the unit knows: its address, where a
    fine is paid, and the remedies against its acts (行政处罚法 第五十九条(五)): the review body (复议机关)
    and the court (人民法院) it names. Edited in the admin; a unit without one gets documents that name
    no body (and the record page says so)."""

    unit = models.OneToOneField(
        Agency, verbose_name=_("deciding unit"), on_delete=models.CASCADE, related_name="repair_profile"
    )
    address = models.CharField(_("address of the unit"), max_length=200, blank=True)
    review_body = models.CharField(_("administrative review body (复议机关)"), max_length=200)
    court = models.CharField(_("court for administrative litigation (人民法院)"), max_length=200)
    payment_method = models.TextField(
        _("how and where fines are paid"),
        blank=True,
        help_text=_("E.g. the non-tax revenue payment platform and the collecting bank, with its address."),
    )

    class Meta:
        verbose_name = _("deciding unit's remedies and payment details")
        verbose_name_plural = _("deciding units' remedies and payment details")

    def __str__(self) -> str:
        return str(self.unit)


class DishonestyRecord(StatefulModel):
    """失信信息: published for a window set by its category, from the decision date
    (信用修复管理办法, 令第36号 from 2026-04-01; 令第58号 before: the rules in force on the decision date)."""

    class Type(models.TextChoices):
        ADMIN_PENALTY = "admin_penalty", _("administrative penalty")
        SERIOUS_LIST = "serious_list", _("serious-dishonesty list")
        ABNORMAL_LIST = "abnormal_list", _("abnormal operation list")
        OTHER = "other", _("other")

    class Category(models.TextChoices):
        MINOR = "minor", _("minor")
        GENERAL = "general", _("general")
        SERIOUS = "serious", _("serious")

    class PenaltyType(models.TextChoices):
        """The kinds of administrative penalty (行政处罚法 第九条); one decision may carry several."""

        WARNING = "warning", pgettext_lazy("penalty", "warning")
        CRITICISM = "criticism", _("circulated criticism")
        FINE = "fine", _("fine")
        CONFISCATION = "confiscation", _("confiscation of unlawful gains or illegal property")
        LICENSE_SUSPENSION = "license_suspension", _("suspension of a licence or lowering of a qualification")
        LICENSE_REVOCATION = "license_revocation", _("revocation of a licence")
        BUSINESS_RESTRICTION = "business_restriction", _("restriction of production or business activities")
        PRODUCTION_SUSPENSION = "production_suspension", _("order to suspend production or business")
        CLOSURE = "closure", _("order to close")
        PRACTICE_RESTRICTION = "practice_restriction", _("restriction of practice")
        DETENTION = "detention", _("administrative detention")

    class Domain(models.TextChoices):
        """Domains with their own minimum publication period in some eras (令第58号: at least 1 year)."""

        NONE = "", _("none of these")
        FOOD = "food", _("food")
        DRUG = "drug", _("drugs")
        SPECIAL_EQUIPMENT = "special_equipment", _("special equipment")
        WORK_SAFETY = "work_safety", _("work safety")
        FIRE = "fire", _("fire safety")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("recorded")
        PUBLISHED = "published", _("published")
        REPAIRED = "repaired", _("repaired")
        EXPIRED = "expired", _("publication ended")
        REVOKED = "revoked", _("revoked")

    # The subject: an enterprise (by USCC) or a natural person (name and masked ID number).
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="dishonesty_records"
    )
    person_name = models.CharField(_("person's name"), max_length=50, blank=True)
    person_id_number = models.CharField(_("ID card number"), max_length=18, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    publish_minor = models.BooleanField(_("publish although minor"), default=False)
    penalty_types = models.JSONField(_("penalty types"), default=list, blank=True)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True, default="")
    deciding_unit = models.ForeignKey(
        Agency, verbose_name=_("deciding unit"), on_delete=models.PROTECT, related_name="dishonesty_records_decided"
    )

    class DecisionSource(models.TextChoices):
        ISSUED = "issued", _("issued here as a complete decision document")
        ATTACHED = "attached", _("the unit's own signed PDF is attached")

    decision_number = models.CharField(_("decision number"), max_length=64)
    decided_on = models.DateField(_("decided on"), db_index=True)
    # The decision is the deciding unit's own act: issued here (dated the decision date, under its own
    # number) or attached as the unit issued it. Never re-dated, never re-numbered.
    decision_source = models.CharField(
        _("penalty decision document"), max_length=10, choices=DecisionSource.choices, default=DecisionSource.ISSUED
    )
    subject_address = models.CharField(_("address of the party"), max_length=200, blank=True)
    facts = models.TextField(_("facts"))
    evidence = models.TextField(_("evidence"), blank=True)
    basis = models.TextField(_("legal basis"))
    status = FSMField(_("status"), default=Status.RECORDED, choices=Status.choices, protected=True, db_index=True)
    # From the rules in force on the decision date, kept on the row for set-based sweeps.
    earliest_repair_on = models.DateField(_("earliest repair date"), db_index=True)
    # The last day it is published ("至X止": shown on X, gone on X+1); earliest_repair_on is the first day
    # an application is allowed (the day after the minimum period's last day).
    publication_ends_on = models.DateField(_("publication ends on"), null=True, blank=True, db_index=True)
    # The instruments whose periods were applied, as the notice cites them.
    periods_basis = models.CharField(_("basis of the periods"), max_length=300, blank=True, default="")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    ended_on = models.DateField(_("publication ended on"), null=True, blank=True)
    under_objection = models.BooleanField(_("under objection"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dishonesty record")
        verbose_name_plural = _("dishonesty records")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deciding_unit", "decision_number"], name="record_decision_unique"),
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | ~models.Q(person_name=""),
                name="record_has_a_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publication_ends_on"]),
            models.Index(fields=["status", "earliest_repair_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        return self.enterprise.name if self.enterprise is not None else self.person_name

    @property
    def penalty_type_labels(self) -> list[str]:
        labels = dict(self.PenaltyType.choices)
        return [str(labels.get(t, t)) for t in self.penalty_types or []]

    @property
    def publishable(self) -> bool:
        return self.category != self.Category.MINOR or self.publish_minor

    @transition(field=status, source=Status.RECORDED, target=Status.PUBLISHED)
    def publish(self):
        pass

    @transition(field=status, source=[Status.RECORDED, Status.PUBLISHED], target=Status.REPAIRED)
    def repair(self):
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.EXPIRED)
    def expire(self):
        pass

    @transition(field=status, source=[Status.RECORDED, Status.PUBLISHED], target=Status.REVOKED)
    def revoke(self):
        pass


class Obligation(models.Model):
    """A legal duty the decision imposed (e.g. a fine and its due date)."""

    class Kind(models.TextChoices):
        FINE = "fine", _("fine")
        CONFISCATION = "confiscation", _("confiscation of unlawful gains")
        CORRECTION = "correction", _("correction of the conduct")
        OTHER = "other", _("other")

    record = models.ForeignKey(DishonestyRecord, on_delete=models.PROTECT, related_name="obligations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    # The deciding unit confirms it from its own systems (e.g. the fine was paid through them).
    confirmed_by_unit = models.BooleanField(_("confirmed by the deciding unit"), default=False)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["record", "id"]


class RepairApplication(StatefulModel):
    """An application for credit repair, online or at a service window, checked at once (即申即办)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        WINDOW = "window", _("service window")

    class Status(models.TextChoices):
        INELIGIBLE = "ineligible", _("not eligible (answered at once)")
        ACCEPTED = "accepted", _("accepted, under review")
        SUPPLEMENT = "supplement", _("waiting for more material (补正)")
        AWAITING_APPROVAL = "awaiting_approval", _("awaiting the supervisor's approval")
        APPROVED = "approved", _("repaired")
        REJECTED = "rejected", _("not repaired")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="repair_applications")
    records = models.ManyToManyField(DishonestyRecord, related_name="applications")
    deciding_unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="repair_applications")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    correction = models.TextField(_("how the conduct was corrected"))
    proof_held_by_unit = models.BooleanField(_("the deciding unit already holds the proof"), default=False)
    commitment_signer = models.CharField(_("commitment signed by"), max_length=50)
    commitment_signed_at = models.DateTimeField(_("commitment signed at"))
    commitment_sha256 = models.CharField(_("hash of the commitment text"), max_length=64)
    # At a service window: the person who came for the enterprise (代理人), with a power of attorney.
    agent_name = models.CharField(_("agent's name"), max_length=50, blank=True)
    agent_id_number = models.CharField(_("agent's resident ID number"), max_length=18, blank=True)
    agent_relationship = models.CharField(_("agent's relationship to the enterprise"), max_length=50, blank=True)
    status = FSMField(_("status"), default=Status.ACCEPTED, choices=Status.choices, protected=True, db_index=True)
    eligible = models.BooleanField(_("eligible"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    earliest_date = models.DateField(_("earliest date it could succeed"), null=True, blank=True)
    applied_on = models.DateField(_("applied on"), db_index=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    supplement_items = models.TextField(_("material requested"), blank=True)
    extension_reason = models.TextField(_("reason for extending"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    # The reviewing officer's opinion on a case that goes to a supervisor: part of the case history, never
    # of the decision served (a decision's reasons are the decider's own).
    review_opinion = models.TextField(_("reviewing officer's opinion"), blank=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    @property
    def agent_id_masked(self) -> str:
        """The agent's ID number as pages show it (first 6 and last 4 characters)."""
        return mask_id_number(self.agent_id_number)

    class Meta:
        verbose_name = _("repair application")
        verbose_name_plural = _("repair applications")
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.applied_on}"

    @transition(field=status, source=Status.ACCEPTED, target=Status.SUPPLEMENT)
    def ask_supplement(self):
        pass

    @transition(field=status, source=Status.SUPPLEMENT, target=Status.ACCEPTED)
    def receive_supplement(self):
        pass

    @transition(field=status, source=Status.ACCEPTED, target=Status.AWAITING_APPROVAL)
    def propose_approval(self):
        pass

    @transition(field=status, source=[Status.ACCEPTED, Status.AWAITING_APPROVAL], target=Status.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=[Status.ACCEPTED, Status.AWAITING_APPROVAL], target=Status.REJECTED)
    def reject(self):
        pass


class OpenApplicationRecord(models.Model):
    """A record an open application (accepted, waiting for material or for approval) applies for: one row
    per record while the application is open, removed when it is decided. The unique record makes a
    second open application for the same record impossible, whatever the code path."""

    record = models.OneToOneField(DishonestyRecord, on_delete=models.CASCADE, related_name="open_application_link")
    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="open_record_links")

    class Meta:
        verbose_name = _("record under an open application")
        verbose_name_plural = _("records under open applications")


class NoticeService(models.Model):
    """The one service (送达) of a record's dual notices: a record's notices are served once."""

    record = models.OneToOneField(DishonestyRecord, on_delete=models.PROTECT, related_name="notice_service")
    delivery = models.OneToOneField("workflow.Delivery", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("service of the dual notices")
        verbose_name_plural = _("services of the dual notices")


class PenaltyDecisionFile(StoredFile):
    """The deciding unit's own signed decision document (PDF), attached as it was issued."""

    record = models.OneToOneField(DishonestyRecord, on_delete=models.PROTECT, related_name="decision_file")
    file = models.FileField(upload_to="repair/decisions/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    default_name = "decision.pdf"

    class Meta:
        verbose_name = _("penalty decision document (PDF)")
        verbose_name_plural = _("penalty decision documents (PDF)")


class RepairProof(StoredFile):
    application = models.ForeignKey(RepairApplication, on_delete=models.PROTECT, related_name="proofs")
    file = models.FileField(upload_to="repair/%Y/%m/")

    default_name = "proof"

    class Meta:
        verbose_name = _("proof")
        verbose_name_plural = _("proofs")


class RepairPowerOfAttorney(StoredFile):
    """The power of attorney (授权委托书) an agent brings to the service window."""

    application = models.OneToOneField(RepairApplication, on_delete=models.PROTECT, related_name="power_of_attorney")
    file = models.FileField(upload_to="repair/%Y/%m/")

    default_name = "power-of-attorney"

    class Meta:
        verbose_name = _("power of attorney")
        verbose_name_plural = _("powers of attorney")


class RepairProcess(CaseProcessMixin, Process):
    """viewflow process whose artifact is a RepairApplication."""

    case_url_name = "repair-application"

    class Meta:
        proxy = True
        verbose_name = _("repair process")
        verbose_name_plural = _("repair processes")


class Objection(StatefulModel):
    """异议申诉: the subject objects to a record's content, its publication period or a repair result."""

    class Target(models.TextChoices):
        CONTENT = "content", _("the content of the record")
        PERIOD = "period", _("the publication period")
        RESULT = "result", _("a repair result")

    class Status(models.TextChoices):
        OPEN = "open", _("under review")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    record = models.ForeignKey(DishonestyRecord, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(
        RepairApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    target = models.CharField(_("objection to"), max_length=8, choices=Target.choices)
    text = models.TextField(_("grounds"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("filed on"))
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What an upheld objection changed, e.g. {"facts": [old, new]} or {"revoked": true}.
    changes = models.JSONField(_("changes made"), default=dict, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.record} {self.get_target_display()}"

    @transition(field=status, source=Status.OPEN, target=Status.UPHELD)
    def uphold(self):
        pass

    @transition(field=status, source=Status.OPEN, target=Status.DISMISSED)
    def dismiss(self):
        pass


class RecordImport(StatefulModel):
    """A bulk import of dishonesty records from the Excel template, parsed and run by a q2 worker.

    All-or-nothing per file (repair.imports.services.record_import). queued --claim--> running
    --complete--> done; running --reject--> rejected (errors in the file) or --fail--> failed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("validating")
        DONE = "done", _("imported")
        REJECTED = "rejected", _("rejected: errors in the file")
        FAILED = "failed", _("failed")

    deciding_unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="record_imports")
    file = models.FileField(upload_to="record-imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = CharStatusField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    # [{"row": 5, "column": "决定书文号", "message": "..."}]; row None: the whole file
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_records = models.ManyToManyField(DishonestyRecord, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("record import")
        verbose_name_plural = _("record imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @transition(field=status, source=Status.QUEUED, target=Status.RUNNING)
    def claim(self):
        """A worker takes the queued import; only one can."""

    @transition(field=status, source=Status.RUNNING, target=Status.DONE)
    def complete(self):
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.FAILED)
    def fail(self):
        pass
