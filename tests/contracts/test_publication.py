"""Publication (公示) over the API: review, publish, withdraw — who may, when, and what is recorded."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.test import APIClient

from contracts.models import ContractPublication, Milestone
from contracts.publication.services import publication_touch, publication_touch_many
from contracts.services import milestone_record_delivery, payment_record
from workflow import roles
from workflow.models import Agency, AuditLog, User

pytestmark = pytest.mark.django_db


def client_for(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def publish(username, contract, body=None):
    return client_for(username).post(f"/api/v1/contracts/{contract.pk}/publish", body or {}, format="json")


def review(username, contract, redacted=(), note=""):
    return client_for(username).post(
        f"/api/v1/contracts/{contract.pk}/publication/review",
        {"redacted": list(redacted), "review_note": note},
        format="json",
    )


def audit_actions():
    return list(
        AuditLog.objects.filter(action__startswith="publication.").order_by("id").values_list("action", flat=True)
    )


@pytest.fixture
def contract(make_contract):
    return make_contract()


def test_publish_without_a_review_is_refused_and_nothing_is_written(contract):
    r = publish("agency_head", contract)
    assert r.status_code == 409
    assert r.json()["code"] == "review_required"
    assert not ContractPublication.objects.exists()
    assert audit_actions() == []


def test_clerk_reviews_and_head_publishes(contract, travel):
    r = review("agency_clerk", contract, ["amount"], "单价构成商业秘密")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "pending"
    assert r.json()["redacted"] == ["amount"]
    assert r.json()["reviewed_by"] == "agency_clerk"

    travel("2026-08-05")
    r = publish("agency_head", contract)
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["status"] == "published"
    assert data["published_at"] == "2026-08-05T10:00:00+08:00"
    assert data["released_at"] == data["published_at"]
    assert data["ocid"] == f"ocds-govcredit-{contract.pk}"
    assert data["published_on_time"] is None  # not a procurement contract: no publication deadline
    assert audit_actions() == ["publication.review", "publication.publish"]


def test_a_clerk_cannot_publish(contract):
    review("agency_clerk", contract)
    r = publish("agency_clerk", contract)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert ContractPublication.objects.get().status == "pending"


def test_a_clerk_publishing_with_a_review_in_the_body_writes_nothing(contract):
    r = publish("agency_clerk", contract, {"redacted": [], "review_note": "无需隐去"})
    assert r.status_code == 403
    assert not ContractPublication.objects.exists()
    assert audit_actions() == []


def test_another_agencys_head_gets_404(make_contract):
    education = make_contract(agency_code="XJYJ")
    r = publish("agency_head", education, {"redacted": []})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert not ContractPublication.objects.exists()


def test_the_head_of_a_parent_agency_and_a_supervisor_may_publish(make_contract):
    station = make_contract(agency_code="XJTJ-GLZ")
    assert publish("agency_head", station, {"redacted": []}).status_code == 200
    education = make_contract(agency_code="XJYJ")
    assert publish("supervisor", education, {"redacted": []}).status_code == 200


def test_the_counterparty_cannot_publish(contract):
    r = publish("enterprise_user", contract, {"redacted": []})
    assert r.status_code == 403


def test_review_in_the_publish_body_is_recorded_in_the_same_transaction(contract):
    r = publish("agency_head", contract, {"redacted": ["counterparty", "amount"], "review_note": "涉及商业秘密"})
    assert r.status_code == 200, r.json()
    p = ContractPublication.objects.get()
    assert (p.status, p.redacted, p.review_note, p.reviewed_by.username) == (
        "published",
        ["amount", "counterparty"],
        "涉及商业秘密",
        "agency_head",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"redacted": ["bank_account"], "review_note": "x"}, "redacted"),
        ({"redacted": "amount", "review_note": "x"}, "redacted"),
        ({"redacted": ["amount"], "review_note": ""}, "review_note"),
    ],
)
def test_bad_review_input_is_a_400_with_the_field_and_nothing_is_written(contract, body, field):
    r = publish("agency_head", contract, body)
    assert r.status_code == 400
    assert r.json()["code"] in ("invalid", "reason_required")
    assert field in r.json()["errors"]
    assert not ContractPublication.objects.exists()


def test_publishing_twice_is_a_conflict(contract):
    publish("agency_head", contract, {"redacted": []})
    r = publish("agency_head", contract, {"redacted": ["amount"], "review_note": "补充隐去金额"})
    assert r.status_code == 409
    assert r.json()["code"] == "publication_state"
    # The review in the refused request was not kept either.
    assert ContractPublication.objects.get().redacted == []


def test_procurement_published_after_its_deadline_is_reported_late(make_contract, travel):
    # Signed Mon 2026-08-03: procurement.publish = 2 working days → Wed 2026-08-05.
    contract = make_contract(procurement=True, number="CG-2026-001")
    assert contract.publish_due_on == dt.date(2026, 8, 5)
    travel("2026-08-06")
    r = publish("agency_head", contract, {"redacted": []})
    assert r.status_code == 200
    assert (r.json()["publish_due_on"], r.json()["published_on_time"]) == ("2026-08-05", False)
    assert AuditLog.objects.get(action="publication.publish").changes["published_on_time"] is False


def test_procurement_published_on_its_last_day_is_on_time(make_contract, travel):
    contract = make_contract(procurement=True, number="CG-2026-002")
    travel("2026-08-05")
    r = publish("agency_head", contract, {"redacted": []})
    assert r.json()["published_on_time"] is True


def test_withdraw_needs_a_reason_and_then_a_fresh_review_to_publish_again(contract, travel):
    publish("agency_head", contract, {"redacted": []})
    url = f"/api/v1/contracts/{contract.pk}/withdraw"
    r = client_for("agency_head").post(url, {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    assert client_for("agency_clerk").post(url, {"reason": "误发"}, format="json").status_code == 403

    travel("2026-08-07")
    r = client_for("agency_head").post(url, {"reason": "含未脱敏的银行账号"}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["withdraw_reason"]) == ("withdrawn", "含未脱敏的银行账号")
    assert r.json()["withdrawn_at"] == "2026-08-07T10:00:00+08:00"
    assert client_for("agency_head").post(url, {"reason": "再次"}, format="json").status_code == 409

    assert publish("agency_head", contract).json()["code"] == "review_required"
    travel("2026-08-10")
    r = publish("agency_head", contract, {"redacted": ["payments"], "review_note": "付款信息涉及账户"})
    assert r.status_code == 200
    # Published at keeps the first publication (the deadline is measured against it).
    assert r.json()["published_at"] == "2026-08-04T10:00:00+08:00"
    assert r.json()["released_at"] == "2026-08-10T10:00:00+08:00"


def test_staff_read_the_publication_record(contract):
    assert client_for("agency_clerk").get(f"/api/v1/contracts/{contract.pk}/publication").status_code == 404
    review("agency_clerk", contract)
    r = client_for("agency_clerk").get(f"/api/v1/contracts/{contract.pk}/publication")
    assert (r.status_code, r.json()["status"]) == (200, "pending")
    assert client_for("agency_clerk2").get(f"/api/v1/contracts/{contract.pk}/publication").status_code == 404


def test_re_review_of_a_published_contract_is_for_the_head_and_moves_the_release(contract):
    publish("agency_head", contract, {"redacted": []})
    before = ContractPublication.objects.get().released_at
    assert review("agency_clerk", contract, ["amount"], "金额保密").status_code == 403
    r = review("agency_head", contract, ["amount"], "金额保密")
    assert r.status_code == 200
    p = ContractPublication.objects.get()
    assert p.redacted == ["amount"] and p.status == "published"
    # Same frozen clock: the release date still moves on (release ids stay unique).
    assert p.released_at > before


def test_touch_moves_the_release_of_published_contracts_only(contract, clerk, travel):
    pay = contract.milestones.get(kind="payment")
    travel("2026-09-02")
    milestone_record_delivery(milestone=pay, delivered_on=dt.date(2026, 9, 2), acting_user=clerk)
    with transaction.atomic():
        assert publication_touch(contract) == 0  # not published: nothing to touch
    publish("agency_head", contract, {"redacted": []})
    published = ContractPublication.objects.get().released_at
    travel("2026-09-10")
    # The payment service moves the release date itself (what the public sees changed).
    payment_record(contract=contract, milestone=pay, amount="40000.00", paid_on=dt.date(2026, 9, 10), acting_user=clerk)
    released = ContractPublication.objects.get().released_at
    assert released > published
    assert released.isoformat() == "2026-09-10T02:00:00+00:00"


def test_touch_many_for_a_sweep(make_contract, travel):
    """What the lead's sweep would do: touch the contracts whose milestones it just made overdue."""
    contract = make_contract()
    other = make_contract(number="HT-OTHER")
    publish("agency_head", contract, {"redacted": []})
    publish("agency_head", other, {"redacted": []})
    travel("2026-09-20")
    with transaction.atomic():
        late = Milestone.objects.filter(contract=contract, kind="delivery").values("contract_id")
        assert publication_touch_many(late) == 1
        assert publication_touch_many([other.pk, other.pk, 999999]) == 1
    assert {p.released_at.date() for p in ContractPublication.objects.all()} == {dt.date(2026, 9, 20)}


def _make_head(username, agency_code):
    user = User.objects.create_user(username=username, password="x" * 12, agency=Agency.objects.get(code=agency_code))
    user.groups.add(Group.objects.get(name=roles.AGENCY_HEAD))
    return user


def test_a_head_of_another_agency_cannot_withdraw(make_contract):
    contract = make_contract()
    publish("agency_head", contract, {"redacted": []})
    _make_head("head_education", "XJYJ")
    r = client_for("head_education").post(f"/api/v1/contracts/{contract.pk}/withdraw", {"reason": "x"}, format="json")
    assert r.status_code == 404
    assert ContractPublication.objects.get().status == "published"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_publications_one_wins(make_contract):
    from django.db import connection

    contract = make_contract()
    review("agency_clerk", contract)
    barrier = threading.Barrier(2)
    codes = []

    def worker(username):
        try:
            barrier.wait()
            codes.append(publish(username, contract).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in ("agency_head", "supervisor")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]
    assert AuditLog.objects.filter(action="publication.publish").count() == 1


def test_the_sweep_moves_the_release_of_a_published_contract_whose_payment_turns_overdue(
    make_contract, clerk, travel, sweep
):
    """OCDS consumers read changes with `since`: a payment turning overdue is a change of what the public
    sees, so the daily sweep moves the release date of that contract, and only of that one."""
    late = make_contract(
        milestones=[
            # Planned for December, but the statutory term from the delivery ends on 2026-10-08.
            {"kind": "payment", "title": "货款", "amount": "100000.00", "planned_on": dt.date(2026, 12, 1)},
        ]
    )
    calm = make_contract(
        number="HT-CALM",
        milestones=[{"kind": "delivery", "title": "交付", "amount": None, "planned_on": dt.date(2027, 3, 1)}],
    )
    travel("2026-09-02")
    pay = late.milestones.get(kind="payment")
    milestone_record_delivery(milestone=pay, delivered_on=dt.date(2026, 9, 2), acting_user=clerk)
    publish("agency_head", late, {"redacted": []})
    publish("agency_head", calm, {"redacted": []})
    released = {p.contract_id: p.released_at for p in ContractPublication.objects.all()}
    run = sweep(dt.date(2026, 10, 9))  # the payment was due on 2026-10-08 (30 days, after National Day)
    assert run.results["contracts.payments"]["result"]["overdue"] == 1
    pay.refresh_from_db()
    assert pay.status == Milestone.Status.OVERDUE
    after = {p.contract_id: p.released_at for p in ContractPublication.objects.all()}
    assert after[late.pk] > released[late.pk]
    assert after[late.pk].isoformat() == "2026-10-09T02:00:00+00:00"
    assert after[calm.pk] == released[calm.pk]
