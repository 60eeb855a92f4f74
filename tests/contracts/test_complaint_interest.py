"""The handling of an SME complaint settles principal AND late-payment interest (保障中小企业款项支付条例
第十七条), computed by contracts.interest up to the handling date, and the reply letter (答复函) says both."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.complaints.api.serializers import staff_payload
from contracts.complaints.process import complaint_task
from contracts.services import milestone_record_delivery, payment_record
from tests.contracts.test_complaints import submit, text_of, u
from workflow.audit import audit_for
from workflow.models import Agency, Document

D = dt.date
pytestmark = pytest.mark.django_db


def handle_and_reply(c, travel, *, on, amount):
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    travel(on)
    c = complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="货款确未付清。",
        amount_confirmed=amount,
        disputed=False,
    )
    complaint_task(complaint=c, step="feedback", user=u("agency_clerk"), text="我局将于10月底前付清本息。")
    c.refresh_from_db()
    return c, text_of(Document.objects.get(doc_type__startswith="complaint_feedback"))


def test_the_reply_states_principal_interest_to_the_handling_date_and_the_total(demo, travel, make_contract):
    contract = make_contract(signed_on="2026-08-03")
    travel("2026-09-02")
    m = milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=u("agency_clerk")
    )  # due 2026-10-08
    travel("2026-10-12")
    payment_record(
        contract=contract, milestone=m, amount="40000", paid_on=D(2026, 10, 12), acting_user=u("agency_clerk")
    )
    c = submit(travel, day="2026-10-12", contract={"id": contract.pk})
    c, text = handle_and_reply(c, travel, on="2026-10-19", amount="60000.00")
    # 4 days on 100,000 (10-09..10-12) = 200.00, then 7 days on 60,000 (10-13..10-19) = 210.00.
    assert (c.amount_confirmed, c.interest_confirmed, c.handled_on) == (
        Decimal("60000.00"),
        Decimal("410.00"),
        D(2026, 10, 19),
    )
    changes = audit_for(c).get(action="complaint.handle").changes
    assert (changes["amount_confirmed"], changes["interest_confirmed"], changes["interest_until"]) == (
        "60000.00",
        "410.00",
        "2026-10-19",
    )
    assert staff_payload(c, u("agency_clerk"))["interest_confirmed"] == "410.00"  # what the API answers
    assert "确认应付未付款项人民币陆万元整（¥60,000.00）" in text
    assert (
        "依照《保障中小企业款项支付条例》第十七条，按日利率0.05%计算，逾期付款利息截至2026年10月19日为人民币肆佰壹拾元整（¥410.00）"
        in text
    )
    assert "本金与利息合计人民币陆万零肆佰壹拾元整（¥60,410.00）" in text


def test_an_agreed_rate_is_stated_as_agreed(demo, travel, make_contract):
    contract = make_contract(signed_on="2026-08-03", late_interest_daily=Decimal("0.000300"))
    travel("2026-09-02")
    milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=u("agency_clerk")
    )
    c = submit(travel, day="2026-10-12", contract={"id": contract.pk})
    c, text = handle_and_reply(c, travel, on="2026-10-19", amount="100000.00")
    assert c.interest_confirmed == Decimal("330.00")  # 11 days × 100,000 × 0.03 %
    assert "按合同约定的日利率0.03%计算，逾期付款利息截至2026年10月19日为人民币叁佰叁拾元整（¥330.00）" in text


def test_without_a_registered_contract_no_interest_is_stated(demo, travel):
    c = submit(travel, day="2026-10-12")
    c, text = handle_and_reply(c, travel, on="2026-10-19", amount="180000.00")
    assert (c.amount_confirmed, c.interest_confirmed) == (Decimal("180000.00"), None)
    assert "壹拾捌万元整" in text and "逾期付款利息" not in text
