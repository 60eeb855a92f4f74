"""The contracts API: shapes, scoping, bad input and conflicts as a client sees them."""

import pytest
from rest_framework.test import APIClient

from contracts.models import Contract, Milestone
from workflow.models import User

pytestmark = pytest.mark.django_db

BODY = {
    "number": "JT-2026-018",
    "title": "国道养护工程材料采购",
    "kind": "goods",
    "procurement": True,
    "counterparty": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "amount": "300000.00",
    "signed_on": "2026-08-03",
    "ends_on": "2027-08-02",
    "payment_term_days": None,
    "milestones": [
        {
            "kind": "delivery",
            "title": "首批材料交付",
            "amount": None,
            "planned_on": "2026-09-01",
            "payment_after_acceptance": False,
            "acceptance_period_days": None,
        },
        {
            "kind": "payment",
            "title": "首批货款",
            "amount": "100000.00",
            "planned_on": "2026-10-01",
            "payment_after_acceptance": False,
            "acceptance_period_days": None,
        },
    ],
}


def client_for(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.fixture
def created(demo, travel):
    travel("2026-08-04")
    response = client_for("agency_clerk").post("/api/v1/contracts/", BODY, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_returns_the_contract_as_get_does(created):
    data = created
    assert data["status"] == "registered"
    assert data["amount"] == "300000.00"
    assert data["deadlines"] == {"register": "2026-08-12", "publish": "2026-08-05"}
    assert data["registered_on"] == "2026-08-04" and data["registered_on_time"] is True
    assert data["counterparty"] == {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"}
    assert [(m["kind"], m["status"], m["amount"]) for m in data["milestones"]] == [
        ("delivery", "planned", None),
        ("payment", "planned", "100000.00"),
    ]
    assert client_for("agency_clerk").get(f"/api/v1/contracts/{data['id']}").json() == data


def test_delivery_payment_and_arrears_over_the_api(created, travel):
    cid = created["id"]
    pay = next(m for m in created["milestones"] if m["kind"] == "payment")
    clerk = client_for("agency_clerk")
    travel("2026-09-02")
    r = clerk.post(
        f"/api/v1/contracts/{cid}/milestones/{pay['id']}/delivery", {"delivered_on": "2026-09-02"}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["payment_due_on"], r.json()["status"]) == ("2026-10-08", "due")
    import datetime as dt

    from workflow.sweeps import sweep_run

    travel("2026-10-09")
    sweep_run(as_of=dt.date(2026, 10, 9))
    travel("2026-10-18")
    arrears = clerk.get(f"/api/v1/arrears/?contract={cid}").json()
    assert arrears == [
        {
            "id": arrears[0]["id"],
            "contract": cid,
            "milestone": pay["id"],
            "due_on": "2026-10-08",
            "owed": "100000.00",
            "repaid": "0.00",
            "interest": "500.00",
            "status": "identified",
        }
    ]
    travel("2026-10-19")
    r = clerk.post(
        f"/api/v1/contracts/{cid}/payments/",
        {"milestone": pay["id"], "amount": "100000.00", "paid_on": "2026-10-19"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    travel("2026-12-01")
    case = clerk.get("/api/v1/arrears/?status=resolved").json()[0]
    assert (case["repaid"], case["interest"], case["status"]) == ("100000.00", "550.00", "resolved")
    detail = clerk.get(f"/api/v1/contracts/{cid}").json()
    # The payment warning closed with the payment; the missing monthly report is still open.
    assert sorted((w["rule"], w["status"]) for w in detail["warnings"]) == [
        ("payment.overdue", "resolved"),
        ("report.missing", "open"),
    ]
    assert detail["payments"][0]["amount"] == "100000.00"


def test_another_agency_sees_nothing(created):
    other = client_for("agency_clerk2")
    assert other.get(f"/api/v1/contracts/{created['id']}").status_code == 404
    assert other.get(f"/api/v1/contracts/{created['id']}").json()["code"] == "not_found"
    assert other.get("/api/v1/contracts/").json() == []
    assert other.get("/api/v1/arrears/").json() == []
    r = other.post(
        f"/api/v1/contracts/{created['id']}/payments/",
        {"milestone": 1, "amount": "1", "paid_on": "2026-08-04"},
        format="json",
    )
    assert r.status_code == 404
    # The supervisor sees it; the counterparty enterprise sees its own contract; another enterprise does not.
    assert client_for("supervisor").get(f"/api/v1/contracts/{created['id']}").status_code == 200
    assert client_for("enterprise_user").get(f"/api/v1/contracts/{created['id']}").status_code == 200
    assert client_for("enterprise_user2").get(f"/api/v1/contracts/{created['id']}").status_code == 404


def test_only_clerks_record(created):
    r = client_for("enterprise_user").post("/api/v1/contracts/", {**BODY, "number": "X"}, format="json")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = client_for("enterprise_user").post(
        f"/api/v1/contracts/{created['id']}/payments/",
        {"milestone": 1, "amount": "1", "paid_on": "2026-08-04"},
        format="json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": "abc"}, "amount"),
        ({"kind": "bribe"}, "kind"),
        ({"signed_on": "2026-02-30"}, "signed_on"),
        ({"counterparty": {"name": "x", "uscc": "123", "size": "small"}}, "counterparty.uscc"),
        ({"payment_term_days": 61}, "payment_term_days"),
        (
            {"milestones": [{"kind": "payment", "title": "x", "amount": "999999.00", "planned_on": "2026-10-01"}]},
            "milestones",
        ),
    ],
)
def test_bad_input_is_400_with_field_errors_and_nothing_saved(demo, travel, change, field):
    travel("2026-08-04")
    r = client_for("agency_clerk").post("/api/v1/contracts/", {**BODY, **change}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] in ("invalid", "invalid_uscc", "above_legal_ceiling", "milestones_exceed")
    assert field in r.json()["errors"], r.json()
    assert Contract.objects.count() == 0 and Milestone.objects.count() == 0


def test_a_closed_milestone_cannot_be_delivered_again(created, travel):
    cid = created["id"]
    delivery = next(m for m in created["milestones"] if m["kind"] == "delivery")
    clerk = client_for("agency_clerk")
    travel("2026-09-01")
    assert (
        clerk.post(
            f"/api/v1/contracts/{cid}/milestones/{delivery['id']}/delivery",
            {"delivered_on": "2026-09-01"},
            format="json",
        ).status_code
        == 200
    )
    r = clerk.post(
        f"/api/v1/contracts/{cid}/milestones/{delivery['id']}/delivery", {"delivered_on": "2026-09-01"}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "milestone_state")


def test_detail_query_count_is_bounded(created, django_assert_max_num_queries):
    clerk = client_for("agency_clerk")
    with django_assert_max_num_queries(12):
        assert clerk.get(f"/api/v1/contracts/{created['id']}").status_code == 200


def test_fulfil_needs_every_milestone_closed_and_terminate_needs_a_reason(created, travel):
    cid = created["id"]
    clerk = client_for("agency_clerk")
    r = clerk.post(f"/api/v1/contracts/{cid}/fulfil", {}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "milestones_open")
    r = clerk.post(f"/api/v1/contracts/{cid}/terminate", {"reason": ""}, format="json")
    assert (r.status_code, list(r.json()["errors"])) == (400, ["reason"])
    r = clerk.post(f"/api/v1/contracts/{cid}/terminate", {"reason": "双方协商一致解除"}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "terminated")
    r = clerk.post(f"/api/v1/contracts/{cid}/terminate", {"reason": "again"}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "contract_state")
    assert client_for("agency_clerk2").post(f"/api/v1/contracts/{cid}/fulfil", {}, format="json").status_code == 404


def test_fulfil_after_everything_is_paid(created, travel):
    cid = created["id"]
    clerk = client_for("agency_clerk")
    travel("2026-09-02")
    for m in created["milestones"]:
        clerk.post(
            f"/api/v1/contracts/{cid}/milestones/{m['id']}/delivery", {"delivered_on": "2026-09-02"}, format="json"
        )
    pay = next(m for m in created["milestones"] if m["kind"] == "payment")
    clerk.post(
        f"/api/v1/contracts/{cid}/payments/",
        {"milestone": pay["id"], "amount": "100000.00", "paid_on": "2026-09-02"},
        format="json",
    )
    r = clerk.post(f"/api/v1/contracts/{cid}/fulfil", {}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "fulfilled")
    assert [m["status"] for m in r.json()["milestones"]] == ["met", "met"]


def test_repayment_plan_and_rates(created, travel):
    import datetime as dt

    from workflow.sweeps import sweep_run

    cid = created["id"]
    pay = next(m for m in created["milestones"] if m["kind"] == "payment")
    clerk = client_for("agency_clerk")
    travel("2026-09-02")
    clerk.post(
        f"/api/v1/contracts/{cid}/milestones/{pay['id']}/delivery", {"delivered_on": "2026-09-02"}, format="json"
    )
    travel("2026-10-09")
    sweep_run(as_of=dt.date(2026, 10, 9))
    case_id = clerk.get("/api/v1/arrears/").json()[0]["id"]
    bad = clerk.post(
        f"/api/v1/arrears/{case_id}/plan",
        {"instalments": [{"due_on": "2026-10-31", "amount": "50000.00"}]},
        format="json",
    )
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["instalments"])  # does not cover 100,000
    past = clerk.post(
        f"/api/v1/arrears/{case_id}/plan",
        {"instalments": [{"due_on": "2026-10-01", "amount": "100000.00"}]},
        format="json",
    )
    assert list(past.json()["errors"]) == ["instalments.0.due_on"]
    ok = clerk.post(
        f"/api/v1/arrears/{case_id}/plan",
        {
            "instalments": [
                {"due_on": "2026-11-30", "amount": "60000.00"},
                {"due_on": "2026-10-31", "amount": "40000.00"},
            ]
        },
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "id": case_id,
        "status": "in_repayment",
        "instalments": [{"due_on": "2026-10-31", "amount": "40000.00"}, {"due_on": "2026-11-30", "amount": "60000.00"}],
    }
    assert (
        client_for("agency_clerk2")
        .post(f"/api/v1/arrears/{case_id}/plan", {"instalments": []}, format="json")
        .status_code
        == 404
    )
    rates = client_for("supervisor").get("/api/v1/arrears/rates?period=2026Q4&group_by=region").json()
    assert rates["rates"]["市本级"]["identified"] == 1 and rates["rates"]["市本级"]["resolution_rate"] == 0.0
    overall = client_for("supervisor").get("/api/v1/arrears/rates?period=2026Q4").json()["rates"]
    assert (overall["owed"], overall["repaid"]) == ("100000.00", "0.00")
    assert client_for("agency_clerk").get("/api/v1/arrears/rates?period=2026Q4").status_code == 403
