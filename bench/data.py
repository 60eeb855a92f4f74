"""Synthetic government contracts for the benchmarks (and the bench smoke test).

`generate(contracts=..., agencies=..., enterprises=..., as_of=...)` fills an empty database with
agencies, enterprises, one clerk per agency, contracts, milestones and payments. It is
deterministic (seeded) and fast: rows are built directly and bulk-inserted in batches, no
per-row services. They hold what the services would have written for the same facts
(`contracts.services.contract_register`, `milestone_record_delivery`, `payment_record`):

- contracts are `registered` (nothing delivered yet) or `performing`, with `register_due_on`,
  `publish_due_on` (procurement) and `next_report_due_on` from the deadline engine (`due_for`);
- milestones are deliveries, acceptances and payments; a payment's `payment_due_on` and
  `payment_rule` come from `contracts.payment_terms.payment_due` for its delivery/acceptance
  dates; some are paid on time, some late, some in part, some not at all;
- the world is as it stands on the morning of `as_of`, before any sweep has run: every recorded
  fact is dated before `as_of`, nothing is `overdue` yet and there are no warnings or arrears.

Statutory dates are computed once per distinct input (the deadline engine is the slow part).
A recorded fact whose statutory date would fall in a year without working-day data (2027 today)
is left unrecorded, as the service would refuse it, and so is one that no version of its rule
covers (`sme.pay.large_enterprise` starts on 2025-06-01); `World.counts["unrecorded.*"]` counts them.

Not generated: the audit rows of this history, the performance reports themselves
(`next_report_due_on` is set as if they had been submitted), publications and attachments.

`World.expected(day, previous=...)` says what the daily sweep must do on `day` (per step), from
the generated facts alone: the bench and the smoke test compare it with the sweep's results.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

DAY = dt.timedelta(days=1)
DEFAULT_AS_OF = dt.date(2026, 11, 20)
FIRST_SIGNING = dt.date(2024, 11, 1)
CHUNK = 2000  # contracts per insert round
RESERVE_LOCK = 74_201_120  # advisory lock key of the id reservations of a parallel load

REGIONS = [
    ("X市东区", "东区", "410102"),
    ("X市西区", "西区", "410103"),
    ("X市南区", "南区", "410104"),
    ("X市北区", "北区", "410105"),
    ("X市高新区", "高新区", "410171"),
    ("X市经开区", "经开区", "410172"),
    ("Y县", "Y县", "410122"),
    ("Z县", "Z县", "410181"),
]
DEPARTMENTS = [
    "发展和改革局", "财政局", "教育局", "卫生健康委员会", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "生态环境局", "自然资源和规划局", "文化广电和旅游局", "应急管理局", "市场监督管理局",
    "人力资源和社会保障局", "民政局", "司法局", "商务局", "城市管理局", "统计局", "工业和信息化局",
]  # fmt: skip
INSTITUTIONS = ["第一中学", "第二中学", "实验小学", "人民医院", "中医院", "疾病预防控制中心", "图书馆", "职业技术学校"]
STATE_ENTERPRISES = ["城市建设投资有限公司", "水务有限公司", "公共交通有限公司", "国有资产经营有限公司", "热力有限公司"]
BRAND = "恒信明达安远宏图青禾华泰金鑫博瑞天成嘉诚兴盛鼎佳润丰"
INDUSTRIES = [
    "建材", "软件科技", "物流", "工程建设", "餐饮管理", "环保科技", "医疗器械", "教育咨询", "物业服务",
    "园林绿化", "电子设备", "印务", "劳务派遣", "信息技术", "文化传媒", "机电设备", "检测技术", "办公用品",
]  # fmt: skip
TITLES = [
    ("道路养护服务", "services"), ("办公设备采购", "goods"), ("信息系统运维服务", "services"),
    ("校舍维修改造工程", "works"), ("绿化养护服务", "services"), ("物业管理服务", "services"),
    ("医疗设备采购", "goods"), ("污水管网改造工程", "works"), ("课桌椅采购", "goods"),
    ("招商引资项目配套", "investment"), ("政务云租用服务", "services"), ("路灯节能改造", "works"),
    ("食堂食材配送", "goods"), ("档案数字化加工", "services"), ("产业扶持资金兑现承诺", "commitment"),
]  # fmt: skip
# Milestone plans: lots of (share of the amount, paid after acceptance). 3, 4, 5, 6 and 7 milestones;
# contract i gets PLANS[i % 5], so the mean is exactly 5 milestones a contract.
PLANS = [
    [(97, True)],
    [(30, False), (30, False), (37, True)],
    [(30, False), (67, True)],
    [(40, False), (60, False)],
    [(30, False), (30, False), (40, False)],
]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ZERO = Decimal("0.00")
# The values of Contract.Status, Milestone.Kind and Milestone.Status that the rows carry (plain
# strings: the writer copies them as they are; tests/test_bench_smoke.py checks them).
REGISTERED, PERFORMING = "registered", "performing"
DELIVERY, ACCEPTANCE, PAYMENT = "delivery", "acceptance", "payment"
PLANNED, DUE, MET, MET_LATE = "planned", "due", "met", "met_late"


@dataclass
class World:
    """What was generated, and enough of it to predict what the sweep must do."""

    as_of: dt.date
    counts: Counter = field(default_factory=Counter)
    # Payment milestones in status `due` and not paid in full: (payment_due_on, payee is SME, agency id).
    unpaid_due: list[tuple[dt.date, bool, int]] = field(default_factory=list)
    # Delivery/acceptance milestones still `planned`: (planned_on, agency id).
    planned: list[tuple[dt.date, int]] = field(default_factory=list)
    # (agency id, next_report_due_on, ends_on, registered late)
    contracts: list[tuple[int, dt.date, dt.date, bool]] = field(default_factory=list)
    # Active clerks and heads per agency (who the sweep notifies).
    clerks: dict[int, int] = field(default_factory=dict)

    def expected(self, day: dt.date, *, previous: dt.date | None = None) -> dict:
        """What the sweep for `day` must report per contracts step, if the sweeps before it ran only
        for `previous` (None: no sweep ever ran) and nothing else changed in between."""
        from contracts.sweeps import due_soon_days, warning_levels

        soon = due_soon_days(day)
        levels = warning_levels("payment.overdue", day)
        serious_after = levels[0][0]  # more than this many days late: the highest level
        p = previous
        if p is not None and p > day:
            raise ValueError("previous must not be after day")
        lo = dt.date.min if p is None else p  # facts that became true on or after `lo` are new
        new_by_agency: Counter = Counter()

        def new(items, agency_of):
            for item in items:
                new_by_agency[agency_of(item)] += 1
            return len(items)

        overdue = [m for m in self.unpaid_due if lo <= m[0] < day]
        # Due soon: due within [day, day + soon], not warned before (warned: due within [p, p + soon]).
        first_unwarned = day if p is None else max(day, p + dt.timedelta(days=soon + 1))
        soon_rows = [m for m in self.unpaid_due if first_unwarned <= m[0] <= day + dt.timedelta(days=soon)]
        superseded = (
            0
            if p is None
            else sum(1 for m in self.unpaid_due if p <= m[0] < day and m[0] <= p + dt.timedelta(days=soon))
        )
        relevelled = (
            0
            if p is None
            else sum(1 for m in self.unpaid_due if m[0] < p and (p - m[0]).days <= serious_after < (day - m[0]).days)
        )
        payments = {
            "overdue": len(overdue),
            "arrears_opened": sum(1 for m in overdue if m[1]),
            "warnings_overdue": new(overdue, lambda m: m[2]),
            "warnings_due_soon": new(soon_rows, lambda m: m[2]),
            "due_soon_superseded": superseded,
            "relevelled": relevelled,
        }
        milestones = sum(1 for m in self.planned if lo <= m[0] < day)
        reports = new([c for c in self.contracts if lo <= c[1] < day], lambda c: c[0])
        term = new([c for c in self.contracts if lo <= c[2] < day], lambda c: c[0])
        registration = new([c for c in self.contracts if c[3]] if p is None else [], lambda c: c[0])
        notify = sum(n * self.clerks.get(agency, 0) for agency, n in new_by_agency.items())
        return {
            "contracts.payments": payments,
            "contracts.milestones": milestones,
            "contracts.reports": reports,
            "contracts.term": term,
            "contracts.registration": registration,
            "contracts.notify": notify,
        }


def _uscc(rng: random.Random, head: str, taken: set[str]) -> str:
    from stdnum.cn.uscc import calc_check_digit

    while True:
        body = head + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = body + calc_check_digit(body)
        if code not in taken:
            taken.add(code)
            return code


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _skewed_cum_weights(n: int, exponent: float = 0.8) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(n)))


def _make_agencies(rng, n, taken):
    from workflow.models import Agency

    pools = {
        Agency.Kind.GOVERNMENT: [(f"{full}{d}", short, code) for full, short, code in REGIONS for d in DEPARTMENTS],
        Agency.Kind.INSTITUTION: [(f"{full}{i}", short, code) for full, short, code in REGIONS for i in INSTITUTIONS],
        Agency.Kind.STATE_ENTERPRISE: [
            (f"{full}{s}", short, code) for full, short, code in REGIONS for s in STATE_ENTERPRISES
        ],
    }
    for pool in pools.values():
        rng.shuffle(pool)
    wanted = {
        Agency.Kind.GOVERNMENT: round(n * 0.6),
        Agency.Kind.INSTITUTION: round(n * 0.25),
    }
    wanted[Agency.Kind.STATE_ENTERPRISE] = n - sum(wanted.values())
    heads = {Agency.Kind.GOVERNMENT: "11", Agency.Kind.INSTITUTION: "12", Agency.Kind.STATE_ENTERPRISE: "91"}
    rows = []
    for kind, count in wanted.items():
        pool = pools[kind]
        for j in range(count):
            name, region, region_code = pool[j % len(pool)]
            if j >= len(pool):
                name = f"{name}（{j // len(pool) + 1}）"
            rows.append(
                Agency(
                    code=f"B{len(rows) + 1:04d}",
                    name=name,
                    kind=kind,
                    region=region,
                    uscc=_uscc(rng, heads[kind] + region_code, taken),
                )
            )
    created = Agency.objects.bulk_create(rows, batch_size=500)
    # Public institutions report to a government body of their region; keep the materialised path.
    government = {}
    for a in created:
        if a.kind == Agency.Kind.GOVERNMENT:
            government.setdefault(a.region, []).append(a)
    for a in created:
        parents = government.get(a.region) if a.kind == Agency.Kind.INSTITUTION else None
        a.parent = rng.choice(parents) if parents else None
        a.path = f"/{a.parent.pk}/{a.pk}/" if a.parent else f"/{a.pk}/"
    Agency.objects.bulk_update(created, ["parent", "path"], batch_size=500)
    return created


def _make_enterprises(rng, n, taken):
    from workflow.models import Enterprise

    names = set(Enterprise.objects.values_list("name", flat=True))
    sizes = rng.choices(
        [Enterprise.Size.MICRO, Enterprise.Size.SMALL, Enterprise.Size.MEDIUM, Enterprise.Size.LARGE],
        weights=[30, 35, 25, 10],
        k=n,
    )
    rows = []
    for size in sizes:
        _full, region, region_code = rng.choice(REGIONS)
        name = ""
        while not name or name in names:
            name = f"X市{rng.choice(BRAND)}{rng.choice(BRAND)}{rng.choice(INDUSTRIES)}有限公司"
            if name in names and len(names) > 2000:
                name = f"{name[:-4]}{rng.randrange(1, 10_000)}有限公司"
        names.add(name)
        rows.append(Enterprise(name=name, uscc=_uscc(rng, "91" + region_code, taken), size=size, region=region))
    return Enterprise.objects.bulk_create(rows, batch_size=1000)


def _make_clerks(agencies):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from workflow import roles
    from workflow.models import User

    unusable = make_password(None)  # they never log in
    users = User.objects.bulk_create(
        [User(username=f"bench_clerk_{a.code.lower()}", password=unusable, agency=a) for a in agencies], batch_size=500
    )
    group = Group.objects.get(name=roles.AGENCY_CLERK)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=1000
    )


def _clerks_per_agency() -> dict[int, int]:
    from workflow import roles
    from workflow.models import User

    pairs = set(
        User.objects.filter(
            groups__name__in=[roles.AGENCY_CLERK, roles.AGENCY_HEAD], agency__isnull=False, is_active=True
        ).values_list("id", "agency_id")
    )
    return dict(Counter(agency for _user, agency in pairs))


class _Engine:
    """The deadline engine, asked once per distinct question."""

    def __init__(self, as_of: dt.date):
        from contracts.payment_terms import clock_start, payment_due
        from workflow.deadlines import add_months, due_for
        from workflow.errors import CalendarDataMissing, NotFound

        self.as_of = as_of
        self._payment_due = payment_due
        self._clock_start = clock_start
        self._due_for = due_for
        self._add_months = add_months
        self.missing = CalendarDataMissing
        self.no_rule = NotFound
        self.register_due = lru_cache(maxsize=None)(lambda s: due_for("contract.register", s).due)
        self.publish_due = lru_cache(maxsize=None)(lambda s: due_for("procurement.publish", s).due)
        self._payment_from = lru_cache(maxsize=None)(self._payment_from_start)
        self.report_schedule = lru_cache(maxsize=None)(self._report_schedule)

    def payment(self, gov, sme, term, after_acceptance, acceptance_days, planned_on, delivered_on, accepted_on):
        """(payment_due_on, payment_rule), or (None, why) when the service would refuse to record
        the delivery: the date is beyond the calendar, or no rule version covers the start date.

        The statutory date depends on the delivery facts only through the day the payment clock
        starts (`clock_start`: delivery, acceptance, or the end of the acceptance period), so it is
        computed once per (payer, payee, term, start day), shared by every contract delivering or
        accepting that day."""
        milestone = SimpleNamespace(
            payment_after_acceptance=after_acceptance, acceptance_period_days=acceptance_days, planned_on=planned_on
        )
        start, _provisional = self._clock_start(milestone, delivered_on=delivered_on, accepted_on=accepted_on)
        return self._payment_from(gov, sme, term, start, planned_on)

    def _payment_from_start(self, gov, sme, term, start, planned_on):
        contract = SimpleNamespace(payer_is_government=gov, payee_is_sme=sme, payment_term_days=term)
        # Without acceptance the clock starts on the delivery date itself: `start` is that date.
        milestone = SimpleNamespace(
            payment_after_acceptance=start is None, acceptance_period_days=None, planned_on=planned_on
        )
        try:
            due = self._payment_due(contract, milestone, delivered_on=start, accepted_on=None)
        except self.missing:
            return None, "beyond_calendar"
        except self.no_rule:
            return None, "no_rule_in_force"
        return due.due_on, due.rule

    def _report_schedule(self, signed_on, months):
        """Report due dates after 0, 1, 2, ... submitted reports, up to the first on or after as_of;
        the last is None when it falls beyond the calendar."""
        dues = []
        k = 0
        while True:
            try:
                due = self._due_for(
                    "contract.report.period", self._add_months(signed_on, k * months), amount=months
                ).due
            except self.missing:
                dues.append(None)
                return tuple(dues)
            dues.append(due)
            if due >= self.as_of:
                return tuple(dues)
            k += 1


def generate(
    *,
    contracts: int,
    agencies: int = 200,
    enterprises: int = 5000,
    as_of: dt.date = DEFAULT_AS_OF,
    seed: int = 20261120,
    progress=None,
    copy: bool | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
) -> World:
    """Fill the (empty) contracts tables; the demo agencies/enterprises, when loaded, join in.
    `copy`: write contracts, milestones and payments with COPY (default: on PostgreSQL) or with
    `bulk_create` (default elsewhere); both write the same rows.

    Each chunk of `chunk` contracts draws from its own random stream (seeded by `seed` and the chunk),
    so the data does not depend on how the chunks are spread over processes. `workers`: processes
    that generate and COPY chunks side by side (default: one per core for a COPY load of at least
    4 chunks outside any transaction, else 1). With more than one, the ids are still reserved in
    blocks per chunk (the blocks' order follows which process got there first), and the chunks are
    written without firing triggers (`session_replication_role = replica`: no foreign-key checks per
    row, no KPI triggers); afterwards every foreign key of the three tables is checked with one
    anti-join each and the KPI tables are rebuilt from the base tables in one statement each, as the
    migration that installed the triggers did."""
    from django.db import connection, connections, transaction

    from contracts.models import Contract
    from workflow.models import Agency, Enterprise

    if Contract.objects.exists():
        raise RuntimeError("bench.data.generate needs a database without contracts")
    rng = random.Random(seed)
    world = World(as_of=as_of)
    with transaction.atomic():
        taken = set(Enterprise.objects.values_list("uscc", flat=True)) | set(
            Agency.objects.exclude(uscc="").values_list("uscc", flat=True)
        )
        new_agencies = _make_agencies(rng, agencies, taken)
        _make_enterprises(rng, enterprises, taken)
        _make_clerks(new_agencies)
    all_agencies = list(Agency.objects.order_by("id").values_list("id", "kind"))
    all_enterprises = list(Enterprise.objects.order_by("id").values_list("id", "size"))
    rng.shuffle(all_agencies)
    rng.shuffle(all_enterprises)
    world.counts.update(agencies=len(all_agencies), enterprises=len(all_enterprises))

    copy = connection.vendor == "postgresql" if copy is None else copy
    chunks = [(start, min(contracts, start + chunk)) for start in range(0, contracts, chunk)]
    if workers is None:
        workers = (os.cpu_count() or 1) if copy and len(chunks) >= 4 and not connection.in_atomic_block else 1
    workers = max(1, min(workers, len(chunks)))
    if workers > 1 and (not copy or connection.in_atomic_block):
        raise RuntimeError("parallel generation needs COPY (PostgreSQL) and no open transaction")
    _JOB.update(
        as_of=as_of,
        seed=seed,
        agencies=all_agencies,
        agency_weights=_skewed_cum_weights(len(all_agencies)),
        enterprises=all_enterprises,
        enterprise_weights=_skewed_cum_weights(len(all_enterprises), 0.5),
        signing_days=(as_of - dt.timedelta(days=40) - FIRST_SIGNING).days,
        copy=copy,
        parallel=workers > 1,
    )
    _PROCESS.clear()  # a fresh engine (as_of) and writer for this load, in this process and the forked ones
    if workers == 1:
        parts = map(_chunk_job, chunks)
        _merge(world, parts, progress, chunks)
    else:
        import multiprocessing

        connections.close_all()  # each process opens its own connection
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            _merge(world, pool.imap(_chunk_job, chunks), progress, chunks)
        _after_parallel_load()
    world.clerks = _clerks_per_agency()
    return world


# What every chunk needs, set before the worker processes fork (so it is not sent with each chunk).
_JOB: dict = {}
_PROCESS: dict = {}  # this process's deadline engine and writer


def _chunk_job(bounds: tuple[int, int]) -> World:
    """Generate and write the contracts [start, stop) in one transaction; what was generated."""
    from django.db import transaction

    start, stop = bounds
    job = _JOB
    if "engine" not in _PROCESS:
        _PROCESS.update(engine=_Engine(job["as_of"]), writer=_Writer(job["copy"], concurrent=job["parallel"]))
    rng = random.Random(f"{job['seed']}/{start}")
    part = World(as_of=job["as_of"])
    with transaction.atomic():
        _PROCESS["writer"].no_commit_wait(no_triggers=job["parallel"])
        _insert_chunk(
            rng,
            _PROCESS["engine"],
            part,
            _PROCESS["writer"],
            range(start, stop),
            rng.choices(job["agencies"], cum_weights=job["agency_weights"], k=stop - start),
            rng.choices(job["enterprises"], cum_weights=job["enterprise_weights"], k=stop - start),
            job["signing_days"],
        )
    return part


def _merge(world: World, parts, progress, chunks) -> None:
    for part, (_start, stop) in zip(parts, chunks, strict=True):
        world.counts.update(part.counts)
        world.unpaid_due += part.unpaid_due
        world.planned += part.planned
        world.contracts += part.contracts
        if progress:
            progress(stop)


def _after_parallel_load() -> None:
    """The checks and figures that the triggers would have made row by row: every foreign key of the
    loaded tables points at a row (one anti-join each), then the KPI tables from the base tables."""
    from django.db import connection, transaction

    from contracts.evaluation import triggers
    from contracts.models import Contract, Milestone, Payment

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Contract, Milestone, Payment):
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                target = f.related_model._meta
                child, parent, fk, pk = model._meta.db_table, target.db_table, f.column, target.pk.column
                sql = f"SELECT count(*) FROM {child} r LEFT JOIN {parent} t ON t.{pk} = r.{fk} WHERE r.{fk} IS NOT NULL AND t.{pk} IS NULL"  # noqa: S608, E501
                cursor.execute(sql)  # model metadata only
                dangling = cursor.fetchone()[0]
                if dangling:
                    raise RuntimeError(f"{dangling} rows of {model._meta.db_table}.{f.column} point nowhere")
        for sql in triggers.backfill_sql(connection.vendor):
            cursor.execute(sql)


def _copy_str(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# COPY's text format, per Python type of the values the generator writes (a type not listed is a
# KeyError: add it here rather than guess). Formatting the lines here is several times faster than
# psycopg's per-value adaptation in `Copy.write_row`.
_COPY_TEXT = {
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    int: str,
    str: _copy_str,
    Decimal: str,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
}


class _Writer:
    """Writes the rows of one chunk. PostgreSQL: `COPY … FROM STDIN` (psycopg 3 `cursor.copy`),
    row by row from plain dicts, with ids reserved from the table's sequence, so no model instance
    is built; elsewhere (SQLite): `bulk_create`. Both write the same values; the ids are the ones
    `bulk_create` would have given (the next values of the sequence, in order)."""

    def __init__(self, copy: bool | None = None, *, concurrent: bool = False):
        from django.db import connection
        from django.utils import timezone

        self.connection = connection
        self.copy = connection.vendor == "postgresql" if copy is None else copy
        self.concurrent = concurrent  # other processes reserve ids from the same sequences
        self.now = timezone.now()  # created_at / updated_at (auto_now), as bulk_create stamps them
        self._plans: dict = {}

    def no_commit_wait(self, *, no_triggers: bool = False) -> None:
        """PostgreSQL: this transaction's commit does not wait for its WAL to reach the disk
        (`synchronous_commit = off`): a crash could lose the last chunks of a benchmark load, never
        leave it inconsistent, and the generator no longer waits on fsync after every chunk.
        `no_triggers`: the transaction fires no trigger (`session_replication_role = replica`), the
        caller checks the foreign keys and rebuilds what triggers maintain afterwards."""
        if self.copy:
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                if no_triggers:
                    cursor.execute("SET LOCAL session_replication_role TO replica")

    def write(self, model, rows: list[dict]) -> list[int]:
        """Insert `rows` (field attname -> value; the other fields take their defaults) and return
        their ids in order."""
        if not rows:
            return []
        if not self.copy:
            return [obj.pk for obj in model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)]
        columns, given, defaults = self._plan(model, rows[0])
        table = model._meta.db_table
        pk = model._meta.pk.column
        with self.connection.cursor() as cursor:
            if self.concurrent:  # the block must not interleave with another process's nextval
                cursor.execute("SELECT pg_advisory_lock(%s)", [RESERVE_LOCK])
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, pk])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, pk, first + len(rows) - 1])
            if self.concurrent:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RESERVE_LOCK])
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            fmt, tab = _COPY_TEXT, "\t"
            with cursor.cursor.copy(sql) as copy:
                copy.write(
                    "".join(
                        f"{row_id}\t{tab.join([fmt[type(v)](v) for v in given(row)])}{defaults}\n"
                        for row_id, row in enumerate(rows, start=first)
                    )
                )
        return list(range(first, first + len(rows)))

    def _plan(self, model, sample: dict):
        """The COPY columns of `model`: its id, the fields the rows give, then every other field
        with its default (auto_now fields: this run's timestamp), prepared once."""
        from operator import itemgetter

        if model in self._plans:
            return self._plans[model]
        given_names = [f.attname for f in model._meta.concrete_fields if f.attname in sample]
        others = [f for f in model._meta.concrete_fields if f.attname not in sample and not f.primary_key]
        defaults = "".join(
            "\t" + _COPY_TEXT[next(t for t in type(value).__mro__ if t in _COPY_TEXT)](value)
            for value in (
                f.get_db_prep_save(
                    self.now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default(),
                    self.connection,
                )
                for f in others
            )
        )
        field = {f.attname: f for f in model._meta.concrete_fields}
        columns = [model._meta.pk.column, *(field[n].column for n in given_names), *(f.column for f in others)]
        getter = itemgetter(*given_names)
        plan = (columns, (lambda row: getter(row)) if len(given_names) > 1 else (lambda row: (getter(row),)), defaults)
        self._plans[model] = plan
        return plan


def _insert_chunk(rng, engine, world, writer, indices, agencies, enterprises, signing_days):
    from contracts.models import Contract, Milestone, Payment
    from workflow import clock
    from workflow.models import Agency, Enterprise

    as_of = engine.as_of
    yesterday = as_of - DAY
    specs = []
    for i, (agency_id, agency_kind), (enterprise_id, size) in zip(indices, agencies, enterprises, strict=True):
        gov = agency_kind in (Agency.Kind.GOVERNMENT, Agency.Kind.INSTITUTION)
        sme = size != Enterprise.Size.LARGE
        signed = FIRST_SIGNING + dt.timedelta(days=rng.randrange(signing_days + 1))
        title, kind = rng.choice(TITLES)
        procurement = kind in ("goods", "works", "services") and rng.random() < 0.5
        amount = rng.randrange(500, 200_000) * 10_000  # cents: 50,000 to 20 million yuan
        terms = [None, None, None, 30, 45, 60] if sme else [None, 30, 60, 90]
        term = rng.choice(terms)
        if rng.random() < 0.06:  # the term ended but the contract was never closed
            ends = signed + dt.timedelta(days=rng.randrange(60, max(61, (as_of - signed).days)))
        else:
            ends = max(as_of, signed + dt.timedelta(days=60)) + dt.timedelta(days=rng.randrange(0, 720))
        register_due = engine.register_due(signed)
        if rng.random() < 0.09:
            registered = register_due + dt.timedelta(days=rng.randrange(1, 41))
        else:
            registered = signed + dt.timedelta(days=rng.randrange(0, (register_due - signed).days + 1))
        registered = min(registered, yesterday)
        months = 3 if rng.random() < 0.15 else 1
        schedule = engine.report_schedule(signed, months)
        if schedule[-1] is None:  # the next quarterly date is beyond the calendar: report monthly
            months = 1
            schedule = engine.report_schedule(signed, months)
        behind = rng.choice([1, 1, 2, 3]) if rng.random() < 0.1 else 0
        next_report = schedule[max(0, len(schedule) - 1 - behind)]
        late_interest = Decimal("0.000300") if rng.random() < 0.1 else None
        milestones = _milestones(rng, engine, world, PLANS[i % len(PLANS)], signed, ends, term, gov, sme, amount)
        contract = {
            "agency_id": agency_id,
            "number": f"HT{signed.year}-{i + 1:06d}",
            "title": f"{signed.year}年{title}合同",
            "kind": kind,
            "procurement": procurement,
            "counterparty_id": enterprise_id,
            "counterparty_size": str(size),
            "amount": _cents(amount),
            "signed_on": signed,
            "ends_on": ends,
            "payment_term_days": term,
            "late_interest_daily": late_interest,
            "report_period_months": months,
            "registered_on": registered,
            "register_due_on": register_due,
            "publish_due_on": engine.publish_due(signed) if procurement else None,
            "next_report_due_on": next_report,
            # The first recorded delivery moves a registered contract to performing.
            "status": PERFORMING if any(m["delivered_on"] for m in milestones) else REGISTERED,
        }
        specs.append((contract, milestones))
        world.contracts.append((agency_id, next_report, ends, registered > register_due))

    contract_ids = writer.write(Contract, [c for c, _ in specs])
    rows = []
    for contract_id, (contract, milestones) in zip(contract_ids, specs, strict=True):
        for m in milestones:
            m["contract_id"] = contract_id
            rows.append(m)
            if m["kind"] == PAYMENT and m["status"] == DUE and m["paid_amount"] < m["amount"]:
                world.unpaid_due.append(
                    (m["payment_due_on"], contract["counterparty_size"] != "large", contract["agency_id"])
                )
            elif m["kind"] != PAYMENT and m["status"] == PLANNED:
                world.planned.append((m["planned_on"], contract["agency_id"]))
    paid_on = [m.pop("paid_on", None) for m in rows]  # not a column: the date of the payment row
    milestone_ids = writer.write(Milestone, rows)
    payments = [
        {
            "contract_id": m["contract_id"],
            "milestone_id": milestone_id,
            "amount": m["paid_amount"],
            "paid_on": paid,
            "recorded_at": dt.datetime.combine(paid, dt.time(10), tzinfo=clock.SHANGHAI),
        }
        for m, milestone_id, paid in zip(rows, milestone_ids, paid_on, strict=True)
        if m["paid_amount"]
    ]
    writer.write(Payment, payments)
    world.counts.update(
        contracts=len(contract_ids),
        milestones=len(rows),
        payments=len(payments),
        performing=sum(1 for c, _ in specs if c["status"] == PERFORMING),
        partially_paid=sum(1 for m in rows if m["kind"] == PAYMENT and 0 < m["paid_amount"] < m["amount"]),
    )
    world.counts.update(f"milestone.{m['kind']}.{m['status']}" for m in rows)


def _milestones(rng, engine, world, plan, signed, ends, term, gov, sme, amount):
    """The milestones of one contract: per lot a delivery, an acceptance when payment follows it,
    and a payment; recorded as the clerk would have by yesterday."""
    yesterday = engine.as_of - DAY
    span = max(30, min(rng.randrange(60, 541), (ends - signed).days - 45))
    out = []
    paid_so_far = 0
    for j, (share, after_acceptance) in enumerate(plan):
        last = j == len(plan) - 1
        planned = signed + dt.timedelta(days=span * (j + 1) // len(plan))
        delivered = None
        if planned - dt.timedelta(days=10) <= yesterday and rng.random() < 0.92:
            delivered = planned + dt.timedelta(days=rng.randrange(-10, 26))
            delivered = min(max(delivered, signed), yesterday)
        out.append(
            _milestone(
                kind=DELIVERY,
                title=f"第{j + 1}批交付" if len(plan) > 1 else "交付",
                planned_on=planned,
                delivered_on=delivered,
                completed_on=delivered,
            )
        )
        acceptance_days = accepted = None
        if after_acceptance:
            acceptance_days = rng.choice([15, 30, None])
            accept_planned = planned + dt.timedelta(days=acceptance_days or 20)
            if delivered and rng.random() < 0.9:
                accepted = delivered + dt.timedelta(days=rng.randrange(3, 46))
                accepted = None if accepted > yesterday else accepted
            out.append(
                _milestone(
                    kind=ACCEPTANCE,
                    title="验收",
                    planned_on=accept_planned,
                    delivered_on=delivered if accepted else None,
                    accepted_on=accepted,
                    completed_on=accepted,
                )
            )
        pay_amount = amount * share // 100 if not last else amount * sum(s for s, _ in plan) // 100 - paid_so_far
        paid_so_far += pay_amount
        pay_planned = planned + dt.timedelta(days=30 + (acceptance_days or 0))
        due = (
            engine.payment(
                gov,
                sme,
                term,
                after_acceptance,
                acceptance_days,
                pay_planned if not sme and term is None else None,
                delivered,
                accepted if after_acceptance else None,
            )
            if delivered
            else None
        )
        if due is not None and due[0] is None and due[1] in ("beyond_calendar", "no_rule_in_force"):
            world.counts[f"unrecorded.{due[1]}"] += 1
            due = None
        out.append(
            _payment_milestone(
                rng,
                title="尾款" if last and len(plan) > 1 else f"第{j + 1}期付款",
                cents=pay_amount,
                planned=pay_planned,
                after_acceptance=after_acceptance,
                acceptance_days=acceptance_days,
                delivered=delivered if due else None,
                accepted=accepted if due and after_acceptance else None,
                due=due,
                yesterday=yesterday,
            )
        )
    return out


def _milestone(
    *,
    kind,
    title,
    planned_on,
    delivered_on=None,
    accepted_on=None,
    completed_on=None,
    amount=None,
    payment_after_acceptance=False,
    acceptance_period_days=None,
    payment_due_on=None,
    payment_rule="",
    paid_amount=ZERO,
    status=None,
) -> dict:
    """One milestone row; every row has every field, so that the writer can COPY them alike."""
    return {
        "kind": kind,
        "title": title,
        "amount": amount,
        "planned_on": planned_on,
        "payment_after_acceptance": payment_after_acceptance,
        "acceptance_period_days": acceptance_period_days,
        "delivered_on": delivered_on,
        "accepted_on": accepted_on,
        "payment_due_on": payment_due_on,
        "payment_rule": payment_rule,
        "paid_amount": paid_amount,
        "completed_on": completed_on,
        "status": status or (MET if completed_on else PLANNED),
    }


def _payment_milestone(
    rng, *, title, cents, planned, after_acceptance, acceptance_days, delivered, accepted, due, yesterday
):
    """A payment milestone as the services leave it: `due` once its delivery is recorded (with the
    statutory date), then paid in full on time (`met`), late (`met_late`), in part, or not at all.
    `paid_on` (not a column) is the date of its payment row."""
    fields = {
        "kind": PAYMENT,
        "title": title,
        "amount": _cents(cents),
        "planned_on": planned,
        "payment_after_acceptance": after_acceptance,
        "acceptance_period_days": acceptance_days,
        "delivered_on": delivered,
        "accepted_on": accepted,
        "payment_due_on": due[0] if due else None,
        "payment_rule": due[1] if due else "",
    }
    paid_on = None
    status = DUE if due and due[0] else PLANNED
    if status == DUE:
        due_on, earliest = due[0], max(delivered, accepted or delivered)
        if due_on < yesterday + DAY:  # fell due before today
            outcome = rng.choices(["on_time", "late", "part", "none"], weights=[68, 12, 7, 13])[0]
        else:
            outcome = rng.choices(["on_time", "part", "none"], weights=[25, 5, 70])[0]
        if outcome == "late" and due_on + DAY > yesterday:
            outcome = "none"
        if outcome == "on_time":
            last = min(due_on, yesterday)
            first = min(max(earliest, due_on - dt.timedelta(days=25)), last)
            paid_on = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        elif outcome == "late":
            last = min(due_on + dt.timedelta(days=90), yesterday)
            paid_on = due_on + DAY + dt.timedelta(days=rng.randrange((last - due_on).days))
        elif outcome == "part":
            paid_on = earliest + dt.timedelta(days=rng.randrange((yesterday - earliest).days + 1))
        if outcome == "part":
            fields["paid_amount"] = _cents(cents * rng.randrange(30, 71) // 100)
        elif paid_on is not None:  # paid in full: met, or met late (the service marks it overdue first)
            fields.update(paid_amount=fields["amount"], completed_on=paid_on)
            status = MET_LATE if paid_on > due_on else MET
    m = _milestone(**fields, status=status)
    m["paid_on"] = paid_on
    return m
