from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import ArrearsCase, Complaint, Contract, DisposalCase, GovernmentDishonestyRecord, Warning
from repair.models import DishonestyRecord, Objection, RepairApplication

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_stage_and_is_idempotent(travel, settings):
    settings.GOVCREDIT_DEMO_CASES = True
    travel("2026-11-20")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    statuses = Counter(Contract.objects.values_list("status", flat=True))
    # The summary counts what is there, by stage, once.
    by_status = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
    assert f"contracts: {sum(statuses.values())} demo contracts ({by_status})" in out.getvalue()
    assert set(statuses) == {"registered", "performing", "in_disposal", "breached", "fulfilled", "terminated"}
    rules = set(Warning.objects.values_list("rule", flat=True))
    assert {"payment.overdue", "payment.due_soon", "report.missing", "register.late"} <= rules
    assert set(ArrearsCase.objects.values_list("status", flat=True)) == {"identified", "in_repayment"}
    assert set(DisposalCase.objects.values_list("outcome", flat=True)) == {"open", "dishonest"}
    assert GovernmentDishonestyRecord.objects.count() == 1
    # Only SME payees have arrears cases: the large bridge-inspection firm is warned, not in the ledger.
    assert not ArrearsCase.objects.filter(contract__number="DEMO-JT-004").exists()
    assert Warning.objects.filter(contract__number="DEMO-JT-004", rule="payment.overdue").exists()
    # Complaints, records, applications and objections in every state, made through the services.
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Complaint.Status.values)
    assert set(DishonestyRecord.objects.values_list("status", flat=True)) == set(DishonestyRecord.Status.values)
    assert set(RepairApplication.objects.values_list("status", flat=True)) == set(RepairApplication.Status.values)
    assert set(Objection.objects.values_list("status", flat=True)) == set(Objection.Status.values)
    # The window application names the window channel; the unsatisfied complainant said why.
    assert RepairApplication.objects.get(status="awaiting_approval").channel == "window"
    assert Complaint.objects.get(status="under_review").dissatisfaction_reason == "答复未明确付款的具体日期。"
    models = (Contract, Warning, ArrearsCase, Complaint, DishonestyRecord, RepairApplication, Objection)
    before = [m.objects.count() for m in models]
    call_command("seed_demo", verbosity=0)
    assert [m.objects.count() for m in models] == before
