"""Writes for milestones: deliveries, payments, periodic reports and waivers (one transaction each, audited)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import ArrearsCase, Contract, Milestone, Payment, PerformanceReport, Warning
from contracts.payment_terms import payment_due
from contracts.publication.services import publication_touch
from contracts.services.contracts import _fail
from workflow import clock
from workflow.audit import audit_record
from workflow.deadlines import add_months, due_for
from workflow.errors import Conflict
from workflow.transitions import locked, transition


@transaction.atomic
def milestone_record_delivery(
    *, milestone: Milestone, delivered_on: dt.date, accepted_on: dt.date | None = None, acting_user
) -> Milestone:
    """Record the delivery (and acceptance) that a milestone pays for; sets the statutory payment date."""
    milestone = Milestone.objects.select_for_update().select_related("contract__agency").get(pk=milestone.pk)
    contract = milestone.contract
    today = clock.today()
    if delivered_on > today:
        _fail("delivered_on", _("The delivery date cannot be in the future."))
    if delivered_on < contract.signed_on:
        _fail("delivered_on", _("The delivery date cannot be before the contract was signed."))
    if accepted_on is not None and (accepted_on < delivered_on or accepted_on > today):
        _fail("accepted_on", _("Acceptance must be on or after delivery and not in the future."))
    if milestone.status in (Milestone.Status.MET, Milestone.Status.MET_LATE, Milestone.Status.WAIVED):
        raise Conflict(_("This milestone is already closed."), "milestone_state")
    milestone.delivered_on = delivered_on
    milestone.accepted_on = accepted_on
    fields = ["delivered_on", "accepted_on", "status"]
    before = milestone.status
    if milestone.kind == Milestone.Kind.PAYMENT:
        due = payment_due(contract, milestone, delivered_on=delivered_on, accepted_on=accepted_on)
        milestone.payment_due_on = due.due_on
        milestone.payment_rule = due.rule
        fields += ["payment_due_on", "payment_rule"]
        if milestone.status == Milestone.Status.PLANNED and due.due_on is not None:
            milestone.become_due()
    else:
        milestone.completed_on = accepted_on or delivered_on
        fields.append("completed_on")
        if milestone.status == Milestone.Status.OVERDUE:
            milestone.meet_late()
        else:
            milestone.meet()
    milestone.save(update_fields=fields)
    if contract.status == Contract.Status.REGISTERED:
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        contract.start_performing()
        contract.save(update_fields=["status", "updated_at"])
    publication_touch(contract)
    audit_record(
        action="milestone.delivery",
        obj=milestone,
        actor=acting_user,
        from_state=before,
        to_state=milestone.status,
        changes={
            "delivered_on": delivered_on.isoformat(),
            "accepted_on": accepted_on.isoformat() if accepted_on else None,
            "payment_due_on": milestone.payment_due_on.isoformat() if milestone.payment_due_on else None,
        },
    )
    return milestone


@transaction.atomic
def payment_record(*, contract: Contract, milestone: Milestone, amount, paid_on: dt.date, acting_user) -> Payment:
    """Record a (partial) payment against a payment milestone; closes the milestone, the arrears
    case and the payment warnings once the milestone is paid in full."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.contract_id != contract.pk:
        _fail("milestone", _("This milestone belongs to another contract."), "wrong_contract")
    if milestone.kind != Milestone.Kind.PAYMENT:
        _fail("milestone", _("Payments are recorded against payment milestones."), "not_a_payment_milestone")
    amount = Decimal(str(amount))
    if amount <= 0:
        _fail("amount", _("The amount must be greater than zero."))
    if amount > milestone.outstanding:
        _fail(
            "amount",
            _("The amount is more than the %(left)s still outstanding.") % {"left": milestone.outstanding},
            "overpayment",
        )
    if paid_on > clock.today():
        _fail("paid_on", _("The payment date cannot be in the future."))
    if paid_on < contract.signed_on:
        _fail("paid_on", _("The payment date cannot be before the contract was signed."))
    if milestone.status == Milestone.Status.WAIVED:
        raise Conflict(_("This milestone was waived."), "milestone_state")
    payment = Payment.objects.create(
        contract=contract,
        milestone=milestone,
        amount=amount,
        paid_on=paid_on,
        recorded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        recorded_at=clock.now(),
    )
    milestone.paid_amount += amount
    fields = ["paid_amount"]
    before = milestone.status
    if milestone.outstanding <= 0:
        # Paid in full on the date of its latest payment, which is not this one when it is back-dated before
        # an earlier recorded part payment (the evaluation of a past period relies on it: KpiEventMonth).
        settled_on = max(paid_on, *milestone.payments.values_list("paid_on", flat=True))
        late = milestone.payment_due_on is not None and settled_on > milestone.payment_due_on
        if late and milestone.status != Milestone.Status.OVERDUE:
            milestone.mark_overdue()
        if milestone.status == Milestone.Status.OVERDUE:
            milestone.meet_late()
        else:
            milestone.meet()
        milestone.completed_on = settled_on
        fields += ["status", "completed_on"]
        for warning in Warning.objects.select_for_update().filter(
            milestone=milestone, status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED]
        ):
            warning.resolve()
            warning.closed_on = settled_on
            warning.save(update_fields=["status", "closed_on"])
    milestone.save(update_fields=fields)
    case = ArrearsCase.objects.select_for_update().filter(milestone=milestone).first()
    if case is not None:
        case.repaid += amount
        case_fields = ["repaid"]
        if milestone.outstanding <= 0:
            case.resolve()
            case.resolved_on = settled_on
            case_fields += ["status", "resolved_on"]
        elif case.status in (ArrearsCase.Status.IDENTIFIED, ArrearsCase.Status.CONFIRMED):
            case.start_repayment()
            case_fields.append("status")
        case.save(update_fields=case_fields)
    publication_touch(contract)
    audit_record(
        action="payment.record",
        obj=milestone,
        actor=acting_user,
        from_state=before,
        to_state=milestone.status,
        changes={"amount": str(amount), "paid_on": paid_on.isoformat()},
    )
    return payment


@transaction.atomic
def report_submit(*, contract: Contract, period_start: dt.date, progress: str, issues: str = "", acting_user):
    """A periodic performance report; moves the contract's next report date one period on."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not progress.strip():
        _fail("progress", _("Describe the progress."), "required")
    period_end = add_months(period_start, contract.report_period_months)
    if contract.reports.filter(period_start=period_start).exists():
        _fail("period_start", _("A report for this period has already been submitted."), "duplicate_report")
    report = PerformanceReport.objects.create(
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        submitted_on=clock.today(),
        progress=progress,
        issues=issues,
        submitted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    latest_end = max(period_end, *(r for r in contract.reports.values_list("period_end", flat=True)))
    contract.next_report_due_on = due_for(
        "contract.report.period", latest_end, amount=contract.report_period_months
    ).due
    contract.save(update_fields=["next_report_due_on", "updated_at"])
    for warning in Warning.objects.select_for_update().filter(
        contract=contract,
        rule=Warning.Rule.REPORT_MISSING,
        status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED],
    ):
        warning.resolve()
        warning.closed_on = clock.today()
        warning.save(update_fields=["status", "closed_on"])
    audit_record(
        action="contract.report",
        obj=contract,
        actor=acting_user,
        changes={"period_start": period_start.isoformat(), "period_end": period_end.isoformat()},
    )
    return report


@transaction.atomic
def milestone_waive(*, milestone: Milestone, reason: str, acting_user) -> Milestone:
    if not reason.strip():
        _fail("reason", _("Give the reason for waiving the milestone."), "reason_required")
    milestone = locked(milestone)
    if milestone.paid_amount > 0 and milestone.outstanding > 0:
        raise Conflict(_("A partly paid milestone cannot be waived."), "milestone_state")
    transition(
        milestone,
        "waive",
        what=_("The milestone"),
        values={"completed_on": clock.today()},
        actor=acting_user,
        action="milestone.waive",
        reason=reason,
    )
    publication_touch(milestone.contract_id)
    return milestone
