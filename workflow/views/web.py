"""The web shell: public portal, login, staff landing, inbox, notifications, calendar.

Views are thin: they read through workflow.selectors (and workflow.notifications), call a service
for writes, and render a template.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow import clock, roles, selectors
from workflow.dashboards import dashboard_panels_shown, year_period
from workflow.errors import DomainError, NotFound
from workflow.forms import CalendarYearForm, LoginForm

LANDING_NOTIFICATIONS = 5
NOTIFICATIONS_PER_PAGE = 20


def _render(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, context or {}, status=status)


def _require_supervisor(user) -> None:
    if not roles.has_role(user, roles.SUPERVISOR):
        raise PermissionDenied


# -- public ------------------------------------------------------------------------------------


def portal_home(request):
    return _render(request, "portal/home.html")


class GovcreditLoginView(auth_views.LoginView):
    authentication_form = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lockout_minutes"] = settings.LOGIN_LOCKOUT_MINUTES
        return ctx


class GovcreditLogoutView(auth_views.LogoutView):
    pass


# -- staff -------------------------------------------------------------------------------------


@login_required
def staff_home(request):
    from workflow.notifications import notifications_for_user

    user = request.user
    today = clock.today()
    unread = list(notifications_for_user(user).filter(read_at__isnull=True)[:LANDING_NOTIFICATIONS])
    context = {
        "agency": user.agency,
        "enterprise": user.enterprise,
        "tasks_count": selectors.tasks_count_for_user(user),
        "unread_notifications": unread,
        "is_supervisor": roles.has_role(user, roles.SUPERVISOR),
        "panels": dashboard_panels_shown(user, period=year_period(today)),
    }
    if context["is_supervisor"]:
        context.update(
            calendar=selectors.calendar_status(today=today),
            rules_unverified=selectors.rules_unverified_count(on=today),
            outbox_dead=selectors.outbox_dead_count(),
            sweep_last=selectors.sweep_run_last(),
        )
    return _render(request, "staff/home.html", context)


@login_required
def staff_inbox(request):
    rows = selectors.tasks_for_user(request.user)
    return _render(
        request,
        "staff/inbox.html",
        {
            "assigned": [r for r in rows if r.assigned],
            "queued": [r for r in rows if not r.assigned],
            "flows_configured": bool(selectors.flow_classes()),
        },
    )


@login_required
def staff_notifications(request):
    from workflow.notifications import notifications_for_user

    page = Paginator(notifications_for_user(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "staff/notifications.html", {"page": page, "today": clock.today()})


@login_required
@require_POST
def staff_notification_read(request, pk: int):
    from workflow.notifications import notification_mark_read

    try:
        notification_mark_read(user=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "staff-notifications"
    return redirect(target)


@login_required
def staff_calendar(request):
    from workflow.calendar import calendar_year_enter

    _require_supervisor(request.user)
    if request.method == "POST":
        form = CalendarYearForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _year, moved = calendar_year_enter(
                    year=data["year"],
                    notice=data["notice"],
                    days=data["parsed_days"],
                    acting_user=request.user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Calendar for %(year)s saved: %(count)s days from %(notice)s.")
                    % {"year": data["year"], "count": len(data["parsed_days"]), "notice": data["notice"]},
                )
                # What the notice moved, shown once on the next page (each change is also audited).
                request.session["calendar_recomputed"] = {
                    "year": data["year"],
                    "moved": [m.as_dict() for m in moved],
                }
                return redirect("staff-calendar")
    else:
        status = selectors.calendar_status(today=clock.today())
        form = CalendarYearForm(initial={"year": status.next_year})
    return _render(
        request,
        "staff/calendar.html",
        {
            "form": form,
            "calendar": selectors.calendar_status(today=clock.today()),
            "declared": selectors.calendar_years_declared(),
            "overrides": selectors.holiday_overrides_list(),
            "recomputed": request.session.pop("calendar_recomputed", None) if request.method == "GET" else None,
        },
    )
