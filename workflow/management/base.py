"""Shared behaviour of govcredit's management commands: one clear line, never a traceback."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from workflow.errors import DomainError


def parse_date(raw: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"invalid {what} {raw!r}: expected YYYY-MM-DD") from exc


def parse_int(raw: str, what: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"invalid {what} {raw!r}: expected a whole number") from exc


class GovcreditCommand(BaseCommand):
    """Turns DomainError into CommandError: Django prints it as one line and exits non-zero."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
