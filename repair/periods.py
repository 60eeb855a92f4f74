"""Publication periods of a dishonesty record: the law in force on the decision date.

Two kinds of instrument have governed the periods (docs/deadlines.md has the table and the sources):

* a uniform penalty period (令第58号, 2023-05-01 to 2026-03-31): rules `publication.penalty.min`
  and `.max`, and `publication.penalty.min.domain` for the domains it lists (params["domains"]);
* tiers minor / general / serious (国办发〔2025〕22号 from 2025-06-22, 令第36号 from 2026-04-01):
  rules `publication.<tier>.min` / `.max`; a tier row may list the penalty types that belong to it
  (params["penalty_types"]).

Within one instrument the longest period wins: the longest minimum over the domain and the penalty
types, the highest tier over the stated category and the types. When two instruments were in force on
the decision date (2025-06-22 to 2026-03-31), each bound takes the reading more favourable to the
subject: the earlier first day to apply, the earlier last day of publication.

The edges are the engine's (workflow.deadlines): `Due.due` of a waiting rule is the first day the
application is allowed, of an expiry rule the last day the record is published.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from repair.models import DishonestyRecord
from workflow.deadlines import compute_due
from workflow.errors import NotFound, ValidationFailed
from workflow.models import Rule
from workflow.rules import rule_in_force

TIERS = (DishonestyRecord.Category.MINOR, DishonestyRecord.Category.GENERAL, DishonestyRecord.Category.SERIOUS)


@dataclass(frozen=True)
class Periods:
    category: str  # the tier that applies (the stated one, raised by the penalty types)
    earliest_repair_on: dt.date  # the first day an application is allowed
    publication_ends_on: dt.date | None  # the last day it is published; None: not published
    rules: tuple[Rule, ...]  # the rule versions applied
    cite: str  # the instruments, as a notice cites them


def _rule(code: str, on: dt.date) -> Rule | None:
    try:
        return rule_in_force(code, on)
    except NotFound:
        return None


def _cite(rule: Rule) -> str:
    return (rule.params or {}).get("cite") or f"《{rule.basis_document}》"


def _uniform(decided_on: dt.date, domain: str) -> tuple[dt.date, dt.date, list[Rule]] | None:
    low, high = _rule("publication.penalty.min", decided_on), _rule("publication.penalty.max", decided_on)
    if low is None or high is None:
        return None
    mins = [low]
    special = _rule("publication.penalty.min.domain", decided_on)
    if special is not None and domain and domain in (special.params or {}).get("domains", []):
        mins.append(special)
    first = max(compute_due(r, decided_on).due for r in mins)
    return first, compute_due(high, decided_on).due, [*mins, high]


def _tier_of_types(decided_on: dt.date, penalty_types: list[str]) -> int:
    """The highest tier a penalty type belongs to, as the tier rows in force list them (-1: none)."""
    top = -1
    for i, tier in enumerate(TIERS):
        for code in (f"publication.{tier}.min", f"publication.{tier}.max"):
            rule = _rule(code, decided_on)
            if rule is not None and set(penalty_types) & set((rule.params or {}).get("penalty_types", [])):
                top = max(top, i)
    return top


def _tiered(
    decided_on: dt.date, category: str, penalty_types: list[str], publish_minor: bool
) -> tuple[str, dt.date, dt.date | None, list[Rule]] | None:
    if _rule("publication.general.max", decided_on) is None:
        return None
    tier = TIERS[max(TIERS.index(category), _tier_of_types(decided_on, penalty_types))]
    if tier == DishonestyRecord.Category.MINOR:
        if not publish_minor:  # not published; repair as soon as the duties are done
            return tier, decided_on, None, []
        rule = rule_in_force("publication.minor.max", decided_on)
        return tier, decided_on, compute_due(rule, decided_on).due, [rule]
    low = rule_in_force(f"publication.{tier}.min", decided_on)
    high = rule_in_force(f"publication.{tier}.max", decided_on)
    return tier, compute_due(low, decided_on).due, compute_due(high, decided_on).due, [low, high]


def record_periods(
    *,
    category: str,
    decided_on: dt.date,
    publish_minor: bool,
    penalty_types=(),
    domain: str = "",
    is_penalty: bool = True,
) -> Periods:
    """The first day to apply for repair and the last day of publication of a record decided on
    `decided_on`, under the law in force on that day.

    The uniform period of 令第58号 is for administrative penalty information; other information (a list
    entry) gets it only as a default where no tier was in force yet (before 2025-06-22)."""
    types = list(penalty_types)
    tiered = _tiered(decided_on, category, types, publish_minor)
    uniform = _uniform(decided_on, domain) if is_penalty or tiered is None else None
    if uniform is None and tiered is None:
        raise ValidationFailed(
            _("No publication period rule is in force on %(day)s.") % {"day": decided_on.isoformat()},
            "rule_not_in_force",
            field="decided_on",
        )
    if tiered is None:
        assert uniform is not None
        first_only, last_only, rules = uniform
        return Periods(category, first_only, last_only, tuple(rules), _cite(rules[0]))
    tier, first_t, last_t, rules_t = tiered
    if uniform is None:
        cite = _cite(rules_t[0]) if rules_t else _cite(rule_in_force("publication.general.max", decided_on))
        return Periods(tier, first_t, last_t, tuple(rules_t), cite)
    first_u, last_u, rules_u = uniform
    last: dt.date | None = None if last_t is None else min(last_u, last_t)
    tier_cite = _cite(rules_t[0]) if rules_t else _cite(rule_in_force("publication.general.max", decided_on))
    return Periods(tier, min(first_u, first_t), last, tuple(rules_u + rules_t), f"{_cite(rules_u[0])}、{tier_cite}")
