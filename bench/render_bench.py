"""Benchmark: PDF rendering in a real q2 cluster with 2 workers, against serial rendering in one process.

Run on a scratch PostgreSQL database (the ORM broker, or Redis when REDIS_URL is set):
  createdb -h 127.0.0.1 -U postgres gcb_render
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gcb_render .venv/bin/python bench/run.py render
  --scale 0.3   30 dual notices instead of 100

1. 100 dishonesty records are recorded through `record_create`, as the demo does: each issues its dual
   notices (双书同达: the penalty decision issued here, the 信用修复告知书) and the 送达回证 — three
   documents, whose render tasks (`workflow.documents.document_render`) the service queues on commit.
2. `manage.py qcluster` with 2 workers, as configured (recycle after Q_RECYCLE tasks or once a task
   left a worker's peak RSS at Q_MAX_RSS_KB), renders them; the clock runs from starting the cluster
   until every document is rendered. A sampler reads each worker's VmRSS and VmHWM (peak) from /proc
   every 0.2 s; the workers' pids and the recycles come from the cluster's own log lines
   ("… ready for work at <pid>", "recycled worker …").
3. Baseline, same run: the same documents are set back to pending and rendered one after the other in
   this process (`document_render`, in-process WeasyPrint and signing).
4. Memory recycling, proven: the documents of a third of the records are set back to pending and
   rendered by a cluster whose count recycling is off (Q_RECYCLE 1,000,000) and whose Q_MAX_RSS_KB is
   80 % of the peak measured in 2, so that every recycle there is a recycle by memory.

Files go to a temporary PRIVATE_MEDIA_ROOT, removed at the end.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 100


def _log_patterns(msgid: str, **groups: str) -> re.Pattern:
    """A regex for one of django-q2's log lines, in English and in the project's language (the cluster
    logs through gettext: "… ready for work at …" is "… 已准备好在 … 处工作" under zh-hans)."""
    from django.conf import settings
    from django.utils import translation

    texts = set()
    for language in ("en", settings.LANGUAGE_CODE):
        with translation.override(language):
            marker = {k: f"\x00{k}\x00" for k in groups}
            text = translation.gettext(msgid) % marker
        pattern = re.escape(text)
        for k, group in groups.items():
            pattern = pattern.replace(re.escape(marker[k]), group)
        texts.add(pattern)
    return re.compile("|".join(f"(?:{t})" for t in sorted(texts)))


def _ready():
    return _log_patterns("%(proc_name)s ready for work at %(id)s", proc_name=r"Process-[0-9a-f]+", id=r"(\d+)")


def _recycled():
    return _log_patterns("recycled worker %(name)s", name=r"Process-[0-9a-f]+")


def _proc_kib(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a live process in KiB, from /proc."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    try:
        return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])
    except (KeyError, ValueError):
        return None


@dataclass
class ClusterRun:
    seconds: float = 0.0
    rendered: int = 0
    failed: int = 0
    recycles: int = 0
    # worker pid -> RSS samples (KiB) and the highest VmHWM seen
    samples: dict[int, list[int]] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)
    log: str = ""

    def peak_mib(self) -> float:
        return max(self.peak.values(), default=0) / 1024

    def steady_mib(self) -> float:
        """Median over the workers of each worker's median RSS after its first second of samples (warm)."""
        medians = [statistics.median(s[5:] or s) for s in self.samples.values() if s]
        return statistics.median(medians) / 1024 if medians else 0.0


def _cluster(ids: list[int], env: dict, *, timeout: float = 1800) -> ClusterRun:
    """Start `manage.py qcluster`, wait until every document of `ids` is rendered (or failed), stop it."""
    from workflow.models import Document

    run = ClusterRun()
    log_file = tempfile.NamedTemporaryFile("w+", prefix="render-bench-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    stop = threading.Event()
    ready = _ready()

    def sample() -> None:
        while not stop.is_set():
            log = Path(log_file.name).read_text(errors="replace")
            for pid in {int(next(g for g in m.groups() if g)) for m in ready.finditer(log)}:
                kib = _proc_kib(pid)
                if kib is not None:
                    run.samples.setdefault(pid, []).append(kib[0])
                    run.peak[pid] = max(run.peak.get(pid, 0), kib[1])
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        waiting = Document.objects.filter(pk__in=ids)
        while True:
            done = waiting.filter(status__in=[Document.Status.RENDERED, Document.Status.FAILED]).count()
            if done == len(ids):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"qcluster exited with {proc.returncode}: see {log_file.name}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{len(ids) - done} documents still waiting after {timeout:.0f} s")
            time.sleep(0.2)
        run.seconds = time.perf_counter() - started
    finally:
        stop.set()
        sampler.join()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    run.rendered = Document.objects.filter(pk__in=ids, status=Document.Status.RENDERED).count()
    run.failed = len(ids) - run.rendered
    run.log = Path(log_file.name).read_text(errors="replace")
    run.recycles = len(_recycled().findall(run.log))
    log_file.close()
    os.unlink(log_file.name)
    return run


def _reset(ids: list[int]) -> None:
    """Set documents back to pending, as if never rendered (bench only: the project never re-renders)."""
    from workflow.models import Document

    Document.objects.filter(pk__in=ids).update(
        status=Document.Status.PENDING, file="", sha256="", size_bytes=0, attempts=0, rendered_at=None, last_error=""
    )


def _queue(ids: list[int]) -> None:
    from django_q.tasks import async_task

    from workflow.documents import RENDER_TASK

    for pk in ids:
        async_task(RENDER_TASK, pk)


def _records(n: int, tag: str) -> list[int]:
    """`n` records with their dual notices through the service, as repair/demo.py records them."""
    import datetime as dt

    from django.db import transaction

    from repair.demo import unit_profiles_seed
    from repair.services.records import record_create
    from workflow import clock
    from workflow.models import Enterprise, User

    unit_profiles_seed()
    officer = User.objects.get(username="penalty_officer")
    companies = list(Enterprise.objects.exclude(uscc="").order_by("pk")[:5])
    today = clock.today()
    decided = today - dt.timedelta(days=40)
    ids = []
    for i in range(n):
        company = companies[i % len(companies)]
        data = {
            "subject": {"uscc": company.uscc, "name": company.name},
            "subject_address": "X市人民路100号",
            "evidence": "现场检查笔录、抽样检验报告、询问笔录及相关票据。",
            "type": "admin_penalty",
            "category": "general",
            "decision_number": f"X市监罚〔压测{tag}〕{i + 1}号",
            "decided_on": decided.isoformat(),
            "facts": "经抽样检验，该企业生产的建筑用钢筋屈服强度不符合国家标准，以不合格产品冒充合格产品。",
            "basis": "《中华人民共和国产品质量法》第四十九条",
            "obligations": [
                {"kind": "fine", "amount": f"{50000 + 100 * i}", "due_on": str(decided + dt.timedelta(days=15))}
            ],
        }
        with transaction.atomic():
            ids.append(record_create(data=data, acting_user=officer).pk)
    return ids


def run(report, scale: float = 1.0) -> dict | None:
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from repair.models import DishonestyRecord
    from workflow.documents import document_render
    from workflow.models import Agency, Document
    from workflow.signing import signer_for

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and os.path.abspath(name) == os.path.abspath(settings.BASE_DIR / "db.sqlite3"):
        report("render", "skipped", "", reason="needs a scratch database: --db postgres (or a scratch DATABASE_URL)")
        return None
    n = max(2, round(RECORDS * scale))
    logging.getLogger("django-q").setLevel(logging.WARNING)  # not one "Enqueued" line per task here
    media = tempfile.mkdtemp(prefix="render-bench-media-")
    storages = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}
    storages["default"]["OPTIONS"] = {**storages["default"].get("OPTIONS", {}), "location": media}
    env = {**os.environ, "PRIVATE_MEDIA_ROOT": media, "DEBUG": "false", "Q_WORKERS": "2"}
    env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"))
    broker = "redis" if settings.Q_CLUSTER.get("redis") else "orm"
    try:
        with override_settings(STORAGES=storages, PRIVATE_MEDIA_ROOT=Path(media), GOVCREDIT_DEMO_CASES=False):
            call_command("seed_demo", verbosity=0)
            signer_for(Agency.objects.get(code="XSCJ"))  # the demo keys exist before two workers want them
            started = time.perf_counter()
            records = _records(n, secrets.token_hex(3))
            ct = ContentType.objects.get_for_model(DishonestyRecord)
            ids = list(
                Document.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in records])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            report(
                f"record {n} records with their dual notices (record_create, {len(ids)} documents queued)",
                time.perf_counter() - started,
                "s",
                broker=broker,
            )
            # 2. the cluster renders what the service queued
            configured = _cluster(ids, env)
            pages_bytes = sum(Document.objects.filter(pk__in=ids).values_list("size_bytes", flat=True))
            report(
                f"q2 cluster, 2 workers (recycle {settings.Q_CLUSTER['recycle']}, max_rss "
                f"{settings.Q_CLUSTER.get('max_rss')} KiB): {len(ids)} documents",
                configured.seconds,
                "s",
                records_per_s=n / configured.seconds,
                documents_per_s=len(ids) / configured.seconds,
                failed=configured.failed,
                recycles=configured.recycles,
                workers_seen=len(configured.peak),
                peak_rss_mib=configured.peak_mib(),
                steady_rss_mib=configured.steady_mib(),
                mean_pdf_kib=pages_bytes / len(ids) / 1024,
            )
            for pid, peak in sorted(configured.peak.items()):
                samples = configured.samples.get(pid, [])
                report(
                    f"  worker {pid}",
                    peak / 1024,
                    "MiB peak",
                    first_rss_mib=samples[0] / 1024 if samples else 0,
                    last_rss_mib=samples[-1] / 1024 if samples else 0,
                    samples=len(samples),
                )
            # 3. baseline: the same documents, serially, in this process
            _reset(ids)
            before = _proc_kib(os.getpid()) or (0, 0)
            started = time.perf_counter()
            outcomes = [str(document_render(ids[0]))]
            first = time.perf_counter() - started  # a cold process: WeasyPrint, fonts, signer
            outcomes += [str(document_render(pk)) for pk in ids[1:]]
            serial = time.perf_counter() - started
            after = _proc_kib(os.getpid()) or (0, 0)
            report(
                f"baseline: the same {len(ids)} documents rendered serially in one process",
                serial,
                "s",
                records_per_s=n / serial,
                documents_per_s=len(ids) / serial,
                failed=sum(1 for o in outcomes if o != Document.Status.RENDERED),
                first_document_s=first,
                warm_document_s=(serial - first) / max(1, len(ids) - 1),
                rss_before_mib=before[0] / 1024,
                rss_after_mib=after[0] / 1024,
                peak_rss_mib=after[1] / 1024,
            )
            report("cluster (2 workers) / serial throughput", serial / configured.seconds, "x")
            # 4. recycling by memory alone
            limit_kib = int(max(configured.peak.values(), default=0) * 0.8)
            subset = ids[: max(3, len(ids) // 3)]
            _reset(subset)
            _queue(subset)
            by_memory = _cluster(subset, {**env, "Q_RECYCLE": "1000000", "Q_MAX_RSS_KB": str(limit_kib)})
            recycled_peaks = sorted(p for p in by_memory.peak.values() if p >= limit_kib)
            report(
                f"max_rss proof: {len(subset)} documents, recycle off, max_rss {limit_kib} KiB "
                f"({limit_kib / 1024:.0f} MiB)",
                by_memory.recycles,
                "recycles",
                seconds=by_memory.seconds,
                failed=by_memory.failed,
                workers_seen=len(by_memory.peak),
                workers_past_limit=len(recycled_peaks),
                peak_rss_mib=by_memory.peak_mib(),
            )
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return {"configured": configured, "serial_seconds": serial, "by_memory": by_memory}
