"""Run one act from many threads at once, as a busy office or an attacker would.

    outcomes = race(20, lambda i: client_for(i).post(url, data))
    assert statuses(outcomes) == {201: 1, 409: 19}

Each thread waits at a barrier so that all start together, uses its own database connection
(Django opens one per thread) and closes it at the end. An exception raised in a thread is
returned as that thread's outcome, never swallowed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection

TIMEOUT_SECONDS = 30


def race(n: int, act: Callable[[int], Any]) -> list[Any]:
    """`act(i)` for i in 0..n-1, all released at once; the results (or exceptions) in thread order."""
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=TIMEOUT_SECONDS)
            outcomes[i] = act(i)
        except BaseException as exc:  # noqa: BLE001 - reported as the thread's outcome
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish in time"
    return outcomes


def statuses(outcomes: list[Any]) -> Counter:
    """HTTP status codes of responses (exceptions counted by their class name)."""
    return Counter(getattr(o, "status_code", None) if hasattr(o, "status_code") else type(o).__name__ for o in outcomes)


def codes(outcomes: list[Any]) -> Counter:
    """The stable `code` of each JSON error response (None for successes)."""
    out: Counter = Counter()
    for o in outcomes:
        try:
            out[o.json().get("code")] += 1
        except Exception:  # noqa: BLE001 - not JSON
            out[None] += 1
    return out
