from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.models import Agency, Enterprise
from workflow.models.base import StatefulModel


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
    deciding_unit = models.ForeignKey(
        Agency, verbose_name=_("deciding unit"), on_delete=models.PROTECT, related_name="dishonesty_records_decided"
    )
    decision_number = models.CharField(_("decision number"), max_length=64)
    decided_on = models.DateField(_("decided on"), db_index=True)
    facts = models.TextField(_("facts"))
    basis = models.TextField(_("legal basis"))
    status = FSMField(_("status"), default=Status.RECORDED, choices=Status.choices, protected=True, db_index=True)
    # From the rules in force on the decision date, kept on the row for set-based sweeps.
    earliest_repair_on = models.DateField(_("earliest repair date"), db_index=True)
    publication_ends_on = models.DateField(_("publication ends on"), null=True, blank=True, db_index=True)
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
        return self.enterprise.name if self.enterprise_id else self.person_name

    @property
    def publishable(self) -> bool:
        return self.category != self.Category.MINOR or self.publish_minor

    @transition(field=status, source=Status.RECORDED, target=Status.PUBLISHED)
    def publish(self):
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.REPAIRED)
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
