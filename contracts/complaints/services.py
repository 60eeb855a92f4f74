"""The SME complaint column (政府违约失信投诉专栏): the steps' services, which ComplaintFlow's tasks and nodes
run (contracts.complaints.process runs the tasks; this module never imports the flow).

Statutory clocks (保障中小企业款项支付条例 第二十五条; rules in the table):
- `complaint.accept`: decide whether to accept within 10 working days of receipt (unconfirmed rule);
- `complaint.transfer`: transfer an accepted complaint within 10 working days of acceptance;
- `complaint.handle`: handle and answer within 30 days of the handling body receiving the materials;
  with the head's approval at most 90 days in all.
Each clock is a workflow Deadline on the complaint, so pauses, extensions and history are kept.
"""

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.interest import contract_interest, interest_rule
from contracts.models import ArrearsCase, Complaint
from contracts.notify import (
    complaint_accepted_notify,
    complaint_answered_notify,
    complaint_overdue_notify,
    complaint_transferred_notify,
)
from contracts.payment_terms import statutory_rule
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import deadline_complete, deadline_extend, deadline_start, deadlines_for
from workflow.documents import document_issue
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Agency, Deadline, Enterprise
from workflow.rules import rule_in_force
from workflow.transitions import locked, transition

REFUSED = gettext_lazy("The complaint is %(status)s; that is not possible now.")


def complaint_office() -> Agency | None:
    return Agency.objects.filter(code=settings.GOVCREDIT_COMPLAINT_OFFICE).first()


# --- the steps -------------------------------------------------------------------------------------------------


def _citation(rule) -> str:
    return f"《{rule.basis_document.split('（')[0]}》{rule.basis_article}"


def complaint_time_limits(*, on: dt.date) -> dict:
    """The complaint clocks as the receipt states them, from the rule rows in force on `on`, cited."""
    accept = rule_in_force("complaint.accept", on)
    transfer = rule_in_force("complaint.transfer", on)
    handle = rule_in_force("complaint.handle", on)
    return {
        "accept_basis": _citation(accept),
        "transfer_days": transfer.amount,
        "handle_days": handle.amount,
        "handle_ceiling": handle.ceiling or handle.amount,
        "handle_basis": _citation(handle),
    }


def _clock(complaint: Complaint, purpose: str) -> Deadline:
    """The complaint's `accept` or `transfer` clock: complaint_file starts the first with the complaint,
    complaint_accept the second, so a complaint that has reached the step has it."""
    deadline = deadlines_for(complaint).filter(purpose=purpose).first()
    assert deadline is not None, f"complaint {complaint.code} has no {purpose} clock"
    return deadline


def complaint_accept(*, complaint: Complaint, acting_user) -> Complaint:
    complaint = locked(complaint)
    today = clock.today()
    before = transition(complaint, "accept", refused=REFUSED, values={"accepted_on": today})
    deadline_complete(deadline=_clock(complaint, "accept"), on=today, acting_user=acting_user)
    deadline_start(
        case=complaint, purpose="transfer", rule_code="complaint.transfer", start_on=today, acting_user=acting_user
    )
    audit_record(
        action="complaint.accept", obj=complaint, actor=acting_user, from_state=before, to_state=complaint.status
    )
    complaint_accepted_notify(complaint=complaint)
    return complaint


def complaint_reject(*, complaint: Complaint, reason: str, text: str, acting_user) -> Complaint:
    if reason not in Complaint.RejectReason.values:
        raise ValidationFailed(_("Choose the reason."), "invalid", field="reason")
    if not text.strip():
        raise ValidationFailed(_("Explain the decision to the complainant."), "required", field="text")
    complaint = locked(complaint)
    before = transition(complaint, "reject", refused=REFUSED, values={"reject_reason": reason, "reject_text": text})
    today = clock.today()
    deadline_complete(deadline=_clock(complaint, "accept"), on=today, acting_user=acting_user)
    document_issue(
        case=complaint,
        doc_type="complaint_rejection",
        title="投诉不予受理告知书",
        template="documents/complaint_rejection.html",
        issuer=complaint_office(),
        series="投诉",
        acting_user=acting_user,
        context={
            "recipients": complaint.complainant.name,
            "code": complaint.code,
            "received_on": complaint.received_on.isoformat(),
            "respondent": complaint.respondent_name,
            "reason": complaint.get_reject_reason_display(),
            "reason_code": reason,
            "text": text,
        },
    )
    audit_record(
        action="complaint.reject",
        obj=complaint,
        actor=acting_user,
        from_state=before,
        to_state=complaint.status,
        reason=f"{complaint.get_reject_reason_display()}：{text}",  # the label people read, never the code
    )
    return complaint


def complaint_transfer(*, complaint: Complaint, agency: Agency, acting_user) -> Complaint:
    complaint = locked(complaint)
    today = clock.today()
    before = transition(
        complaint, "transfer", refused=REFUSED, values={"handling_agency": agency, "transferred_on": today}
    )
    deadline_complete(deadline=_clock(complaint, "transfer"), on=today, acting_user=acting_user)
    # The handling body receives the materials with the transfer: its 30 days start now.
    deadline_start(
        case=complaint, purpose="handle", rule_code="complaint.handle", start_on=today, acting_user=acting_user
    )
    audit_record(
        action="complaint.transfer",
        obj=complaint,
        actor=acting_user,
        from_state=before,
        to_state=complaint.status,
        changes={"handling_agency": agency.code},
    )
    complaint_transferred_notify(complaint=complaint)
    return complaint


def _open_handle_clock(complaint) -> Deadline | None:
    return (
        deadlines_for(complaint)
        .filter(purpose__startswith="handle")
        .exclude(status__in=[Deadline.Status.MET, Deadline.Status.MET_LATE, Deadline.Status.CANCELLED])
        .order_by("-start_on", "-id")
        .first()
    )


def complaint_handle(
    *, complaint: Complaint, findings: str, amount_confirmed, disputed: bool, repayment_plan: str = "", acting_user
) -> Complaint:
    if not findings.strip():
        raise ValidationFailed(_("State the facts found."), "required", field="findings")
    try:
        amount = None if amount_confirmed in (None, "") else Decimal(str(amount_confirmed))
        if amount is not None and amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationFailed(_("Enter the confirmed amount in yuan."), "invalid", field="amount_confirmed") from None
    complaint = locked(complaint)
    today = clock.today()
    interest = complaint_interest(complaint, as_of=today)
    before = transition(
        complaint,
        "record_handling",
        refused=REFUSED,
        values={
            "findings": findings,
            "amount_confirmed": amount,
            "interest_confirmed": interest,
            "disputed": bool(disputed),
            "repayment_plan": repayment_plan,
            "handled_on": today,
        },
    )
    handle = _open_handle_clock(complaint)
    if handle is not None:
        deadline_complete(deadline=handle, on=today, acting_user=acting_user)
    _update_arrears(complaint, acting_user)
    audit_record(
        action="complaint.handle",
        obj=complaint,
        actor=acting_user,
        from_state=before,
        to_state=complaint.status,
        changes={
            "amount_confirmed": str(amount) if amount is not None else None,
            "interest_confirmed": str(interest) if interest is not None else None,
            "interest_until": today.isoformat() if interest is not None else None,
            "disputed": disputed,
        },
    )
    return complaint


def complaint_interest(complaint: Complaint, *, as_of: dt.date) -> Decimal | None:
    """Late-payment interest owed on the complained-of contract up to `as_of` (contracts.interest), when the
    contract is registered and its payee is an SME (the regulation's interest); None otherwise."""
    contract = complaint.contract
    if contract is None or statutory_rule(contract) is None:
        return None
    return contract_interest(contract, as_of=as_of)


def _update_arrears(complaint, acting_user) -> None:
    """A confirmed unpaid amount opens (for overdue payments the sweep has not yet taken up) or confirms the
    arrears cases of the contract; a disputed one marks them disputed."""
    if complaint.contract_id is None:
        return
    if complaint.amount_confirmed and not complaint.disputed:
        from django.db.models import F

        from contracts.models import Milestone

        today = clock.today()
        missing = (
            Milestone.objects.select_related("contract")
            .filter(
                contract_id=complaint.contract_id,
                kind=Milestone.Kind.PAYMENT,
                payment_due_on__lt=today,
                paid_amount__lt=F("amount"),
                arrears__isnull=True,
            )
            .exclude(contract__counterparty_size=Enterprise.Size.LARGE)
        )
        for m in missing:
            case = ArrearsCase.objects.create(
                agency_id=m.contract.agency_id,
                enterprise_id=m.contract.counterparty_id,
                contract_id=m.contract_id,
                milestone=m,
                due_on=m.payment_due_on,
                owed=m.amount - m.paid_amount,
                identified_on=today,
            )
            audit_record(
                action="arrears.open",
                obj=case,
                actor=acting_user,
                to_state=case.status,
                reason=_("Complaint %(code)s") % {"code": complaint.code},
            )
    for case in (
        ArrearsCase.objects.select_for_update()
        .filter(contract_id=complaint.contract_id)
        .exclude(status=ArrearsCase.Status.RESOLVED)
    ):
        name = "dispute" if complaint.disputed else "confirm"
        with contextlib.suppress(Conflict):  # a case the step does not apply to in its state stays as it is
            transition(
                case,
                name,
                actor=acting_user,
                action=f"arrears.{name}",
                reason=_("Complaint %(code)s") % {"code": complaint.code},
            )


@transaction.atomic
def complaint_extend(*, complaint: Complaint, days: int, reason: str, approver) -> Complaint:
    """Extend the handling time (the head of the handling body approves; 90 days in all at most); the
    complainant is told by SMS."""
    complaint = locked(complaint)
    if complaint.status != Complaint.Status.TRANSFERRED:
        raise Conflict(_("Only a complaint being handled can be extended."), "complaint_state")
    if not (roles.has_role(approver, roles.AGENCY_HEAD) and approver.agency_id == complaint.handling_agency_id):
        raise PermissionDenied(_("The head of the handling body approves an extension."), "forbidden")
    handle = _open_handle_clock(complaint)
    # complaint_transfer and complaint_review (reopen) start a handle clock, and only complaint_handle
    # (which leaves TRANSFERRED) completes it: a transferred complaint has an open one.
    assert handle is not None, f"transferred complaint {complaint.code} has no open handle clock"
    deadline = deadline_extend(deadline=handle, amount=days, reason=reason, approver=approver, acting_user=approver)
    from workflow.notifications import get_sms_backend

    sms = get_sms_backend()
    transaction.on_commit(
        lambda: sms.send(
            complaint.contact_mobile,
            f"您的投诉{complaint.code}办理期限已延长至{deadline.due_on:%Y年%m月%d日}，理由：{reason}",
        )
    )
    audit_record(
        action="complaint.extend",
        obj=complaint,
        actor=approver,
        reason=reason,
        changes={"days": days, "due": deadline.due_on.isoformat()},
    )
    return complaint


def complaint_feedback(*, complaint: Complaint, text: str, acting_user) -> Complaint:
    if not text.strip():
        raise ValidationFailed(_("Write the reply to the complainant."), "required", field="text")
    complaint = locked(complaint)
    before = transition(complaint, "answer", refused=REFUSED, values={"feedback": text, "answered_on": clock.today()})
    agency = complaint.handling_agency
    assert agency is not None, "a handled complaint was transferred to a handling body"
    office = complaint_office()
    document_issue(
        case=complaint,
        doc_type=f"complaint_feedback:{complaint.handled_on:%Y%m%d}",
        title="投诉办理情况答复函",
        template="documents/complaint_feedback.html",
        issuer=agency,
        series="函" if agency.doc_prefix else "",
        acting_user=acting_user,
        context={
            "recipients": complaint.complainant.name,
            "code": complaint.code,
            "received_on": complaint.received_on.isoformat(),
            "findings": complaint.findings,
            "amount_confirmed": f"{complaint.amount_confirmed:.2f}" if complaint.amount_confirmed is not None else None,
            **_interest_context(complaint),
            "disputed": complaint.disputed,
            "repayment_plan": complaint.repayment_plan,
            "text": text,
            "cc": office.name if office else "",
        },
    )
    audit_record(
        action="complaint.feedback", obj=complaint, actor=acting_user, from_state=before, to_state=complaint.status
    )
    complaint_answered_notify(complaint=complaint)
    return complaint


def _interest_context(complaint: Complaint) -> dict:
    """What the reply letter states about late-payment interest: the amount up to the handling date, its
    basis (the regulation in force when the contract was signed) and, with a confirmed principal, the total."""
    if complaint.interest_confirmed is None or complaint.contract is None:
        return {"interest_confirmed": None}
    rule = interest_rule(complaint.contract)
    rate = complaint.contract.late_interest_daily
    total = None
    if complaint.amount_confirmed is not None:
        total = f"{complaint.amount_confirmed + complaint.interest_confirmed:.2f}"
    return {
        "interest_confirmed": f"{complaint.interest_confirmed:.2f}",
        "interest_until": complaint.handled_on.isoformat() if complaint.handled_on else None,
        "interest_basis": f"《{rule.basis_document.split('（')[0]}》{rule.basis_article}",
        "interest_rate": f"{((rate if rate is not None else rule.rate) or 0) * 100:f}".rstrip("0").rstrip("."),
        "interest_agreed": rate is not None,
        "total_owed": total,
    }


def complaint_evaluate(*, complaint: Complaint, satisfied: bool, reason: str = "") -> Complaint:
    """The complainant's evaluation. Not satisfied needs the reason: it is what the supervisor reviews."""
    reason = reason.strip()
    if not satisfied and not reason:
        raise ValidationFailed(_("Say why you are not satisfied."), "required", field="reason")
    complaint = locked(complaint)
    today = clock.today()
    values: dict[str, object] = {"satisfied": bool(satisfied), "evaluated_on": today}
    if satisfied:
        values["closed_on"] = today
    else:
        values["dissatisfaction_reason"] = reason
    transition(
        complaint,
        "close_satisfied" if satisfied else "send_to_review",
        refused=REFUSED,
        values=values,
        actor="complainant",
        action="complaint.evaluate",
        changes={"satisfied": bool(satisfied)},
    )
    return complaint


def complaint_review(*, complaint: Complaint, reopen: bool, note: str, acting_user) -> Complaint:
    """The supervisor's review after an unsatisfied evaluation: reopen handling, or close."""
    if not note.strip():
        raise ValidationFailed(_("Give the reasons for the review."), "required", field="note")
    complaint = locked(complaint)
    today = clock.today()
    values: dict[str, object] = {"review_note": note}
    if not reopen:
        values["closed_on"] = today
    before = transition(complaint, "reopen" if reopen else "close_after_review", refused=REFUSED, values=values)
    if reopen:
        rounds = deadlines_for(complaint).filter(purpose__startswith="handle").count()
        deadline_start(
            case=complaint,
            purpose=f"handle{rounds + 1}",
            rule_code="complaint.handle",
            start_on=today,
            acting_user=acting_user,
        )
    audit_record(
        action="complaint.review",
        obj=complaint,
        actor=acting_user,
        from_state=before,
        to_state=complaint.status,
        reason=note,
    )
    return complaint


def supervision_notice_text(complaint: Complaint, due: dt.date) -> str:
    """The notice's text for a transferred complaint (it has its handling body)."""
    from workflow.templatetags.govcredit_documents import cn_date as cn

    agency = complaint.handling_agency
    assert agency is not None and complaint.transferred_on is not None, f"{complaint.code} was not transferred"
    report = rule_in_force("complaint.supervision.report", clock.today())
    return (
        f"{agency.name}：\n投诉人{complaint.complainant.name}反映你单位拖欠账款一事（投诉编号"
        f"{complaint.code}），已于{cn(complaint.transferred_on)}转交你单位办理，办理期限已于{cn(due)}届满，"
        f"你单位至今未报送办理结果。请于收到本督办书之日起{report.amount}个工作日内办结并书面报告。"
    )


@transaction.atomic
def complaint_handling_overdue(*, complaint: Complaint) -> bool:
    """The handling time passed without a result: draft the supervision notice (once) and tell the
    complaint officers and supervisors (once). Does nothing if the current clock is not overdue (an
    approved extension moved it). Called by the flow's timer and, as a backstop, by the daily sweep."""
    from contracts.models import ComplaintSupervisionNotice

    complaint = locked(complaint)
    handle = _open_handle_clock(complaint)
    today = clock.today()
    if complaint.status != Complaint.Status.TRANSFERRED or handle is None or handle.due_on >= today:
        return False
    assert complaint.handling_agency is not None, "complaint_transfer sets the handling body"
    _notice, created = ComplaintSupervisionNotice.objects.get_or_create(
        complaint=complaint,
        defaults={
            "agency": complaint.handling_agency,
            "drafted_on": today,
            "due_on": handle.due_on,
            "text": supervision_notice_text(complaint, handle.due_on),
        },
    )
    complaint_overdue_notify(complaint=complaint, clock=handle)
    return created
