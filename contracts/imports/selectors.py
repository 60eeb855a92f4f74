"""Reads of contract imports for the staff pages: the imports a user may see, one import's
progress for the polling page and its error report."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import ContractImport
from workflow.errors import NotFound
from workflow.scoping import agency_filter
from workflow.spreadsheets import errors_workbook

# The error report's columns: header, key of the error, width.
ERROR_FIELDS = (("工作表", "sheet", 10), ("行号", "row", 8), ("字段", "field", 24), ("错误", "message", 90))


def contract_imports_visible_to(user):
    """Imports of the agencies the user may see (own and sub-agencies; supervisors all)."""
    return ContractImport.objects.filter(agency_filter(user, "agency")).select_related("agency", "uploaded_by")


def contract_import_get_for_user(*, user, pk) -> ContractImport:
    imp = contract_imports_visible_to(user).filter(pk=pk).first()
    if imp is None:
        raise NotFound(_("No such import."), "not_found")
    return imp


def contract_import_progress(imp: ContractImport) -> dict:
    return {
        "status": imp.status,
        "status_label": str(imp.get_status_display()),
        "total": imp.total,
        "processed": imp.processed,
        "created_count": imp.created_count,
        "errors_count": len(imp.errors or []),
        "status_help": str(STATUS_HELP.get(imp.status, "")),
    }


def import_errors_workbook(imp: ContractImport) -> bytes:
    """The error list of a rejected import as a workbook: sheet, row, column, error."""
    return errors_workbook(imp.errors or [], ERROR_FIELDS)


STATUS_HELP = {
    ContractImport.Status.QUEUED: gettext_lazy("Waiting for a worker to start."),
    ContractImport.Status.VALIDATING: gettext_lazy("Checking every row."),
    ContractImport.Status.IMPORTING: gettext_lazy("Every row is correct; creating the contracts."),
}
