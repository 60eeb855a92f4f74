"""Reads whose SQL is compiled once per process, for the few queries that every staff page makes.

Django turns a queryset into SQL each time it runs it. For the session's user (LockoutModelBackend)
and the unfiltered staff contract list, compiling took about as long as the database took to answer:
0.6 ms for the user with its agency, roles and unread count, 0.4 ms for a page of the list, against
a request of about 8 ms (docs/performance.md, "City scale").

`compiled_rows(key, build)` compiles `build()` the first time a key is asked for and keeps the
compiled statement (SQL, parameters and the compiler that knows how to turn rows into model
instances, dicts or tuples, with select_related and annotations) in a per-process LRU of
COMPILED_MAX entries. Later calls run the same SQL with the same parameters through Django's own
iterable. **Nothing read is kept**: every call reads the rows afresh; only the text of the query is
reused.

The key must therefore name everything the SQL depends on: the caller puts the values that vary
(a user's id, the scope's Q object, which is hashable and compares by value) in the key rather
than relying on the closure. The default database's vendor is added to it. `offset`/`limit` are
appended with the backend's own LIMIT/OFFSET clause, so every page of a list shares one entry.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

COMPILED_MAX = 256

_lock = threading.Lock()
_compiled: OrderedDict[Hashable, _Statement] = OrderedDict()


class _Statement:
    """One compiled queryset: its SQL and parameters, and the compiler state its iterable reads."""

    __slots__ = ("compiler", "params", "queryset", "sql")

    def __init__(self, queryset: QuerySet):
        if queryset.query.is_sliced:
            raise ValueError("compiled_rows: pass offset/limit instead of slicing the queryset")
        self.queryset = queryset
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            self.sql, self.params = self.compiler.as_sql()
        except EmptyResultSet:  # e.g. a scope of `pk__in=[]`: nothing to read, no query to run
            self.sql, self.params = "", ()

    def rows(self, offset: int, limit: int | None) -> list[Any]:
        if not self.sql:
            return []
        alias = self.queryset.db
        connection = connections[alias]
        sql = self.sql
        if offset or limit is not None:
            clause = connection.ops.limit_offset_sql(offset, None if limit is None else offset + limit)
            sql = f"{sql} {clause}" if clause else sql
        params = self.params
        # A copy per call (threads may share an entry): the copy answers with the kept SQL instead of
        # compiling, and keeps what the first compilation worked out (select, klass_info, annotations)
        # for the iterable that turns rows into objects.
        compiler: Any = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset: Any = self.queryset._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)


def compiled_rows(
    key: Hashable, build: Callable[[], QuerySet], *, offset: int = 0, limit: int | None = None
) -> list[Any]:
    """The rows of `build()` (from `offset`, at most `limit`), read now, with the SQL compiled once per
    process for `key`. `build` runs only when the key is new (or was dropped from the LRU)."""
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("compiled_rows: offset and limit must not be negative")
    full_key = (connections[DEFAULT_DB_ALIAS].vendor, key)
    with _lock:
        statement = _compiled.get(full_key)
        if statement is not None:
            _compiled.move_to_end(full_key)
    if statement is None:
        statement = _Statement(build())
        with _lock:
            _compiled[full_key] = statement
            while len(_compiled) > COMPILED_MAX:
                _compiled.popitem(last=False)
    return statement.rows(offset, limit)


def compiled_forget() -> None:
    """Drop every compiled statement of this process (tests that change the database's shape)."""
    with _lock:
        _compiled.clear()
