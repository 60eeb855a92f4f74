"""Who hears of each step of the contracts floor, and how the inbox names its cases.

Services call these at their end, inside their transaction: the in-app rows are written with the act,
e-mail and SMS go out only after it commits (workflow.notifications). A party outside (the SME
complainant) is told by SMS at its contact mobile, and in-app if its enterprise has users.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.models import Complaint, DisposalCase, Warning
from workflow import roles
from workflow.deadlines import deadlines_for
from workflow.models import Deadline, User
from workflow.notifications import CaseRef, case_refs, notification_send, party_tell

OPEN_CLOCK = [Deadline.Status.RUNNING, Deadline.Status.PAUSED, Deadline.Status.OVERDUE]


def _active(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def supervisors() -> list[User]:
    return _active(Q(groups__name=roles.SUPERVISOR))


def complaint_officers() -> list[User]:
    return _active(Q(groups__name=roles.COMPLAINT_OFFICER))


def agency_staff(agency_id: int | None) -> list[User]:
    if agency_id is None:
        return []
    return _active(Q(agency_id=agency_id, groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD]))


def _enterprise_users(enterprise_id: int) -> list[User]:
    return _active(Q(enterprise_id=enterprise_id, groups__name=roles.ENTERPRISE_USER))


def _due(case, purpose: str):
    clock = deadlines_for(case).filter(purpose=purpose, status__in=OPEN_CLOCK).order_by("-start_on", "-id").first()
    return clock.due_on if clock else None


# --- warnings and disposal -------------------------------------------------------------------------------------


def warning_escalated_notify(*, warning: Warning, acting_user) -> None:
    """提请督办: the supervisors decide whether to open a disposal."""
    contract = warning.contract
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            recipients=supervisors(),
            title=_("Warning on contract %(number)s escalated for supervision by %(who)s")
            % {"number": contract.number, "who": acting_user},
            body=warning.note,
            link=reverse("contracts-detail", args=[contract.pk]),
            category="warning.escalated",
            case_code=contract.number,
            party=contract.agency.name,
            step=_("Decide on supervision (督办)"),
            dedupe_key=f"warning-escalated:{warning.pk}",
        )


def disposal_opened_notify(*, case: DisposalCase) -> None:
    """The rectification notice is out: the agency's clerks and head respond by its date."""
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            recipients=agency_staff(case.agency_id),
            title=_("Disposal opened on contract %(number)s: rectify by %(due)s")
            % {"number": case.contract.number, "due": case.rectification_due_on},
            body=case.grounds,
            link=reverse("contracts-disposal", args=[case.pk]),
            category="disposal.opened",
            case_code=case.contract.number,
            party=case.agency.name,
            step=_("Respond to the rectification notice"),
            due_on=case.rectification_due_on,
            dedupe_key=f"disposal-opened:{case.pk}",
        )


def disposal_answered_notify(*, case: DisposalCase) -> None:
    """The agency responded: the supervisor who opened the case reviews it."""
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            recipients=[case.opened_by] if case.opened_by else supervisors(),
            title=_("%(agency)s responded to the rectification notice on contract %(number)s")
            % {"agency": case.agency.name, "number": case.contract.number},
            body=case.response,
            link=reverse("contracts-disposal", args=[case.pk]),
            category="disposal.answered",
            case_code=case.contract.number,
            party=case.agency.name,
            step=_("Review the rectification"),
            dedupe_key=f"disposal-answered:{case.pk}",
        )


# --- complaints --------------------------------------------------------------------------------------------------


def _complaint_send(complaint: Complaint, *, recipients, title: str, step: str, due, category: str) -> None:
    notification_send(
        recipients=recipients,
        title=title,
        link=reverse("contracts-complaint", args=[complaint.pk]),
        category=category,
        case_code=complaint.code,
        party=complaint.complainant.name,
        step=step,
        due_on=due,
        dedupe_key=f"{category}:{complaint.pk}:{due}",
    )


def _complainant_tell(complaint: Complaint, text: str, category: str) -> None:
    """The SME: SMS at the contact mobile given with the complaint, in-app for its users if it has any."""
    party_tell(mobile=complaint.contact_mobile, subject=text, text=text)
    notification_send(
        recipients=_enterprise_users(complaint.complainant_id),
        title=text,
        category=category,
        case_code=complaint.code,
        party=complaint.complainant.name,
        dedupe_key=f"{category}:complainant:{complaint.pk}:{complaint.status}",
    )


def complaint_accepted_notify(*, complaint: Complaint) -> None:
    due = _due(complaint, "transfer")
    with translation.override(settings.LANGUAGE_CODE):
        _complaint_send(
            complaint,
            recipients=complaint_officers(),
            title=_("Complaint %(code)s accepted: transfer it to the handling body by %(due)s")
            % {"code": complaint.code, "due": due},
            step=_("Transfer the complaint to the handling body"),
            due=due,
            category="complaint.accepted",
        )
        _complainant_tell(
            complaint,
            _("Your complaint %(code)s has been accepted.") % {"code": complaint.code},
            "complaint.accepted",
        )


def complaint_transferred_notify(*, complaint: Complaint) -> None:
    due = _due(complaint, "handle")
    agency = complaint.handling_agency
    with translation.override(settings.LANGUAGE_CODE):
        _complaint_send(
            complaint,
            recipients=agency_staff(complaint.handling_agency_id),
            title=_("Complaint %(code)s transferred to you: handle and reply by %(due)s")
            % {"code": complaint.code, "due": due},
            step=_("Handle the complaint"),
            due=due,
            category="complaint.transferred",
        )
        _complainant_tell(
            complaint,
            _("Your complaint %(code)s has been transferred to %(agency)s for handling.")
            % {"code": complaint.code, "agency": agency.name if agency else ""},
            "complaint.transferred",
        )


def complaint_answered_notify(*, complaint: Complaint) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _complaint_send(
            complaint,
            recipients=complaint_officers(),
            title=_("Complaint %(code)s answered by %(agency)s")
            % {"code": complaint.code, "agency": complaint.handling_agency.name if complaint.handling_agency else ""},
            step=_("Complainant's evaluation"),
            due=None,
            category="complaint.answered",
        )
        _complainant_tell(
            complaint,
            _("Your complaint %(code)s has been answered in writing; please evaluate the handling.")
            % {"code": complaint.code},
            "complaint.answered",
        )


def complaint_step_label(purpose: str) -> str:
    """The step a complaint clock times, as people say it (never the purpose code)."""
    labels = {
        "accept": _("Decide whether to accept the complaint"),
        "transfer": _("Transfer the complaint to the handling body"),
        "handle": _("Handle the complaint"),
    }
    return labels.get(purpose.rstrip("0123456789"), purpose)


def complaint_overdue_recipients(complaint: Complaint) -> list[User]:
    """The handling body's staff (who own the late step), the complaint officers and the supervisors."""
    return _active(
        Q(groups__name__in=[roles.COMPLAINT_OFFICER, roles.SUPERVISOR])
        | Q(agency_id=complaint.handling_agency_id, groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD])
    )


def complaint_overdue_notify(*, complaint: Complaint, clock: Deadline) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notification_send(
            recipients=complaint_overdue_recipients(complaint),
            title=_("Complaint %(code)s: the handling time ended on %(due)s without a reply")
            % {"code": complaint.code, "due": clock.due_on},
            link=reverse("contracts-complaint", args=[complaint.pk]),
            category="complaint.overdue",
            case_code=complaint.code,
            party=complaint.complainant.name,
            step=complaint_step_label(clock.purpose),
            due_on=clock.due_on,
            dedupe_key=f"complaint-overdue:{complaint.pk}:{clock.purpose}",
        )


# --- how the inbox names the cases, and who owns their clocks -----------------------------------------------------


@case_refs("contracts.complaint")
def complaint_refs(ids: list[str]) -> dict[str, CaseRef]:
    complaints = list(Complaint.objects.filter(pk__in=ids).select_related("complainant"))
    officers = complaint_officers()
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(
        agency_id__in={c.handling_agency_id for c in complaints if c.handling_agency_id},
        groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD],
        is_active=True,
    ).distinct():
        staff.setdefault(user.agency_id, []).append(user)  # type: ignore[arg-type]
    return {
        str(c.pk): CaseRef(
            code=c.code,
            party=c.complainant.name,
            link=reverse("contracts-complaint", args=[c.pk]),
            owners={"accept": officers, "transfer": officers, "handle": staff.get(c.handling_agency_id or 0, [])},
        )
        for c in complaints
    }


@case_refs("contracts.disposalcase")
def disposal_refs(ids: list[str]) -> dict[str, CaseRef]:
    return {
        str(c.pk): CaseRef(
            code=c.contract.number,
            party=c.agency.name,
            link=reverse("contracts-disposal", args=[c.pk]),
            due_on=c.rectification_due_on if c.responded_on is None else None,
        )
        for c in DisposalCase.objects.filter(pk__in=ids).select_related("contract", "agency")
    }
