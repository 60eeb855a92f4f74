"""Writes for the arrears ledger: repayment plans (one transaction each, audited)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import ArrearsCase
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict, ValidationFailed


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
