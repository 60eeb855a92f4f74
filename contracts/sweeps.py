"""The contracts part of the daily sweep: set-based SQL, safe to run twice and for a past date.

Order of steps: payment milestones that passed their due date become overdue and open arrears
cases (SME payees); then warnings are raised — one per (subject, rule) while open — and the levels
of open warnings follow how late they are; finally the responsible clerks are notified.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext as _

from contracts.models import ArrearsCase, Contract, Milestone, Warning
from contracts.publication.services import publication_touch_many
from workflow import clock, roles
from workflow.models import Enterprise, Notification
from workflow.rules import rule_in_force
from workflow.sweeps import insert_select, statistics_refresh, sweep_step, transition_where

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


def _level(rule: str, as_of: dt.date, reference) -> Case | Value:
    """`level_for(rule, days late)` as SQL over a date column or a constant date."""
    if not isinstance(reference, str):
        return Value(level_for(rule, (as_of - reference).days, on=as_of))
    return Case(
        *[
            When(**{f"{reference}__lt": as_of - dt.timedelta(days=threshold)}, then=Value(level))
            for threshold, level in warning_levels(rule, as_of)
        ],
        default=Value(warning_levels(rule, as_of)[-1][1]),
        output_field=IntegerField(),
    )


def _raise(rule: str, queryset, *, as_of: dt.date, contract: str, agency: str, milestone: str | None, reference) -> int:
    """One INSERT … SELECT of a warning per row of `queryset` (annotated with `subject_key`) that has
    no open warning of `rule` yet; the partial unique index (ON CONFLICT DO NOTHING) drops any
    that another run raised meanwhile. `reference` is a date column of the row or a date."""
    candidates = queryset.filter(~_open_warning_exists(rule, OuterRef("subject_key")))
    return insert_select(
        Warning,
        candidates,
        {
            "agency_id": F(agency),
            "contract_id": F(contract),
            "milestone_id": F(milestone) if milestone else Value(None, output_field=IntegerField()),
            "subject": F("subject_key"),
            "rule": rule,
            "level": _level(rule, as_of, reference),
            "reference_on": F(reference) if isinstance(reference, str) else reference,
            "raised_on": as_of,
        },
    )


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


def _subject(prefix: str):
    return Concat(Value(prefix), F("id"), output_field=Warning._meta.get_field("subject"))


@sweep_step("contracts.payments", order=20)
@transaction.atomic
def sweep_payments(*, as_of: dt.date) -> dict:
    """A fixed number of statements whatever the data size: no id lists through Python."""
    unpaid = Q(paid_amount__lt=F("amount"))
    payments = Milestone.objects.filter(unpaid, kind=Milestone.Kind.PAYMENT)
    late = payments.filter(status=Milestone.Status.DUE, payment_due_on__lt=as_of)
    # What the public sees changes: published contracts whose payment turns overdue get a new
    # release date, so that OCDS consumers reading with `since` see the change.
    publication_touch_many(late.values("contract_id"))
    overdue = transition_where(
        late,
        field="status",
        source=Milestone.Status.DUE,
        target=Milestone.Status.OVERDUE,
        action="milestone.overdue",
        changes={"as_of": as_of.isoformat()},
    )
    statistics_refresh(Milestone)
    overdue_now = payments.filter(status=Milestone.Status.OVERDUE)
    # Arrears: payments owed to SMEs past their due date, one case per milestone. The one-to-one
    # milestone index refuses a second case (ON CONFLICT DO NOTHING). No NOT EXISTS on the table
    # being filled: planned on the empty table's statistics it became a nested loop that scans the
    # growing heap once per candidate, quadratic (26 of 49 s of a 100k catch-up, docs/performance.md).
    owed = overdue_now.filter(payment_due_on__lt=as_of).exclude(contract__counterparty_size=Enterprise.Size.LARGE)
    arrears = insert_select(
        ArrearsCase,
        owed,
        {
            "milestone_id": F("id"),
            "contract_id": F("contract_id"),
            "agency_id": F("contract__agency_id"),
            "enterprise_id": F("contract__counterparty_id"),
            "due_on": F("payment_due_on"),
            "owed": ExpressionWrapper(F("amount") - F("paid_amount"), output_field=DecimalField()),
            "identified_on": as_of,
        },
    )
    # Warnings: overdue, and due within the configured number of days.
    common = {"contract": "contract_id", "agency": "contract__agency_id", "milestone": "id"}
    raised_overdue = _raise(
        Warning.Rule.PAYMENT_OVERDUE,
        overdue_now.annotate(subject_key=_subject("m")),
        as_of=as_of,
        reference="payment_due_on",
        **common,
    )
    horizon = as_of + dt.timedelta(days=due_soon_days(as_of))
    raised_soon = _raise(
        Warning.Rule.PAYMENT_DUE_SOON,
        payments.filter(status=Milestone.Status.DUE, payment_due_on__gte=as_of, payment_due_on__lte=horizon).annotate(
            subject_key=_subject("m")
        ),
        as_of=as_of,
        reference=as_of,
        **common,
    )
    statistics_refresh(Warning)
    # A "due soon" warning is superseded once the payment is overdue.
    resolved = transition_where(
        Warning.objects.filter(rule=Warning.Rule.PAYMENT_DUE_SOON, milestone__status=Milestone.Status.OVERDUE),
        field="status",
        source=OPEN,
        target=Warning.Status.RESOLVED,
        action="warning.superseded",
    )
    relevelled = _relevel(Warning.Rule.PAYMENT_OVERDUE, as_of)
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
    late = Milestone.objects.filter(
        kind__in=[Milestone.Kind.DELIVERY, Milestone.Kind.ACCEPTANCE],
        status=Milestone.Status.PLANNED,
        planned_on__lt=as_of,
        contract__status__in=ACTIVE,
    )
    publication_touch_many(late.values("contract_id"))
    changed = transition_where(
        late,
        field="status",
        source=Milestone.Status.PLANNED,
        target=Milestone.Status.OVERDUE,
        action="milestone.overdue",
    )
    statistics_refresh(Milestone)
    return changed


def _contract_rule(rule: str, queryset, reference: str, as_of: dt.date) -> int:
    raised = _raise(
        rule,
        queryset.annotate(subject_key=_subject("c")),
        as_of=as_of,
        contract="id",
        agency="agency_id",
        milestone=None,
        reference=reference,
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
    rule = Warning.Rule.REGISTER_LATE
    rows = (
        Contract.objects.filter(registered_on__gt=F("register_due_on"), registered_on__lte=as_of)
        .annotate(subject_key=_subject("c"))
        .filter(~Exists(Warning.objects.filter(rule=rule, subject=OuterRef("subject_key"))))
    )
    return _raise(
        rule, rows, as_of=as_of, contract="id", agency="agency_id", milestone=None, reference="register_due_on"
    )


def _title_parts() -> tuple[Case, Case]:
    """The notification title "Warning: <rule> — contract <number>" (translated) as SQL: the text
    before and after the contract number, by rule."""
    labels = dict(Warning.Rule.choices)
    before, after = [], []
    for rule, label in labels.items():
        head, _sep, tail = (_("Warning: %(rule)s — contract %(number)s") % {"rule": label, "number": "\x00"}).partition(
            "\x00"
        )
        before.append(When(rule=rule, then=Value(head)))
        after.append(When(rule=rule, then=Value(tail)))
    return (
        Case(*before, default=Value(""), output_field=CharField()),
        Case(*after, default=Value(""), output_field=CharField()),
    )


@sweep_step("contracts.notify", order=90)
@transaction.atomic
def notify_clerks(*, as_of: dt.date) -> int:
    """One in-app notification per new warning for each clerk of the agency (once per warning).

    One INSERT … SELECT over (the day's open warnings × their agency's active clerks and heads)
    that skips pairs already notified before building anything: a same-day re-run reads the
    day's warnings and writes nothing."""
    User = get_user_model()
    clerks = User.objects.filter(groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD], is_active=True)
    head, tail = _title_parts()
    pairs = (
        Warning.objects.filter(raised_on=as_of, status=Warning.Status.OPEN, agency__users__in=clerks.values("pk"))
        .annotate(
            recipient_key=F("agency__users__id"),
            dedupe=Concat(Value("warning:"), F("id"), output_field=CharField()),
        )
        .filter(
            ~Exists(Notification.objects.filter(recipient_id=OuterRef("recipient_key"), dedupe_key=OuterRef("dedupe")))
        )
    )
    return insert_select(
        Notification,
        pairs,
        {
            "recipient_id": F("recipient_key"),
            "category": "contract.warning",
            "title": Concat(head, F("contract__number"), tail, output_field=CharField()),
            "dedupe_key": F("dedupe"),
            "created_at": Value(clock.now(), output_field=DateTimeField()),
            # The inbox row: the case, the party and what to do.
            "case_code": F("contract__number"),
            "party": Coalesce(F("contract__counterparty__name"), Value(""), output_field=CharField()),
            "step": Value(_("Acknowledge, resolve or escalate the warning"), output_field=CharField()),
        },
    )


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
