"""Writes for government contracts: recording, amending and closing a contract (one transaction each, audited)."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from contracts.lpr import lpr_floor_check
from contracts.models import Contract, ContractVersion, Milestone, Warning
from contracts.payment_terms import payment_term_above_default, statutory_rule
from contracts.publication.services import publication_touch
from workflow import clock
from workflow.audit import audit_record
from workflow.deadlines import due_for
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Enterprise
from workflow.models.parties import validate_uscc
from workflow.transitions import bulk_transition, locked, transition


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


def _validate_contract_terms(
    *, contract: Contract, today: dt.date, check_rate: bool = True, partial: bool = False
) -> dict:
    """Refuse terms the law does not allow, every one at once; return the flags for the audit row (terms
    that are lawful but need a look: an agreed term above a large enterprise's 60 days, an LPR not yet
    entered). `partial`: values may be missing (an import row with bad cells); a check runs when its
    inputs are there."""
    flags: dict = {}
    errors: dict[str, list] = {}
    codes: list[str] = []

    def refuse(field: str, message, code: str = "invalid") -> None:
        errors.setdefault(field, []).append(message)
        codes.append(code)

    def collect(check) -> None:
        try:
            check()
        except ValidationFailed as exc:
            for field, messages in (exc.errors or {exc.field or "": [exc.message]}).items():
                for message in messages:
                    refuse(field, message, exc.code)

    signed = contract.signed_on
    if signed and signed > today:
        refuse("signed_on", _("The signing date cannot be in the future."))
    if signed and contract.ends_on and contract.ends_on < signed:
        refuse("ends_on", _("The term cannot end before the contract is signed."))
    if not (partial and contract.amount is None) and (contract.amount is None or contract.amount <= 0):
        refuse("amount", _("The amount must be greater than zero."))
    rule = statutory_rule(contract) if contract.counterparty_size or not partial else None
    if rule and signed and contract.payment_term_days is not None:
        try:
            due_for(rule, signed, amount=contract.payment_term_days)
        except ValidationFailed as exc:
            if exc.code != "above_legal_ceiling":
                raise
            refuse("payment_term_days", exc.message, exc.code)
        else:
            if payment_term_above_default(contract):
                flags["payment_term_above_default"] = contract.payment_term_days
    if rule and signed and check_rate and contract.late_interest_daily is not None:

        def rate_check() -> None:
            check = lpr_floor_check(signed_on=signed, daily_rate=contract.late_interest_daily)
            if check is not None:
                flags["lpr"] = str(check.lpr.one_year_percent) if check.lpr is not None else "lpr_unknown"

        collect(rate_check)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, codes[0], errors=errors, field=next(iter(errors)))
    return flags


def contract_terms_problems(*, agency, values: dict) -> dict[str, list]:
    """contract_register's checks of the terms that `values` allow (any key may be missing:
    signed_on, ends_on, amount, payment_term_days, counterparty_size), all at once, as
    {field: [messages]}. An import shows them beside a row's cell errors, not one round after another."""
    contract = Contract(
        agency=agency,
        counterparty_size=values.get("counterparty_size") or "",
        amount=values.get("amount"),
        signed_on=values.get("signed_on"),
        ends_on=values.get("ends_on"),
        payment_term_days=values.get("payment_term_days"),
    )
    try:
        _validate_contract_terms(contract=contract, today=clock.today(), partial=True)
    except ValidationFailed as exc:
        return exc.errors
    return {}


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
    flags = _validate_contract_terms(contract=contract, today=today)
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
        changes={
            "registered_on": today.isoformat(),
            "register_due_on": contract.register_due_on.isoformat(),
            **({"flags": flags} if flags else {}),
        },
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
    flags = _validate_contract_terms(
        contract=contract, today=clock.today(), check_rate="late_interest_daily" in changes
    )
    contract.version += 1
    contract.save(update_fields=[*changes.keys(), "version", "updated_at"])
    publication_touch(contract)
    audit_record(
        action="contract.amend",
        obj=contract,
        actor=acting_user,
        reason=reason,
        changes={
            **{k: [str(before.get(k)), str(getattr(contract, k))] for k in changes},
            **({"flags": flags} if flags else {}),
        },
    )
    return contract


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
    bulk_transition(
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
