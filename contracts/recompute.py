"""Contracts' part of the recompute when a year's State Council holiday notice is entered (issue 9
item 7; see workflow/recompute.py): open payment dates and the complaint clocks' recipients."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from workflow import roles
from workflow.recompute import Moved, deadline_recipients, notify_moved, recompute_hook


def _agency_staff(agency, *names: str):
    from workflow.models import User

    return User.objects.filter(agency=agency, is_active=True, groups__name__in=names).distinct().order_by("pk")


@recompute_hook("contracts.milestones")
def recompute_payment_dates(*, year: int, old, acting_user=None) -> list[Moved]:
    """Payment dates of milestones not yet met whose clock ran into `year`, recounted."""
    from contracts.models import Milestone
    from contracts.payment_terms import payment_due
    from workflow.audit import audit_record

    moved: list[Moved] = []
    rows = (
        Milestone.objects.select_for_update()
        .select_related("contract__agency")
        .filter(
            kind=Milestone.Kind.PAYMENT,
            status__in=[Milestone.Status.PLANNED, Milestone.Status.DUE],
            payment_due_on__gte=dt.date(year, 1, 1),
            delivered_on__lte=dt.date(year, 12, 31),
        )
        .exclude(payment_rule="contract.planned")
        .order_by("pk")
    )
    for m in rows:
        assert m.delivered_on is not None and m.payment_due_on is not None  # filtered above
        due = payment_due(m.contract, m, delivered_on=m.delivered_on, accepted_on=m.accepted_on)
        if due.due_on is None or due.due_on == m.payment_due_on:
            continue
        before = m.payment_due_on
        m.payment_due_on = due.due_on
        m.save(update_fields=["payment_due_on"])
        audit_record(
            action="milestone.payment_due_recompute",
            obj=m,
            actor=acting_user,
            reason=_("State Council holiday notice for %(year)s entered") % {"year": year},
            changes={"year": year, "payment_due_on": [before.isoformat(), due.due_on.isoformat()]},
        )
        link = reverse("contracts-detail", args=[m.contract_id])
        what = f"{m.contract.number} · {m.title}"
        n = notify_moved(
            users=_agency_staff(m.contract.agency, roles.AGENCY_CLERK),
            what=what,
            before=before,
            after=due.due_on,
            link=link,
            key=f"recompute:milestone:{m.pk}:{due.due_on}",
        )
        moved.append(Moved("milestone", what, before, due.due_on, link, n))
    return moved


@deadline_recipients("contracts.complaint")
def complaint_recipients(complaint):
    """The handling agency's clerks and heads, and the complaint officers."""
    from workflow.models import User

    who = Q(groups__name=roles.COMPLAINT_OFFICER)
    if complaint.handling_agency_id is not None:  # not yet transferred: the officers only
        who |= Q(agency_id=complaint.handling_agency_id, groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD])
    users = User.objects.filter(is_active=True).filter(who).distinct().order_by("pk")
    return users, reverse("complaint-detail", args=[complaint.code])
