"""One small hierarchy of domain errors. Each carries a stable machine-readable code.

workflow.api.errors turns them into JSON responses, views into form errors or messages, and
management commands into one line on stderr with a non-zero exit.
"""

from django.utils.functional import Promise

# A message is text for people: a str, or a lazily translated string (gettext_lazy).
Message = str | Promise


class DomainError(Exception):
    """A request the domain refuses. `code` is stable; `message` is for people."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: Message, code: str | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 400

    def __init__(self, message: Message, code: str | None = None, *, errors: dict | None = None, field=None):
        super().__init__(message, code, field=field)
        self.errors = errors or ({field: [message]} if field else {})


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The object changed under us, or the action is not allowed in its current state."""

    code = "conflict"
    http_status = 409


class CalendarDataMissing(DomainError):
    code = "calendar_year_missing"
    http_status = 422


class UnknownRule(NotFound):
    code = "unknown_rule"


class RateLimited(DomainError):
    """Too many requests for one key (address, mobile number, username...) in the window (workflow.ratelimit).
    `retry_after`: seconds until the window closes, sent as Retry-After."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: Message, code: str | None = None, *, retry_after: int | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after
