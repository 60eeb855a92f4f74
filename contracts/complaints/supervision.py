"""Supervision of the complaint column: which complaints are overdue, and the supervision notice (督办书).

The daily sweep (contracts.sweeps.sweep_complaints) drafts one ComplaintSupervisionNotice when a
handling body lets its handling clock run out; a supervisor reviews the text on the dashboard and
issues it here: a numbered PDF from the supervisor's agency, the handling body's clerks and heads
told, an audit row on the complaint.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from contracts.models import Complaint, ComplaintSupervisionNotice
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.documents import document_issue
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Deadline, Document, User
from workflow.notifications import notification_send
from workflow.rules import rule_in_force

NOTICE_DOC_TYPE = "complaint_supervision_notice"
NOTICE_TEMPLATE = "documents/complaint_supervision_notice.html"
NOTICE_SERIES = "投诉督办"
NOTICE_TITLE = "投诉办理督办书"
OPEN_CLOCK = [Deadline.Status.RUNNING, Deadline.Status.OVERDUE]


def _clocks(today: dt.date | None = None):
    """Deadlines of the complaint in the outer query that are still open (and past due, given `today`)."""
    qs = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=Cast(OuterRef("pk"), CharField()),
        status__in=OPEN_CLOCK + [Deadline.Status.PAUSED],
    )
    if today is not None:
        qs = qs.filter(status__in=OPEN_CLOCK, due_on__lt=today)
    return qs.order_by("due_on", "id")


def complaints_with_clock(qs, *, today: dt.date):
    """Annotate complaints with their next open clock (purpose, due date) and whether one is past due.
    One query, whatever the number of complaints."""
    return qs.annotate(
        next_purpose=Subquery(_clocks().values("purpose")[:1]),
        next_due=Subquery(_clocks().values("due_on")[:1]),
        overdue_since=Subquery(_clocks(today).values("due_on")[:1]),
        overdue_purpose=Subquery(_clocks(today).values("purpose")[:1]),
        is_overdue=Exists(_clocks(today)),
    )


def complaints_overdue(qs, *, today: dt.date):
    """Complaints with a step past its due date and not done (whether or not the sweep has run yet)."""
    return complaints_with_clock(qs, today=today).filter(is_overdue=True).order_by("overdue_since", "id")


def supervision_notices_open():
    return (
        ComplaintSupervisionNotice.objects.filter(issued_on__isnull=True)
        .select_related("complaint", "agency")
        .order_by("drafted_on", "id")
    )


def supervision_notices_issued(limit: int = 20):
    return (
        ComplaintSupervisionNotice.objects.filter(issued_on__isnull=False)
        .select_related("complaint", "agency", "issued_by")
        .order_by("-issued_on", "-id")[:limit]
    )


def supervision_notice_document(notice: ComplaintSupervisionNotice) -> Document | None:
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=str(notice.complaint_id),
        doc_type=NOTICE_DOC_TYPE,
    ).first()


def supervision_notice_documents(notices) -> dict[str, Document]:
    """The issued notice documents of `notices`' complaints, by the complaint's id (as text). One query."""
    return {
        d.object_id: d
        for d in Document.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            object_id__in=[str(n.complaint_id) for n in notices],
            doc_type=NOTICE_DOC_TYPE,
        )
    }


def _split_text(text: str, agency_name: str) -> tuple[str, list[str]]:
    """The draft begins with the addressee ("X市交通运输局："); the rest are paragraphs."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].endswith(("：", ":")) and len(lines[0]) <= 60:
        return lines[0][:-1], lines[1:]
    return agency_name, lines


def supervision_notice_issue(
    *, notice: ComplaintSupervisionNotice, text: str, acting_user
) -> ComplaintSupervisionNotice:
    """Issue the drafted supervision notice with the supervisor's (possibly edited) text. Idempotent:
    a notice issued already is returned unchanged."""
    if not (getattr(acting_user, "is_authenticated", False) and roles.has_role(acting_user, roles.SUPERVISOR)):
        raise PermissionDenied(_("Only a supervisor issues a supervision notice."), "forbidden")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the text of the supervision notice."), "required", field="text")
    issuer = acting_user.agency
    if issuer is None or not issuer.doc_prefix:
        raise ValidationFailed(
            _("Your account is not linked to an agency with a document number prefix."), "invalid", field="issuer"
        )
    with transaction.atomic():
        notice = ComplaintSupervisionNotice.objects.select_for_update().select_related("agency").get(pk=notice.pk)
        if notice.issued_on is not None:
            return notice
        complaint = Complaint.objects.select_related("complainant").get(pk=notice.complaint_id)
        if complaint.status != Complaint.Status.TRANSFERRED:
            raise Conflict(
                _("The handling body has reported back since this draft was made; no notice is needed."),
                "complaint_state",
            )
        recipients, paragraphs = _split_text(text, notice.agency.name)
        today = clock.today()
        rule = rule_in_force("complaint.handle", complaint.transferred_on or today)
        document = document_issue(
            case=complaint,
            doc_type=NOTICE_DOC_TYPE,
            title=NOTICE_TITLE,
            template=NOTICE_TEMPLATE,
            issuer=issuer,
            series=NOTICE_SERIES,
            acting_user=acting_user,
            context={
                "recipients": recipients,
                "paragraphs": paragraphs,
                "code": complaint.code,
                "complainant": complaint.complainant.name,
                "received_on": complaint.received_on.isoformat(),
                "transferred_on": complaint.transferred_on.isoformat() if complaint.transferred_on else None,
                "due_on": notice.due_on.isoformat(),
                "handle_days": rule.amount,
                "handle_ceiling": rule.ceiling or rule.amount,
            },
        )
        notice.text, notice.issued_on, notice.issued_by = text, today, acting_user
        notice.save(update_fields=["text", "issued_on", "issued_by"])
        staff = (
            User.objects.filter(
                agency=notice.agency, is_active=True, groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD]
            )
            .distinct()
            .order_by("pk")
        )
        notification_send(
            recipients=staff,
            title=_("Supervision notice %(number)s: complaint %(code)s is overdue")
            % {"number": document.doc_number, "code": complaint.code},
            body=text,
            link=reverse("complaint-detail", args=[complaint.code]),
            category="complaint.supervision",
            dedupe_key=f"complaint-supervision:{notice.pk}",
        )
        audit_record(
            action="complaint.supervision_notice",
            obj=complaint,
            actor=acting_user,
            changes={"notice": notice.pk, "doc_number": document.doc_number, "agency": notice.agency.code},
        )
    return notice
