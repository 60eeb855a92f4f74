"""Racing flow steps (the shared task runner, workflow.flows.task_execute): 20 simultaneous requests for
one step win once; the others get 409 (API) or a message (page), never a 500, and the step's rows are
written once."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.complaints.flows import ComplaintFlow
from contracts.models import Complaint
from tests.concurrency.race import codes, race, statuses
from workflow.deadlines import deadlines_for
from workflow.models import AuditLog, Document, User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

N = 20
COMPLAINT = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "respondent": {"agency": "XJTJ"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}


def as_user(username):
    user = User.objects.get(username=username)
    client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_twenty_acceptances_of_one_complaint_accept_once(demo, travel):
    travel("2026-09-14")
    filed = APIClient(REMOTE_ADDR="203.0.113.9").post("/api/v1/complaints/", COMPLAINT, format="json")
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
