"""No web request renders a PDF (DESIGN §6): the act queues the render on commit, a q2 worker renders it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.repair.test_api import RECORD as REPAIR_RECORD
from workflow import documents as documents_module
from workflow.documents import RENDER_TASK
from workflow.models import Document, User

BASE_DIR = Path(settings.BASE_DIR)
RENDERING = re.compile(
    r"\b(document_render|document_pdf_render|documents_render_pending|\w*render_now|weasyprint|write_pdf)\b"
)


def request_modules() -> list[Path]:
    """Every module a URL reaches directly: views, API views, URL confs."""
    found: list[Path] = []
    for package in ("workflow", "contracts", "repair"):
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            parts = set(path.relative_to(BASE_DIR).parts)
            if parts & {"views", "api", "urls"} or path.stem in {"views", "api", "urls"}:
                found.append(path)
    return found


def test_no_view_or_api_module_calls_the_renderer():
    modules = request_modules()
    assert len(modules) > 20  # the scan sees the project's views and APIs
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}"
        for path in modules
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RENDERING.search(line)
    ]
    assert offenders == []


# The longest facts the API accepts (20,000 characters; main rendered a 200k-character record inside the
# request in 16.8 s, and now refuses one that long with a 400 naming the field).
RECORD = {**REPAIR_RECORD, "facts": "销售不合格建材。" * 2_500}


@pytest.mark.django_db
def test_recording_with_huge_facts_answers_at_once_and_the_worker_renders_after_commit(
    demo, travel, monkeypatch, django_capture_on_commit_callbacks
):
    travel("2025-12-01")
    rendered_in_request: list[int] = []

    def refuse(*, document):
        rendered_in_request.append(document.pk)
        raise AssertionError("a PDF was rendered inside the request")

    monkeypatch.setattr(documents_module, "document_pdf_render", refuse)
    queued: list[tuple] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: queued.append((func, *args)))
    officer = User.objects.get(username="penalty_officer")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=officer)[0].key}")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post("/api/v1/repair/records/", RECORD, format="json")
    print(
        f"POST /api/v1/repair/records/, {len(RECORD['facts'])} characters of facts: {time.monotonic() - started:.2f} s"
    )
    assert response.status_code == 201, response.content[:500]
    body = response.json()
    # The penalty decision, the repair notice and the one service receipt (送达回证).
    assert [(d["status"], d["url"], d["sha256"]) for d in body["documents"]] == [("pending", None, None)] * 3
    assert rendered_in_request == []
    ids = sorted(d["id"] for d in body["documents"])
    assert sorted(args[1] for args in queued if args[0] == RENDER_TASK) == ids  # one render task per document
    assert len(callbacks) >= 3
    assert Document.objects.filter(pk__in=ids, status="pending").count() == 3
