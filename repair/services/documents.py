"""Rendering a case's documents within the request, so that the answer carries each file and its SHA-256."""

from repair.selectors import documents_of
from workflow.documents import document_render
from workflow.models import Document


def documents_render_now(case) -> None:
    """Render a case's documents still waiting for their worker, so the answer carries the file and its
    SHA-256 (document_render is idempotent: a worker that comes later finds them rendered)."""
    for pk in (
        documents_of(case)
        .filter(status__in=[Document.Status.PENDING, Document.Status.FAILED])
        .values_list("pk", flat=True)
    ):
        document_render(pk)
