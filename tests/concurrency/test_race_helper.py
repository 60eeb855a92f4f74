"""The race helper releases every thread together and reports each outcome."""

import threading

from tests.concurrency.race import race, statuses


class Reply:
    def __init__(self, status_code):
        self.status_code = status_code


def test_all_threads_run_together_and_exceptions_are_outcomes():
    inside = []
    lock = threading.Lock()

    def act(i):
        with lock:
            inside.append(i)
        if i % 2:
            raise ValueError(i)
        return Reply(201 if i == 0 else 409)

    outcomes = race(6, act)
    assert sorted(inside) == [0, 1, 2, 3, 4, 5]
    assert statuses(outcomes) == {201: 1, 409: 2, "ValueError": 3}
