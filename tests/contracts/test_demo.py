from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import ArrearsCase, Contract, DisposalCase, GovernmentDishonestyRecord, Warning

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
    before = (Contract.objects.count(), Warning.objects.count(), ArrearsCase.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Contract.objects.count(), Warning.objects.count(), ArrearsCase.objects.count()) == before
