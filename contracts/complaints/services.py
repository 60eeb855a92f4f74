"""The SME complaint column (政府违约失信投诉专栏): services behind ComplaintFlow.

Statutory clocks (保障中小企业款项支付条例 第二十五条; rules in the table):
- `complaint.accept`: decide whether to accept within 10 working days of receipt (unconfirmed rule);
- `complaint.transfer`: transfer an accepted complaint within 10 working days of acceptance;
- `complaint.handle`: handle and answer within 30 days of the handling body receiving the materials;
  with the head's approval at most 90 days in all.
Each clock is a workflow Deadline on the complaint, so pauses, extensions and history are kept.
"""

import contextlib
import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import ArrearsCase, Complaint, ComplaintEvidence, Contract, SubmissionThrottle
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import deadline_complete, deadline_extend, deadline_start, deadlines_for
from workflow.documents import document_issue
from workflow.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from workflow.models import Agency, Deadline, Enterprise
from workflow.models.parties import validate_uscc
from workflow.transitions import locked, transition
from workflow.uploads import CheckedUpload, uploads_check

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFUSED = gettext_lazy("The complaint is %(status)s; that is not possible now.")
OPEN_STATES = [s for s in Complaint.Status.values if s not in (Complaint.Status.CLOSED, Complaint.Status.REJECTED)]


def complaint_office() -> Agency | None:
    return Agency.objects.filter(code=settings.GOVCREDIT_COMPLAINT_OFFICE).first()


def _new_code(today: dt.date) -> str:
    while True:
        code = f"TS{today:%Y%m%d}{''.join(secrets.choice(CODE_ALPHABET) for _ in range(6))}"
        if not Complaint.objects.filter(code=code).exists():
            return code


def complaint_validate(data: dict) -> dict:
    """Check a submission; every problem is reported at once as {field: [messages]}."""
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    def text(value) -> str:
        return value.strip() if isinstance(value, str) else ""

    cp = data.get("complainant") if isinstance(data.get("complainant"), dict) else {}
    contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
    respondent = data.get("respondent") if isinstance(data.get("respondent"), dict) else {}
    contract = data.get("contract") if isinstance(data.get("contract"), dict) else {}
    out: dict = {}
    out["name"] = text(cp.get("name"))
    if not out["name"]:
        err("complainant.name", _("Enter the enterprise's name."))
    out["uscc"] = text(cp.get("uscc")).upper()
    try:
        validate_uscc(out["uscc"])
    except Exception:  # noqa: BLE001 - reported as a field error
        err("complainant.uscc", _("Enter a valid unified social credit code (18 characters)."))
    out["size"] = text(cp.get("size"))
    if out["size"] not in Enterprise.Size.values:
        err("complainant.size", _("Choose micro, small or medium."))
    elif out["size"] == Enterprise.Size.LARGE:
        err("complainant.size", _("The column takes complaints from small and medium-sized enterprises."))
    out["contact_name"] = text(contact.get("name"))
    if not out["contact_name"]:
        err("contact.name", _("Enter the contact person."))
    out["mobile"] = text(contact.get("mobile"))
    if not MOBILE.match(out["mobile"]):
        err("contact.mobile", _("Enter an 11-digit mainland mobile number."))
    out["respondent"] = None
    out["respondent_name"] = ""
    if respondent.get("agency"):
        out["respondent"] = Agency.objects.filter(code=str(respondent["agency"])).first()
        if out["respondent"] is None:
            err("respondent.agency", _("Unknown agency."))
    elif text(respondent.get("name")):
        out["respondent_name"] = text(respondent.get("name"))[:200]
    else:
        err("respondent", _("Choose the agency, or name the body if it is not in the list."))
    out["contract_id"] = contract.get("id")
    out["contract_number"] = text(contract.get("number"))[:64]
    out["contract_signed_on"] = None
    if contract.get("signed_on"):
        try:
            out["contract_signed_on"] = dt.date.fromisoformat(str(contract["signed_on"]))
        except ValueError:
            err("contract.signed_on", _("Enter a date as YYYY-MM-DD."))
    if not (out["contract_id"] or out["contract_number"]):
        err("contract", _("Choose the registered contract, or give its number and date."))
    try:
        amount = Decimal(str(data.get("amount_claimed", "")).replace(",", ""))
        if amount <= 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e14"):
            raise InvalidOperation
        out["amount_claimed"] = amount
    except (InvalidOperation, ValueError):
        err("amount_claimed", _("Enter the amount in yuan, with at most two decimals."))
    out["facts"] = text(data.get("facts"))
    if len(out["facts"]) < 10:
        err("facts", _("Describe what happened (at least 10 characters)."))
    if data.get("declaration") is not True:
        err("declaration", _("Confirm the declaration."))
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), "invalid", errors=errors)
    return out


def _check_evidence(files) -> list[CheckedUpload]:
    return uploads_check(
        files,
        field="evidence",
        max_bytes=settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_BYTES,
        max_files=settings.GOVCREDIT_COMPLAINT_EVIDENCE_MAX_FILES,
    )


def _throttle(*, ip: str | None, mobile: str) -> None:
    now = clock.now()
    checks = [(f"mobile:{mobile}", dt.timedelta(days=1), settings.GOVCREDIT_COMPLAINT_LIMIT_PER_MOBILE_DAY)]
    if ip:
        checks.append((f"ip:{ip}", dt.timedelta(hours=1), settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR))
    for key, window, limit in checks:
        if SubmissionThrottle.objects.filter(key=key, at__gte=now - window).count() >= limit:
            raise RateLimited(_("Too many complaints submitted from here recently; please try again later."))
    SubmissionThrottle.objects.bulk_create([SubmissionThrottle(key=key, at=now) for key, _w, _l in checks])


def _match_contract(cleaned, enterprise) -> Contract | None:
    respondent = cleaned["respondent"]
    if cleaned["contract_id"]:
        contract = Contract.objects.filter(pk=cleaned["contract_id"], counterparty=enterprise).first()
        if contract is None or (respondent and contract.agency_id != respondent.pk):
            raise ValidationFailed(
                _("No registered contract of yours with this body has that id."), "invalid", field="contract"
            )
        return contract
    if respondent and cleaned["contract_number"]:
        return Contract.objects.filter(
            agency=respondent, number=cleaned["contract_number"], counterparty=enterprise
        ).first()
    return None


def complaint_submit(
    *, data: dict, evidence=(), source: str = Complaint.Source.WEB, ip: str | None = None, acting_user=None
) -> Complaint:
    """File a complaint: a tracking code, the acceptance clock, the receipt PDF, the process."""
    cleaned = complaint_validate(data)
    files = _check_evidence(evidence)
    with transaction.atomic():
        # Rate limits count even when the submission is then refused as a duplicate.
        _throttle(ip=ip, mobile=cleaned["mobile"])
    return _submit(cleaned=cleaned, files=files, source=source, ip=ip, acting_user=acting_user)


@transaction.atomic
def _submit(*, cleaned, files, source, ip, acting_user) -> Complaint:
    from contracts.complaints.flows import ComplaintFlow

    today = clock.today()
    enterprise, _created = Enterprise.objects.get_or_create(
        uscc=cleaned["uscc"], defaults={"name": cleaned["name"], "size": cleaned["size"]}
    )
    contract = _match_contract(cleaned, enterprise)
    same = Complaint.objects.filter(complainant=enterprise, status__in=OPEN_STATES)
    same = (
        same.filter(respondent=cleaned["respondent"])
        if cleaned["respondent"]
        else same.filter(respondent_name=cleaned["respondent_name"])
    )
    same = same.filter(contract=contract) if contract else same.filter(contract_number=cleaned["contract_number"])
    if same.exists():
        raise Conflict(
            _("The same complaint (same enterprise, body and contract) is already being handled."),
            "duplicate_complaint",
        )
    complaint = Complaint.objects.create(
        code=_new_code(today),
        source=source,
        complainant=enterprise,
        complainant_size=cleaned["size"],
        contact_name=cleaned["contact_name"],
        contact_mobile=cleaned["mobile"],
        respondent=cleaned["respondent"],
        respondent_name=cleaned["respondent_name"] or (cleaned["respondent"].name if cleaned["respondent"] else ""),
        contract=contract,
        contract_number=cleaned["contract_number"] or (contract.number if contract else ""),
        contract_signed_on=cleaned["contract_signed_on"] or (contract.signed_on if contract else None),
        amount_claimed=cleaned["amount_claimed"],
        facts=cleaned["facts"],
        declaration=True,
        submitted_at=clock.now(),
        received_on=today,
        submitter_ip=ip,
        submitted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    for checked in files:
        ComplaintEvidence.store(checked, complaint=complaint)
    accept = deadline_start(case=complaint, purpose="accept", rule_code="complaint.accept", start_on=today)
    ComplaintFlow.start.run(complaint=complaint)
    office = complaint_office()
    document_issue(
        case=complaint,
        doc_type="complaint_receipt",
        title="投诉登记回执",
        template="documents/complaint_receipt.html",
        issuer=office,
        acting_user=acting_user,
        context={
            "code": complaint.code,
            "received_on": today.isoformat(),
            "complainant": enterprise.name,
            "respondent": complaint.respondent_name,
            "contract_number": complaint.contract_number,
            "amount_claimed": f"{complaint.amount_claimed:.2f}",
            "accept_due": accept.due_on.isoformat(),
            "evidence_count": len(files),
        },
    )
    audit_record(
        action="complaint.submit",
        obj=complaint,
        actor=acting_user,
        to_state=complaint.status,
        changes={"source": source, "accept_due": accept.due_on.isoformat()},
    )
    return complaint


# --- reading, for the complainant and for staff -------------------------------------------------------------


def complaint_get_for_tracking(*, code: str, mobile_last4: str) -> Complaint:
    """The complaint for its code plus the last four digits of the contact mobile; one answer for both
    a wrong code and wrong digits, so that codes cannot be probed."""
    complaint = Complaint.objects.filter(code=(code or "").strip().upper()).first()
    if complaint is None or not mobile_last4 or complaint.contact_mobile[-4:] != str(mobile_last4).strip():
        raise NotFound(_("No complaint matches this code and these digits."), "not_found")
    return complaint


STEP_PURPOSES = (("accept", "accept"), ("transfer", "transfer"), ("handle", "handle"))


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


def complaints_for_user(user):
    """Complaint officers and supervisors see all; agency staff see complaints against or routed to
    their agency (and those below it); enterprises see their own."""
    from django.db.models import Q

    from workflow.scoping import agencies_for_user

    if user.is_superuser or roles.has_role(user, roles.SUPERVISOR, roles.COMPLAINT_OFFICER):
        return Complaint.objects.all()
    if user.agency_id:
        ids = list(agencies_for_user(user).values_list("id", flat=True))
        return Complaint.objects.filter(Q(respondent_id__in=ids) | Q(handling_agency_id__in=ids))
    if user.enterprise_id:
        return Complaint.objects.filter(complainant_id=user.enterprise_id)
    return Complaint.objects.none()


def complaint_get_for_user(*, user, code: str) -> Complaint:
    complaint = complaints_for_user(user).filter(code=code).first()
    if complaint is None:
        raise NotFound(_("No such complaint."), "not_found")
    return complaint


# --- the steps -------------------------------------------------------------------------------------------------


def _clock(complaint, purpose) -> Deadline | None:
    return deadlines_for(complaint).filter(purpose=purpose).first()


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
            "text": text,
        },
    )
    audit_record(
        action="complaint.reject",
        obj=complaint,
        actor=acting_user,
        from_state=before,
        to_state=complaint.status,
        reason=f"{reason}: {text}",
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
    before = transition(
        complaint,
        "record_handling",
        refused=REFUSED,
        values={
            "findings": findings,
            "amount_confirmed": amount,
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
        changes={"amount_confirmed": str(amount) if amount is not None else None, "disputed": disputed},
    )
    return complaint


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
                reason=f"complaint {complaint.code}",
            )
    for case in (
        ArrearsCase.objects.select_for_update()
        .filter(contract_id=complaint.contract_id)
        .exclude(status=ArrearsCase.Status.RESOLVED)
    ):
        name = "dispute" if complaint.disputed else "confirm"
        with contextlib.suppress(Conflict):  # a case the step does not apply to in its state stays as it is
            transition(case, name, actor=acting_user, action=f"arrears.{name}", reason=f"complaint {complaint.code}")


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
            "disputed": complaint.disputed,
            "repayment_plan": complaint.repayment_plan,
            "text": text,
            "cc": (complaint_office().name if complaint_office() else ""),
        },
    )
    audit_record(
        action="complaint.feedback", obj=complaint, actor=acting_user, from_state=before, to_state=complaint.status
    )
    return complaint


def complaint_evaluate(*, complaint: Complaint, satisfied: bool) -> Complaint:
    complaint = locked(complaint)
    today = clock.today()
    values = {"satisfied": bool(satisfied), "evaluated_on": today}
    if satisfied:
        values["closed_on"] = today
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
    values = {"review_note": note}
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


# --- running the flow's tasks -----------------------------------------------------------------------------


def complaint_process(complaint: Complaint):
    from contracts.models import ComplaintProcess

    return ComplaintProcess.objects.get(
        artifact_content_type=ContentType.objects.get_for_model(Complaint), artifact_object_id=complaint.pk
    )


def complaint_current_step(*, complaint: Complaint, user) -> str | None:
    from contracts.complaints.flows import ComplaintFlow
    from workflow.flows import task_open_for_user

    process = complaint_process(complaint)
    for name in ("accept", "transfer", "handle", "feedback", "review"):
        if task_open_for_user(process=process, user=user, node=getattr(ComplaintFlow, name)) is not None:
            return name
    return None


def complaint_task(*, complaint: Complaint, step: str, user, request=None, **kwargs) -> Complaint:
    """Do `step` of the complaint as `user`: the flow task and the service in one transaction."""
    from contracts.complaints.flows import ComplaintFlow
    from workflow.flows import task_execute, task_open_for_user

    actions = {
        "accept": lambda: complaint_accept(complaint=complaint, acting_user=user),
        "reject": lambda: complaint_reject(complaint=complaint, acting_user=user, **kwargs),
        "transfer": lambda: complaint_transfer(complaint=complaint, acting_user=user, **kwargs),
        "handle": lambda: complaint_handle(complaint=complaint, acting_user=user, **kwargs),
        "feedback": lambda: complaint_feedback(complaint=complaint, acting_user=user, **kwargs),
        "review": lambda: complaint_review(complaint=complaint, acting_user=user, **kwargs),
    }
    node_name = "accept" if step == "reject" else step
    task = task_open_for_user(process=complaint_process(complaint), user=user, node=getattr(ComplaintFlow, node_name))
    if task is None:
        raise Conflict(_("There is nothing for you to do on this complaint now."), "task_state")
    task_execute(task=task, user=user, request=request, apply=lambda activation: actions[step]())
    complaint.refresh_from_db()
    return complaint


def complaint_evaluate_by_complainant(*, code: str, mobile_last4: str, satisfied: bool) -> Complaint:
    """The complainant's evaluation from the public tracking page (code + mobile digits)."""
    from viewflow.workflow.status import STATUS

    from contracts.complaints.flows import ComplaintFlow

    complaint = complaint_get_for_tracking(code=code, mobile_last4=mobile_last4)
    task = complaint_process(complaint).task_set.filter(flow_task=ComplaintFlow.evaluate, status=STATUS.NEW).first()
    if task is None:
        raise Conflict(_("This complaint is not waiting for your evaluation."), "complaint_state")
    with transaction.atomic():
        ComplaintFlow.evaluate.run(task, satisfied=satisfied)
    complaint.refresh_from_db()
    return complaint


def supervision_notice_text(complaint: Complaint, due: dt.date) -> str:
    def cn(day):
        return f"{day.year}年{day.month}月{day.day}日"

    return (
        f"{complaint.handling_agency.name}：\n投诉人{complaint.complainant.name}反映你单位拖欠账款一事（投诉编号"
        f"{complaint.code}），已于{cn(complaint.transferred_on)}转交你单位办理，办理期限已于{cn(due)}届满，"
        "你单位至今未报送办理结果。请于收到本督办书之日起五个工作日内办结并书面报告。"
    )


@transaction.atomic
def complaint_handling_overdue(*, complaint: Complaint) -> bool:
    """The handling time passed without a result: draft the supervision notice (once) and tell the
    complaint officers and supervisors (once). Does nothing if the current clock is not overdue (an
    approved extension moved it). Called by the flow's timer and, as a backstop, by the daily sweep."""
    from contracts.models import ComplaintSupervisionNotice
    from workflow.models import Notification, User

    complaint = locked(complaint)
    handle = _open_handle_clock(complaint)
    today = clock.today()
    if complaint.status != Complaint.Status.TRANSFERRED or handle is None or handle.due_on >= today:
        return False
    _notice, created = ComplaintSupervisionNotice.objects.get_or_create(
        complaint=complaint,
        defaults={
            "agency": complaint.handling_agency,
            "drafted_on": today,
            "due_on": handle.due_on,
            "text": supervision_notice_text(complaint, handle.due_on),
        },
    )
    watchers = User.objects.filter(
        groups__name__in=[roles.COMPLAINT_OFFICER, roles.SUPERVISOR], is_active=True
    ).distinct()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=w,
                category="complaint.overdue",
                created_at=clock.now(),
                title=_("Complaint %(code)s: the %(step)s step is overdue (due %(due)s)")
                % {"code": complaint.code, "step": handle.purpose, "due": handle.due_on.isoformat()},
                dedupe_key=f"complaint-overdue:{complaint.pk}:{handle.purpose}",
            )
            for w in watchers
        ],
        ignore_conflicts=True,
    )
    return created
