"""The records import as a stored upload and a q2 task (issue 12): the web request only checks the
file cheaply and queues it; a worker parses it and runs the all-or-nothing `record_import`.

1. `record_import_create` (the request): size, name and the zip's directory (`check_upload`, which
   runs `workflow.xlsxzip.check_xlsx_zip` and never opens the XML), then the file is stored under a
   random name, a RecordImport `queued` and its audit row saved, and `record_import_run` queued on commit;
2. `record_import_run` (the worker): claim queued → running under a row lock (a task delivered twice
   runs once), parse and import in ONE transaction that also records done (or nothing is kept), else
   rejected with every error by row and column, or failed on an unexpected exception.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repair.imports.services import MAX_IMPORT_BYTES, REFUSALS, SHEET, UNREADABLE, record_import
from repair.models import RecordImport
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict, NotFound, ValidationFailed
from workflow.jobs import enqueue
from workflow.scoping import agency_filter
from workflow.spreadsheets import UploadRefused, check_upload, errors_workbook
from workflow.transitions import ConcurrentTransition, transition
from workflow.uploads import sha256_of

logger = logging.getLogger(__name__)

ACTIVE = (RecordImport.Status.QUEUED, RecordImport.Status.RUNNING)
STATUS_HELP = {
    RecordImport.Status.QUEUED: gettext_lazy("Waiting for a worker to start."),
    RecordImport.Status.RUNNING: gettext_lazy("Checking every row."),
}
# The error report's columns: header, key of the error, width.
ERROR_FIELDS = (("行号", "row", 8), ("列", "column", 24), ("错误", "message", 90))


class _Rejected(Exception):
    """Leaves the import's transaction without keeping anything."""


def record_import_create(*, upload, acting_user) -> RecordImport:
    """Check the upload without parsing it, store it and queue its import; nothing is stored on refusal."""
    try:
        check_upload(upload, max_bytes=MAX_IMPORT_BYTES, sheet=SHEET)
    except UploadRefused as exc:
        raise ValidationFailed(str(REFUSALS.get(exc.code, UNREADABLE)), exc.code, field="file") from exc
    imp = RecordImport(
        deciding_unit=acting_user.agency,
        original_name=(upload.name or "import.xlsx").replace("\\", "/").split("/")[-1][-200:],
        sha256=sha256_of(upload),
        status=RecordImport.Status.QUEUED,
        uploaded_by=acting_user,
        created_at=clock.now(),
    )
    # A random name: nothing the uploader chose ends up in a path. Storage is not transactional,
    # so the file is written first and removed again if the row cannot be saved.
    imp.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    try:
        with transaction.atomic():
            imp.save()
            audit_record(
                action="repair.record_import",
                obj=imp,
                actor=acting_user,
                to_state=imp.status,
                changes={"file": imp.original_name, "sha256": imp.sha256, "size": upload.size},
            )
            enqueue("repair.imports.tasks.record_import_run", imp.pk)
    except Exception:
        imp.file.delete(save=False)
        raise
    return imp


def _claim(import_id: int) -> RecordImport | None:
    """queued → running for one worker only: the row is locked and the save is conditional on the
    state it was read in."""
    try:
        with transaction.atomic():
            imp = RecordImport.objects.select_for_update().filter(pk=import_id).first()
            if imp is None:
                return None
            transition(imp, "claim")
    except (Conflict, ConcurrentTransition):
        return None
    return imp


def _finish(imp: RecordImport, name: str, *, reason: str = "", **values) -> None:
    transition(
        imp,
        name,
        values={"finished_at": clock.now(), **values},
        actor=imp.uploaded_by,
        action="repair.record_import",
        reason=reason,
        changes={
            "file": imp.original_name,
            "sha256": imp.sha256,
            "rows": values.get("total", imp.total),
            "created": values.get("created_count", 0),
            "errors": len(values.get("errors") or []),
        },
    )


def record_import_run(import_id: int) -> str:
    """The q2 task: parse the stored file and import all of it or nothing. Safe to run twice."""
    imp = _claim(import_id)
    if imp is None:
        return "skipped"
    user = imp.uploaded_by
    try:
        try:
            with transaction.atomic():
                with imp.file.open("rb") as fileobj:
                    result = record_import(upload=fileobj, acting_user=user)
                if result.errors:
                    raise _Rejected
                imp = RecordImport.objects.select_for_update().get(pk=imp.pk)
                imp.created_records.set(result.created)
                _finish(imp, "complete", total=result.rows, created_count=len(result.created))
                return RecordImport.Status.DONE
        except _Rejected:
            pass
        with transaction.atomic():
            imp = RecordImport.objects.select_for_update().get(pk=imp.pk)
            _finish(imp, "reject", total=result.rows, errors=result.errors)
        return RecordImport.Status.REJECTED
    except Exception as exc:
        logger.exception("record import %s failed", import_id)
        with transaction.atomic():
            imp = RecordImport.objects.select_for_update().get(pk=import_id)
            if imp.status != RecordImport.Status.RUNNING:
                return "skipped"
            message = _("The import stopped on an unexpected error; nothing was imported. Upload the file again.")
            _finish(
                imp,
                "fail",
                reason=f"{type(exc).__name__}: {exc}"[:500],
                errors=[{"row": None, "column": "", "message": message}],
            )
        return RecordImport.Status.FAILED


# --- reads for the pages ------------------------------------------------------------------------------


def record_imports_visible_to(user):
    """Imports of the deciding units the user may see (own and units below; supervisors all)."""
    return RecordImport.objects.filter(agency_filter(user, "deciding_unit")).select_related(
        "deciding_unit", "uploaded_by"
    )


def record_import_get_for_user(*, user, pk) -> RecordImport:
    imp = record_imports_visible_to(user).filter(pk=pk).first()
    if imp is None:
        raise NotFound(_("No such import."), "not_found")
    return imp


def record_import_progress(imp: RecordImport) -> dict:
    return {
        "status": imp.status,
        "status_label": str(imp.get_status_display()),
        "total": imp.total,
        "processed": imp.total if imp.status not in ACTIVE else 0,
        "created_count": imp.created_count,
        "errors_count": len(imp.errors or []),
        "status_help": str(STATUS_HELP.get(imp.status, "")),
    }


def record_import_errors_workbook(imp: RecordImport) -> bytes:
    """The error list of a rejected import as a workbook: row, column, error."""
    return errors_workbook(imp.errors or [], ERROR_FIELDS)
