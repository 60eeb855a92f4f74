"""The workbench panel of credit repair: 告知率, applications, 修复率, timeliness and working days to a
decision, overall and per deciding unit. It reads through repair.metrics (one place for the SQL); see
workflow.dashboards for the payload.

Who sees it: supervisors (every unit), agency heads and penalty officers (their agency and the units
below it).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from repair.metrics import repair_measures, repair_measures_by_unit
from repair.selectors import is_officer, is_supervisor
from workflow import roles
from workflow.scoping import agencies_for_user


def may_see(user) -> bool:
    return (
        is_supervisor(user)
        or is_officer(user)
        or (roles.has_role(user, roles.AGENCY_HEAD) and user.agency_id is not None)
    )


def repair_panel(*, user, start: dt.date, end: dt.date) -> dict:
    """Records decided and applications filed in [start, end] (repair.metrics.repair_measures)."""
    unit_ids = None if is_supervisor(user) else list(agencies_for_user(user).values_list("pk", flat=True))
    m = repair_measures(start=start, end=end, unit_ids=unit_ids)
    units = repair_measures_by_unit(start=start, end=end, unit_ids=unit_ids)
    names = [u["unit"]["name"] for u in units]

    def column(key):
        return [u[key] for u in units]

    return {
        "title": _("Credit repair"),
        "kpis": [
            {"label": _("Records decided"), "value": m["records"], "unit": "count"},
            {"label": _("Repair notices served"), "value": m["notices_served"], "unit": "count"},
            {"label": _("Notice rate"), "value": m["notice_rate"], "unit": "rate"},
            {"label": _("Repair applications"), "value": m["applications"], "unit": "count"},
            {"label": _("Repaired"), "value": m["repaired"], "unit": "count"},
            {"label": _("Repair rate"), "value": m["repair_rate"], "unit": "rate"},
            {"label": _("Accepted on time"), "value": m["accepted_on_time_rate"], "unit": "rate"},
            {"label": _("Decided on time"), "value": m["feedback_on_time_rate"], "unit": "rate"},
            {
                "label": _("Average working days to a decision"),
                "value": m["average_working_days_to_decision"],
                "unit": "days",
            },
        ],
        "charts": [
            {
                "id": "by_unit",
                "title": _("By deciding unit"),
                "category_label": _("Deciding unit"),
                "categories": names,
                "series": [
                    {"name": _("Records decided"), "unit": "count", "data": column("records")},
                    {"name": _("Repair notices served"), "unit": "count", "data": column("notices_served")},
                    {"name": _("Repair applications"), "unit": "count", "data": column("applications")},
                    {"name": _("Repaired"), "unit": "count", "data": column("repaired")},
                    {"name": _("Notice rate"), "unit": "rate", "data": column("notice_rate")},
                    {"name": _("Repair rate"), "unit": "rate", "data": column("repair_rate")},
                    {"name": _("Accepted on time"), "unit": "rate", "data": column("accepted_on_time_rate")},
                ],
            },
            {
                "id": "days_by_unit",
                "title": _("Working days to a decision, by deciding unit"),
                "category_label": _("Deciding unit"),
                "categories": names,
                "series": [
                    {
                        "name": _("Average working days to a decision"),
                        "unit": "days",
                        "data": column("average_working_days_to_decision"),
                    }
                ],
            },
        ],
    }
