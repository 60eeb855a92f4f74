"""Writes for government contracts: one transaction each, audited, state changes via FSM."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from contracts.models import ArrearsCase, Contract, ContractVersion, Milestone, Payment, PerformanceReport, Warning
from contracts.payment_terms import payment_due, statutory_rule
from contracts.publication.services import publication_touch
from workflow import clock
from workflow.audit import audit_bulk_transition, audit_record
from workflow.deadlines import add_months, due_for
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Enterprise
from workflow.models.parties import validate_uscc
from workflow.transitions import locked, transition


def _fail(field: str, message: str, code: str = "invalid"):
    raise ValidationFailed(message, code, field=field)


def enterprise_for_counterparty(*, name: str, uscc: str, size: str) -> Enterprise:
    """The enterprise with this USCC, created when new. Its current size is not changed: the
    contract keeps the size declared at signing."""
    uscc = (uscc or "").strip().upper()
    try:
        validate_uscc(uscc)
    except Exception:  # noqa: BLE001 - turned into a field error
        _fail(
            "counterparty.uscc",
            _("%(value)s is not a valid unified social credit code.") % {"value": uscc},
            "invalid_uscc",
        )
    if size not in Enterprise.Size.values:
        _fail("counterparty.size", _("Size must be one of micro, small, medium, large."))
    enterprise, _created = Enterprise.objects.get_or_create(uscc=uscc, defaults={"name": name.strip(), "size": size})
    return enterprise


def _validate_contract_terms(*, contract: Contract, today: dt.date) -> None:
    if contract.signed_on > today:
        _fail("signed_on", _("The signing date cannot be in the future."))
    if contract.ends_on and contract.ends_on < contract.signed_on:
        _fail("ends_on", _("The term cannot end before the contract is signed."))
    if contract.amount is None or contract.amount <= 0:
        _fail("amount", _("The amount must be greater than zero."))
    rule = statutory_rule(contract)
    if rule and contract.payment_term_days is not None:
        try:
            due_for(rule, contract.signed_on, amount=contract.payment_term_days)
        except ValidationFailed as exc:
            if exc.code == "above_legal_ceiling":
                _fail("payment_term_days", exc.message, exc.code)
            raise


MILESTONE_FIELDS = ("kind", "title", "amount", "planned_on", "payment_after_acceptance", "acceptance_period_days")


@transaction.atomic
def contract_register(*, agency, data: dict, acting_user) -> Contract:
    """Record a signed contract with its milestones; it is registered at once (today).

    `data` has the API's shape (see contracts.api.contracts). Registration timeliness is measured against
    `contract.register`; a procurement contract also gets its `procurement.publish` date.
    """
    today = clock.today()
    cp = data["counterparty"]
    enterprise = enterprise_for_counterparty(name=cp["name"], uscc=cp["uscc"], size=cp["size"])
    contract = Contract(
        agency=agency,
        number=data["number"].strip(),
        title=data["title"].strip(),
        kind=data["kind"],
        procurement=bool(data.get("procurement")),
        counterparty=enterprise,
        counterparty_size=cp["size"],
        amount=Decimal(data["amount"]),
        signed_on=data["signed_on"],
        ends_on=data.get("ends_on"),
        payment_term_days=data.get("payment_term_days"),
        late_interest_daily=data.get("late_interest_daily"),
        report_period_months=data.get("report_period_months") or 1,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _validate_contract_terms(contract=contract, today=today)
    if Contract.objects.filter(agency=agency, number=contract.number).exists():
        _fail(
            "number",
            _("Contract %(number)s is already registered for this agency.") % {"number": contract.number},
            "duplicate_number",
        )
    milestones = data.get("milestones") or []
    total = sum((Decimal(m.get("amount") or 0) for m in milestones if m["kind"] == Milestone.Kind.PAYMENT), Decimal(0))
    if total > contract.amount:
        _fail("milestones", _("Payment milestones add up to more than the contract amount."), "milestones_exceed")
    contract.register()
    contract.registered_on = today
    contract.register_due_on = due_for("contract.register", contract.signed_on).due
    if contract.procurement:
        contract.publish_due_on = due_for("procurement.publish", contract.signed_on).due
    contract.next_report_due_on = due_for(
        "contract.report.period", contract.signed_on, amount=contract.report_period_months
    ).due
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        _fail(
            "number",
            _("Contract %(number)s is already registered for this agency.") % {"number": contract.number},
            "duplicate_number",
        )
    for i, m in enumerate(milestones):
        milestone = Milestone(contract=contract, **{k: m.get(k) for k in MILESTONE_FIELDS if k in m})
        milestone.payment_after_acceptance = bool(m.get("payment_after_acceptance"))
        if milestone.amount is not None:
            milestone.amount = Decimal(milestone.amount)
        if milestone.payment_after_acceptance and milestone.kind != Milestone.Kind.PAYMENT:
            _fail(f"milestones.{i}.payment_after_acceptance", _("Only a payment milestone can depend on acceptance."))
        if milestone.kind == Milestone.Kind.PAYMENT and not milestone.amount:
            _fail(f"milestones.{i}.amount", _("A payment milestone needs an amount."))
        milestone.save()
    audit_record(
        action="contract.register",
        obj=contract,
        actor=acting_user,
        from_state=Contract.Status.DRAFT,
        to_state=contract.status,
        changes={"registered_on": today.isoformat(), "register_due_on": contract.register_due_on.isoformat()},
    )
    return contract


@transaction.atomic
def contract_amend(*, contract: Contract, changes: dict, reason: str, acting_user) -> Contract:
    """Record an amendment (变更): the previous terms are kept as a version, never overwritten."""
    allowed = {"title", "amount", "ends_on", "payment_term_days", "late_interest_daily", "report_period_months"}
    if not reason.strip():
        _fail("reason", _("An amendment needs a reason."), "reason_required")
    unknown = set(changes) - allowed
    if unknown:
        _fail(sorted(unknown)[0], _("This field cannot be amended."), "not_amendable")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = model_to_dict(contract, fields=sorted(allowed | {"number", "kind", "signed_on"}))
    ContractVersion.objects.create(
        contract=contract,
        version=contract.version,
        snapshot={k: str(v) if v is not None else None for k, v in before.items()},
        reason=reason,
        changed_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        changed_at=clock.now(),
    )
    for key, value in changes.items():
        setattr(contract, key, value)
    if "amount" in changes:
        contract.amount = Decimal(changes["amount"])
    _validate_contract_terms(contract=contract, today=clock.today())
    contract.version += 1
    contract.save(update_fields=[*changes.keys(), "version", "updated_at"])
    publication_touch(contract)
    audit_record(
        action="contract.amend",
        obj=contract,
        actor=acting_user,
        reason=reason,
        changes={k: [str(before.get(k)), str(getattr(contract, k))] for k in changes},
    )
    return contract


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
        late = milestone.payment_due_on is not None and paid_on > milestone.payment_due_on
        if late and milestone.status != Milestone.Status.OVERDUE:
            milestone.mark_overdue()
        if milestone.status == Milestone.Status.OVERDUE:
            milestone.meet_late()
        else:
            milestone.meet()
        milestone.completed_on = paid_on
        fields += ["status", "completed_on"]
        for warning in Warning.objects.select_for_update().filter(
            milestone=milestone, status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED]
        ):
            warning.resolve()
            warning.closed_on = paid_on
            warning.save(update_fields=["status", "closed_on"])
    milestone.save(update_fields=fields)
    case = ArrearsCase.objects.select_for_update().filter(milestone=milestone).first()
    if case is not None:
        case.repaid += amount
        case_fields = ["repaid"]
        if milestone.outstanding <= 0:
            case.resolve()
            case.resolved_on = paid_on
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


def _warning_transition(*, warning: Warning, name: str, acting_user, note: str = "") -> Warning:
    warning = locked(warning)
    values = {}
    if name in ("resolve", "escalate"):  # the transitions into RESOLVED and ESCALATED close the warning
        values["closed_on"] = clock.today()
    if note:
        values["note"] = (warning.note + "\n" + note).strip()
    transition(
        warning, name, what=_("The warning"), values=values, actor=acting_user, action=f"warning.{name}", reason=note
    )
    return warning


@transaction.atomic
def warning_acknowledge(*, warning: Warning, acting_user, note: str = "") -> Warning:
    return _warning_transition(warning=warning, name="acknowledge", acting_user=acting_user, note=note)


@transaction.atomic
def warning_resolve(*, warning: Warning, acting_user, note: str) -> Warning:
    if not note.strip():
        _fail("note", _("Say how the warning was resolved."), "reason_required")
    return _warning_transition(warning=warning, name="resolve", acting_user=acting_user, note=note)


@transaction.atomic
def warning_escalate(*, warning: Warning, acting_user, note: str) -> Warning:
    if not note.strip():
        _fail("note", _("Say why the warning is escalated."), "reason_required")
    return _warning_transition(warning=warning, name="escalate", acting_user=acting_user, note=note)


@transaction.atomic
def evaluation_weights_set(*, weights: dict, reason: str, effective_from: dt.date, acting_user):
    """New evaluation weights from `effective_from`; earlier rows stay as the history."""
    from contracts.models import EvaluationWeights

    if not reason.strip():
        _fail("reason", _("Say why the weights change."), "reason_required")
    unknown = set(weights) - set(EvaluationWeights.INDICATORS)
    if unknown:
        _fail("weights", _("Unknown indicator: %(name)s") % {"name": sorted(unknown)[0]})
    clean = {}
    for key in EvaluationWeights.INDICATORS:
        value = weights.get(key, 0)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            _fail(f"weights.{key}", _("A weight is a number of zero or more."))
        clean[key] = value
    if sum(clean.values()) <= 0:
        _fail("weights", _("At least one weight must be above zero."))
    row = EvaluationWeights.objects.create(
        weights=clean,
        reason=reason,
        effective_from=effective_from,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        created_at=clock.now(),
    )
    audit_record(action="evaluation.weights", obj=row, actor=acting_user, reason=reason, changes=clean)
    return row


@transaction.atomic
def contract_fulfil(*, contract: Contract, acting_user, note: str = "") -> Contract:
    """Close a contract as fulfilled: every milestone met or waived and nothing left to pay."""
    contract = locked(contract)
    open_milestones = contract.milestones.exclude(
        status__in=[Milestone.Status.MET, Milestone.Status.MET_LATE, Milestone.Status.WAIVED]
    )
    if open_milestones.exists():
        raise Conflict(
            _("%(n)s milestone(s) are still open; record them or waive them first.") % {"n": open_milestones.count()},
            "milestones_open",
        )
    before = transition(contract, "fulfil", what=_("The contract"), fields=["updated_at"])
    # A fulfilled contract needs no more reports, and its term ending is no longer a concern.
    open_ids = list(
        Warning.objects.filter(
            contract=contract,
            rule__in=[Warning.Rule.TERM_ENDED, Warning.Rule.REPORT_MISSING],
            status__in=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED],
        ).values_list("id", flat=True)
    )
    audit_bulk_transition(
        model=Warning,
        ids=open_ids,
        field="status",
        source=[Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED],
        target=Warning.Status.RESOLVED,
        action="warning.resolved_on_fulfil",
    )
    Warning.objects.filter(pk__in=open_ids).update(closed_on=clock.today())
    publication_touch(contract)
    audit_record(
        action="contract.fulfil",
        obj=contract,
        actor=acting_user,
        from_state=before,
        to_state=contract.status,
        reason=note,
    )
    return contract


@transaction.atomic
def contract_terminate(*, contract: Contract, reason: str, acting_user) -> Contract:
    """End a contract early (解除/终止). Payments already owed stay owed: the arrears ledger keeps them."""
    if not reason.strip():
        _fail("reason", _("Give the reason for terminating the contract."), "reason_required")
    contract = locked(contract)
    transition(
        contract,
        "terminate",
        what=_("The contract"),
        fields=["updated_at"],
        actor=acting_user,
        action="contract.terminate",
        reason=reason,
    )
    publication_touch(contract)
    return contract


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


@transaction.atomic
def arrears_plan_set(*, case, instalments: list[dict], acting_user):
    """Agree a repayment plan (还款计划) for an arrears case: instalments that together cover what is
    still owed, each due on or after today. Replaces an earlier plan; the case goes into repayment."""
    case = ArrearsCase.objects.select_for_update().get(pk=case.pk)
    if case.status in (ArrearsCase.Status.RESOLVED,):
        raise Conflict(_("This arrears case is resolved."), "arrears_state")
    today = clock.today()
    rows, errors = [], {}
    for i, item in enumerate(instalments or []):
        try:
            due = (
                item["due_on"]
                if isinstance(item.get("due_on"), dt.date)
                else dt.date.fromisoformat(str(item.get("due_on")))
            )
            amount = Decimal(str(item.get("amount")))
        except (ValueError, TypeError, ArithmeticError):
            errors[f"instalments.{i}"] = [_("Give a date (YYYY-MM-DD) and an amount.")]
            continue
        if due < today:
            errors[f"instalments.{i}.due_on"] = [_("An instalment cannot fall due in the past.")]
        if amount <= 0:
            errors[f"instalments.{i}.amount"] = [_("The amount must be greater than zero.")]
        rows.append((due, amount))
    outstanding = case.owed - case.repaid
    if not rows and not errors:
        errors["instalments"] = [_("Give at least one instalment.")]
    elif not errors and sum(a for _d, a in rows) != outstanding:
        errors["instalments"] = [_("The instalments must add up to the %(left)s still owed.") % {"left": outstanding}]
    if errors:
        raise ValidationFailed(_("Please correct the repayment plan."), "invalid", errors=errors)
    from contracts.models import RepaymentInstalment

    case.instalments.all().delete()
    RepaymentInstalment.objects.bulk_create(
        [RepaymentInstalment(case=case, due_on=d, amount=a) for d, a in sorted(rows)]
    )
    before = case.status
    if case.status in (ArrearsCase.Status.IDENTIFIED, ArrearsCase.Status.CONFIRMED):
        case.start_repayment()
        case.save(update_fields=["status"])
    audit_record(
        action="arrears.plan",
        obj=case,
        actor=acting_user,
        from_state=before,
        to_state=case.status,
        changes={"instalments": [[d.isoformat(), str(a)] for d, a in sorted(rows)]},
    )
    return case
