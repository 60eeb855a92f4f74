"""gunicorn settings: `gunicorn -c gunicorn.conf.py config.wsgi` (README, Deployment).

Workers are recycled two ways, so that a slow leak (fonts, large querysets, caches) cannot grow a worker
without bound: after `max_requests` (+ jitter, so they do not all restart at once), and after any
request that leaves the worker's resident memory above GOVCREDIT_WORKER_MAX_RSS_MB (the `post_request`
hook asks the worker to finish and exit; the arbiter starts a fresh one). No PDF is rendered in a web
request (rendering runs in the q2 cluster), so a worker's normal footprint is a few hundred MB.
"""

from __future__ import annotations

import logging
import os
import resource

logger = logging.getLogger("gunicorn.error")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"

WORKER_MAX_RSS_MB = int(os.environ.get("GOVCREDIT_WORKER_MAX_RSS_MB", "512"))


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def post_request(worker, req, environ, resp) -> None:
    """Retire the worker gracefully once a request leaves it above the memory bound.

    `worker.alive = False` lets the worker finish the request at hand and exit; the arbiter starts a new one.
    """
    limit = WORKER_MAX_RSS_MB
    if limit <= 0 or not worker.alive:
        return
    used = rss_mb()
    if used > limit:
        logger.warning(
            "worker %s uses %.0f MB (> GOVCREDIT_WORKER_MAX_RSS_MB=%d) after %s %s; restarting it",
            worker.pid,
            used,
            limit,
            getattr(req, "method", "?"),
            getattr(req, "path", "?"),
        )
        worker.alive = False
