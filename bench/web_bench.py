"""Benchmark: the list pages under `wrk -c16` against the no-database 50-row template page, served by
the same gunicorn (2 workers, DEBUG off, bench/web_settings.py), in one run.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gcb_src .venv/bin/python bench/run.py web

needs a database that already holds the generated contracts (bench/run.py sweepsql or contracts
leaves one); when none is published it publishes 60 % of them first (one INSERT … SELECT), so that
the public list and the OCDS feed have something to show. Pages: the staff contract list (as the
supervisor, who sees every contract), the public list, the API contract list (session of the
supervisor) and the OCDS feed's first page; the ceiling is measured before and after them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_WEB_PORT", "8711"))
PAGES = {
    "staff contract list": ("/staff/contracts/", True),
    "public published-contracts list": ("/public/contracts/", False),
    "API contract list": ("/api/v1/contracts/", True),
    "OCDS feed page": ("/api/v1/ocds/releases.json", False),
}


def _publish_some() -> int:
    from django.db import connection

    from contracts.models import ContractPublication

    if ContractPublication.objects.exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contracts_contractpublication (contract_id, status, redacted, review_note, reviewed_by_id, "
            "published_at, withdrawn_at, withdraw_reason, released_at) "
            "SELECT id, 'published', '[]', '', NULL, signed_on + interval '3 days', NULL, '', "
            "signed_on + interval '3 days' + (id % 1000) * interval '1 second' FROM contracts_contract WHERE id % 5 < 3"
        )
        cursor.execute("ANALYZE contracts_contractpublication")
        return cursor.rowcount if cursor.rowcount > 0 else ContractPublication.objects.count()


def _session_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from workflow.models import User

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def _drain(base: str) -> None:
    """Wait until the workers have answered what wrk left queued (sync workers answer in order)."""
    urllib.request.urlopen(f"{base}/bench/ceiling/", timeout=300).read()  # noqa: S310


def _wrk(url: str, seconds: int, cookie: str | None) -> tuple[float, int]:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout  # noqa: S603
    _drain(url.split("/", 3)[0] + "//" + url.split("/", 3)[2])
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, int(bad.group(1)) if bad else 0


def run(report, seconds: int = 10) -> dict | None:
    from django.db import connection

    from contracts.models import Contract

    if connection.vendor != "postgresql" or not Contract.objects.exists():
        report("web", "skipped", "", reason="needs a PostgreSQL database with the generated contracts")
        return None
    published = _publish_some()
    if published:
        report("  published for the bench", published, "contracts")
    cookie = _session_cookie()
    contracts = Contract.objects.count()
    connection.close()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.web_settings",
        GUNICORN_WORKERS="2",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        GUNICORN_MAX_REQUESTS="0",
        DEBUG="false",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", "/dev/null", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out: dict = {}
    try:
        _wait_for(PORT)
        base = f"http://127.0.0.1:{PORT}"
        # Warm both workers on every page (imports, template loading, connections) before timing.
        for path, login in [("/bench/ceiling/", False), *PAGES.values()]:
            for _worker in range(4):
                request = urllib.request.Request(base + path, headers={"Cookie": cookie} if login else {})  # noqa: S310
                urllib.request.urlopen(request, timeout=300).read()  # noqa: S310
        ceiling = []
        rate, bad = _wrk(f"{base}/bench/ceiling/", seconds, None)
        ceiling.append(rate)
        for label, (path, login) in PAGES.items():
            rate, bad = _wrk(base + path, seconds, cookie if login else None)
            out[label] = {"rate": rate, "bad": bad}
        rate, _bad = _wrk(f"{base}/bench/ceiling/", seconds, None)
        ceiling.append(rate)
        top = sum(ceiling) / len(ceiling)
        report(
            f"no-database 50-row template page ({contracts:,} contracts in the database)",
            top,
            "req/s",
            before=ceiling[0],
            after=ceiling[1],
        )
        for label, figures in out.items():
            report(f"  {label}", figures["rate"], "req/s", ratio=figures["rate"] / top, non_2xx=figures["bad"])
        out["ceiling"] = top
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return out
