"""Disposal (处置) of an escalated warning or a confirmed breach: the services DisposalFlow's nodes call.

supervisor opens a case → rectification notice (PDF, with a deadline) → the agency responds →
supervisor review → closed as rectified, or a government dishonesty record (政务失信记录) plus a
supervision letter (督办函, PDF), queued to the city credit platform through the outbox.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Contract, DisposalCase, GovernmentDishonestyRecord, Warning
from contracts.notify import disposal_answered_notify, disposal_opened_notify
from contracts.publication.services import publication_touch
from workflow import clock, roles
from workflow.audit import audit_record
from workflow.deadlines import due_for
from workflow.documents import document_issue
from workflow.errors import Conflict, NotFound, PermissionDenied, UnknownRule, ValidationFailed
from workflow.models import Document
from workflow.outbox import outbox_enqueue
from workflow.rules import rule_in_force
from workflow.transitions import locked, transition

NOTICE_SERIES = "信用整改"
LETTER_SERIES = "信用督办"


def _require_supervisor(user) -> None:
    if not (roles.has_role(user, roles.SUPERVISOR) or getattr(user, "is_superuser", False)):
        raise PermissionDenied(_("Only a supervisor of the credit office may do this."), "forbidden")
    if user.agency_id is None:
        raise PermissionDenied(_("A supervisor must belong to the credit office's agency."), "forbidden")


RECTIFY_RULE = "contract.disposal.rectify"


def rectification_period(*, on: dt.date, days: int | None) -> int:
    """The days allowed for rectification: `days`, or the rule's default, within 1 and the rule's ceiling."""
    rule = rule_in_force(RECTIFY_RULE, on)
    if days is None:
        days = rule.amount
    if days is None or days < 1 or (rule.ceiling is not None and days > rule.ceiling):
        raise ValidationFailed(
            _("Allow between 1 and %(ceiling)s days for rectification (%(basis)s).")
            % {"ceiling": rule.ceiling, "basis": rule.basis},
            "invalid",
            field="rectification_days",
        )
    return days


def disposal_case_open(
    *,
    contract: Contract,
    grounds: str,
    acting_user,
    warning: Warning | None = None,
    rectification_days: int | None = None,
) -> DisposalCase:
    """The case of a disposal (contracts.disposal.process.disposal_open also starts its process).

    `rectification_days` defaults to the rule `contract.disposal.rectify` in force today, and may not
    exceed its ceiling."""
    _require_supervisor(acting_user)
    if not grounds.strip():
        raise ValidationFailed(_("State the grounds for disposal."), "required", field="grounds")
    rectification_days = rectification_period(on=clock.today(), days=rectification_days)
    contract = locked(contract)
    if DisposalCase.objects.filter(contract=contract, outcome=DisposalCase.Outcome.OPEN).exists():
        raise Conflict(_("A disposal case is already open for this contract."), "disposal_open")
    transition(
        contract,
        "open_disposal",
        refused=_("A contract in this state cannot go to disposal."),
        code="contract_state",
        fields=["updated_at"],
        actor=acting_user,
        action="contract.disposal_open",
        reason=grounds,
    )
    if warning is not None:
        warning = Warning.objects.select_for_update().get(pk=warning.pk, contract=contract)
        if warning.status in (Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED):
            warning.escalate()
            warning.closed_on = clock.today()
            warning.save(update_fields=["status", "closed_on"])
    case = DisposalCase.objects.create(
        agency=contract.agency,
        contract=contract,
        warning=warning,
        grounds=grounds,
        rectification_days=rectification_days,
        opened_by=acting_user,
        opened_on=clock.today(),
    )
    publication_touch(case.contract_id)
    return case


def _citation(rule) -> str:
    """《条例》第九条 from a rule row: the document's short name (before its parenthesised details); a
    local-policy row "地方政策（X工作方案）；可调整" reads 本市《X工作方案》."""
    if rule.local_policy and "（" in rule.basis_document:
        return f"本市《{rule.basis_document.split('（', 1)[1].split('）', 1)[0]}》"
    return f"《{rule.basis_document.split('（')[0].split('；')[0]}》{rule.basis_article}"


def _overdue_facts(case: DisposalCase, on: dt.date) -> dict:
    """What the documents state about the unpaid payment behind the case (a payment-overdue warning):
    the milestone, the amount still owed, the due date, days overdue and the rule breached, cited."""
    warning = case.warning
    milestone = warning.milestone if warning is not None else None
    if milestone is None or milestone.payment_due_on is None or not milestone.payment_rule:
        return {"payment": None}
    try:
        basis = _citation(rule_in_force(milestone.payment_rule, milestone.delivered_on or milestone.payment_due_on))
    except (UnknownRule, NotFound):
        basis = None  # "contract.term" / "contract.planned" (payee not an SME): the contract's own date
    return {
        "payment": {
            "milestone": milestone.title,
            "amount": f"{milestone.amount or 0:.2f}",
            "outstanding": f"{milestone.outstanding:.2f}",
            "delivered_on": milestone.delivered_on.isoformat() if milestone.delivered_on else None,
            "due_on": milestone.payment_due_on.isoformat(),
            "days_overdue": (on - milestone.payment_due_on).days,
            "basis": basis,
        }
    }


def disposal_issue_notice(*, case: DisposalCase) -> None:
    """Flow node: the rectification notice, with the date by which to rectify."""
    today = clock.today()
    due = due_for(RECTIFY_RULE, today, amount=case.rectification_days).due
    rectify_rule = rule_in_force(RECTIFY_RULE, today)
    case.rectification_due_on = due
    case.save(update_fields=["rectification_due_on"])
    assert case.opened_by is not None, "disposal_case_open records the supervisor who opened the case"
    issuer = case.opened_by.agency
    document_issue(
        case=case,
        doc_type="rectification_notice",
        title="政府合同履约问题整改通知书",
        template="documents/rectification_notice.html",
        issuer=issuer,
        series=NOTICE_SERIES,
        acting_user=case.opened_by,
        context={
            "recipients": case.agency.name,
            "contract_number": case.contract.number,
            "contract_title": case.contract.title,
            "counterparty": case.contract.counterparty.name,
            "grounds": case.grounds,
            "rectify_by": due.isoformat(),
            "rectification_days": case.rectification_days,
            "rectify_basis": _citation(rectify_rule),
            **_overdue_facts(case, today),
        },
    )
    disposal_opened_notify(case=case)


@transaction.atomic
def disposal_respond(*, case: DisposalCase, response: str, acting_user) -> DisposalCase:
    if not response.strip():
        raise ValidationFailed(_("Describe the rectification."), "required", field="response")
    case = DisposalCase.objects.select_for_update().get(pk=case.pk)
    if case.responded_on is not None:
        raise Conflict(_("The agency has already responded."), "disposal_state")
    case.response = response
    case.responded_on = clock.today()
    case.save(update_fields=["response", "responded_on"])
    late = case.rectification_due_on is not None and case.responded_on > case.rectification_due_on
    audit_record(
        action="disposal.respond",
        obj=case,
        actor=acting_user,
        reason=response,
        changes={"responded_on": case.responded_on.isoformat(), "late": late},
    )
    disposal_answered_notify(case=case)
    return case


@transaction.atomic
def disposal_review(*, case: DisposalCase, outcome: str, note: str, record_kind: str | None, acting_user):
    """The supervisor's review: rectified, or a government dishonesty record of `record_kind`."""
    _require_supervisor(acting_user)
    if outcome not in (DisposalCase.Outcome.RECTIFIED, DisposalCase.Outcome.DISHONEST):
        raise ValidationFailed(_("Choose an outcome."), "invalid", field="outcome")
    if not note.strip():
        raise ValidationFailed(_("Give the reasons for the review."), "required", field="note")
    if outcome == DisposalCase.Outcome.DISHONEST and record_kind not in GovernmentDishonestyRecord.Kind.values:
        raise ValidationFailed(_("Choose the kind of dishonesty record."), "invalid", field="record_kind")
    case = DisposalCase.objects.select_for_update().get(pk=case.pk)
    if case.outcome != DisposalCase.Outcome.OPEN:
        raise Conflict(_("This case has already been reviewed."), "disposal_state")
    case.outcome = outcome
    case.review_note = note
    case.save(update_fields=["outcome", "review_note"])
    audit_record(
        action="disposal.review",
        obj=case,
        actor=acting_user,
        to_state=outcome,
        reason=note,
        changes={"record_kind": record_kind},
    )
    return case


def disposal_record_dishonesty(*, case: DisposalCase, kind: str, decided_by) -> GovernmentDishonestyRecord:
    """Flow node: the record, the supervision letter, the contract marked breached, the outbox message."""
    today = clock.today()
    record = GovernmentDishonestyRecord.objects.create(
        agency=case.agency,
        contract=case.contract,
        disposal=case,
        kind=kind,
        facts=f"{case.grounds}\n\n{case.review_note}".strip(),
        decided_on=today,
        decided_by=decided_by,
    )
    contract = Contract.objects.select_for_update().get(pk=case.contract_id)
    contract.confirm_breach()
    contract.save(update_fields=["status", "updated_at"])
    assert case.opened_by is not None, "disposal_case_open records the supervisor who opened the case"
    # The letter sets a date to correct and report by: the rectification rule's period from today.
    correct = due_for(RECTIFY_RULE, today)
    document_issue(
        case=case,
        doc_type="supervision_letter",
        title="政务诚信督办函",
        template="documents/supervision_letter.html",
        issuer=case.opened_by.agency,
        series=LETTER_SERIES,
        acting_user=decided_by,
        context={
            "recipients": case.agency.name,
            "contract_number": case.contract.number,
            "contract_title": case.contract.title,
            "counterparty": case.contract.counterparty.name,
            "grounds": case.grounds,
            "review_note": case.review_note,
            "record_kind": record.get_kind_display(),
            "decided_on": today.isoformat(),
            "notice_number": _notice_number(case),
            "rectify_by": case.rectification_due_on.isoformat() if case.rectification_due_on else None,
            "correct_by": correct.due.isoformat(),
            "correct_basis": _citation(correct.rule),
            **_overdue_facts(case, today),
        },
    )
    outbox_enqueue(
        destination="city_credit_platform",
        topic="government_dishonesty_record",
        idempotency_key=f"government-dishonesty-record-{record.pk}",
        payload={
            "record_id": record.pk,
            "agency": {"code": case.agency.code, "name": case.agency.name, "uscc": case.agency.uscc},
            "kind": record.kind,
            "contract_number": case.contract.number,
            "decided_on": today.isoformat(),
            "facts": record.facts,
        },
    )
    publication_touch(case.contract_id)
    audit_record(action="disposal.dishonesty_record", obj=case, actor=decided_by, to_state=record.kind)
    return record


def _notice_number(case: DisposalCase) -> str:
    notice = Document.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=str(case.pk), doc_type="rectification_notice"
    ).first()
    return notice.doc_number if notice is not None else ""


def disposal_close(*, case: DisposalCase, acting_user) -> None:
    """Flow node: close the case; a rectified contract goes back to performing."""
    case.closed_on = clock.today()
    case.save(update_fields=["closed_on"])
    if case.outcome == DisposalCase.Outcome.RECTIFIED:
        contract = Contract.objects.select_for_update().get(pk=case.contract_id)
        contract.close_disposal()
        contract.save(update_fields=["status", "updated_at"])
    publication_touch(case.contract_id)
    audit_record(action="disposal.close", obj=case, actor=acting_user, to_state=case.outcome)


def disposal_no_response(*, case: DisposalCase) -> None:
    """Flow node: the rectification deadline passed without a response; the supervisor reviews."""
    assert case.rectification_due_on is not None, "set by disposal_issue_notice, the node before"
    audit_record(
        action="disposal.no_response",
        obj=case,
        actor=None,
        reason=_("Rectify by %(day)s") % {"day": case.rectification_due_on.isoformat()},
    )
