"""Models of the shared engine, one module per topic."""

from workflow.models.audit import AuditLog
from workflow.models.calendar import CalendarYear, HolidayOverride
from workflow.models.deadlines import Deadline, DeadlineEvent
from workflow.models.documents import Delivery, Document, DocumentSequence
from workflow.models.jobs import Heartbeat, SweepRun
from workflow.models.notifications import Notification, PartyMessage
from workflow.models.outbox import OutboxMessage
from workflow.models.parties import Agency, Enterprise, LoginAttempt, User
from workflow.models.ratelimit import RateCounter
from workflow.models.rules import Rule

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
    "PartyMessage",
    "RateCounter",
    "Rule",
    "SweepRun",
    "User",
]
