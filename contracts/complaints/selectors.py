"""Reads of complaints: for staff scoped to the user, for the complainant by the code and the mobile's last
four digits; the step the user may take now, the public progress, the documents."""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from contracts.complaints.flows import ComplaintFlow
from contracts.complaints.labels import STEP_LABELS, STEP_STATUS_LABELS
from contracts.complaints.supervision import complaints_with_clock
from contracts.models import Complaint, ComplaintProcess, Contract
from workflow import clock, ratelimit, roles
from workflow.deadlines import deadlines_for
from workflow.errors import NotFound, RateLimited, ValidationFailed
from workflow.flows import process_of, task_open_for_user
from workflow.models import Agency, Document
from workflow.scoping import agencies_for_user

# The complaint's status in which each flow step makes sense.
STEP_STATUS = {
    "accept": Complaint.Status.SUBMITTED,
    "transfer": Complaint.Status.ACCEPTED,
    "handle": Complaint.Status.TRANSFERRED,
    "feedback": Complaint.Status.HANDLED,
    "review": Complaint.Status.UNDER_REVIEW,
}
# The complainant's documents: kind → (doc_type, or its prefix ending in ":"; the file's title).
PUBLIC_DOCUMENTS = {
    "receipt": ("complaint_receipt", "投诉登记回执"),
    "reply": ("complaint_feedback:", "投诉办理情况答复函"),
    "rejection": ("complaint_rejection", "投诉不予受理告知书"),
}


# --- for the complainant ---------------------------------------------------------------------------------------


def complaint_get_for_tracking(*, code: str, mobile_last4: str, ip: str | None = None) -> Complaint:
    """The complaint for its code plus the last four digits of the contact mobile; one answer for both
    a wrong code and wrong digits, so that codes cannot be probed. Failed look-ups are limited per code
    and per client address (RateLimited, code "tracking_limited"): each look-up is counted first and
    taken back when it matched, so that the four digits cannot be guessed by brute force."""
    code = (code or "").strip().upper()[:32]
    window = dt.timedelta(hours=1)
    message = _("Too many failed look-ups; please try again later.")
    keys = [(f"track-code:{code}", settings.GOVCREDIT_TRACKING_FAILURES_PER_CODE_HOUR)]
    if ip:
        keys.append((f"track-ip:{ip}", settings.GOVCREDIT_TRACKING_FAILURES_PER_IP_HOUR))
    counted: list[str] = []
    try:
        for key, limit in keys:
            counted.append(key)
            ratelimit.limit(key, limit=limit, window=window, message=message, code="tracking_limited")
    except RateLimited:
        for key in counted[:-1]:
            ratelimit.release(key)  # refused unchecked: only the limit that refused keeps its count
        raise
    complaint = Complaint.objects.filter(code=code).first()
    if complaint is None or not mobile_last4 or complaint.contact_mobile[-4:] != str(mobile_last4).strip():
        raise NotFound(_("No complaint matches this code and these digits."), "not_found")
    for key in counted:
        ratelimit.release(key)
    return complaint


def complaint_steps(complaint: Complaint) -> list[dict]:
    """The public progress of a complaint: each step with its start, due and done dates."""
    clocks = {d.purpose: d for d in deadlines_for(complaint)}

    def step(name, started, due, done, status=None):
        status = status or ("done" if done else ("pending" if not started else "in_progress"))
        return {"name": name, "status": status, "started_on": started, "due_on": due, "done_on": done}

    c = complaint
    rejected = c.status == Complaint.Status.REJECTED
    accept = clocks.get("accept")
    transfer = clocks.get("transfer")
    handles = sorted((d for p, d in clocks.items() if p.startswith("handle")), key=lambda d: d.start_on)
    handle = handles[-1] if handles else None
    steps = [
        step("submitted", c.received_on, None, c.received_on),
        step(
            "acceptance",
            c.received_on,
            accept.due_on if accept else None,
            c.accepted_on or (accept.completed_on if rejected and accept else None),
            "rejected" if rejected else None,
        ),
    ]
    if rejected:
        return steps
    steps += [
        step("transfer", c.accepted_on, transfer.due_on if transfer else None, c.transferred_on),
        step(
            "handling",
            handle.start_on if handle else None,
            handle.due_on if handle else None,
            c.handled_on if c.status not in (Complaint.Status.TRANSFERRED,) else None,
        ),
        step("feedback", c.handled_on, None, c.answered_on),
        step("evaluation", c.answered_on, None, c.evaluated_on),
        step("closed", None, None, c.closed_on),
    ]
    return steps


def public_steps(complaint: Complaint) -> list[dict]:
    """complaint_steps with their labels, and whether a step in progress is past its due date."""
    today = clock.today()
    steps = []
    for s in complaint_steps(complaint):
        overdue = s["status"] == "in_progress" and s["due_on"] is not None and s["due_on"] < today
        steps.append(
            {
                **s,
                "label": str(STEP_LABELS.get(s["name"], s["name"])),
                "status_label": str(STEP_STATUS_LABELS.get(s["status"], s["status"])),
                "overdue": overdue,
            }
        )
    return steps


def complaint_documents(complaint: Complaint):
    """The documents issued on the complaint."""
    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id=str(complaint.pk)
    ).select_related("issuer")


def complaint_public_documents(complaint: Complaint) -> list[dict]:
    """The latest document of each PUBLIC_DOCUMENTS kind issued on the complaint."""
    docs = list(complaint_documents(complaint).order_by("created_at", "id"))
    out = []
    for kind, (prefix, _title) in PUBLIC_DOCUMENTS.items():
        found = [d for d in docs if d.doc_type == prefix or (prefix.endswith(":") and d.doc_type.startswith(prefix))]
        if found:
            out.append({"kind": kind, "document": found[-1], "ready": bool(found[-1].file)})
    return out


def complainable_contracts(enterprise):
    """The enterprise's registered contracts (not drafts) it may name in a complaint, newest first."""
    return (
        Contract.objects.filter(counterparty=enterprise)
        .exclude(status=Contract.Status.DRAFT)
        .select_related("agency")
        .order_by("-signed_on", "-id")[:100]
    )


# --- for staff -------------------------------------------------------------------------------------------------


def sees_all_complaints(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.SUPERVISOR, roles.COMPLAINT_OFFICER)


def complaints_visible_to(user):
    """Complaint officers and supervisors see all; an agency's clerks and heads see complaints against or
    routed to their agency (and those below it); enterprises see their own. Other staff (a window clerk,
    a penalty officer) see none. The complaint's documents follow the same rule."""
    if sees_all_complaints(user):
        return Complaint.objects.all()
    if user.agency_id and roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD):
        ids = list(agencies_for_user(user).values_list("id", flat=True))
        return Complaint.objects.filter(Q(respondent_id__in=ids) | Q(handling_agency_id__in=ids))
    if user.enterprise_id:
        return Complaint.objects.filter(complainant_id=user.enterprise_id)
    return Complaint.objects.none()


def complaint_get_for_user(*, user, code: str) -> Complaint:
    complaint = complaints_visible_to(user).filter(code=code).first()
    if complaint is None:
        raise NotFound(_("No such complaint."), "not_found")
    return complaint


def complaints_listed(user, *, q: str = "", status: str = "", respondent: str = "", overdue: bool = False):
    """The complaints `user` may see, with their next clock (complaints_with_clock), filtered, newest first."""
    qs = complaints_with_clock(
        complaints_visible_to(user).select_related("complainant", "respondent", "handling_agency"),
        today=clock.today(),
    )
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(complainant__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if respondent:
        qs = qs.filter(respondent__code=respondent)
    if overdue:
        qs = qs.filter(is_overdue=True)
    return qs.order_by("-submitted_at", "-id")


def complaint_respondents_for(user):
    """The agencies `user` may filter the complaint list by."""
    return (Agency.objects.all() if sees_all_complaints(user) else agencies_for_user(user)).order_by("path")


def transfer_agency(code: str) -> Agency:
    """The handling body a complaint is transferred to, by its code; a field error on `agency` if unknown."""
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        raise ValidationFailed(_("Unknown agency."), "invalid", field="agency")
    return agency


# --- the flow ---------------------------------------------------------------------------------------------------


def complaint_process(complaint: Complaint) -> ComplaintProcess:
    return process_of(complaint, ComplaintProcess)


def complaint_current_step(*, complaint: Complaint, user) -> str | None:
    """The step whose flow task `user` may take now, if any."""
    process = complaint_process(complaint)
    for name in ("accept", "transfer", "handle", "feedback", "review"):
        if task_open_for_user(process=process, user=user, node=getattr(ComplaintFlow, name)) is not None:
            return name
    return None


def open_step(complaint: Complaint, user) -> str | None:
    """The step `user` may take now, if the complaint is in the state for it (a flow task left open by
    mistake, e.g. a review after a satisfied evaluation, is not offered)."""
    step = complaint_current_step(complaint=complaint, user=user)
    return step if step is not None and complaint.status == STEP_STATUS.get(step) else None
