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


def _by_number(world) -> tuple[dict, list]:
    """Every contract with its milestones and payments, keyed by contract number, agencies and
    enterprises by code (ids left out: a parallel load reserves id blocks in the order its processes
    get there), and what the generator predicted."""
    from workflow.models import Enterprise

    agency = dict(Agency.objects.values_list("id", "code"))
    uscc = dict(Enterprise.objects.values_list("id", "uscc"))
    contracts = {
        c.pk: (c.number, agency[c.agency_id], uscc[c.counterparty_id], c.amount, c.signed_on, c.status)
        for c in Contract.objects.all()
    }
    out: dict = {number: [rest, []] for number, *rest in contracts.values()}
    paid = {p.milestone_id: (p.amount, p.paid_on) for p in Payment.objects.all()}
    for m in Milestone.objects.order_by("id"):
        out[contracts[m.contract_id][0]][1].append(
            (m.kind, m.title, m.amount, m.payment_due_on, m.status, m.paid_amount, paid.get(m.pk))
        )
    predicted = [
        world.counts,
        [(due, sme, agency[a]) for due, sme, a in world.unpaid_due],
        [(agency[a], *rest) for a, *rest in world.contracts],
    ]
    return out, predicted


def _kpi_tables() -> dict:
    from contracts.evaluation import triggers

    out = {}
    with connection.cursor() as cursor:
        for target, (keys, figures) in triggers.TARGETS.items():
            order, nonzero = ", ".join(keys), " + ".join(figures)
            cursor.execute(f"SELECT {', '.join((*keys, *figures))} FROM {target} WHERE {nonzero} <> 0 ORDER BY {order}")  # noqa: S608
            stored = cursor.fetchall()
            fresh = triggers.fresh_sql(connection.vendor, target)
            cursor.execute(f"SELECT * FROM ({fresh}) f WHERE {nonzero} <> 0 ORDER BY {order}")  # noqa: S608
            out[target] = (stored, cursor.fetchall())
    return out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_load_the_same_contracts_as_one_with_the_kpi_figures_rebuilt():
    """Generating 1M contracts takes minutes with one process per core (issue 11). The data does
    not depend on the number of processes; the parallel load skips the triggers, so it checks the
    foreign keys and rebuilds the KPI tables itself."""
    with override_settings(GOVCREDIT_DEMO_CASES=False):
        call_command("seed_demo", verbosity=0)
    try:  # one process, rolled back
        with transaction.atomic():
            world = generate(contracts=60, agencies=5, enterprises=20, as_of=AS_OF, chunk=15, workers=1)
            sequential, predicted_one = _by_number(world)
            raise _Undo
    except _Undo:
        pass
    world = generate(contracts=60, agencies=5, enterprises=20, as_of=AS_OF, chunk=15, workers=2)
    parallel, predicted_two = _by_number(world)
    assert len(parallel) == 60 and sum(len(ms) for _c, ms in parallel.values()) == 300
    assert parallel == sequential
    assert predicted_two == predicted_one
    for target, (stored, fresh) in _kpi_tables().items():
        assert stored == fresh, target
        if target != "contracts_openwarningday":
            assert stored, target  # the figures are really there (no warnings before a sweep)
