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
def _fresh_working_calendar():
    """Test transactions roll back, so the in-process calendar and rules caches must not outlive a test."""
    from workflow import rules, workdays

    workdays.invalidate()
    rules.invalidate()
    yield
    workdays.invalidate()
    rules.invalidate()
