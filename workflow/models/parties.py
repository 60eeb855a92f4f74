from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters with a GB 32100-2015 check character."""
    try:
        stdnum_uscc.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            _("%(value)s is not a valid unified social credit code (统一社会信用代码)."),
            code="invalid_uscc",
            params={"value": value},
        ) from exc


# How a body whose name ends so refers to itself in its documents (公文 usage: 我委, 我局…), longest first.
SELF_REFERENCE_BY_NAME_ENDING = (
    ("委员会", "我委"),
    ("办公室", "我办"),
    ("中心", "我中心"),
    ("委", "我委"),
    ("局", "我局"),
    ("厅", "我厅"),
    ("办", "我办"),
    ("院", "我院"),
    ("署", "我署"),
    ("部", "我部"),
    ("会", "我会"),
    ("所", "我所"),
    ("处", "我处"),
)


class Agency(models.Model):
    """A government body, public institution or state enterprise (the contracting side)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        INSTITUTION = "institution", _("Public institution")
        STATE_ENTERPRISE = "state_enterprise", _("State enterprise")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.CharField(_("region"), max_length=64, blank=True)
    # Prefix of this body's document numbers (文号), e.g. "X发改".
    doc_prefix = models.CharField(_("document number prefix"), max_length=32, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    # How the body refers to itself in its own documents (我委, 我局, 我办…); empty: derived from the name.
    self_reference = models.CharField(
        _("self-reference in documents"),
        max_length=16,
        blank=True,
        help_text=_(
            "How this body refers to itself in its letters and notices, e.g. 我委, 我局, 我办. "
            "Empty: derived from the name."
        ),
    )
    # Materialised path "/1/4/9/" so that "this agency and all below it" is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Keep the materialised path consistent with the parent (structural, not business logic).
        creating = self.pk is None
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent is not None else '/'}{self.pk}/"
        if creating or path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    def self_reference_text(self) -> str:
        """我委 / 我局 / 我办 …: the configured short form, else one derived from the name's last word."""
        if self.self_reference:
            return self.self_reference
        for ending, short in SELF_REFERENCE_BY_NAME_ENDING:
            if self.name.endswith(ending):
                return short
        return "本机关"


class Enterprise(models.Model):
    """A company identified by its 统一社会信用代码; size as declared (SME payment regulation Art. 3)."""

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    size = models.CharField(_("size"), max_length=10, choices=Size.choices)
    region = models.CharField(_("region"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sme(self) -> bool:
        return self.size != self.Size.LARGE


class User(AbstractUser):
    """A person who logs in: linked to at most one agency or one enterprise."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True) | models.Q(enterprise__isnull=True),
                name="user_agency_xor_enterprise",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space (李 + 文清 → 李文清).
        return f"{self.last_name}{self.first_name}".strip()


class LoginAttempt(models.Model):
    """Failed and successful staff logins, for lockout and for the security log."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    success = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
