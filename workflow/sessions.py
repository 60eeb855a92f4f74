"""The database session store, reading a session with one statement written here.

Django's store reads a session through the ORM (`Session.objects.get(...)`), which compiles the same
query on every request (about 0.2 ms, docs/performance.md). This store sends the equivalent SQL
directly: the same table, the same condition (the key, and an expiry date still to come), the same
answer (None for a missing or expired session, which then starts empty). Writing, deleting and
clearing expired sessions are Django's, unchanged. SESSION_ENGINE = "workflow.sessions".
"""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _select_sql(vendor: str, alias: str) -> str:
    from django.contrib.sessions.models import Session

    quote = connections[alias].ops.quote_name
    meta = Session._meta
    column = {field.name: quote(str(field.column)) for field in meta.concrete_fields}
    # Only quoted identifiers of the model go into the text; the values are parameters.
    return (
        f"SELECT {column['session_data']} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                _select_sql(connection.vendor, alias),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=str(self.session_key), session_data=row[0])
