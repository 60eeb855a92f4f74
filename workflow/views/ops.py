"""Operations endpoints: /healthz for load balancers and monitoring. No login, no personal data."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from workflow import clock, workdays
from workflow.models import Heartbeat
from workflow.tasks import HEARTBEAT_NAME

logger = logging.getLogger(__name__)

HEARTBEAT_MAX_AGE = dt.timedelta(minutes=5)
# From this day of December on, next year's working-day calendar must be loaded.
CALENDAR_WARNING_MONTH_DAY = (12, 1)


def _age_seconds(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    if moment is None:
        return None
    return max(0, int((now - moment).total_seconds()))


def _queue_state(now: dt.datetime) -> tuple[int | None, int | None]:
    """(queued tasks, age in seconds of the oldest one). The ORM broker keeps tasks in OrmQ rows,
    whose signed payload carries the enqueue time ("started"); Redis gives only a count."""
    q_cluster = getattr(settings, "Q_CLUSTER", {}) or {}
    if "orm" in q_cluster:
        from django_q.models import OrmQ

        rows = OrmQ.objects.using(q_cluster["orm"]).all()
        queued = rows.count()
        oldest = rows.order_by("id").first()
        started = oldest.task.get("started") if oldest is not None else None
        if started is None and oldest is not None:
            started = oldest.lock  # payload unreadable: the lock is set to the enqueue time
        return queued, _age_seconds(started if isinstance(started, dt.datetime) else None, now)
    try:
        from django_q.brokers import get_broker

        return get_broker().queue_size(), None
    except Exception:  # noqa: BLE001 - a broker outage is reported as unknown, not as a crash
        logger.warning("healthz: could not read the q2 queue size", exc_info=True)
        return None, None


@never_cache
@require_safe
def healthz(request):
    now = timezone.now()  # real time: the heartbeat is written by the wall clock
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        beat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).values_list("at", flat=True).first()
        queued, oldest_age = _queue_state(now)
        calendar = workdays.get_calendar()
        years = sorted(calendar.years)
        provisional_years = sorted(calendar.provisional_years)
    except DatabaseError:
        logger.exception("healthz: database check failed")
        return JsonResponse(
            {"status": "error", "database": "error", "jobs": None, "calendar": None},
            status=503,
        )
    heartbeat_age = _age_seconds(beat, now)
    today = clock.today()
    # "Available" means the State Council notice is in: a provisional year is counted, but its dates may move.
    next_year_available = (today.year + 1) in years and (today.year + 1) not in provisional_years
    degraded = heartbeat_age is None or heartbeat_age > HEARTBEAT_MAX_AGE.total_seconds()
    if (today.month, today.day) >= CALENDAR_WARNING_MONTH_DAY and not next_year_available:
        degraded = True
    return JsonResponse(
        {
            "status": "degraded" if degraded else "ok",
            "database": "ok",
            "jobs": {
                "last_heartbeat": beat.isoformat() if beat else None,
                "heartbeat_age_seconds": heartbeat_age,
                "queued": queued,
                "oldest_queued_age_seconds": oldest_age,
            },
            "calendar": {
                "years": [years[0], years[-1]] if years else [],
                "next_year_available": next_year_available,
                "provisional_years": provisional_years,
                "next_year_provisional": (today.year + 1) in provisional_years,
            },
        }
    )
