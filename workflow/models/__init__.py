"""Models of the shared engine, one module per topic."""

from .audit import AuditLog
from .calendar import CalendarYear, HolidayOverride
from .deadlines import Deadline, DeadlineEvent
from .documents import Delivery, Document, DocumentSequence
from .jobs import Heartbeat, SweepRun
from .notifications import Notification
from .outbox import OutboxMessage
from .parties import Agency, Enterprise, LoginAttempt, User
from .rules import Rule

__all__ = [
    "Agency",
    "AuditLog",
    "CalendarYear",
    "Deadline",
    "DeadlineEvent",
    "Delivery",
    "Document",
    "DocumentSequence",
    "Enterprise",
    "Heartbeat",
    "HolidayOverride",
    "LoginAttempt",
    "Notification",
    "OutboxMessage",
    "Rule",
    "SweepRun",
    "User",
]
