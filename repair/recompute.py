"""Who is told when a repair clock moves because a year's holiday notice was entered (issue 9 item 7;
see workflow/recompute.py): the deciding unit's penalty officers and the applicant's users."""

from __future__ import annotations

from django.urls import reverse

from workflow import roles
from workflow.recompute import deadline_recipients


def _officers(unit) -> list:
    from workflow.models import User

    return list(
        User.objects.filter(agency=unit, is_active=True, groups__name=roles.PENALTY_OFFICER).distinct().order_by("pk")
    )


@deadline_recipients("repair.repairapplication")
def application_recipients(application):
    users = _officers(application.deciding_unit) + list(application.enterprise.users.filter(is_active=True))
    return users, reverse("repair-application", args=[application.pk])


@deadline_recipients("repair.objection")
def objection_recipients(objection):
    users = _officers(objection.record.deciding_unit) + [objection.filed_by]
    return users, reverse("repair-objection", args=[objection.pk])
