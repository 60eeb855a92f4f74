"""Government-integrity evaluation, arrears rates and the annual overdue-payables report."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.evaluation.services import arrears_rates, evaluation_compute, overdue_report, period_parse
from workflow.errors import ValidationFailed

D = dt.date
pytestmark = pytest.mark.django_db


def row_for(rows, code):
    return next(r for r in rows if r["agency"]["code"] == code)


def test_indicators_and_score_for_a_quarter(q3):
    period = period_parse("2026Q3")
    assert (period.start, period.end) == (D(2026, 7, 1), D(2026, 9, 30))
    rows = evaluation_compute(period_start=period.start, period_end=period.end)
    r = row_for(rows, "XJTJ")
    assert r["indicators"] == {
        "registration_timeliness": 0.5,  # B registered 07-25, due 07-21
        "on_time_payment_rate": 0.5,
        "overdue_payables": 0.5,  # B still owed 20,000.00 on 09-30
        "arrears_resolution_rate": 0.0,  # resolved only on 10-10
        "arrears_repayment_rate": 0.6,  # 30,000 of 50,000 repaid by 09-30
        "complaint_timeliness": None,
        "dishonesty_records": 1.0,
    }
    assert r["figures"]["overdue_payables_amount"] == "20000.00"
    # (10×0.5 + 25×0.5 + 15×0.5 + 15×0 + 15×0.6 + 10×1) / 90 (complaints not weighed) = 48.89
    assert r["score"] == 48.89
    assert r["rank"] == 1
    # An agency with nothing to measure is not ranked (rather than scoring 100).
    assert (row_for(rows, "XJYJ")["score"], row_for(rows, "XJYJ")["rank"]) == (None, None)


def test_a_later_period_sees_the_resolution(q3):
    rows = evaluation_compute(period_start=D(2026, 1, 1), period_end=D(2026, 12, 31))
    r = row_for(rows, "XJTJ")
    assert r["indicators"]["arrears_resolution_rate"] == 1.0
    assert r["indicators"]["arrears_repayment_rate"] == 1.0
    assert r["indicators"]["overdue_payables"] == 1.0  # nothing unpaid on 11-01 (today)


def test_arrears_rates_per_agency_region_and_overall(q3):
    overall = arrears_rates(start=D(2026, 7, 1), end=D(2026, 9, 30))
    assert (overall["identified"], overall["resolved"], overall["owed"], overall["repaid"]) == (
        1,
        0,
        Decimal("50000.00"),
        Decimal("30000.00"),
    )
    assert (overall["resolution_rate"], overall["repayment_rate"]) == (0.0, 0.6)
    by_region = arrears_rates(start=D(2026, 7, 1), end=D(2026, 12, 31), group_by="region")
    assert by_region["市本级"]["resolution_rate"] == 1.0


def test_annual_overdue_report(q3, travel):
    travel("2026-11-01")
    report = overdue_report(year=2025)
    assert (report["total_count"], report["total_amount"]) == (0, "0.00")
    assert report["publish_by"] == D(2026, 3, 31)
    report = overdue_report(year=2026)
    assert report["total_count"] == 0  # B was paid in October
    # 31 March 2027 is checked for a rest day against the provisional 2027 calendar (issue 9 item 7).
    assert report["publish_by"] == D(2027, 3, 31) and "2027" in report["calendar_note"]


@pytest.mark.parametrize("raw", ["2026Q5", "26Q1", "2026-13", "2026-09-30..2026-07-01", ""])
def test_bad_periods_are_refused(raw):
    with pytest.raises(ValidationFailed):
        period_parse(raw)


def test_evaluation_is_a_bounded_number_of_queries(q3, django_assert_max_num_queries):
    # The monthly figures (contracts.evaluation.figures): per indicator its whole months, at most two
    # partial months and the corrections back to the period's end; a number that does not grow with the data.
    with django_assert_max_num_queries(20):
        evaluation_compute(period_start=D(2026, 7, 1), period_end=D(2026, 9, 30))


def test_evaluation_api(q3):
    from rest_framework.test import APIClient

    from workflow.models import User

    def get(username, period="2026Q3"):
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        return client.get(f"/api/v1/evaluation/?period={period}")

    data = get("supervisor").json()
    assert (data["period"], data["start"], data["end"]) == ("2026Q3", "2026-07-01", "2026-09-30")
    assert row_for(data["agencies"], "XJTJ")["score"] == 48.89
    assert len(data["agencies"]) == 8
    # An agency sees its own row (and those below it) only; an enterprise sees nothing.
    assert [r["agency"]["code"] for r in get("agency_clerk").json()["agencies"]] == ["XJTJ", "XJTJ-GLZ"]
    assert get("enterprise_user").status_code == 403
    bad = get("supervisor", period="2026Q9")
    assert (bad.status_code, bad.json()["code"], list(bad.json()["errors"])) == (400, "invalid", ["period"])


def test_weights_change_keeps_history_and_changes_the_score(q3, demo):
    from contracts.evaluation.services import evaluation_weights_set, weights_current
    from contracts.models import EvaluationWeights
    from workflow.models import User

    supervisor = User.objects.get(username="supervisor")
    with pytest.raises(ValidationFailed):
        evaluation_weights_set(weights={"bribes": 1}, reason="x", effective_from=D(2026, 11, 1), acting_user=supervisor)
    with pytest.raises(ValidationFailed):
        evaluation_weights_set(
            weights={"on_time_payment_rate": 1}, reason=" ", effective_from=D(2026, 11, 1), acting_user=supervisor
        )
    evaluation_weights_set(
        weights={"on_time_payment_rate": 1},
        reason="只看按时付款率",
        effective_from=D(2026, 11, 1),
        acting_user=supervisor,
    )
    assert EvaluationWeights.objects.count() == 2
    assert weights_current().reason == "只看按时付款率"
    rows = evaluation_compute(period_start=D(2026, 7, 1), period_end=D(2026, 9, 30))
    assert row_for(rows, "XJTJ")["score"] == 50.0
