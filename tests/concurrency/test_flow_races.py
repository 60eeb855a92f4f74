"""Racing flow steps (the shared task runner, workflow.flows.task_execute): 20 simultaneous requests for
one step win once; the others get 409 (API) or a message (page), never a 500, and the step's rows are
written once."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.complaints.flows import ComplaintFlow
from contracts.models import Complaint
from repair.models import RepairApplication, RepairProcess
from tests.concurrency.race import codes, statuses
from tests.concurrency.test_repair_races import (
    N,
    applied,
    as_user,
    browsers,
    demo,  # noqa: F401 - the fixture, used by name
    race,
)
from tests.contracts.test_complaint_api import BODY
from workflow.deadlines import deadlines_for
from workflow.models import AuditLog, Document

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("demo"),
]


def test_twenty_acceptances_of_one_complaint_accept_once(travel):
    travel("2026-09-14")
    filed = APIClient(REMOTE_ADDR="203.0.113.9").post("/api/v1/complaints/", BODY, format="json")
    assert filed.status_code == 201, filed.json()
    code = filed.json()["code"]
    travel("2026-09-15")
    documents = Document.objects.count()
    officers = [as_user("complaint_officer") for _ in range(N)]

    outcomes = race(N, lambda i: officers[i].post(f"/api/v1/complaints/{code}/accept"))

    assert statuses(outcomes) == {200: 1, 409: N - 1}
    assert codes([o for o in outcomes if o.status_code == 409]) == {"task_state": N - 1}
    complaint = Complaint.objects.get()
    assert (complaint.status, str(complaint.accepted_on)) == ("accepted", "2026-09-15")
    assert AuditLog.objects.filter(action="complaint.accept").count() == 1
    assert sorted(deadlines_for(complaint).values_list("purpose", flat=True)) == ["accept", "transfer"]
    process = ComplaintFlow.process_class.objects.get()
    assert process.task_set.filter(flow_task__endswith="accept", status="DONE").count() == 1
    assert process.task_set.filter(flow_task__endswith="transfer").count() == 1
    assert Document.objects.count() == documents


def test_twenty_officers_deciding_one_application_on_the_page_decide_once(travel):
    application_id = applied(travel)
    officers = browsers("penalty_officer")
    url = reverse("repair-application", args=[application_id])
    form = {"action": "decide", "decide-decision": "approve", "decide-reason": "罚款已缴清，纠正到位。"}

    outcomes = race(N, lambda i: officers[i].post(url, form))

    assert statuses(outcomes) == {302: N}
    told = sorted((m.level_tag, m.message) for o in outcomes for m in get_messages(o.wsgi_request))
    assert told.count(("success", "Decided. The decision has been issued to the applicant.")) == 1
    assert [level for level, _ in told].count("error") == N - 1
    assert (RepairApplication.objects.get().status, RepairProcess.objects.get().status) == ("approved", "DONE")
    assert AuditLog.objects.filter(action="repair.decide").count() == 1
    assert Document.objects.filter(object_id=str(application_id), doc_type="repair_decision").count() == 1
