"""Selectors and services for the time-limit rules table."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from .audit import audit_record
from .errors import NotFound, UnknownRule, ValidationFailed
from .models import Rule


def rule_in_force(code: str, on: dt.date) -> Rule:
    """The version of rule `code` in force on `on` (a case uses the rule in force on its start date)."""
    versions = Rule.objects.filter(code=code)
    rule = (
        versions.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if rule is not None:
        return rule
    if not versions.exists():
        raise UnknownRule(_("Unknown rule: %(code)s") % {"code": code})
    raise NotFound(
        _("Rule %(code)s is not in force on %(day)s") % {"code": code, "day": on.isoformat()},
        "rule_not_in_force",
    )


def rules_current(on: dt.date):
    return (
        Rule.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("code")
    )


EDITABLE_FIELDS = (
    "title",
    "amount",
    "ceiling",
    "rate",
    "params",
    "basis_document",
    "basis_article",
    "note",
    "local_policy",
    "verified",
    "effective_from",
    "effective_to",
)


@transaction.atomic
def rule_update(*, rule: Rule, data: dict, acting_user, reason: str = "") -> Rule:
    """Change a rule (supervisors, e.g. to confirm an unverified limit), keeping the history."""
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = model_to_dict(rule, fields=EDITABLE_FIELDS)
    for key, value in data.items():
        setattr(rule, key, value)
    rule.updated_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    rule.full_clean()
    rule.save(update_fields=[*data.keys(), "updated_by", "updated_at"])
    after = model_to_dict(rule, fields=EDITABLE_FIELDS)
    changes = {k: [str(before[k]), str(after[k])] for k in EDITABLE_FIELDS if before[k] != after[k]}
    audit_record(action="rule.update", obj=rule, actor=acting_user, reason=reason, changes=changes)
    return rule


def rule_get(pk) -> Rule:
    try:
        return Rule.objects.get(pk=pk)
    except Rule.DoesNotExist as exc:
        raise NotFound(_("No such rule"), "unknown_rule") from exc
