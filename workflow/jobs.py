"""Queueing background work on django-q2.

Work is queued only after the surrounding transaction commits (never from inside an open
transaction: a rolled-back act must not leave a task behind, and a worker must see the rows).
Task functions take ids, re-fetch, call a service, and are safe to run twice.
"""

from django.db import transaction


def enqueue(func: str, *args, **kwargs) -> None:
    """Queue `func` (dotted path) with args once the current transaction commits (at once outside one)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))
