"""The repair steps of the daily sweep are set-based (DESIGN §8): their statements do not grow with the
number of records, a same-day re-run writes nothing, and the period edges hold ("公示至X止": shown on X,
gone on X+1; reminders 7 days before the earliest repair date and on it; refused proofs after 180 days)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from repair.models import DishonestyRecord, RepairApplication, RepairProof
from workflow import clock, roles
from workflow.models import Agency, AuditLog, Enterprise, Notification, User
from workflow.sweeps import sweep_run

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)
D = dt.timedelta


class _Undo(Exception):
    pass


def _world(n: int) -> None:
    """`n` published records of the two demo enterprises, in five kinds (period ended yesterday, ends
    today, earliest repair date in 7 days, in 8 days, today), and `n` refused applications with one
    proof each, refused 180 days ago (deleted today) or 179 days ago (kept)."""
    unit = Agency.objects.get(code="XSCJ")
    companies = list(Enterprise.objects.filter(users__groups__name=roles.ENTERPRISE_USER).distinct().order_by("pk"))
    now = clock.now()
    kinds = [
        {"publication_ends_on": AS_OF - D(days=1), "earliest_repair_on": AS_OF - D(days=200)},  # expires
        {"publication_ends_on": AS_OF, "earliest_repair_on": AS_OF - D(days=200)},  # still shown today
        {"publication_ends_on": AS_OF + D(days=300), "earliest_repair_on": AS_OF + D(days=7)},  # "soon"
        {"publication_ends_on": AS_OF + D(days=300), "earliest_repair_on": AS_OF + D(days=8)},  # nothing yet
        {"publication_ends_on": AS_OF + D(days=300), "earliest_repair_on": AS_OF},  # "open"
    ]
    tag = DishonestyRecord.objects.count()
    DishonestyRecord.objects.bulk_create(
        [
            DishonestyRecord(
                enterprise=companies[i % len(companies)],
                type=DishonestyRecord.Type.ADMIN_PENALTY,
                category=DishonestyRecord.Category.GENERAL,
                deciding_unit=unit,
                decision_number=f"X市监罚〔规模{tag}〕{i}号",
                decided_on=AS_OF - D(days=400),
                facts="销售不合格建材。",
                basis="《中华人民共和国产品质量法》第四十九条",
                status=DishonestyRecord.Status.PUBLISHED,
                published_at=now,
                created_at=now,
                **kinds[i % len(kinds)],
            )
            for i in range(n)
        ]
    )
    filer = User.objects.get(username="enterprise_user")
    apps = RepairApplication.objects.bulk_create(
        [
            RepairApplication(
                enterprise=filer.enterprise,
                deciding_unit=unit,
                channel=RepairApplication.Channel.ONLINE,
                filed_by=filer,
                correction="已缴纳罚款。",
                commitment_signer="张伟",
                commitment_signed_at=now,
                commitment_sha256="0" * 64,
                status=RepairApplication.Status.REJECTED,
                eligible=True,
                applied_on=AS_OF - D(days=200),
                decided_on=AS_OF - D(days=180 if i % 2 else 179),
                created_at=now,
            )
            for i in range(n)
        ]
    )
    RepairProof.objects.bulk_create(
        [
            RepairProof(
                application=a,
                file=f"repair/2026/05/scale-{tag}-{a.pk}.pdf",
                original_name="凭证.pdf",
                content_type="application/pdf",
                size_bytes=1000 + a.pk,
                sha256=f"{a.pk:064d}",
                uploaded_at=now,
            )
            for a in apps
        ]
    )


def _rows() -> dict[str, int]:
    return {
        "expired": DishonestyRecord.objects.filter(status=DishonestyRecord.Status.EXPIRED).count(),
        "reminders": Notification.objects.filter(category="repair.reminder").count(),
        "audit": AuditLog.objects.count(),
        "proofs_deleted": RepairProof.objects.filter(file="").count(),
    }


def _sweep(day: dt.date) -> tuple[int, dict, dict]:
    before = _rows()
    with CaptureQueriesContext(connection) as ctx:
        run = sweep_run(as_of=day)
    assert run.error == ""
    after = _rows()
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    results = {name: outcome["result"] for name, outcome in run.results.items() if name.startswith("repair.")}
    return len(statements), results, {k: after[k] - before[k] for k in after}


def _two_sweeps(n: int) -> list[tuple[int, dict, dict]]:
    out = []
    try:
        with transaction.atomic():
            _world(n)
            out.append(_sweep(AS_OF))
            out.append(_sweep(AS_OF))  # the same day again
            raise _Undo
    except _Undo:
        pass
    return out


@pytest.fixture
def world(demo, travel):
    travel(AS_OF.isoformat())


def test_the_repair_steps_issue_as_many_statements_for_100_records_as_for_10(world):
    _two_sweeps(10)  # warms the per-process caches (content types, rules)
    small = _two_sweeps(10)
    large = _two_sweeps(100)
    # 100 records: 20 of each kind; 100 applications, 50 refused 180 days ago.
    # Reminders: the records that end today, whose earliest date is today and in 7 days (each enterprise
    # has one enterprise user); not the expired ones (the reminders step runs after the expiry).
    assert large[0][1] == {"repair.expiry": 20, "repair.reminders": 60, "repair.refused_proofs": 50}
    assert small[0][1] == {"repair.expiry": 2, "repair.reminders": 6, "repair.refused_proofs": 5}
    assert large[0][2] == {"expired": 20, "reminders": 60, "audit": 20 + 50, "proofs_deleted": 50}
    assert [statements for statements, _results, _rows in large] == [
        statements for statements, _results, _rows in small
    ]


def test_a_same_day_rerun_writes_nothing(world):
    first, again = _two_sweeps(100)
    assert first[2]["expired"] == 20
    assert again[1] == {"repair.expiry": 0, "repair.reminders": 0, "repair.refused_proofs": 0}
    assert again[2] == dict.fromkeys(again[2], 0)
    assert again[0] <= first[0]


def test_the_edges_of_the_periods(world):
    _world(5)  # one record of each kind, five applications (two refused 180 days ago)
    sweep_run(as_of=AS_OF)
    by_end = {
        (r.publication_ends_on, r.earliest_repair_on): (r.status, r.ended_on) for r in DishonestyRecord.objects.all()
    }
    assert by_end[(AS_OF - D(days=1), AS_OF - D(days=200))] == ("expired", AS_OF - D(days=1))  # gone on X+1
    assert by_end[(AS_OF, AS_OF - D(days=200))] == ("published", None)  # "至X止": still shown on X
    audit = AuditLog.objects.get(action="record.expired")
    assert (audit.actor_label, audit.from_state, audit.to_state, audit.changes) == (
        "sweep",
        "published",
        "expired",
        {"as_of": AS_OF.isoformat()},
    )
    soon = DishonestyRecord.objects.get(earliest_repair_on=AS_OF + D(days=7))
    opened = DishonestyRecord.objects.get(earliest_repair_on=AS_OF, publication_ends_on=AS_OF + D(days=300))
    ending = DishonestyRecord.objects.get(publication_ends_on=AS_OF)
    user = {r.pk: r.enterprise.users.get().pk for r in (soon, opened, ending)}
    keys = {(n.recipient_id, n.dedupe_key): n.title for n in Notification.objects.filter(category="repair.reminder")}
    assert keys == {
        (user[soon.pk], f"repair-reminder:{soon.pk}:soon"): gettext(
            "From %(day)s you may apply for credit repair of %(number)s"
        )
        % {"day": (AS_OF + D(days=7)).isoformat(), "number": soon.decision_number},
        (user[opened.pk], f"repair-reminder:{opened.pk}:open"): gettext(
            "You may now apply for credit repair of %(number)s"
        )
        % {"number": opened.decision_number},
        (user[ending.pk], f"repair-reminder:{ending.pk}:open"): gettext(
            "You may now apply for credit repair of %(number)s"
        )
        % {"number": ending.decision_number},
    }
    # Nothing for the record whose earliest date is 8 days away, nor for the one that expired.
    deleted = RepairProof.objects.filter(file="").values_list("application__decided_on", flat=True)
    assert set(deleted) == {AS_OF - D(days=180)}
    kept = RepairProof.objects.exclude(file="").values_list("application__decided_on", flat=True)
    assert set(kept) == {AS_OF - D(days=179)}
