"""Credit repair acts done once, through the real API with 20 simultaneous requests: applying for one
record, serving its dual notices. Exactly one request wins; the others get 409 with a stable code, none a
500, and nothing is written twice (applications, flows, clocks, audit rows, documents and numbers)."""

import time

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from repair.models import NoticeService, OpenApplicationRecord, RepairApplication, RepairProcess
from tests.concurrency.race import codes, statuses
from tests.concurrency.race import race as race_all
from tests.repair.test_api import APPLICATION, RECORD, as_user
from workflow.deadlines import deadlines_for
from workflow.models import AuditLog, Delivery, Document, DocumentSequence, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

N = 20
BOUND_SECONDS = 10


def race(n, act):
    """race_all, and the whole race is over well within the bound."""
    started = time.monotonic()
    outcomes = race_all(n, act)
    elapsed = time.monotonic() - started
    refused = dict(codes([o for o in outcomes if getattr(o, "status_code", None) == 409]))
    print(f"race of {n}: {elapsed:.2f} s, {dict(statuses(outcomes))}, 409 codes {refused}")
    assert elapsed < BOUND_SECONDS
    return outcomes


SERVE = {"method": "in_person", "delivered_on": "2025-12-01", "recipient": "张伟", "receipt": "送达回证No.32"}


def clients(username):
    """One API client per thread (the token is created here, before the race)."""
    return [as_user(username) for _ in range(N)]


def browsers(username):
    """One logged-in browser per thread."""
    user = User.objects.get(username=username)
    out = []
    for _ in range(N):
        browser = Client(HTTP_ACCEPT_LANGUAGE="en")
        browser.force_login(user)
        out.append(browser)
    return out


def numbers():
    """(numbers taken from the gap-free sequences, every document number given so far)."""
    taken = DocumentSequence.objects.aggregate(n=Sum("last_number"))["n"] or 0
    return taken, list(Document.objects.exclude(doc_number="").values_list("doc_number", flat=True))


def assert_numbers_once(before, new_numbered: int):
    taken, given = numbers()
    assert taken - before[0] == new_numbered  # no number skipped
    assert len(given) - len(before[1]) == new_numbered
    assert len(set(given)) == len(given)  # none given twice


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def record(travel, publish=True):
    travel("2025-12-01")
    officer = as_user("penalty_officer")
    response = officer.post("/api/v1/repair/records/", RECORD, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    if publish:
        assert officer.post(f"/api/v1/repair/records/{pk}/serve", SERVE, format="json").status_code == 200
        assert officer.post(f"/api/v1/repair/records/{pk}/publish").status_code == 200
    return pk


def applied(travel) -> int:
    """An application accepted on 2026-03-02 for a published record; today is the day after."""
    pk = record(travel)
    travel("2026-03-02")
    response = as_user("enterprise_user").post(
        "/api/v1/repair/applications/", {**APPLICATION, "records": [pk]}, format="json"
    )
    assert response.status_code == 201
    travel("2026-03-03")
    return response.json()["id"]


def test_twenty_applications_for_one_record_accept_one(demo, travel):
    pk = record(travel)
    travel("2026-03-02")
    before, audits = numbers(), AuditLog.objects.filter(action="repair.apply").count()
    mine = clients("enterprise_user")

    outcomes = race(
        N, lambda i: mine[i].post("/api/v1/repair/applications/", {**APPLICATION, "records": [pk]}, format="json")
    )

    assert statuses(outcomes) == {201: 1, 409: N - 1}
    assert codes(outcomes) == {None: 1, "application_exists": N - 1}
    refused = next(o for o in outcomes if o.status_code == 409).json()
    assert refused["message"] == "An application for this record is already being reviewed."
    application = RepairApplication.objects.get()
    assert application.status == "accepted"
    assert list(OpenApplicationRecord.objects.values_list("record_id", "application_id")) == [(pk, application.pk)]
    assert RepairProcess.objects.filter(artifact_object_id=application.pk).count() == 1
    assert RepairProcess.objects.count() == 1
    assert sorted(d.purpose for d in deadlines_for(application)) == ["accept", "feedback"]
    assert AuditLog.objects.filter(action="repair.apply").count() - audits == 1
    docs = Document.objects.filter(
        object_id=str(application.pk), doc_type__in=["credit_commitment", "acceptance_notice"]
    )
    assert sorted(docs.values_list("doc_type", flat=True)) == ["acceptance_notice", "credit_commitment"]
    assert_numbers_once(before, new_numbered=docs.exclude(doc_number="").count())


def test_twenty_services_of_the_dual_notices_record_one(demo, travel):
    pk = record(travel, publish=False)
    before = AuditLog.objects.filter(action="record.serve").count()
    officers = clients("penalty_officer")

    outcomes = race(N, lambda i: officers[i].post(f"/api/v1/repair/records/{pk}/serve", SERVE, format="json"))

    assert statuses(outcomes) == {200: 1, 409: N - 1}
    assert codes(outcomes) == {None: 1, "already_served": N - 1}
    delivery = Delivery.objects.get()
    assert sorted(delivery.documents.values_list("doc_type", flat=True)) == ["penalty_decision", "repair_notice"]
    assert list(NoticeService.objects.values_list("record_id", "delivery_id")) == [(pk, delivery.pk)]
    assert AuditLog.objects.filter(action="record.serve").count() - before == 1


def test_twenty_decisions_on_one_application_decide_once(demo, travel):
    application_id = applied(travel)
    before, audits = numbers(), AuditLog.objects.filter(action="repair.decide").count()
    officers = clients("penalty_officer")
    decision = {"approve": True, "reason": "罚款已缴清，纠正到位。"}

    outcomes = race(
        N,
        lambda i: officers[i].post(f"/api/v1/repair/applications/{application_id}/decide", decision, format="json"),
    )

    assert statuses(outcomes) == {200: 1, 409: N - 1}
    # Refused while the winner holds the flow (task_state), or after it committed (application_state).
    refused = codes(outcomes)
    assert refused[None] == 1 and set(refused) <= {None, "task_state", "application_state"}
    application = RepairApplication.objects.get()
    assert (application.status, application.approved) == ("approved", True)
    assert not OpenApplicationRecord.objects.exists()
    assert AuditLog.objects.filter(action="repair.decide").count() - audits == 1
    assert AuditLog.objects.filter(action="record.repaired").count() == 1
    decisions = Document.objects.filter(object_id=str(application_id), doc_type="repair_decision")
    assert decisions.count() == 1
    assert_numbers_once(before, new_numbered=decisions.exclude(doc_number="").count())
    process = RepairProcess.objects.get()
    assert process.task_set.filter(flow_task__endswith="review", status="DONE").count() == 1
    assert process.status == "DONE"


def test_twenty_window_clerks_applying_on_the_page_for_one_record_file_one(demo, travel):
    pk = record(travel)
    travel("2026-03-02")
    clerks = browsers("window_clerk")
    form = {
        "subject_uscc": "91410100AY4CL12THU",
        "records": [str(pk)],
        "correction": "罚款已缴清。",
        "proof_held_by_unit": "on",
        "signer_name": "张伟",
        "accepted": "on",
        "agent_name": "张伟",
        "agent_id_number": "11010519491231002X",
        "agent_relationship": "员工",
    }

    def power_of_attorney():
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("授权委托书.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")

    outcomes = race(
        N, lambda i: clerks[i].post("/staff/repair/apply/", {**form, "power_of_attorney": power_of_attorney()})
    )

    # The winner is sent to the answer; the others see the form again, with the reason.
    assert statuses(outcomes) == {302: 1, 200: N - 1}
    refused = [o for o in outcomes if o.status_code == 200]
    assert all("An application for this record is already being reviewed." in o.content.decode() for o in refused)
    application = RepairApplication.objects.get()
    assert (application.channel, application.status) == ("window", "accepted")
    assert RepairProcess.objects.count() == 1 and OpenApplicationRecord.objects.count() == 1
    assert AuditLog.objects.filter(action="repair.apply").count() == 1


def test_twenty_attachments_of_the_units_own_decision_store_one(demo, travel):
    """The unit's own signed decision is attached once: one 201, the rest 409 decision_attached, one file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from repair.models import PenaltyDecisionFile

    travel("2025-12-01")
    officer = as_user("penalty_officer")
    response = officer.post("/api/v1/repair/records/", {**RECORD, "decision_source": "attached"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    officers = clients("penalty_officer")
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

    outcomes = race(
        N,
        lambda i: officers[i].post(
            f"/api/v1/repair/records/{pk}/decision-file", {"file": SimpleUploadedFile(f"决定书{i}.pdf", pdf)}
        ),
    )

    assert statuses(outcomes) == {201: 1, 409: N - 1}
    assert codes(outcomes) == {None: 1, "decision_attached": N - 1}
    assert PenaltyDecisionFile.objects.filter(record_id=pk).count() == 1
