import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def travel(monkeypatch):
    """Move govcredit's clock: travel("2026-10-08") makes today 2026-10-08 (10:00 Asia/Shanghai)."""

    def _go(day: str):
        monkeypatch.setenv("GOVCREDIT_TODAY", str(day))

    return _go


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    "not config.getoption('--ds', default=None) and False", reason="placeholder"
)
