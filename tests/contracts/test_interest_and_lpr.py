"""Late-payment interest under the regulation in force at signing, the one-year LPR floor for an agreed
rate (保障中小企业款项支付条例 第十七条; 2020 text 第十五条), and large enterprises' agreed terms (第九条)."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from contracts.interest import daily_rate, interest_rule, milestone_interest
from contracts.lpr import lpr_in_force
from contracts.models import Contract, LoanPrimeRate
from contracts.services import contract_amend, milestone_record_delivery
from workflow.audit import audit_for
from workflow.errors import ValidationFailed
from workflow.models import User

D = dt.date
pytestmark = pytest.mark.django_db
LARGE = {"name": "X市宏图工程建设集团有限公司", "uscc": "91410102JJC171HU49", "size": "large"}


def milestones(planned: dt.date):
    return [
        {"kind": "delivery", "title": "交付", "amount": None, "planned_on": planned},
        {"kind": "payment", "title": "付款", "amount": "100000.00", "planned_on": planned},
    ]


def register_audit(contract):
    return audit_for(contract).get(action="contract.register").changes


# --- the 2020-era interest rule ------------------------------------------------------------------------


def test_a_contract_signed_on_2024_03_01_computes_interest_under_the_2020_text(make_contract, clerk, travel):
    contract = make_contract(signed_on="2024-03-01", milestones=milestones(D(2024, 4, 1)))
    rule = interest_rule(contract)
    assert (rule.basis_article, rule.effective_from, rule.effective_to) == ("第十五条", D(2020, 9, 1), D(2025, 5, 31))
    assert "第728号" in rule.basis_document and rule.verified
    assert daily_rate(contract) == Decimal("0.000500")
    travel("2024-04-01")
    m = milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2024, 4, 1), acting_user=clerk
    )
    # 04-01 + 30 days = 05-01, Labour Day (05-01..05-05 off): due Monday 05-06 (2020 text 第八条).
    assert (m.payment_due_on, m.payment_rule) == (D(2024, 5, 6), "sme.pay.government")
    assert milestone_interest(m, as_of=D(2024, 5, 16)) == Decimal("500.00")  # 10 days × 100,000 × 0.05 %


def test_the_2025_text_governs_contracts_signed_from_2025_06_01(make_contract):
    before = make_contract(number="HT-1", signed_on="2025-05-31", milestones=milestones(D(2025, 7, 1)))
    after = make_contract(number="HT-2", signed_on="2025-06-01", milestones=milestones(D(2025, 7, 1)))
    assert interest_rule(before).basis_article == "第十五条"
    assert interest_rule(after).basis_article == "第十七条" and "第802号" in interest_rule(after).basis_document


# --- the LPR table and the floor -----------------------------------------------------------------------


def test_the_lpr_in_force_changes_on_the_publication_day_not_the_first_of_the_month(demo):
    assert LoanPrimeRate.objects.count() == 80  # 2019-08 .. 2026-03
    assert lpr_in_force(D(2019, 8, 19)) is None  # before the first reformed LPR
    assert lpr_in_force(D(2019, 8, 20)).one_year_percent == Decimal("4.25")
    # October 2024: the 20th was a Sunday, published Monday the 21st (3.35 → 3.10).
    assert lpr_in_force(D(2024, 10, 20)).one_year_percent == Decimal("3.35")
    assert lpr_in_force(D(2024, 10, 21)).one_year_percent == Decimal("3.10")
    # August 2022 (3.70 → 3.65 on Monday the 22nd) and August 2023 (3.55 → 3.45 on Monday the 21st).
    assert lpr_in_force(D(2022, 8, 21)).one_year_percent == Decimal("3.70")
    assert lpr_in_force(D(2022, 8, 22)).one_year_percent == Decimal("3.65")
    assert lpr_in_force(D(2023, 8, 20)).one_year_percent == Decimal("3.55")
    assert lpr_in_force(D(2023, 8, 21)).one_year_percent == Decimal("3.45")
    # February 2026: the 20th fell in the Spring Festival holiday, published Tuesday the 24th.
    feb = lpr_in_force(D(2026, 2, 24))
    assert (feb.month, feb.published_on, feb.one_year_percent) == (D(2026, 2, 1), D(2026, 2, 24), Decimal("3.00"))
    assert lpr_in_force(D(2026, 2, 23)).month == D(2026, 1, 1)
    # The last month entered (2026-03-20, 3.00) covers the days before the next possible publication.
    assert lpr_in_force(D(2026, 4, 19)).one_year_percent == Decimal("3.00")
    assert lpr_in_force(D(2026, 4, 20)) is None
    # A month left out between two entered ones is unknown too, from its earliest publication day.
    LoanPrimeRate.objects.create(month=D(2026, 6, 1), published_on=D(2026, 6, 22), one_year_percent=Decimal("3.00"))
    assert lpr_in_force(D(2026, 4, 19)).one_year_percent == Decimal("3.00")
    assert lpr_in_force(D(2026, 5, 25)) is None
    assert lpr_in_force(D(2026, 6, 22)).one_year_percent == Decimal("3.00")


@pytest.mark.parametrize(
    "signed_on, rate, refused, lpr",
    [
        # 3.35 % / 360 = 0.00009306 a day: 0.000093 is below, 0.000094 is not.
        ("2024-10-20", "0.000093", True, "3.35"),
        ("2024-10-20", "0.000094", False, "3.35"),
        # From the 21st: 3.10 % / 360 = 0.00008611.
        ("2024-10-21", "0.000090", False, "3.10"),
        ("2024-10-21", "0.000086", True, "3.10"),
        # May 2025: 3.10 until the 19th, 3.00 (0.00008333) from the 20th.
        ("2025-05-19", "0.000084", True, "3.10"),
        ("2025-05-20", "0.000084", False, "3.00"),
        ("2025-05-20", "0.000083", True, "3.00"),
        # Signed in 2026: the months 2025-06 .. 2026-03 are seeded (3.00 each), the floor still 0.00008333.
        ("2026-02-10", "0.000083", True, "3.00"),
        ("2026-02-10", "0.000084", False, "3.00"),
        ("2026-04-19", "0.000083", True, "3.00"),
    ],
)
def test_an_agreed_rate_below_the_lpr_of_the_signing_day_is_refused(make_contract, signed_on, rate, refused, lpr):
    planned = dt.date.fromisoformat(signed_on) + dt.timedelta(days=60)
    if refused:
        with pytest.raises(ValidationFailed) as exc:
            make_contract(signed_on=signed_on, late_interest_daily=Decimal(rate), milestones=milestones(planned))
        assert (exc.value.code, list(exc.value.errors)) == ("below_lpr_floor", ["late_interest_daily"])
        assert f"{lpr}%" in str(exc.value.message) and signed_on in str(exc.value.message)
        assert Contract.objects.count() == 0
    else:
        contract = make_contract(signed_on=signed_on, late_interest_daily=Decimal(rate), milestones=milestones(planned))
        assert register_audit(contract)["flags"] == {"lpr": lpr}
        assert daily_rate(contract) == Decimal(rate)


def test_the_refusal_message_in_chinese_names_the_rate_the_lpr_and_its_dates(make_contract):
    with pytest.raises(ValidationFailed) as exc:
        make_contract(
            signed_on="2024-10-20", late_interest_daily=Decimal("0.000050"), milestones=milestones(D(2024, 12, 1))
        )
    assert str(exc.value.message) == (
        "约定的逾期利息日利率0.00005（折合年利率1.80%）低于合同订立时（2024-10-20）的一年期贷款市场报价利率3.35%"
        "（2024-09-20公布）。根据《保障中小企业款项支付条例》第十七条，约定利率不得低于该利率。"
    )


def test_a_2026_contract_signed_after_the_last_seeded_month_is_recorded_and_flagged(make_contract):
    # 2026-03-20 is the last month seeded; April's rate could be published from the 20th.
    contract = make_contract(
        signed_on="2026-04-20", late_interest_daily=Decimal("0.000010"), milestones=milestones(D(2026, 6, 1))
    )
    assert register_audit(contract)["flags"] == {"lpr": "lpr_unknown"}
    assert daily_rate(contract) == Decimal("0.000010")


def test_no_lpr_entered_for_the_signing_day_records_the_contract_and_flags_it(make_contract):
    contract = make_contract(
        signed_on="2026-08-03", late_interest_daily=Decimal("0.000010"), milestones=milestones(D(2026, 10, 1))
    )
    assert register_audit(contract)["flags"] == {"lpr": "lpr_unknown"}
    # Once the month is entered, the same rate is refused for a contract signed that day.
    LoanPrimeRate.objects.create(month=D(2026, 7, 1), published_on=D(2026, 7, 20), one_year_percent=Decimal("2.90"))
    with pytest.raises(ValidationFailed) as exc:
        make_contract(
            number="HT-2",
            signed_on="2026-08-03",
            late_interest_daily=Decimal("0.000010"),
            milestones=milestones(D(2026, 10, 1)),
        )
    assert exc.value.code == "below_lpr_floor" and "2.90%" in str(exc.value.message)


def test_the_floor_is_the_sme_regulations_a_large_payee_may_agree_any_rate(make_contract):
    contract = make_contract(
        signed_on="2024-10-20",
        counterparty=LARGE,
        late_interest_daily=Decimal("0.000010"),
        milestones=milestones(D(2024, 12, 1)),
    )
    assert contract.late_interest_daily == Decimal("0.000010")


def test_an_amendment_to_a_rate_below_the_floor_is_refused_and_changes_nothing(make_contract, clerk, travel):
    contract = make_contract(signed_on="2024-10-21", milestones=milestones(D(2024, 12, 1)))
    travel("2024-11-01")
    with pytest.raises(ValidationFailed) as exc:
        contract_amend(
            contract=contract,
            changes={"late_interest_daily": Decimal("0.000080")},
            reason="补充协议",
            acting_user=clerk,
        )
    assert exc.value.code == "below_lpr_floor"
    contract.refresh_from_db()
    assert (contract.late_interest_daily, contract.version, contract.versions.count()) == (None, 1, 0)
    contract = contract_amend(
        contract=contract, changes={"late_interest_daily": Decimal("0.000090")}, reason="补充协议", acting_user=clerk
    )
    assert (contract.late_interest_daily, contract.version) == (Decimal("0.000090"), 2)


def test_the_api_answers_400_below_lpr_floor_and_saves_nothing(demo, travel):
    travel("2024-10-22")
    client = APIClient()
    client.force_authenticate(User.objects.get(username="agency_clerk"))
    body = {
        "number": "JT-2024-018",
        "title": "国道养护工程材料采购",
        "kind": "goods",
        "procurement": False,
        "counterparty": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
        "amount": "300000.00",
        "signed_on": "2024-10-20",
        "late_interest_daily": "0.000090",
        "milestones": [],
    }
    r = client.post("/api/v1/contracts/", body, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "below_lpr_floor" and "late_interest_daily" in r.json()["errors"]
    assert Contract.objects.count() == 0
    r = client.post("/api/v1/contracts/", {**body, "signed_on": "2024-10-21"}, format="json")
    assert r.status_code == 201, r.json()


# --- large enterprises: 60 days is a default, not a ceiling --------------------------------------------


def test_a_large_enterprise_may_agree_more_than_60_days_and_is_flagged(make_contract, clerk, travel):
    contract = make_contract(agency_code="XCTJT", payment_term_days=90)
    assert register_audit(contract)["flags"] == {"payment_term_above_default": 90}
    from contracts.api.contracts import ContractOutSerializer

    assert ContractOutSerializer(contract).data["payment_term_above_default"] is True
    travel("2026-08-03")
    m = milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 8, 3), acting_user=clerk
    )
    # 08-03 + 90 days = Sunday 11-01: due Monday 11-02, under 第九条第二款.
    assert (m.payment_due_on, m.payment_rule) == (D(2026, 11, 2), "sme.pay.large_enterprise")


def test_a_large_enterprise_within_60_days_is_not_flagged_and_a_government_payer_keeps_its_ceiling(make_contract):
    contract = make_contract(agency_code="XCTJT", payment_term_days=45)
    assert "flags" not in register_audit(contract)
    with pytest.raises(ValidationFailed) as exc:
        make_contract(number="HT-2", payment_term_days=61)
    assert (exc.value.code, list(exc.value.errors)) == ("above_legal_ceiling", ["payment_term_days"])


def test_under_the_2020_text_a_large_enterprise_pays_on_the_agreed_term_or_the_planned_date(
    make_contract, clerk, travel
):
    agreed = make_contract(
        agency_code="XCTJT",
        number="HT-1",
        signed_on="2025-03-03",
        payment_term_days=75,
        milestones=milestones(D(2025, 6, 30)),
    )
    planned = make_contract(
        agency_code="XCTJT", number="HT-2", signed_on="2025-03-03", milestones=milestones(D(2025, 6, 30))
    )
    travel("2025-05-10")
    m1 = milestone_record_delivery(
        milestone=agreed.milestones.get(kind="payment"), delivered_on=D(2025, 5, 10), acting_user=clerk
    )
    m2 = milestone_record_delivery(
        milestone=planned.milestones.get(kind="payment"), delivered_on=D(2025, 5, 10), acting_user=clerk
    )
    assert (m1.payment_due_on, m1.payment_rule) == (D(2025, 7, 24), "sme.pay.large_enterprise")  # 05-10 + 75 days
    assert (m2.payment_due_on, m2.payment_rule) == (D(2025, 6, 30), "contract.planned")


# --- the table is kept in the admin by the credit office's supervisors -----------------------------------


def test_a_supervisor_enters_a_month_in_the_admin_and_it_is_audited(demo, client):
    supervisor = User.objects.get(username="supervisor")
    client.force_login(supervisor)
    url = "/admin/contracts/loanprimerate/add/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"published_on": "2026-04-15", "one_year_percent": "3.00", "source": "NIFC"})
    assert r.status_code == 200 and "20" in r.content.decode()  # refused: published on the 20th or later
    r = client.post(url, {"published_on": "2026-03-23", "one_year_percent": "3.00", "source": "NIFC"})
    assert r.status_code == 200 and "2026-03" in r.content.decode()  # that month is already entered
    assert LoanPrimeRate.objects.count() == 80
    r = client.post(url, {"published_on": "2026-04-20", "one_year_percent": "3.00", "source": "NIFC"})
    assert r.status_code == 302, r.content.decode()[:2000]
    row = LoanPrimeRate.objects.get(month=D(2026, 4, 1))
    assert (row.published_on, row.one_year_percent, row.updated_by) == (D(2026, 4, 20), Decimal("3.00"), supervisor)
    assert audit_for(row).get(action="lpr.save").changes == {"before": None, "after": ["2026-04-20", "3.00"]}
    assert lpr_in_force(D(2026, 5, 19)).one_year_percent == Decimal("3.00")
    assert client.post(f"/admin/contracts/loanprimerate/{row.pk}/delete/").status_code == 403


def test_the_registration_page_shows_the_refusal_at_the_rate_field_in_chinese(demo, client, travel):
    from django.urls import reverse

    from tests.contracts.test_views import contract_post, field_errors

    travel("2024-10-22")
    client.force_login(User.objects.get(username="agency_clerk"))
    milestones_dates = {"milestones-0-planned_on": "2024-11-01", "milestones-1-planned_on": "2024-12-01"}
    post = contract_post(
        signed_on="2024-10-20", ends_on="2025-10-19", late_interest_daily="0.000090", **milestones_dates
    )
    response = client.post(reverse("contracts-new"), post, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    errors = field_errors(response, "late_interest_daily")
    assert any("低于合同订立时（2024-10-20）的一年期贷款市场报价利率3.35%" in e for e in errors), errors
    assert Contract.objects.count() == 0
    response = client.post(
        reverse("contracts-new"), {**post, "signed_on": "2024-10-21"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 302 and Contract.objects.get().late_interest_daily == Decimal("0.000090")
