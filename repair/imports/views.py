"""Bulk import of dishonesty records from Excel, mounted at /staff/repair/import/.

Thin: the checks live in repair.imports.services, the stored import and its q2 task in
repair.imports.tasks. Only a penalty officer of a deciding unit uploads (anyone else gets a 403); the
request only checks the file cheaply and stores it, a worker parses and imports it, and the import's
page shows its progress and then its result. An import is seen by its unit's users (and the units
above it) and supervisors — anyone else gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from repair.imports.services import MAX_IMPORT_BYTES, MAX_ROWS, record_import_template_workbook
from repair.imports.tasks import (
    ACTIVE,
    STATUS_HELP,
    record_import_create,
    record_import_errors_workbook,
    record_import_get_for_user,
    record_import_progress,
    record_imports_visible_to,
)
from repair.models import RecordImport
from workflow import roles, uploads
from workflow.errors import DomainError, NotFound
from workflow.spreadsheets import XlsxUploadForm, xlsx_response

PAST_IMPORTS = 20


def _is_officer(user) -> bool:
    return roles.has_role(user, roles.PENALTY_OFFICER) and getattr(user, "agency_id", None) is not None


def _import_for_user(user, pk) -> RecordImport:
    try:
        return record_import_get_for_user(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


class RecordImportForm(XlsxUploadForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An Excel workbook made from the template: at most 5 MB and %(count)s records."
        ) % {"count": MAX_ROWS}


# Each file is kept only up to the cap while the body streams in (read at request time: tests lower it).
@uploads.capped_uploads(lambda: MAX_IMPORT_BYTES)
@login_required
def import_upload(request):
    user = request.user
    if not _is_officer(user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = RecordImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                imp = record_import_create(upload=form.cleaned_data["file"], acting_user=user)
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = 400
            else:
                messages.success(
                    request, _("%(name)s was uploaded; its rows are being checked.") % {"name": imp.original_name}
                )
                return redirect("repair-import-detail", pk=imp.pk)
        else:
            status = 400
    else:
        form = RecordImportForm()
    imports = record_imports_visible_to(user).filter(deciding_unit=user.agency).defer("errors")
    return render(
        request,
        "staff/repair/import.html",
        {"form": form, "imports": list(imports[:PAST_IMPORTS]), "agency": user.agency, "max_rows": MAX_ROWS},
        status=status,
    )


@login_required
@require_GET
def import_detail(request, pk):
    imp = _import_for_user(request.user, pk)
    errors = imp.errors or []
    return render(
        request,
        "staff/repair/import_detail.html",
        {
            "imp": imp,
            "running": imp.status in ACTIVE,
            "status_help": STATUS_HELP.get(imp.status, ""),
            "errors": errors,
            "created": list(imp.created_records.select_related("enterprise").order_by("pk"))
            if imp.status == RecordImport.Status.DONE
            else [],
            "can_upload": _is_officer(request.user) and imp.deciding_unit_id == request.user.agency_id,
        },
    )


@login_required
@require_GET
def import_status(request, pk):
    imp = _import_for_user(request.user, pk)
    response = JsonResponse(record_import_progress(imp))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def import_errors(request, pk):
    imp = _import_for_user(request.user, pk)
    if imp.status != RecordImport.Status.REJECTED:
        raise Http404(_("This import has no error report."))
    return xlsx_response(record_import_errors_workbook(imp), f"record-import-{imp.pk}-errors.xlsx")


@login_required
@require_GET
def import_template(request):
    if not _is_officer(request.user):
        raise PermissionDenied
    return xlsx_response(record_import_template_workbook(), "失信信息导入模板.xlsx")
