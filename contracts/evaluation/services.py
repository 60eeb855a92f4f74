"""Government-integrity evaluation (政务诚信评价) per agency and period, and the arrears rates.

Every indicator is one aggregate query grouped by agency (set-based; no per-agency loops), so
the evaluation scales with the database. Indicators (each a score from 0 to 1, or None when an
agency had nothing to measure in the period; the weights of the others are then renormalised):

- registration_timeliness: contracts signed in the period registered within `contract.register`.
- on_time_payment_rate: payment milestones due in the period (and already due) paid in full by the due date.
- overdue_payables: SME payables due by the end of the period and still unpaid then (count, amount);
  score 1 − overdue / due.
- arrears_resolution_rate (化解率): arrears cases identified in the period resolved by its end.
- arrears_repayment_rate (清偿率): amount repaid by the end of the period / amount owed, same cases.
- complaint_timeliness: complaints handled within their statutory time (from the complaint column;
  None until complaints exist).
- dishonesty_records: government dishonesty records decided in the period; score 1 / (1 + count).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from contracts.complaints.metrics import handled_on_time_by_agency
from contracts.evaluation import figures
from contracts.models import EvaluationWeights, GovernmentDishonestyRecord
from workflow import clock
from workflow.audit import audit_record
from workflow.documents import document_issue
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Agency, Document


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def period_parse(raw: str) -> Period:
    """'2026Q3', '2026', '2026-07', or '2026-07-01..2026-09-30'."""
    raw = (raw or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})Q([1-4])", raw):
            year, q = int(m[1]), int(m[2])
            start = dt.date(year, 3 * q - 2, 1)
            end = (dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
            return Period(raw, start, end)
        if re.fullmatch(r"\d{4}", raw):
            year = int(raw)
            return Period(raw, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
            year, month = int(m[1]), int(m[2])
            start = dt.date(year, month, 1)
            end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            return Period(raw, start, end)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", raw):
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if end >= start:
                return Period(raw, start, end)
    except ValueError:
        pass
    raise ValidationFailed(
        _("Period must look like 2026Q3, 2026, 2026-07 or 2026-07-01..2026-09-30."), "invalid", field="period"
    )


def weights_current(on: dt.date | None = None) -> EvaluationWeights | None:
    on = on or clock.today()
    return EvaluationWeights.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()


def _by_agency(qs, **aggregates) -> dict[int, dict]:
    return {row.pop("agency_id"): row for row in qs.values("agency_id").annotate(**aggregates)}


def evaluation_compute(*, period_start: dt.date, period_end: dt.date, as_of: dt.date | None = None) -> list[dict]:
    as_of = as_of or clock.today()
    horizon = min(period_end, as_of)
    current = weights_current(as_of)
    assert current is not None, "migration 0003 puts default weights in force from 2020"
    weights = current.weights

    registration = figures.registration_by_agency(period_start, period_end)
    payments = figures.payments_by_agency(period_start, horizon)
    overdue = figures.unpaid_by_agency(period_start, horizon - dt.timedelta(days=1), paid_by=horizon)
    arrears = arrears_rates(start=period_start, end=period_end, group_by="agency")
    dishonesty = _by_agency(
        GovernmentDishonestyRecord.objects.filter(decided_on__range=(period_start, period_end)), n=Count("id")
    )
    complaints = handled_on_time_by_agency(period_start, period_end)

    rows: list[dict[str, Any]] = []
    for agency in Agency.objects.order_by("code"):
        a = agency.pk
        reg = registration.get(a)
        pay = payments.get(a)
        ovd = overdue.get(a)
        arr = arrears.get(a)
        com = complaints.get(a)
        n_dishonest = dishonesty.get(a, {}).get("n", 0)
        overdue_share = _ratio(ovd["overdue"], ovd["due"]) if ovd else None
        indicators = {
            "registration_timeliness": _ratio(reg and reg["on_time"], reg and reg["total"]),
            "on_time_payment_rate": _ratio(pay and pay["on_time"], pay and pay["total"]),
            "overdue_payables": (1 - overdue_share) if overdue_share is not None else None,
            "arrears_resolution_rate": arr["resolution_rate"] if arr else None,
            "arrears_repayment_rate": arr["repayment_rate"] if arr else None,
            "complaint_timeliness": _ratio(com and com["on_time"], com and com["total"]),
            "dishonesty_records": 1 / (1 + n_dishonest),
        }
        applicable = {k: v for k, v in indicators.items() if v is not None and weights.get(k)}
        if set(applicable) <= {"dishonesty_records"} and not n_dishonest:
            applicable = {}  # nothing to measure in the period: not ranked rather than a perfect score
        total_weight = sum(weights[k] for k in applicable)
        score = (
            round(100 * sum(weights[k] * v for k, v in applicable.items()) / total_weight, 2) if total_weight else None
        )
        rows.append(
            {
                "agency": {"id": a, "code": agency.code, "name": agency.name, "region": agency.region},
                "indicators": {k: (round(v, 4) if v is not None else None) for k, v in indicators.items()},
                "figures": {
                    "contracts_signed": reg["total"] if reg else 0,
                    "registered_on_time": reg["on_time"] if reg else 0,
                    "payments_due": pay["total"] if pay else 0,
                    "payments_on_time": pay["on_time"] if pay else 0,
                    "overdue_payables_count": ovd["overdue"] if ovd else 0,
                    "overdue_payables_amount": f"{(ovd['overdue_amount'] if ovd else Decimal(0)):.2f}",
                    "arrears_identified": arr["identified"] if arr else 0,
                    "arrears_resolved": arr["resolved"] if arr else 0,
                    "arrears_owed": f"{(arr['owed'] if arr else Decimal(0)):.2f}",
                    "arrears_repaid": f"{(arr['repaid'] if arr else Decimal(0)):.2f}",
                    "complaints_handled": com["total"] if com else 0,
                    "complaints_on_time": com["on_time"] if com else 0,
                    "dishonesty_records": n_dishonest,
                },
                "score": score,
            }
        )
    ranked = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["agency"]["code"]))
    rank = 0
    for r in ranked:
        if r["score"] is not None:
            rank += 1
            r["rank"] = rank
        else:
            r["rank"] = None
    return ranked


def _ratio(num, den) -> float | None:
    if not den:
        return None
    return float(num) / float(den)


def arrears_rates(*, start: dt.date, end: dt.date, group_by: str | None = None, agency_ids=None) -> dict:
    """化解率 (resolved / identified) and 清偿率 (repaid / owed) for arrears cases identified in
    [start, end], counting resolutions and repayments up to `end`. group_by: "agency", "region",
    "month" (the first day of the month the case was identified in) or None (overall: returns one
    dict). agency_ids limits the cases to those agencies (None: every agency)."""
    return _grouped(figures.arrears_cells(start, end, agency_ids), group_by)


def arrears_rates_overall_by_agency_and_month(*, start: dt.date, end: dt.date, agency_ids=None) -> tuple:
    """arrears_rates overall, by agency and by month (the dashboard's three views), from one reading."""
    cells = figures.arrears_cells(start, end, agency_ids)
    return _grouped(cells, None), _grouped(cells, "agency"), _grouped(cells, "month")


def _grouped(cells: dict, group_by: str | None):
    if group_by is None:
        return _rates(_sum_cells(cells.values()))
    key: dict[tuple, Any]
    if group_by == "agency":
        key = {cell: cell[0] for cell in cells}
    elif group_by == "month":
        key = {cell: cell[1] for cell in cells}
    elif group_by == "region":
        regions = dict(Agency.objects.filter(pk__in={a for a, _m in cells}).values_list("pk", "region"))
        key = {cell: regions[cell[0]] for cell in cells}
    else:
        raise ValueError(group_by)
    groups: dict = {}
    for cell, values in cells.items():
        groups.setdefault(key[cell], []).append(values)
    return {k: _rates(_sum_cells(groups[k])) for k in sorted(groups)}


def _sum_cells(cells) -> dict:
    row = {"identified": 0, "resolved": 0, "owed": Decimal(0), "repaid": Decimal(0)}
    for identified, resolved, owed, repaid in cells:
        row["identified"] += identified
        row["resolved"] += resolved
        row["owed"] += owed
        row["repaid"] += repaid
    return row


def _rates(row: dict) -> dict:
    owed = row["owed"] or Decimal(0)
    repaid = min(row["repaid"] or Decimal(0), owed)
    return {
        **row,
        "repaid": repaid,
        "resolution_rate": _ratio(row["resolved"], row["identified"]),
        "repayment_rate": float(repaid / owed) if owed else None,
    }


def overdue_report(*, year: int) -> dict:
    """The annual report of `sme.overdue.publish`: SME payables due in `year` and still unpaid at its
    end, per agency (count, amount), with the statutory publication date."""
    from workflow.deadlines import due_for
    from workflow.errors import CalendarDataMissing

    end = dt.date(year, 12, 31)
    unpaid = {a: r for a, r in figures.unpaid_by_agency(dt.date(year, 1, 1), end, paid_by=end).items() if r["overdue"]}
    agencies_of = Agency.objects.filter(pk__in=list(unpaid)).order_by("code").values_list("pk", "code", "name")
    try:
        due = due_for("sme.overdue.publish", end)
        publish_by = due.due
        calendar_note = (
            _("Provisional: the State Council holiday notice for %(year)s has not been entered yet.")
            % {"year": publish_by.year}
            if due.provisional
            else ""
        )
    except CalendarDataMissing as exc:
        publish_by = dt.date(year + 1, 3, 31)
        calendar_note = str(exc)
    agencies = [
        {
            "agency": {"id": pk, "code": code, "name": name},
            "count": unpaid[pk]["overdue"],
            "amount": f"{unpaid[pk]['overdue_amount']:.2f}",
        }
        for pk, code, name in agencies_of
    ]
    return {
        "year": year,
        "publish_by": publish_by,
        "calendar_note": calendar_note,
        "agencies": agencies,
        "total_count": sum(a["count"] for a in agencies),
        "total_amount": f"{sum((Decimal(a['amount']) for a in agencies), Decimal(0)):.2f}",
    }


@transaction.atomic
def evaluation_weights_set(*, weights: dict, reason: str, effective_from: dt.date, acting_user):
    """New evaluation weights from `effective_from`; earlier rows stay as the history."""
    if not reason.strip():
        raise ValidationFailed(_("Say why the weights change."), "reason_required", field="reason")
    unknown = set(weights) - set(EvaluationWeights.INDICATORS)
    if unknown:
        raise ValidationFailed(
            _("Unknown indicator: %(name)s") % {"name": sorted(unknown)[0]}, "invalid", field="weights"
        )
    clean = {}
    for key in EvaluationWeights.INDICATORS:
        value = weights.get(key, 0)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValidationFailed(_("A weight is a number of zero or more."), "invalid", field=f"weights.{key}")
        clean[key] = value
    if sum(clean.values()) <= 0:
        raise ValidationFailed(_("At least one weight must be above zero."), "invalid", field="weights")
    row = EvaluationWeights.objects.create(
        weights=clean,
        reason=reason,
        effective_from=effective_from,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        created_at=clock.now(),
    )
    audit_record(action="evaluation.weights", obj=row, actor=acting_user, reason=reason, changes=clean)
    return row


# 文号 series of the evaluation report: X发改评价〔2026〕3号.
REPORT_SERIES = "评价"


@transaction.atomic
def evaluation_report_issue(*, agency: Agency, period: Period, row: dict, issuer: Agency, acting_user) -> Document:
    """Issue (once) the numbered evaluation report of `agency` for `period`, as `issuer`.

    Only for a period that has ended: the report speaks of the period's end (期末) and its figures must
    not change after it is issued. The PDF is rendered by the q2 worker after commit.
    """
    if period.end >= clock.today():
        raise Conflict(
            _("An evaluation report is issued only for a period that has ended: %(label)s ends on %(end)s.")
            % {"label": period.label, "end": period.end.isoformat()},
            "evaluation_period_open",
        )
    # The method: the weights in force at the end of the period (the cells follow INDICATORS' order).
    current = weights_current(period.end)
    assert current is not None, "migration 0003 puts default weights in force from 2020"
    total = sum(current.weights.get(k, 0) for k in EvaluationWeights.INDICATORS) or 1
    weights = [
        [str(label), round(100 * current.weights.get(key, 0) / total, 2)]
        for (label, _value), key in zip(row["cells"], EvaluationWeights.INDICATORS, strict=True)
    ]
    return document_issue(
        case=agency,
        doc_type=f"evaluation_report:{period.label}",
        title="政务诚信评价报告",
        template="documents/evaluation_report.html",
        issuer=issuer,
        series=REPORT_SERIES if issuer.doc_prefix else "",
        acting_user=acting_user,
        context={
            "recipients": agency.name,
            "period": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "score": row["score"],
            "rank": row["rank"],
            "cells": [[str(label), None if v is None else round(100 * v, 2)] for label, v in row["cells"]],
            "figures": row["figures"],
            "weights": weights,
        },
    )
