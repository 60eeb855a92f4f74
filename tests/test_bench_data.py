"""The bench generator writes the same rows with COPY (PostgreSQL, the fast path for 1M contracts)
as with bulk_create (issue 11): same contracts, milestones, payments and ids, for the same seed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from bench.data import generate
from contracts.models import Contract, Milestone, Payment
from workflow.models import Agency

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

AS_OF = dt.date(2026, 11, 20)
TABLES = (Contract, Milestone, Payment)


class _Undo(Exception):
    pass


def _offset(rows, first_ids):
    """Rows with their ids (and foreign ids) counted from the first id of their table: the
    sequences are not rolled back between the two runs, everything else is."""
    return [tuple(v - first_ids[i] if i in first_ids else v for i, v in enumerate(row)) for row in rows]


def _generated(*, copy: bool) -> tuple[dict, list]:
    """What `generate` wrote and predicted; agencies and enterprises (generated too) by code."""
    snapshot: dict = {}
    try:
        with transaction.atomic():
            world = generate(contracts=60, agencies=5, enterprises=20, as_of=AS_OF, copy=copy)
            code = dict(Agency.objects.values_list("id", "code"))
            c0, m0, p0 = (model.objects.order_by("id").values_list("id", flat=True).first() for model in TABLES)
            skip = {"id", "agency_id", "counterparty_id", "created_at", "updated_at"}
            fields = [f.attname for f in Contract._meta.concrete_fields if f.attname not in skip]
            snapshot["contracts"] = _offset(
                Contract.objects.order_by("id").values_list("id", "agency__code", "counterparty__uscc", *fields),
                {0: c0},
            )
            fields = [f.attname for f in Milestone._meta.concrete_fields if f.attname not in ("id", "contract_id")]
            snapshot["milestones"] = _offset(
                Milestone.objects.order_by("id").values_list("id", "contract_id", *fields), {0: m0, 1: c0}
            )
            fields = [
                f.attname
                for f in Payment._meta.concrete_fields
                if f.attname not in ("id", "contract_id", "milestone_id")
            ]
            snapshot["payments"] = _offset(
                Payment.objects.order_by("id").values_list("id", "contract_id", "milestone_id", *fields),
                {0: p0, 1: c0, 2: m0},
            )
            snapshot["timestamps"] = set(Contract.objects.values_list("created_at", "updated_at"))
            predicted = [
                world.counts,
                [(due, sme, code[agency]) for due, sme, agency in world.unpaid_due],
                [(planned, code[agency]) for planned, agency in world.planned],
                [(code[agency], *rest) for agency, *rest in world.contracts],
                {code[agency]: n for agency, n in world.clerks.items()},
            ]
            raise _Undo
    except _Undo:
        pass
    return snapshot, predicted


def test_copy_writes_the_rows_bulk_create_writes():
    with override_settings(GOVCREDIT_DEMO_CASES=False):
        call_command("seed_demo", verbosity=0)
    copied, copied_world = _generated(copy=True)
    created, created_world = _generated(copy=False)
    assert len(copied["contracts"]) == 60 and len(copied["milestones"]) == 300 and copied["payments"]
    for table in ("contracts", "milestones", "payments"):
        assert copied[table] == created[table], table
    assert copied_world == created_world
    # Contracts are stamped with the time they were written, one timestamp for both fields.
    assert len(copied["timestamps"]) == 1 and len(next(iter(copied["timestamps"]))) == 2
    ((created_at, updated_at),) = copied["timestamps"]
    assert created_at == updated_at and created_at.tzinfo is not None
