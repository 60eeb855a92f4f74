"""What the pages of credit repair share: the 404 for what a user may not see, and how a case's documents,
statutory clocks and history are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repair.selectors import documents_of
from repair.services.applications import proof_limits
from workflow import clock
from workflow.api.auth import display_name
from workflow.audit import audit_for
from workflow.deadlines import deadlines_for
from workflow.errors import NotFound
from workflow.models import DeadlineEvent, Document
from workflow.uploads import capped_uploads

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PER_PAGE = 25

# Pages that take proofs: each file and all of them together capped while the body streams in.
proof_uploads = capped_uploads(lambda: proof_limits()["max_bytes"], max_total=lambda: proof_limits()["max_total_bytes"])
AUDIT_ROWS = 200

CLOCK_LABELS = {
    "accept": gettext_lazy("Decide on acceptance"),
    "feedback": gettext_lazy("Give the result"),
    "sync": gettext_lazy("Stop sharing with other platforms"),
}
EVENT_LABELS: dict[str, StrPromise] = {
    DeadlineEvent.Kind.PAUSE: gettext_lazy("paused"),
    DeadlineEvent.Kind.RESUME: gettext_lazy("running again"),
    DeadlineEvent.Kind.EXTEND: gettext_lazy("extended"),
}
AUDIT_LABELS = {
    "record.create": gettext_lazy("Recorded; decision and repair notice issued"),
    "record.serve": gettext_lazy("Both documents served"),
    "record.publish": gettext_lazy("Published"),
    "record.repaired": gettext_lazy("Repaired: publication and sharing stopped"),
    "record.expired": gettext_lazy("Publication period ended"),
    "objection.file": gettext_lazy("Objection filed"),
    "objection.answer": gettext_lazy("Objection answered"),
    "repair.apply": gettext_lazy("Applied; checked at once"),
    "repair.supplement": gettext_lazy("More material asked for"),
    "repair.supplement_received": gettext_lazy("Material handed in"),
    "repair.proof_deleted": gettext_lazy("Proof deleted at the end of its retention period"),
    "repair.extend": gettext_lazy("Time for the result extended"),
    "repair.propose": gettext_lazy("Proposed for approval"),
    "repair.decide": gettext_lazy("Decided"),
}


def or_404(fn, **kwargs):
    """Call a `<thing>_get_for_user` selector; what the user may not see is a 404."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def audit_rows(obj) -> list:
    """The history of a record or an application, each entry labelled for people."""
    rows = list(audit_for(obj).order_by("at", "id")[:AUDIT_ROWS])
    for row in rows:
        row.label = str(AUDIT_LABELS.get(row.action, row.action))
        row.who = display_name(row.actor) if row.actor_id else _("the system")
    return rows


def clocks_of(case) -> list[dict]:
    """Each statutory clock with its history of pauses, resumptions and extensions (each event with its
    label: `{% for e, label in c.events %}`)."""
    today = clock.today()
    clocks = list(deadlines_for(case).select_related("rule").order_by("start_on", "id"))
    events = (
        DeadlineEvent.objects.filter(deadline__in=clocks, kind__in=list(EVENT_LABELS))
        .select_related("approver")
        .order_by("created_at", "id")
    )
    by_clock: dict[int, list[tuple[DeadlineEvent, StrPromise]]] = {}
    for e in events:
        by_clock.setdefault(e.deadline_id, []).append((e, EVENT_LABELS[e.kind]))
    return [
        {
            "d": d,
            "label": CLOCK_LABELS.get(d.purpose, d.purpose),
            "late": d.status in (d.Status.RUNNING, d.Status.OVERDUE) and d.due_on < today,
            "events": by_clock.get(d.pk, []),
        }
        for d in clocks
    ]


def documents_shown(case) -> list[Document]:
    """The documents of a record or an application, with their issuer."""
    return list(documents_of(case).select_related("issuer"))
