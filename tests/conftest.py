import importlib
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _database_vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite" if "sqlite" in engine else engine


def pytest_collection_modifyitems(config, items):
    if _database_vendor() == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL row locks and concurrent connections; runs in the PostgreSQL pass "
        "(TEST_POSTGRES_URL), SQLite serialises writers"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def travel(monkeypatch):
    """Move govcredit's clock: travel("2026-10-08") makes today 2026-10-08 (10:00 Asia/Shanghai)."""

    def _go(day):
        monkeypatch.setenv("GOVCREDIT_TODAY", str(day))

    return _go


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test leaves cached reads (the public
    list's facets) that no signal removed."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request with Accept-Language: en in an earlier test
    leaves English active in the thread otherwise."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_working_calendar():
    """Test transactions roll back, so the in-process calendar and rules caches must not outlive a test."""
    from workflow import rules, workdays

    workdays.invalidate()
    rules.invalidate()
    yield
    workdays.invalidate()
    rules.invalidate()


def _allow_flush_of_the_audit_log():
    """Transactional tests (live server, concurrency) end with a flush of every table. On SQLite that
    is a DELETE, which the append-only trigger on the audit log refuses; lift the triggers for the
    flush only and put them back (PostgreSQL flushes with TRUNCATE, which row triggers ignore)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    DatabaseOperations = type(connection.ops)

    guard = importlib.import_module("workflow.migrations.0003_roles_and_audit_guard")

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if "workflow_auditlog" not in tables:
            return statements
        return [*guard.SQLITE_DOWN, *statements, *guard.SQLITE_UP]

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(scope="session", autouse=True)
def _audit_log_flushable():
    _allow_flush_of_the_audit_log()
