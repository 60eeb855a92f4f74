"""`manage.py qcluster` that stops when told to (SIGTERM / SIGINT), within a bounded grace period.

django-q2's own command stops the cluster from inside its signal handler (`Cluster.sig_handler` calls
`stop()`: `stop_event.set()` and `sentinel.join()`), and neither is async-signal-safe: a signal that lands
while the main thread holds the event's lock deadlocks the process, which logs "stopping" and never exits
(django-q2 issue #346). Here the handler only records the signal and writes one byte to a self-pipe; the
main loop wakes up and stops the cluster outside the handler:

1. `stop_event` asks the sentinel to stop: the pusher stops taking tasks, each worker finishes the task
   at hand and exits, the monitor saves the results.
2. If the sentinel has not finished after `GOVCREDIT_QCLUSTER_STOP_GRACE` seconds (a task longer than the
   grace period), it and its processes are killed; the task it was running was not acknowledged, so the
   broker delivers it again after Q_CLUSTER["retry"] seconds (tasks are safe to run twice).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
from pathlib import Path

from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as QClusterCommand

logger = logging.getLogger("django-q")

DEFAULT_STOP_GRACE_SECONDS = 8.0
WAKE_INTERVAL_SECONDS = 1.0


def descendants(pid: int) -> list[int]:
    """The ids of the processes below `pid` (Linux /proc; empty elsewhere), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = entry.read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class GracefulCluster(Cluster):
    """A django-q2 Cluster whose signal handler only sets a flag and wakes the main loop."""

    def __init__(self, broker=None, *, grace: float = DEFAULT_STOP_GRACE_SECONDS) -> None:
        self.stop_requested = False
        self.grace = grace
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        super().__init__(broker)  # installs self.sig_handler for SIGTERM and SIGINT

    def sig_handler(self, signum, frame) -> None:
        # Async-signal-safe: no lock, no logging, no join; a full pipe already holds a wake-up.
        self.stop_requested = True
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def wait_for_stop(self) -> None:
        """Block until a signal arrives or the sentinel dies."""
        while not self.stop_requested and self.sentinel is not None and self.sentinel.is_alive():
            readable, _, _ = select.select([self._wake_read], [], [], WAKE_INTERVAL_SECONDS)
            if readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wake_read, 512)

    def stop(self) -> bool:
        """Stop the sentinel, waiting at most `grace` seconds before killing it and its processes."""
        sentinel = self.sentinel
        if sentinel is None or not sentinel.is_alive():
            return False
        logger.info("Q Cluster %s stopping.", self.name)
        stop_event = getattr(self, "stop_event", None)  # set by Cluster.start
        if stop_event is not None:
            stop_event.set()
        sentinel.join(self.grace)
        if sentinel.is_alive():
            pids = descendants(sentinel.pid)
            logger.warning(
                "Q Cluster %s did not stop within %.0f s; killing it (%d processes); its task will be delivered again.",
                self.name,
                self.grace,
                len(pids) + 1,
            )
            for pid in [sentinel.pid, *pids]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            sentinel.join(1)
        logger.info("Q Cluster %s has stopped.", self.name)
        self.start_event = None
        self.stop_event = None
        return True


class Command(QClusterCommand):
    help = "Starts the task cluster; SIGTERM or SIGINT stops it within GOVCREDIT_QCLUSTER_STOP_GRACE seconds."

    def handle(self, *args, **options) -> None:
        settings.SECRET_KEY  # noqa: B018 - the cluster signs its tasks: fail early without a key
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        grace = float(getattr(settings, "GOVCREDIT_QCLUSTER_STOP_GRACE", DEFAULT_STOP_GRACE_SECONDS))
        cluster = GracefulCluster(grace=grace)
        cluster.start()
        if not options.get("run_once", False):
            cluster.wait_for_stop()
        cluster.stop()
