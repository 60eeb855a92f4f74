"""Who hears of each step of credit repair, and how the inbox names its cases.

Services call these at their end, inside their transaction: the in-app rows are written with the act,
e-mail and SMS go out only after it commits (workflow.notifications). The enterprise is outside: its
users are told in-app, by e-mail and by SMS.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from repair.models import Objection, RepairApplication
from workflow import roles
from workflow.deadlines import deadlines_for
from workflow.models import Deadline, User
from workflow.notifications import CaseRef, case_refs, notification_send

OPEN_CLOCK = [Deadline.Status.RUNNING, Deadline.Status.PAUSED, Deadline.Status.OVERDUE]


def _active(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def unit_officers(unit_id: int) -> list[User]:
    """The penalty officers of a deciding unit: they review its repair applications."""
    return _active(Q(agency_id=unit_id, groups__name=roles.PENALTY_OFFICER))


def enterprise_users(enterprise_id: int) -> list[User]:
    return _active(Q(enterprise_id=enterprise_id, groups__name=roles.ENTERPRISE_USER))


def application_code(application: RepairApplication) -> str:
    return _("Repair application No. %(id)s") % {"id": application.pk}


def _feedback_due(application: RepairApplication):
    clock = deadlines_for(application).filter(purpose="feedback", status__in=OPEN_CLOCK).first()
    return clock.due_on if clock and clock.status != Deadline.Status.PAUSED else None


def _send(application: RepairApplication, *, recipients, title: str, step: str, category: str, outside: bool) -> None:
    due = _feedback_due(application)
    notification_send(
        recipients=recipients,
        title=title,
        link=reverse("repair-application", args=[application.pk]),
        category=category,
        case_code=application_code(application),
        party=application.enterprise.name,
        step=step,
        due_on=None if outside else due,
        sms=outside,
        dedupe_key=f"{category}:{application.pk}:{application.status}:{due}",
    )


def application_accepted_notify(*, application: RepairApplication) -> None:
    """Accepted at once: the enterprise is told the date it will hear by; the unit's officers review."""
    with translation.override(settings.LANGUAGE_CODE):
        code = application_code(application)
        due = _feedback_due(application)
        _send(
            application,
            recipients=enterprise_users(application.enterprise_id),
            title=_("%(code)s accepted: you will have the result by %(due)s") % {"code": code, "due": due},
            step=_("Review the repair application"),
            category="repair.accepted",
            outside=True,
        )
        _send(
            application,
            recipients=unit_officers(application.deciding_unit_id),
            title=_("%(code)s from %(party)s accepted: review it by %(due)s")
            % {"code": code, "party": application.enterprise.name, "due": due},
            step=_("Review the repair application"),
            category="repair.accepted",
            outside=False,
        )


def application_supplement_notify(*, application: RepairApplication) -> None:
    """补正 requested: the enterprise supplies the material; its clock waits meanwhile."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            application,
            recipients=enterprise_users(application.enterprise_id),
            title=_("%(code)s: more material is needed: %(items)s")
            % {"code": application_code(application), "items": application.supplement_items},
            step=_("Supply the material requested"),
            category="repair.supplement",
            outside=True,
        )


def application_supplement_received_notify(*, application: RepairApplication) -> None:
    """补正 received: the unit's officers go on with the review; the clock runs again."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            application,
            recipients=unit_officers(application.deciding_unit_id),
            title=_("%(code)s from %(party)s: the material requested has arrived")
            % {"code": application_code(application), "party": application.enterprise.name},
            step=_("Review the repair application"),
            category="repair.supplement_received",
            outside=False,
        )


def application_approval_notify(*, application: RepairApplication) -> None:
    """Serious-category information: the deciding unit proposes repair, a supervisor approves or refuses."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            application,
            recipients=_active(Q(groups__name=roles.SUPERVISOR)),
            title=_("%(code)s from %(party)s: the deciding unit proposes repair; your approval is needed")
            % {"code": application_code(application), "party": application.enterprise.name},
            step=_("Approve the repair of serious dishonesty information"),
            category="repair.approval",
            outside=False,
        )


def application_decided_notify(*, application: RepairApplication) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = (
            _("%(code)s: your credit has been repaired.")
            if application.approved
            else _("%(code)s: your application was not granted; the decision gives the reasons.")
        ) % {"code": application_code(application)}
        _send(
            application,
            recipients=enterprise_users(application.enterprise_id),
            title=title,
            step=_("Decision issued"),
            category="repair.decision",
            outside=True,
        )


# --- how the inbox names the cases, and who owns their clocks -----------------------------------------------------


@case_refs("repair.repairapplication")
def application_refs(ids: list[str]) -> dict[str, CaseRef]:
    applications = list(RepairApplication.objects.filter(pk__in=ids).select_related("enterprise"))
    officers: dict[int, list[User]] = {}
    for user in User.objects.filter(
        agency_id__in={a.deciding_unit_id for a in applications}, groups__name=roles.PENALTY_OFFICER, is_active=True
    ).distinct():
        officers.setdefault(user.agency_id, []).append(user)  # type: ignore[arg-type]
    return {
        str(a.pk): CaseRef(
            code=application_code(a),
            party=a.enterprise.name,
            link=reverse("repair-application", args=[a.pk]),
            owners={"*": officers.get(a.deciding_unit_id, [])},
        )
        for a in applications
    }


@case_refs("repair.objection")
def objection_refs(ids: list[str]) -> dict[str, CaseRef]:
    objections = list(Objection.objects.filter(pk__in=ids).select_related("record", "record__enterprise"))
    officers: dict[int, list[User]] = {}
    for user in User.objects.filter(
        agency_id__in={o.record.deciding_unit_id for o in objections},
        groups__name=roles.PENALTY_OFFICER,
        is_active=True,
    ).distinct():
        officers.setdefault(user.agency_id, []).append(user)  # type: ignore[arg-type]
    return {
        str(o.pk): CaseRef(
            code=o.record.decision_number,
            party=o.record.subject_name,
            link=reverse("repair-objection", args=[o.pk]),
            owners={"*": officers.get(o.record.deciding_unit_id, [])},
        )
        for o in objections
    }
