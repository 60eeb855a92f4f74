"""Selectors and services for the time-limit rules table."""

import contextlib
import datetime as dt
import threading
import time
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Count, Max, Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from workflow.audit import audit_record
from workflow.errors import NotFound, UnknownRule, ValidationFailed
from workflow.models import Rule

_lock = threading.Lock()
_cache: dict = {"by_code": None, "signature": None, "checked": 0.0}
REFRESH_SECONDS = 30
# Inside `pinned()`: the rules as they were checked on entry, without the timed re-check.
_pinned: ContextVar[bool] = ContextVar("rules_pinned", default=False)


def _signature():
    agg = Rule.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def _versions_by_code() -> dict[str, list[Rule]]:
    """All rule versions grouped by code, newest first; the table is small, so it is cached in-process
    and rebuilt when a rule changes here (signal) or, within REFRESH_SECONDS, in another process."""
    with _lock:
        now = time.monotonic()
        if _cache["by_code"] is None or (now - _cache["checked"] > REFRESH_SECONDS and not _pinned.get()):
            sig = _signature()
            if _cache["by_code"] is None or sig != _cache["signature"]:
                grouped: dict[str, list[Rule]] = {}
                for rule in Rule.objects.order_by("code", "-effective_from"):
                    grouped.setdefault(rule.code, []).append(rule)
                _cache["by_code"], _cache["signature"] = grouped, sig
            _cache["checked"] = now
        return _cache["by_code"]


def invalidate() -> None:
    with _lock:
        _cache["by_code"] = None


@contextlib.contextmanager
def pinned():
    """Read the rules as they are on entry for the whole block: one signature check now, none on the
    timer afterwards (a change made in this process still drops the cache). A sweep uses one set of
    rules from start to end, and its statement count does not grow with how long it runs."""
    with _lock:
        _cache["checked"] = 0.0  # force the check on the next read
    token = _pinned.set(False)
    try:
        _versions_by_code()
        _pinned.set(True)
        yield
    finally:
        _pinned.reset(token)


def rule_in_force(code: str, on: dt.date) -> Rule:
    """The version of rule `code` in force on `on` (a case uses the rule in force on its start date)."""
    versions = _versions_by_code().get(code)
    if not versions:
        raise UnknownRule(_("Unknown rule: %(code)s") % {"code": code})
    for rule in versions:
        if rule.effective_from <= on and (rule.effective_to is None or rule.effective_to >= on):
            return rule
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
