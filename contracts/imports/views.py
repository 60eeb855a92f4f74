"""Staff pages for the bulk import of contracts from Excel, mounted at /staff/contracts/imports/.

Thin: the checks, the storage and the import itself live in contracts.imports.services. Only an agency
clerk uploads (anyone else gets a 403); an import is seen by its agency's users (and the agencies
above it) and supervisors — anyone else gets a 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from contracts.imports.schema import (
    ERRORS_SHOWN,
    MAX_CONTRACTS,
    MAX_IMPORT_BYTES,
    import_template_workbook,
)
from contracts.imports.selectors import (
    STATUS_HELP,
    contract_import_get_for_user,
    contract_import_progress,
    contract_imports_visible_to,
    import_errors_workbook,
)
from contracts.imports.services import ACTIVE, contract_import_create
from contracts.models import ContractImport
from workflow import roles, uploads
from workflow.errors import Conflict, DomainError, NotFound
from workflow.scoping import sees_everything
from workflow.spreadsheets import XlsxUploadForm, xlsx_response

PAST_IMPORTS = 50


def _can_upload(user) -> bool:
    return roles.has_role(user, roles.AGENCY_CLERK) and getattr(user, "agency_id", None) is not None


def _import_for_user(user, pk) -> ContractImport:
    try:
        return contract_import_get_for_user(user=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- upload size cap --------------------------------------------------------------------------------


# The cap is read at request time (tests lower it).
_capped_uploads = uploads.capped_uploads(lambda: MAX_IMPORT_BYTES)


# --- pages ---------------------------------------------------------------------------------------------


class ImportUploadForm(XlsxUploadForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An Excel workbook made from the template: at most 10 MB and %(count)s contracts."
        ) % {"count": f"{MAX_CONTRACTS:,}"}


@login_required
def _import_upload(request):
    user = request.user
    if not _can_upload(user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                imp = contract_import_create(agency=user.agency, upload=form.cleaned_data["file"], acting_user=user)
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(
                    request, _("%(name)s was uploaded; its rows are being checked.") % {"name": imp.original_name}
                )
                return redirect("contracts-import-detail", pk=imp.pk)
        else:
            status = 400
    else:
        form = ImportUploadForm()
    imports = (
        contract_imports_visible_to(user).filter(agency=user.agency).defer("errors").order_by("-created_at", "-id")
    )
    return render(
        request,
        "staff/imports/upload.html",
        {"form": form, "imports": list(imports[:PAST_IMPORTS]), "agency": user.agency},
        status=status,
    )


import_upload = _capped_uploads(_import_upload)


@login_required
@require_GET
def import_template(request):
    user = request.user
    if not (sees_everything(user) or getattr(user, "agency_id", None)):
        raise PermissionDenied
    return xlsx_response(import_template_workbook(), "合同导入模板.xlsx")


@login_required
@require_GET
def import_detail(request, pk):
    imp = _import_for_user(request.user, pk)
    errors = imp.errors or []
    return render(
        request,
        "staff/imports/detail.html",
        {
            "imp": imp,
            "progress": contract_import_progress(imp),
            "running": imp.status in ACTIVE,
            "status_help": STATUS_HELP.get(imp.status, ""),
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
            "can_upload": _can_upload(request.user) and imp.agency_id == request.user.agency_id,
        },
    )


@login_required
@require_GET
def import_status(request, pk):
    imp = _import_for_user(request.user, pk)
    return _no_store(JsonResponse(contract_import_progress(imp)))


@login_required
@require_GET
def import_errors(request, pk):
    imp = _import_for_user(request.user, pk)
    if imp.status != ContractImport.Status.REJECTED:
        raise Http404(_("This import has no error report."))
    return xlsx_response(import_errors_workbook(imp), f"import-{imp.pk}-errors.xlsx")
