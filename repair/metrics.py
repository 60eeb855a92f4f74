"""Credit repair measures by deciding unit and period (set-based)."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast

from repair.models import DishonestyRecord, RepairApplication
from workflow import workdays
from workflow.errors import CalendarDataMissing
from workflow.models import Deadline, Delivery


def repair_measures(*, start: dt.date, end: dt.date, unit_ids=None) -> dict:
    """告知率 (records whose repair notice was served / records decided), 修复率 (repaired / applications
    from eligible subjects), on-time acceptance and feedback, average working days to a decision."""
    records = DishonestyRecord.objects.filter(decided_on__range=(start, end))
    applications = RepairApplication.objects.filter(applied_on__range=(start, end))
    if unit_ids is not None:
        records = records.filter(deciding_unit_id__in=unit_ids)
        applications = applications.filter(deciding_unit_id__in=unit_ids)
    record_ct = ContentType.objects.get_for_model(DishonestyRecord)
    served = Exists(
        Delivery.objects.filter(
            documents__content_type=record_ct,
            documents__object_id=Cast(OuterRef("pk"), CharField()),
            documents__doc_type="repair_notice",
        )
    )
    r = {"n": records.count(), "served": records.filter(served).count()}
    a = applications.aggregate(
        eligible=Count("id", filter=Q(eligible=True)),
        repaired=Count("id", filter=Q(status=RepairApplication.Status.APPROVED)),
        decided=Count("id", filter=Q(decided_on__isnull=False)),
    )
    app_ct = ContentType.objects.get_for_model(RepairApplication)
    ids = [str(pk) for pk in applications.values_list("pk", flat=True)]
    clocks = Deadline.objects.filter(content_type=app_ct, object_id__in=ids)
    accept = clocks.filter(purpose="accept").aggregate(n=Count("id"), on_time=Count("id", filter=Q(status="met")))
    feedback = clocks.filter(purpose="feedback", status__in=["met", "met_late"]).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(status="met"))
    )
    days = []
    for applied, decided in applications.filter(decided_on__isnull=False).values_list("applied_on", "decided_on"):
        try:
            days.append(workdays.count_working_days(applied, decided))
        except CalendarDataMissing:
            continue

    def share(n, d):
        return (n / d) if d else None

    return {
        "records": r["n"],
        "notices_served": r["served"],
        "notice_rate": share(r["served"], r["n"]),
        "applications": applications.count(),
        "eligible": a["eligible"],
        "repaired": a["repaired"],
        "repair_rate": share(a["repaired"], a["eligible"]),
        "accepted_on_time_rate": share(accept["on_time"], accept["n"]),
        "feedback_on_time_rate": share(feedback["on_time"], feedback["n"]),
        "average_working_days_to_decision": round(sum(days) / len(days), 1) if days else None,
    }


def repair_measures_by_unit(*, start: dt.date, end: dt.date, unit_ids=None) -> list[dict]:
    """repair_measures per deciding unit with records or applications in [start, end]; unit_ids limits
    the units (None: every unit)."""
    from workflow.models import Agency

    units = Agency.objects.filter(
        Q(dishonesty_records_decided__decided_on__range=(start, end))
        | Q(repair_applications__applied_on__range=(start, end))
    ).distinct()
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return [
        {"unit": {"id": u.pk, "code": u.code, "name": u.name}, **repair_measures(start=start, end=end, unit_ids=[u.pk])}
        for u in units.order_by("code")
    ]
