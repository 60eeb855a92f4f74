"""/staff/repair/: each role's starting page, and the supervisor's measures per deciding unit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from repair.forms import PeriodForm
from repair.metrics import repair_measures, repair_measures_by_unit
from repair.selectors import is_enterprise_user, is_officer, is_supervisor, is_window_clerk
from workflow import clock
from workflow.errors import DomainError


@login_required
def repair_home(request):
    """/staff/repair/: each role's starting page."""
    user = request.user
    if is_officer(user):
        return redirect("repair-records")
    if is_supervisor(user):
        return redirect("repair-applications")
    if is_enterprise_user(user) or is_window_clerk(user):
        return redirect("repair-mine")
    raise PermissionDenied


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@login_required
@require_GET
def measures(request):
    if not is_supervisor(request.user):
        raise PermissionDenied
    from contracts.evaluation.services import period_parse

    default = str(clock.today().year)
    form = PeriodForm(request.GET or {"period": default})
    try:
        period = period_parse(request.GET.get("period") or default)
    except DomainError as exc:
        form.is_valid()
        form.add_error("period", exc.message)
        period = period_parse(default)

    def shown(m: dict) -> dict:
        return {
            **m,
            "notice_rate_pct": _pct(m["notice_rate"]),
            "repair_rate_pct": _pct(m["repair_rate"]),
            "accepted_on_time_pct": _pct(m["accepted_on_time_rate"]),
            "feedback_on_time_pct": _pct(m["feedback_on_time_rate"]),
        }

    return render(
        request,
        "staff/repair/measures.html",
        {
            "form": form,
            "period": period,
            "total": shown(repair_measures(start=period.start, end=period.end)),
            "units": [shown(m) for m in repair_measures_by_unit(start=period.start, end=period.end)],
        },
    )
