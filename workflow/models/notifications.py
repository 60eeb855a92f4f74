from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message; optionally also mailed. dedupe_key makes a reminder go out once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    category = models.CharField(_("category"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    # What the inbox shows of the case the message is about (copied when sent: a list needs no joins).
    case_code = models.CharField(_("case"), max_length=100, blank=True)
    party = models.CharField(_("party"), max_length=200, blank=True)
    step = models.CharField(_("step"), max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                name="notification_once_per_key",
                condition=models.Q(dedupe_key__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "due_on"], name="notification_recipient_due"),
        ]

    def __str__(self) -> str:
        return self.title


class PartyMessage(models.Model):
    """An SMS or e-mail to a party without an account (a complainant's contact mobile, say). The q2 task
    gets this row's id, never the address or the text, so no personal data sits in the job queue; the
    row records when it went out, and a task run twice sends once."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a party")
        verbose_name_plural = _("messages to parties")

    def __str__(self) -> str:
        return f"{self.channel}: {self.subject or self.text[:40]}"
