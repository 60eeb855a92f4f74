from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.models.base import StatefulModel
from workflow.models.parties import Agency


class DocumentSequence(models.Model):
    """Gap-free document numbers (文号) per issuer, series and year.

    A number is taken under a row lock in the same transaction that creates the document, so a
    rolled-back act leaves no hole and two concurrent acts never share a number.
    """

    issuer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "series", "year"], name="docseq_issuer_series_year_unique")
        ]


class Document(StatefulModel):
    """A formal document generated once per (case, type) and stored with its SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being generated")
        RENDERED = "rendered", _("issued")
        FAILED = "failed", _("generation failed")
        REVOKED = "revoked", _("revoked")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    case = GenericForeignKey("content_type", "object_id")
    doc_type = models.CharField(_("document type"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    template = models.CharField(max_length=200)
    issuer = models.ForeignKey(
        Agency, verbose_name=_("issuer"), null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    series = models.CharField(max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=64, blank=True, db_index=True)
    issued_on = models.DateField(_("issued on"))
    # Everything the template needs, frozen when the document is issued: re-rendering the same
    # context gives the same text, whatever happens to the case afterwards.
    context = models.JSONField(default=dict)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The digital signature applied right after rendering (workflow/signing.py); sha256 is of the signed file.
    signature_method = models.CharField(_("signature method"), max_length=16, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "doc_type"], name="document_once_per_case_type"
            ),
            models.UniqueConstraint(
                fields=["issuer", "series", "year", "number"],
                name="document_number_unique",
                condition=models.Q(number__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.doc_number or self.verification_code} {self.title}"

    @transition(field=status, source=[Status.PENDING, Status.FAILED], target=Status.RENDERED)
    def mark_rendered(self):
        pass

    @transition(field=status, source=[Status.PENDING, Status.FAILED], target=Status.FAILED)
    def mark_failed(self):
        pass

    @transition(field=status, source=Status.RENDERED, target=Status.REVOKED)
    def revoke(self):
        pass


class Delivery(models.Model):
    """Service of one or more documents in one act (双书同达 serves two with one record)."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        POST = "post", _("by post")
        ELECTRONIC = "electronic", _("electronic")

    documents = models.ManyToManyField(Document, related_name="deliveries")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    delivered_on = models.DateField(_("delivered on"))
    recipient = models.CharField(_("recipient"), max_length=200)
    receipt = models.CharField(_("receipt"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
