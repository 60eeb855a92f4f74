"""The monthly KPI figures (contracts_kpimonth) kept by the database in the transactions that change the
rows, and the evaluation read from them, against a fresh GROUP BY over the base tables (issue 11)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from contracts.evaluation import triggers
from contracts.evaluation.services import arrears_rates, evaluation_compute, overdue_report, period_parse
from contracts.models import ArrearsCase, Contract, KpiDay, KpiEventMonth, KpiMonth, Milestone, OpenWarningDay, Payment
from contracts.services import milestone_record_delivery, milestone_waive, payment_record
from workflow.models import Agency, Enterprise

D = dt.date
pytestmark = pytest.mark.django_db
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=18, decimal_places=2))


def _maintained() -> dict:
    rows = KpiMonth.objects.values_list("agency_id", "month", *triggers.FIGURES)
    kept = {(a, m): tuple(v) for a, m, *v in rows if any(v)}
    rows = KpiDay.objects.values_list("agency_id", "day", *triggers.FIGURES)
    per_day = {(a, d): tuple(v) for a, d, *v in rows if any(v)}
    days = OpenWarningDay.objects.filter(open__gt=0).values_list("agency_id", "raised_on", "level", "open")
    rows = KpiEventMonth.objects.values_list("agency_id", "month", "event_month", *triggers.EVENT_FIGURES)
    events = {(a, m, e): tuple(v) for a, m, e, *v in rows if any(v)}
    return {
        "months": kept,
        "days": per_day,
        "warnings": {(a, d, lv): (n,) for a, d, lv, n in days},
        "events": events,
    }


def _fresh() -> dict:
    out: dict = {"months": {}, "days": {}, "warnings": {}, "events": {}}
    targets = (
        ("months", triggers.TABLE, 2),
        ("days", triggers.DAY_TABLE, 2),
        ("warnings", triggers.WARNING_TABLE, 3),
        ("events", triggers.EVENT_TABLE, 3),
    )
    for name, target, keys in targets:
        with connection.cursor() as cursor:
            cursor.execute(triggers.fresh_sql(connection.vendor, target))
            rows = cursor.fetchall()
        for row in rows:
            key = tuple(D.fromisoformat(k) if isinstance(k, str) else k for k in row[:keys])
            # SQLite sums decimals as floats: read them as the table's two-decimal amounts.
            values = tuple(
                Decimal(str(v)).quantize(Decimal("0.01")) if isinstance(v, float | Decimal) else v for v in row[keys:]
            )
            if any(values):
                out[name][key] = values
    return out


def assert_kept():
    assert _maintained() == _fresh()


def _pay(amount, planned="2026-08-01"):
    return [{"kind": "payment", "title": "货款", "amount": amount, "planned_on": D.fromisoformat(planned)}]


@pytest.fixture
def story(make_contract, clerk, travel, sweep):
    """Register, deliver, pay, sweep, repay, waive — checking the kept figures after every step."""
    assert_kept()
    a = make_contract(number="A", signed_on="2026-07-01", milestones=_pay("100000.00"))
    b = make_contract(number="B", signed_on="2026-07-10", today="2026-07-25", milestones=_pay("50000.00"))
    c = make_contract(
        agency_code="XJTJ-GLZ",
        number="C",
        signed_on="2026-07-20",
        milestones=_pay("8000.00") + _pay("2000.00", planned="2026-09-01"),
    )
    assert_kept()
    ma, mb = a.milestones.get(), b.milestones.get()
    mc1, mc2 = c.milestones.order_by("planned_on")
    travel("2026-07-31")
    milestone_record_delivery(milestone=ma, delivered_on=D(2026, 7, 6), acting_user=clerk)  # due 08-05
    milestone_record_delivery(milestone=mb, delivered_on=D(2026, 7, 20), acting_user=clerk)  # due 08-19
    milestone_record_delivery(milestone=mc1, delivered_on=D(2026, 7, 30), acting_user=clerk)
    assert_kept()
    travel("2026-08-05")
    payment_record(contract=a, milestone=ma, amount="100000", paid_on=D(2026, 8, 5), acting_user=clerk)
    assert_kept()
    sweep(D(2026, 8, 20))  # B overdue: an arrears case of 50,000 identified on 08-20
    assert_kept()
    travel("2026-08-25")
    payment_record(contract=b, milestone=mb, amount="30000", paid_on=D(2026, 8, 25), acting_user=clerk)
    payment_record(contract=c, milestone=mc1, amount="3000", paid_on=D(2026, 8, 25), acting_user=clerk)
    assert_kept()
    milestone_waive(milestone=mc2, reason="合同变更，取消第二期", acting_user=clerk)
    assert_kept()
    sweep(D(2026, 9, 5))  # C's first payment overdue too (5,000 still owed)
    sweep(D(2026, 9, 5))  # the same day again writes nothing
    assert_kept()
    travel("2026-10-10")
    payment_record(contract=b, milestone=mb, amount="20000", paid_on=D(2026, 10, 10), acting_user=clerk)
    assert_kept()
    travel("2026-11-01")
    return {"a": a, "b": b, "c": c}


def test_the_kept_figures_equal_a_fresh_group_by_after_every_change(story):
    tj = Agency.objects.get(code="XJTJ").pk
    kept = KpiMonth.objects.get(agency_id=tj, month=D(2026, 7, 1))
    assert (kept.reg_total, kept.reg_on_time) == (2, 1)  # B registered 07-25, due 07-21
    aug = KpiMonth.objects.get(agency_id=tj, month=D(2026, 8, 1))
    assert (aug.pay_total, aug.pay_met, aug.sme_due, aug.sme_unpaid) == (2, 1, 2, 0)  # B paid late, in full
    assert (aug.arr_identified, aug.arr_resolved, aug.arr_owed, aug.arr_late_paid) == (
        1,
        1,
        Decimal("50000.00"),
        Decimal("50000.00"),
    )
    glz = KpiMonth.objects.get(agency_id=Agency.objects.get(code="XJTJ-GLZ").pk, month=D(2026, 8, 1))
    assert (glz.sme_unpaid, glz.sme_unpaid_amount) == (1, Decimal("5000.00"))
    # The waived second payment of C counts nowhere.
    assert not KpiMonth.objects.filter(month=D(2026, 9, 1), pay_total__gt=0).exists()
    # B's overdue warning was resolved by its last payment; C's (raised 09-05) is still open.
    assert list(OpenWarningDay.objects.filter(open__gt=0, level=3).values_list("raised_on", "open")) == []
    assert sum(OpenWarningDay.objects.filter(raised_on=D(2026, 9, 5)).values_list("open", flat=True)) >= 1


def test_a_contract_moved_to_another_agency_moves_its_figures(story):
    # No service moves a contract; an administrator's correction in the database must still be counted.
    Contract.objects.filter(pk=story["c"].pk).update(agency=Agency.objects.get(code="XJTJ"))
    Contract.objects.filter(pk=story["b"].pk).update(counterparty_size=Enterprise.Size.LARGE)
    assert_kept()


# -- the evaluation read from the kept figures, against the GROUP BY it replaced --------------------


def _paid_by(end):
    return Coalesce(
        Subquery(
            Payment.objects.filter(milestone=OuterRef("pk"), paid_on__lte=end)
            .values("milestone")
            .annotate(s=Sum("amount"))
            .values("s")
        ),
        ZERO,
    )


def _group_by(start, end, horizon) -> dict:
    """evaluation_compute's figures as the GROUP BY over the base tables (the code before the kept figures)."""

    def by_agency(qs, **aggregates):
        return {r.pop("agency_id"): r for r in qs.values("agency_id").annotate(**aggregates)}

    reg = by_agency(
        Contract.objects.filter(signed_on__range=(start, end), registered_on__isnull=False),
        total=Count("id"),
        on_time=Count("id", filter=Q(registered_on__lte=F("register_due_on"))),
    )
    pay = by_agency(
        Milestone.objects.filter(kind="payment", payment_due_on__range=(start, horizon))
        .exclude(status="waived")
        .annotate(agency_id=F("contract__agency_id")),
        total=Count("id"),
        met=Count("id", filter=Q(status="met")),
    )
    ovd = by_agency(
        Milestone.objects.filter(
            kind="payment", payment_due_on__lt=horizon, payment_due_on__gte=start, amount__isnull=False
        )
        .exclude(status="waived")
        .exclude(contract__counterparty_size="large")
        .annotate(agency_id=F("contract__agency_id"), paid_then=_paid_by(horizon)),
        n=Count("id", filter=Q(paid_then__lt=F("amount"))),
        amount=Coalesce(Sum(F("amount") - F("paid_then"), filter=Q(paid_then__lt=F("amount"))), ZERO),
    )
    late = Coalesce(
        Subquery(
            Payment.objects.filter(milestone=OuterRef("milestone"), paid_on__lte=end, paid_on__gt=OuterRef("due_on"))
            .values("milestone")
            .annotate(s=Sum("amount"))
            .values("s")
        ),
        ZERO,
    )
    arr = by_agency(
        ArrearsCase.objects.filter(identified_on__range=(start, end)).annotate(repaid_then=late),
        identified=Count("id"),
        resolved=Count("id", filter=Q(status="resolved", resolved_on__lte=end)),
        owed=Sum("owed"),
        repaid=Sum("repaid_then"),
    )
    out = {}
    for a in Agency.objects.values_list("pk", flat=True):
        r, p, o, c = reg.get(a, {}), pay.get(a, {}), ovd.get(a, {}), arr.get(a, {})
        owed = c.get("owed") or Decimal(0)
        out[a] = {
            "contracts_signed": r.get("total", 0),
            "registered_on_time": r.get("on_time", 0),
            "payments_due": p.get("total", 0),
            "payments_on_time": p.get("met", 0),
            "overdue_payables_count": o.get("n", 0),
            "overdue_payables_amount": f"{o.get('amount', Decimal(0)):.2f}",
            "arrears_identified": c.get("identified", 0),
            "arrears_resolved": c.get("resolved", 0),
            "arrears_owed": f"{owed:.2f}",
            "arrears_repaid": f"{min(c.get('repaid') or Decimal(0), owed):.2f}",
        }
    return out


PERIODS = [
    "2026Q3",
    "2026",
    "2026-08",
    "2026-07-15..2026-08-19",  # partial months at both ends
    "2026-08-20..2026-08-20",  # one day: the day B's case was identified
    "2026-08-06..2026-10-09",  # ends before B's last payment: corrected back to 10-09
    "2026-08-01..2026-08-31",
    "2025-12-15..2026-09-04",
    "2026-09-10..2026-10-31",  # partial first month, ends with a month after payments made later
    "2026-07-01..2026-10-20",  # ends mid-month, after a back-dated payment (see `back_dated`)
]


@pytest.fixture
def back_dated(story, make_contract, clerk, travel):
    """D: 10,000 due 2026-09-21, paid 4,000 on 10-20, then 6,000 recorded afterwards but paid on 10-05."""
    d = make_contract(number="D", signed_on="2026-08-01", milestones=_pay("10000.00", planned="2026-09-01"))
    md = d.milestones.get()
    travel("2026-08-22")
    milestone_record_delivery(milestone=md, delivered_on=D(2026, 8, 22), acting_user=clerk)
    travel("2026-10-25")
    payment_record(contract=d, milestone=md, amount="4000", paid_on=D(2026, 10, 20), acting_user=clerk)
    assert_kept()
    payment_record(contract=d, milestone=md, amount="6000", paid_on=D(2026, 10, 5), acting_user=clerk)
    assert_kept()
    travel("2026-11-01")
    md.refresh_from_db()
    return md


def test_a_back_dated_last_payment_pays_in_full_on_the_latest_payment_date(back_dated, travel):
    # Paid in full only when the 4,000 of 10-20 was paid, whatever order the payments were recorded in.
    assert (back_dated.status, back_dated.completed_on) == (Milestone.Status.MET_LATE, D(2026, 10, 20))
    tj = Agency.objects.get(code="XJTJ").pk
    # On 10-10 (the 6,000 of 10-05 paid) D still owed 4,000; by the end of October it owed nothing.
    rows = {
        r["agency"]["id"]: r["figures"]
        for r in evaluation_compute(period_start=D(2026, 9, 1), period_end=D(2026, 10, 10))
    }
    assert (rows[tj]["overdue_payables_count"], rows[tj]["overdue_payables_amount"]) == (1, "4000.00")
    rows = {
        r["agency"]["id"]: r["figures"]
        for r in evaluation_compute(period_start=D(2026, 9, 1), period_end=D(2026, 10, 31))
    }
    assert (rows[tj]["overdue_payables_count"], rows[tj]["overdue_payables_amount"]) == (0, "0.00")


@pytest.mark.parametrize("today", ["2026-11-01", "2026-09-01", "2026-08-22"])
def test_the_evaluation_equals_the_group_by_for_any_period(back_dated, travel, today):
    travel(today)
    for raw in PERIODS:
        period = period_parse(raw)
        horizon = min(period.end, D.fromisoformat(today))
        rows = evaluation_compute(period_start=period.start, period_end=period.end)
        got = {
            r["agency"]["id"]: {k: v for k, v in r["figures"].items() if not k.startswith(("complaints", "dishon"))}
            for r in rows
        }
        assert got == _group_by(period.start, period.end, horizon), raw


def test_figures_back_to_the_end_of_a_period(story):
    # Q3 ended before B's last 20,000 (10-10): on 09-30 B still owed it and its case was open; C's case
    # (09-05, 5,000) had no payment after its due date.
    q3 = arrears_rates(start=D(2026, 7, 1), end=D(2026, 9, 30))
    assert (q3["identified"], q3["resolved"], q3["owed"], q3["repaid"]) == (2, 0, Decimal("55000.00"), Decimal("30000"))
    by_month = arrears_rates(start=D(2026, 7, 1), end=D(2026, 12, 31), group_by="month")
    assert list(by_month) == [D(2026, 8, 1), D(2026, 9, 1)]  # B's case (08-20), C's (09-05)
    assert by_month[D(2026, 8, 1)]["resolution_rate"] == 1.0
    report = overdue_report(year=2026)
    # C's first payment: 8,000 due 08-29, 3,000 paid: 5,000 unpaid at the year's end.
    assert [(a["agency"]["code"], a["count"], a["amount"]) for a in report["agencies"]] == [("XJTJ-GLZ", 1, "5000.00")]
