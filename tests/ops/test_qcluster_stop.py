"""`manage.py qcluster` stops within 10 s of SIGTERM / SIGINT (django-q2 issue #346 deadlocked it).

A real cluster in a subprocess, against a temporary SQLite file database (django_q's tables migrated),
signalled at once after it reports "running" and again while it is still starting, several times over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from workflow.management.commands.qcluster import GracefulCluster, descendants

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
STOP_LIMIT_SECONDS = 10.0
START_LIMIT_SECONDS = 20.0
# django-q2's log lines, in English or in the project's language (zh-hans).
RUNNING = (" running.", "正在运行")
STARTING = (" starting.", "正在启动")


@pytest.fixture(scope="module")
def cluster_env(tmp_path_factory):
    database = tmp_path_factory.mktemp("qcluster") / "q.sqlite3"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "Q_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, MANAGE, "migrate", "--noinput", "-v", "0"],
        env=environment,
        check=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    return environment


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a cluster still alive and every process below it (a failed test leaves nothing running)."""
    if process.poll() is None:
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(5)


@pytest.fixture
def start_cluster(cluster_env):
    started: list[subprocess.Popen] = []
    yield lambda: _start_cluster(cluster_env, started)
    for process in started:
        kill_tree(process)


def _start_cluster(environment, started: list) -> tuple[subprocess.Popen, list[str], threading.Event]:
    process = subprocess.Popen(
        [sys.executable, MANAGE, "qcluster"],
        env=environment,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started.append(process)
    lines: list[str] = []
    running = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if any(marker in line for marker in RUNNING):
                running.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    process.reader = reader  # type: ignore[attr-defined]  # joined once the process has exited
    return process, lines, running


def stop_within(process: subprocess.Popen, signum: int) -> float:
    started = time.monotonic()
    process.send_signal(signum)
    try:
        process.wait(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        pytest.fail(f"qcluster still alive {STOP_LIMIT_SECONDS} s after {signal.Signals(signum).name}")
    elapsed = time.monotonic() - started
    process.reader.join(5)  # type: ignore[attr-defined]  # the last log lines
    return elapsed


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_running_cluster_stops_within_ten_seconds_every_time(start_cluster, signum):
    for _round in range(3):
        process, lines, running = start_cluster()
        assert running.wait(START_LIMIT_SECONDS), "".join(lines)
        children = descendants(process.pid)
        assert len(children) >= 4  # sentinel, 2 workers, monitor, pusher
        elapsed = stop_within(process, signum)
        print(f"{signal.Signals(signum).name}: stopped in {elapsed:.2f} s")
        assert elapsed < STOP_LIMIT_SECONDS
        assert process.returncode == 0, "".join(lines)
        time.sleep(0.2)  # let /proc catch up with the reaped children
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "worker processes left behind"
        assert any("has stopped" in line for line in lines), "".join(lines)


def test_a_signal_while_the_cluster_is_starting_stops_it(start_cluster):
    process, lines, _running = start_cluster()
    deadline = time.monotonic() + START_LIMIT_SECONDS
    while not any(marker in line for line in lines for marker in STARTING) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stop_within(process, signal.SIGTERM) < STOP_LIMIT_SECONDS
    assert process.returncode == 0, "".join(lines)


def test_the_signal_handler_only_records_the_signal():
    """The handler takes no lock and joins nothing: it sets a flag and wakes the main loop."""
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        cluster = GracefulCluster(grace=0.5)
        cluster.sig_handler(signal.SIGTERM, None)
        assert cluster.stop_requested is True
        assert os.read(cluster._wake_read, 16) == b"x"
        cluster.wait_for_stop()  # returns at once: the flag is set (and there is no sentinel)
        assert cluster.stop() is False  # nothing was started
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def test_manage_py_qcluster_is_the_graceful_command():
    from django.core.management import get_commands

    assert get_commands()["qcluster"] == "workflow"
