"""Bulk import of dishonesty records from Excel, mounted at /staff/repair/import/.

Thin: the checks and the import live in repair.imports.services. Only a penalty officer of a deciding unit
uploads (anyone else gets a 403); the file is checked and imported in the request.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from repair.imports.services import MAX_IMPORT_BYTES, MAX_ROWS, record_import, record_import_template_workbook
from workflow import roles, uploads
from workflow.spreadsheets import XlsxUploadForm, xlsx_response


def _is_officer(user) -> bool:
    return roles.has_role(user, roles.PENALTY_OFFICER) and getattr(user, "agency_id", None) is not None


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
    result = None
    status = 200
    if request.method == "POST":
        form = RecordImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = record_import(upload=form.cleaned_data["file"], acting_user=user)
            file_errors = [e for e in result.errors if e["row"] is None]
            for error in file_errors:
                form.add_error("file", error["message"])
            if result.errors:
                status = 400
        else:
            status = 400
    else:
        form = RecordImportForm()
    return render(
        request,
        "staff/repair/import.html",
        {
            "form": form,
            "result": result,
            "row_errors": [e for e in (result.errors if result else []) if e["row"] is not None],
            "agency": user.agency,
            "max_rows": MAX_ROWS,
        },
        status=status,
    )


@login_required
@require_GET
def import_template(request):
    if not _is_officer(request.user):
        raise PermissionDenied
    return xlsx_response(record_import_template_workbook(), "失信信息导入模板.xlsx")
