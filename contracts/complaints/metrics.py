"""Complaint measures (set-based): counts by status and respondent, handled on time, average
handling days, satisfaction, amount recovered — per period."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast

from contracts.models import Complaint
from workflow.models import Deadline


def _with_handle_due(qs):
    ct = ContentType.objects.get_for_model(Complaint)
    due = Deadline.objects.filter(
        content_type=ct, object_id=Cast(OuterRef("pk"), CharField()), purpose="handle"
    ).values("due_on")[:1]
    return qs.annotate(handle_due=Subquery(due))


def handled_on_time_by_agency(start: dt.date, end: dt.date) -> dict[int, dict]:
    """Complaints handled in [start, end] per respondent agency, and how many within their
    (possibly extended) `complaint.handle` deadline."""
    qs = _with_handle_due(Complaint.objects.filter(handled_on__range=(start, end), respondent__isnull=False))
    rows = qs.values("respondent_id").annotate(
        total=Count("id"), on_time=Count("id", filter=Q(handled_on__lte=F("handle_due")))
    )
    return {r["respondent_id"]: {"total": r["total"], "on_time": r["on_time"]} for r in rows}


def complaint_measures(*, start: dt.date, end: dt.date, agency_ids=None) -> dict:
    """The supervisor dashboard's figures for complaints received in [start, end]."""
    qs = Complaint.objects.filter(received_on__range=(start, end))
    if agency_ids is not None:
        qs = qs.filter(respondent_id__in=agency_ids)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")))
    by_respondent = list(
        qs.values("respondent__code", "respondent__name").annotate(n=Count("id")).order_by("-n", "respondent__code")
    )
    handled = _with_handle_due(qs.filter(handled_on__isnull=False))
    totals = handled.aggregate(n=Count("id"), on_time=Count("id", filter=Q(handled_on__lte=F("handle_due"))))
    days = [(h - r).days for r, h in handled.values_list("received_on", "handled_on")]
    evaluated = qs.filter(satisfied__isnull=False).aggregate(
        n=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))
    )
    recovered = qs.filter(contract__isnull=False, amount_confirmed__isnull=False).aggregate(
        confirmed=Sum("amount_confirmed")
    )
    return {
        "received": qs.count(),
        "by_status": by_status,
        "by_respondent": by_respondent,
        "handled": totals["n"],
        "handled_on_time": totals["on_time"],
        "on_time_share": (totals["on_time"] / totals["n"]) if totals["n"] else None,
        "average_handling_days": round(sum(days) / len(days), 1) if days else None,
        "evaluated": evaluated["n"],
        "satisfied": evaluated["satisfied"],
        "satisfaction": (evaluated["satisfied"] / evaluated["n"]) if evaluated["n"] else None,
        "amount_confirmed": recovered["confirmed"],
    }
