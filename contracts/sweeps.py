"""The contracts part of the daily sweep: set-based SQL, safe to run twice and for a past date.

Order of steps: payment milestones that passed their due date become overdue and open arrears
cases (SME payees); then warnings are raised — one per (subject, rule) while open — and the levels
of open warnings follow how late they are; finally the responsible clerks are notified.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from contracts.models import ArrearsCase, Contract, Milestone, Warning
from contracts.publication.services import publication_touch_many
from workflow import clock, roles
from workflow.models import Enterprise, Notification
from workflow.rules import rule_in_force
from workflow.sweeps import sweep_step
from workflow.transitions import bulk_transition


def cn_date(day: dt.date) -> str:
    """2026年9月14日: the GB/T 9704 way, without leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


ACTIVE = [Contract.Status.REGISTERED, Contract.Status.PERFORMING, Contract.Status.IN_DISPOSAL]
OPEN = [Warning.Status.OPEN, Warning.Status.ACKNOWLEDGED]


def warning_levels(rule: str, on: dt.date) -> list[tuple[int, int]]:
    """[(more than N days late, level)], highest first, for warnings of `rule`: the rule row
    `warning.levels.<rule>` in force on `on` (local policy, editable by supervisors)."""
    row = rule_in_force(f"warning.levels.{rule}", on)
    return [(int(threshold), int(level)) for threshold, level in row.params["levels"]]


def due_soon_days(on: dt.date) -> int:
    """How many days ahead the sweep warns of a payment falling due (rule `warning.payment.due_soon`)."""
    amount = rule_in_force("warning.payment.due_soon", on).amount
    assert amount is not None, "warning.payment.due_soon has an amount"
    return amount


def level_for(rule: str, days_late: int, *, on: dt.date) -> int:
    levels = warning_levels(rule, on)
    for threshold, level in levels:
        if days_late > threshold:
            return level
    return levels[-1][1]


def _open_warning_exists(rule: str, subject_expr) -> Exists:
    return Exists(Warning.objects.filter(rule=rule, subject=subject_expr, status__in=OPEN))


def _raise(rule: str, rows: list[dict], as_of: dt.date) -> int:
    """Insert warnings for candidate rows (each with agency_id, contract_id, milestone_id, subject,
    reference_on); the partial unique index drops any that another run raised meanwhile."""
    before = Warning.objects.count()
    Warning.objects.bulk_create(
        [
            Warning(
                agency_id=r["agency_id"],
                contract_id=r["contract_id"],
                milestone_id=r.get("milestone_id"),
                subject=r["subject"],
                rule=rule,
                level=level_for(rule, (as_of - r["reference_on"]).days, on=as_of),
                reference_on=r["reference_on"],
                raised_on=as_of,
            )
            for r in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return Warning.objects.count() - before


def _relevel(rule: str, as_of: dt.date) -> int:
    """Set-based: open warnings of `rule` get the level their lateness deserves (never lowered)."""
    levels = warning_levels(rule, as_of)
    whens = [
        When(reference_on__lt=as_of - dt.timedelta(days=threshold), then=Value(level)) for threshold, level in levels
    ]
    target = Case(*whens, default=F("level"), output_field=IntegerField())
    lower = Q()
    for threshold, level in levels:
        lower |= Q(reference_on__lt=as_of - dt.timedelta(days=threshold), level__lt=level)
    return Warning.objects.filter(rule=rule, status__in=OPEN).filter(lower).update(level=target)


@sweep_step("contracts.payments", order=20)
@transaction.atomic
def sweep_payments(*, as_of: dt.date) -> dict:
    unpaid = Q(paid_amount__lt=F("amount"))
    late_ids = list(
        Milestone.objects.filter(
            unpaid, kind=Milestone.Kind.PAYMENT, status=Milestone.Status.DUE, payment_due_on__lt=as_of
        ).values_list("id", flat=True)
    )
    overdue = bulk_transition(
        model=Milestone,
        ids=late_ids,
        field="status",
        source=Milestone.Status.DUE,
        target=Milestone.Status.OVERDUE,
        action="milestone.overdue",
        changes={"as_of": as_of.isoformat()},
    )
    # Arrears: payments owed to SMEs past their due date, one case per milestone.
    owed = (
        Milestone.objects.filter(
            unpaid, kind=Milestone.Kind.PAYMENT, status=Milestone.Status.OVERDUE, payment_due_on__lt=as_of
        )
        .exclude(contract__counterparty_size=Enterprise.Size.LARGE)
        .filter(~Exists(ArrearsCase.objects.filter(milestone=OuterRef("pk"))))
        .values(
            "id",
            "contract_id",
            "contract__agency_id",
            "contract__counterparty_id",
            "payment_due_on",
            "amount",
            "paid_amount",
        )
    )
    before = ArrearsCase.objects.count()
    ArrearsCase.objects.bulk_create(
        [
            ArrearsCase(
                milestone_id=m["id"],
                contract_id=m["contract_id"],
                agency_id=m["contract__agency_id"],
                enterprise_id=m["contract__counterparty_id"],
                due_on=m["payment_due_on"],
                owed=m["amount"] - m["paid_amount"],
                identified_on=as_of,
            )
            for m in owed
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    arrears = ArrearsCase.objects.count() - before
    # Warnings: overdue, and due within the configured number of days.
    subject = Concat(Value("m"), F("id"), output_field=Warning._meta.get_field("subject"))
    overdue_rows = (
        Milestone.objects.filter(unpaid, kind=Milestone.Kind.PAYMENT, status=Milestone.Status.OVERDUE)
        .annotate(subject_key=subject)
        .filter(~_open_warning_exists(Warning.Rule.PAYMENT_OVERDUE, OuterRef("subject_key")))
        .values("id", "contract_id", "contract__agency_id", "subject_key", "payment_due_on")
    )
    raised_overdue = _raise(
        Warning.Rule.PAYMENT_OVERDUE,
        [
            {
                "agency_id": r["contract__agency_id"],
                "contract_id": r["contract_id"],
                "milestone_id": r["id"],
                "subject": r["subject_key"],
                "reference_on": r["payment_due_on"],
            }
            for r in overdue_rows
        ],
        as_of,
    )
    horizon = as_of + dt.timedelta(days=due_soon_days(as_of))
    soon_rows = (
        Milestone.objects.filter(
            unpaid,
            kind=Milestone.Kind.PAYMENT,
            status=Milestone.Status.DUE,
            payment_due_on__gte=as_of,
            payment_due_on__lte=horizon,
        )
        .annotate(subject_key=subject)
        .filter(~_open_warning_exists(Warning.Rule.PAYMENT_DUE_SOON, OuterRef("subject_key")))
        .values("id", "contract_id", "contract__agency_id", "subject_key", "payment_due_on")
    )
    raised_soon = _raise(
        Warning.Rule.PAYMENT_DUE_SOON,
        [
            {
                "agency_id": r["contract__agency_id"],
                "contract_id": r["contract_id"],
                "milestone_id": r["id"],
                "subject": r["subject_key"],
                "reference_on": as_of,
            }
            for r in soon_rows
        ],
        as_of,
    )
    # A "due soon" warning is superseded once the payment is overdue.
    superseded = Warning.objects.filter(
        rule=Warning.Rule.PAYMENT_DUE_SOON, status__in=OPEN, milestone__status=Milestone.Status.OVERDUE
    ).values_list("id", flat=True)
    resolved = bulk_transition(
        model=Warning,
        ids=list(superseded),
        field="status",
        source=OPEN,
        target=Warning.Status.RESOLVED,
        action="warning.superseded",
    )
    relevelled = _relevel(Warning.Rule.PAYMENT_OVERDUE, as_of)
    # What the public sees changed: published contracts whose payment just turned overdue get a new
    # release date, so that OCDS consumers reading with `since` see the change.
    publication_touch_many(Milestone.objects.filter(pk__in=late_ids).values("contract_id"))
    return {
        "overdue": overdue,
        "arrears_opened": arrears,
        "warnings_overdue": raised_overdue,
        "warnings_due_soon": raised_soon,
        "due_soon_superseded": resolved,
        "relevelled": relevelled,
    }


@sweep_step("contracts.milestones", order=21)
@transaction.atomic
def sweep_milestones(*, as_of: dt.date) -> int:
    """Delivery and acceptance milestones past their planned date without being recorded."""
    ids = list(
        Milestone.objects.filter(
            kind__in=[Milestone.Kind.DELIVERY, Milestone.Kind.ACCEPTANCE],
            status=Milestone.Status.PLANNED,
            planned_on__lt=as_of,
            contract__status__in=ACTIVE,
        ).values_list("id", flat=True)
    )
    publication_touch_many(Milestone.objects.filter(pk__in=ids).values("contract_id"))
    return bulk_transition(
        model=Milestone,
        ids=ids,
        field="status",
        source=Milestone.Status.PLANNED,
        target=Milestone.Status.OVERDUE,
        action="milestone.overdue",
    )


def _contract_rule(rule: str, queryset, reference: str, as_of: dt.date) -> int:
    subject = Concat(Value("c"), F("id"), output_field=Warning._meta.get_field("subject"))
    rows = (
        queryset.annotate(subject_key=subject)
        .filter(~_open_warning_exists(rule, OuterRef("subject_key")))
        .values("id", "agency_id", "subject_key", reference)
    )
    raised = _raise(
        rule,
        [
            {
                "agency_id": r["agency_id"],
                "contract_id": r["id"],
                "subject": r["subject_key"],
                "reference_on": r[reference],
            }
            for r in rows
        ],
        as_of,
    )
    _relevel(rule, as_of)
    return raised


@sweep_step("contracts.reports", order=30)
@transaction.atomic
def sweep_reports(*, as_of: dt.date) -> int:
    return _contract_rule(
        Warning.Rule.REPORT_MISSING,
        Contract.objects.filter(status__in=ACTIVE, next_report_due_on__lt=as_of),
        "next_report_due_on",
        as_of,
    )


@sweep_step("contracts.term", order=31)
@transaction.atomic
def sweep_term(*, as_of: dt.date) -> int:
    return _contract_rule(
        Warning.Rule.TERM_ENDED, Contract.objects.filter(status__in=ACTIVE, ends_on__lt=as_of), "ends_on", as_of
    )


@sweep_step("contracts.registration", order=32)
@transaction.atomic
def sweep_registration(*, as_of: dt.date) -> int:
    """Contracts registered after `contract.register` allowed; raised once, ever, per contract."""
    subject = Concat(Value("c"), F("id"), output_field=Warning._meta.get_field("subject"))
    rows = (
        Contract.objects.filter(registered_on__gt=F("register_due_on"), registered_on__lte=as_of)
        .annotate(subject_key=subject)
        .filter(~Exists(Warning.objects.filter(rule=Warning.Rule.REGISTER_LATE, subject=OuterRef("subject_key"))))
        .values("id", "agency_id", "subject_key", "register_due_on", "registered_on")
    )
    return _raise(
        Warning.Rule.REGISTER_LATE,
        [
            {
                "agency_id": r["agency_id"],
                "contract_id": r["id"],
                "subject": r["subject_key"],
                "reference_on": r["register_due_on"],
            }
            for r in rows
        ],
        as_of,
    )


@sweep_step("contracts.notify", order=90)
@transaction.atomic
def notify_clerks(*, as_of: dt.date) -> int:
    """One in-app notification per new warning for each clerk of the agency (once per warning)."""
    User = get_user_model()
    new = list(
        Warning.objects.filter(raised_on=as_of, status=Warning.Status.OPEN).values(
            "id", "agency_id", "rule", "contract__number", "contract__counterparty__name", "level"
        )
    )
    if not new:
        return 0
    clerks: dict[int, list[int]] = {}
    for user_id, agency_id in User.objects.filter(
        groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD],
        agency_id__in={w["agency_id"] for w in new},
        is_active=True,
    ).values_list("id", "agency_id"):
        clerks.setdefault(agency_id, []).append(user_id)
    labels = dict(Warning.Rule.choices)
    step = _("Acknowledge, resolve or escalate the warning")
    now = clock.now()
    before = Notification.objects.count()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                category="contract.warning",
                title=_("Warning: %(rule)s — contract %(number)s")
                % {"rule": labels[w["rule"]], "number": w["contract__number"]},
                dedupe_key=f"warning:{w['id']}",
                created_at=now,
                case_code=w["contract__number"],
                party=w["contract__counterparty__name"] or "",
                step=step,
            )
            for w in new
            for user_id in clerks.get(w["agency_id"], [])
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return Notification.objects.count() - before


@sweep_step("complaints.overdue", order=110)
@transaction.atomic
def sweep_complaints(*, as_of: dt.date) -> dict:
    """Complaint steps past due (the engine's `deadlines.overdue` step marks the clocks first):
    complaint officers and supervisors are told once per step; a handling body that has not reported
    back gets one draft supervision notice (督办书) for a supervisor to issue."""
    from django.contrib.contenttypes.models import ContentType

    from contracts.complaints.services import supervision_notice_text
    from contracts.models import Complaint, ComplaintSupervisionNotice
    from contracts.notify import complaint_step_label
    from workflow.models import Deadline

    ct = ContentType.objects.get_for_model(Complaint)
    late = list(
        Deadline.objects.filter(content_type=ct, status=Deadline.Status.OVERDUE).values_list(
            "object_id", "purpose", "due_on"
        )
    )
    if not late:
        return {"overdue_steps": 0, "drafts": 0, "notifications": 0}
    complaints = {
        str(c.pk): c
        for c in Complaint.objects.filter(pk__in={int(o) for o, _p, _d in late}).select_related(
            "handling_agency", "respondent", "complainant"
        )
    }
    drafts = [
        ComplaintSupervisionNotice(
            complaint=c,
            agency=c.handling_agency,
            drafted_on=as_of,
            due_on=due,
            text=supervision_notice_text(c, due),
        )
        for object_id, purpose, due in late
        if purpose.startswith("handle")
        and (c := complaints.get(object_id)) is not None
        and c.status == Complaint.Status.TRANSFERRED
        and c.handling_agency_id
    ]
    before = ComplaintSupervisionNotice.objects.count()
    ComplaintSupervisionNotice.objects.bulk_create(drafts, ignore_conflicts=True)
    drafted = ComplaintSupervisionNotice.objects.count() - before
    User = get_user_model()
    watchers = list(
        User.objects.filter(groups__name__in=[roles.COMPLAINT_OFFICER, roles.SUPERVISOR], is_active=True)
        .values_list("id", flat=True)
        .distinct()
    )
    # The handling body's staff own a late handling step: they hear of it too.
    staff: dict[int, list[int]] = {}
    for uid, agency_id in (
        User.objects.filter(
            agency_id__in={c.handling_agency_id for c in complaints.values() if c.handling_agency_id},
            groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD],
            is_active=True,
        )
        .values_list("id", "agency_id")
        .distinct()
    ):
        staff.setdefault(agency_id, []).append(uid)
    now = clock.now()
    before = Notification.objects.count()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                category="complaint.overdue",
                title=_("Complaint %(code)s: the step “%(step)s” is overdue (due %(due)s)")
                % {"code": complaints[o].code, "step": complaint_step_label(p), "due": d.isoformat()},
                dedupe_key=f"complaint-overdue:{o}:{p}",
                created_at=now,
                case_code=complaints[o].code,
                party=complaints[o].complainant.name,
                step=complaint_step_label(p),
                due_on=d,
            )
            for o, p, d in late
            if o in complaints
            for uid in {
                *watchers,
                *(staff.get(complaints[o].handling_agency_id or 0, []) if p.startswith("handle") else []),
            }
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return {"overdue_steps": len(late), "drafts": drafted, "notifications": Notification.objects.count() - before}
