"""The workbench panels of government contracts: the arrears ledger (化解率, 清偿率), open warnings by level
and age, and complaint timeliness. Each builder reads through the scoped selectors and the metric
functions (contracts.evaluation.services.arrears_rates, contracts.complaints.metrics), so that their SQL
can be tuned in one place; see workflow.dashboards for the payload.

Who sees them: supervisors (the whole city) and agency heads (their agency and the agencies below it).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Min, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from contracts.complaints.metrics import complaint_measures, handled_on_time_by_agency
from contracts.evaluation.figures import arrears_open
from contracts.evaluation.services import arrears_rates_overall_by_agency_and_month
from contracts.models import OpenWarningDay, Warning
from contracts.selectors import agencies_visible_ids
from workflow import clock, roles
from workflow.dashboards import money, share
from workflow.models import Agency
from workflow.scoping import sees_everything

# Bands of a warning's age (days since it was raised) on the chart: a display choice, not a time limit.
WARNING_AGE_BANDS = ((0, 7), (8, 30), (31, 90), (91, None))


def may_see(user) -> bool:
    """Supervisors, and agency heads of an agency."""
    return sees_everything(user) or (roles.has_role(user, roles.AGENCY_HEAD) and user.agency_id is not None)


def _agency_ids(user) -> list[int] | None:
    """None for the whole city, else the user's agency and the agencies below it."""
    return None if sees_everything(user) else agencies_visible_ids(user)


def _agency_names(ids) -> dict[int, str]:
    """{id: name} in the order of the agencies' codes."""
    return dict(Agency.objects.filter(pk__in=list(ids)).order_by("code").values_list("pk", "name"))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from start's to end's, stopping at this month."""
    last = min(end, max(start, clock.today()))
    months, day = [], start.replace(day=1)
    while day <= last:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)  # the first of the next month
    return months


def _rate_series(rows: list[dict | None]) -> list[dict]:
    return [
        {"name": _("Amount owed"), "unit": "cny", "data": [money(r["owed"]) if r else money(0) for r in rows]},
        {"name": _("Amount repaid"), "unit": "cny", "data": [money(r["repaid"]) if r else money(0) for r in rows]},
        {"name": _("Resolution rate"), "unit": "rate", "data": [r["resolution_rate"] if r else None for r in rows]},
        {"name": _("Repayment rate"), "unit": "rate", "data": [r["repayment_rate"] if r else None for r in rows]},
    ]


def arrears_panel(*, user, start: dt.date, end: dt.date) -> dict:
    """Arrears identified in [start, end]: owed, repaid by `end`, 化解率 and 清偿率, overall, by agency and
    by the month the case was identified in; and what the ledger still shows outstanding today."""
    ids = _agency_ids(user)
    overall, by_agency, by_month = arrears_rates_overall_by_agency_and_month(start=start, end=end, agency_ids=ids)
    names = _agency_names(by_agency)
    agencies = list(names)
    months = _months(start, end)
    ledger = arrears_open(ids)  # the agencies' cases: arrears_visible_to(user) for an agency head or supervisor
    return {
        "title": _("Arrears owed to SMEs"),
        "kpis": [
            {"label": _("Arrears cases identified"), "value": overall["identified"], "unit": "count"},
            {"label": _("Amount owed"), "value": money(overall["owed"]), "unit": "cny"},
            {"label": _("Amount repaid"), "value": money(overall["repaid"]), "unit": "cny"},
            {"label": _("Resolution rate"), "value": overall["resolution_rate"], "unit": "rate"},
            {"label": _("Repayment rate"), "value": overall["repayment_rate"], "unit": "rate"},
            {
                "label": _("Still outstanding today (%(n)s open cases)") % {"n": ledger["n"]},
                "value": money((ledger["owed"] or 0) - (ledger["repaid"] or 0)),
                "unit": "cny",
            },
        ],
        "charts": [
            {
                "id": "by_agency",
                "title": _("By agency"),
                "category_label": _("Agency"),
                "categories": [names[pk] for pk in agencies],
                "series": _rate_series([by_agency[pk] for pk in agencies]),
            },
            {
                "id": "by_month",
                "title": _("By month identified"),
                "category_label": _("Month"),
                "categories": [m.strftime("%Y-%m") for m in months],
                "series": _rate_series([by_month.get(m) for m in months]),
            },
        ],
    }


def warnings_panel(*, user, start: dt.date, end: dt.date) -> dict:
    """Warnings open today (open or acknowledged), by level and by age (days since raised)."""
    today = clock.today()
    whens = [
        When(raised_on__gte=today - dt.timedelta(days=high), then=Value(i))
        for i, (_low, high) in enumerate(WARNING_AGE_BANDS)
        if high is not None
    ]
    band = Case(*whens, default=Value(len(WARNING_AGE_BANDS) - 1), output_field=IntegerField())
    # The kept counts of open warnings per agency, day and level (contracts_openwarningday), not the
    # warnings themselves: what warnings_visible_to(user) holds open, for a supervisor or an agency head.
    ids = _agency_ids(user)
    open_now = OpenWarningDay.objects.filter(open__gt=0)
    if ids is not None:
        open_now = open_now.filter(agency_id__in=ids)
    counts = {
        (r["band"], r["level"]): r["n"]
        for r in open_now.annotate(band=band).values("band", "level").annotate(n=Sum("open"))
    }
    oldest = open_now.aggregate(first=Min("raised_on"))["first"]
    levels = list(Warning.Level)
    total = sum(counts.values())
    return {
        "title": _("Open warnings"),
        "kpis": [
            {"label": _("Open warnings"), "value": total, "unit": "count"},
            *(
                {
                    "label": str(level.label),
                    "value": sum(n for (_b, lv), n in counts.items() if lv == level.value),
                    "unit": "count",
                }
                for level in levels
            ),
            {
                "label": _("Oldest open warning (days)"),
                "value": (today - oldest).days if oldest else None,
                "unit": "count",
            },
        ],
        "charts": [
            {
                "id": "by_age",
                "title": _("By level and age"),
                "category_label": _("Days since raised"),
                "stack": True,
                "categories": [
                    f"{low}–{high}" if high is not None else pgettext("age band", "%(low)s and more") % {"low": low}
                    for low, high in WARNING_AGE_BANDS
                ],
                "series": [
                    {
                        "name": str(level.label),
                        "unit": "count",
                        "data": [counts.get((i, level.value), 0) for i in range(len(WARNING_AGE_BANDS))],
                    }
                    for level in levels
                ],
            }
        ],
    }


def complaints_panel(*, user, start: dt.date, end: dt.date) -> dict:
    """Complaint timeliness: complaints received in [start, end] (handled, on time, days), and per
    respondent agency the complaints handled in [start, end] within their handling time."""
    ids = _agency_ids(user)
    m = complaint_measures(start=start, end=end, agency_ids=ids)
    per = handled_on_time_by_agency(start, end)
    if ids is not None:
        per = {pk: row for pk, row in per.items() if pk in set(ids)}
    names = _agency_names(per)
    agencies = list(names)
    return {
        "title": _("Complaint timeliness"),
        "kpis": [
            {"label": _("Complaints received"), "value": m["received"], "unit": "count"},
            {"label": _("Handled"), "value": m["handled"], "unit": "count"},
            {"label": _("Handled on time"), "value": m["handled_on_time"], "unit": "count"},
            {"label": _("On-time rate"), "value": m["on_time_share"], "unit": "rate"},
            {"label": _("Average days to handle"), "value": m["average_handling_days"], "unit": "days"},
            {"label": _("Satisfaction"), "value": m["satisfaction"], "unit": "rate"},
        ],
        "charts": [
            {
                "id": "by_agency",
                "title": _("Handled in the period, by respondent"),
                "category_label": _("Agency"),
                "categories": [names[pk] for pk in agencies],
                "series": [
                    {"name": _("Handled"), "unit": "count", "data": [per[pk]["total"] for pk in agencies]},
                    {"name": _("Handled on time"), "unit": "count", "data": [per[pk]["on_time"] for pk in agencies]},
                    {
                        "name": _("On-time rate"),
                        "unit": "rate",
                        "data": [share(per[pk]["on_time"], per[pk]["total"]) for pk in agencies],
                    },
                ],
            }
        ],
    }
