"""Bulk import of existing contracts from the Excel template (issue 3).

An agency bringing its existing contracts in fills in the template (`import_template_workbook`,
downloadable from the upload page) and uploads it. The upload is checked at once (an .xlsx that
openpyxl opens, at most 10 MB, with the sheet 合同) and stored privately; a q2 worker then runs
`contract_import_run`:

1. claim: a conditional UPDATE queued → validating, so a task delivered twice runs once;
2. parse both sheets; every cell is checked (required, type, label, date, amount, USCC) and
   cross-row facts (a contract number twice in the file, a milestone for a number that is not in
   the file);
3. validate every row with the real service, `contracts.services.contract_register`, so the
   domain rules (signing date not in the future, term after signing, payment-term ceiling,
   number already registered for the agency, milestone amounts) are the same as for one contract
   typed in by hand. Rows are taken in chunks of CHUNK, one short transaction each that is always
   rolled back (each row is a savepoint in it: contract_register is atomic), and `processed` is
   committed between chunks, so the polling page sees the progress bar move — one transaction
   held across the whole validation would hide every progress write until it ended, and on
   SQLite would keep other writers waiting all that time;
4. any error → `rejected` with the full list [{"sheet", "row", "field", "message"}], nothing created;
   else → `importing`, and every contract is created again through `contract_register` in ONE
   transaction that also sets `done` — all or nothing per file;
5. an unexpected exception → `failed` with a message; the transaction it happened in is rolled
   back, so nothing is half-written.

Existing contracts are never overwritten: a number already registered for the agency is an
error in the file (amendments, 变更, go through `contract_amend`, which keeps the old terms as a
version). Row numbers in the error list are the row numbers Excel shows.

The file's columns, limits and template are in contracts.imports.schema, the reads for the pages
in contracts.imports.selectors; cells and workbooks are read and written by workflow.spreadsheets.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.imports.schema import (
    CONTRACT_COLUMNS,
    CONTRACT_SHEET,
    EXAMPLE_PREFIX,
    HEADER,
    MAX_CONTRACTS,
    MAX_IMPORT_BYTES,
    MILESTONE_COLUMNS,
    MILESTONE_HEADER,
    MILESTONE_SHEET,
    MILESTONES_PER_CONTRACT,
    MISSING_SHEET,
    REFUSAL_CODES,
    REFUSALS,
    SERVICE_FIELDS,
    Row,
    check_rows,
    row_error,
)
from contracts.models import ContractImport
from contracts.services import contract_register, contract_terms_problems
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict, DomainError, ValidationFailed
from workflow.jobs import enqueue
from workflow.models import Agency
from workflow.spreadsheets import (
    XLSX_CONTENT_TYPE,  # noqa: F401 - named here by repair and by the tests
    UploadRefused,
    cell_text,
    check_upload,
    open_workbook,
    read_sheet,
)
from workflow.transitions import ConcurrentTransition, transition
from workflow.uploads import sha256_of

logger = logging.getLogger(__name__)

# Rows validated per short transaction; `processed` is committed after each chunk.
CHUNK = 50

ACTIVE = (ContractImport.Status.QUEUED, ContractImport.Status.VALIDATING, ContractImport.Status.IMPORTING)
# A file with the same SHA-256 is refused while an import of it is under way or done.
BLOCKING = (*ACTIVE, ContractImport.Status.DONE)


# --- reading the file ----------------------------------------------------------------------------


@dataclass
class ParsedFile:
    contracts: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        rows = [e for r in [*self.contracts, *self.milestones] for e in r.errors]
        return [*self.file_errors, *rows]


def _read_sheet(ws, sheet: str, columns, parsed: ParsedFile, limit: int) -> list[Row] | None:
    """Parse every row of one sheet (at most `limit` rows with data; the caller reports more);
    None when its header row lacks a column."""
    read = read_sheet(ws, columns, limit=limit, skip=lambda raw: cell_text(raw["number"]).startswith(EXAMPLE_PREFIX))
    for column in read.missing:
        message = _("Column %(column)s is missing from this sheet.") % {"column": column.header}
        parsed.file_errors.append(row_error(sheet, 1, column.header, message))
    if read.missing:
        return None
    result = []
    for sheet_row in read.rows:
        row = Row(sheet=sheet, row=sheet_row.row, values=sheet_row.values)
        for key, message in sheet_row.errors.items():
            row.error(key, message)
        result.append(row)
    return result


def import_file_parse(fileobj) -> ParsedFile:
    """Read both sheets and check every cell and the cross-row facts; no database writes."""
    parsed = ParsedFile()
    try:
        workbook = open_workbook(fileobj)  # checks the zip (a bomb) before openpyxl reads it
    except UploadRefused as exc:
        parsed.file_errors.append(row_error(CONTRACT_SHEET, None, "", str(REFUSALS[exc.code])))
        return parsed
    try:
        if CONTRACT_SHEET not in workbook.sheetnames:
            parsed.file_errors.append(row_error(CONTRACT_SHEET, None, "", MISSING_SHEET))
            return parsed
        contracts = _read_sheet(workbook[CONTRACT_SHEET], CONTRACT_SHEET, CONTRACT_COLUMNS, parsed, MAX_CONTRACTS + 1)
        milestones: list[Row] | None = []
        if MILESTONE_SHEET in workbook.sheetnames:
            milestones = _read_sheet(
                workbook[MILESTONE_SHEET],
                MILESTONE_SHEET,
                MILESTONE_COLUMNS,
                parsed,
                MILESTONES_PER_CONTRACT * MAX_CONTRACTS + 1,
            )
    finally:
        workbook.close()
    if contracts is None or milestones is None:
        return parsed
    parsed.contracts, parsed.milestones = contracts, milestones
    if not contracts:
        parsed.file_errors.append(row_error(CONTRACT_SHEET, None, "", _("The sheet 合同 has no contracts to import.")))
    if len(contracts) > MAX_CONTRACTS:
        parsed.file_errors.append(
            row_error(
                CONTRACT_SHEET,
                None,
                "",
                _("The file has more than %(max)s contracts; split it into several files.") % {"max": MAX_CONTRACTS},
            )
        )
    if len(milestones) > MILESTONES_PER_CONTRACT * MAX_CONTRACTS:
        parsed.file_errors.append(
            row_error(
                MILESTONE_SHEET,
                None,
                "",
                _("The file has more than %(max)s milestones; split it into several files.")
                % {"max": MILESTONES_PER_CONTRACT * MAX_CONTRACTS},
            )
        )
    check_rows(contracts, milestones)
    return parsed


# --- validation and import with the real service -------------------------------------------------


def _service_data(row: Row) -> dict:
    v = row.values
    return {
        "number": v["number"],
        "title": v["title"],
        "kind": v["kind"],
        "procurement": bool(v["procurement"]),
        "counterparty": {"name": v["cp_name"], "uscc": v["cp_uscc"], "size": v["cp_size"]},
        "amount": v["amount"],
        "signed_on": v["signed_on"],
        "ends_on": v["ends_on"],
        "payment_term_days": v["payment_term_days"],
        "milestones": [
            {
                "kind": m.values["kind"],
                "title": m.values["title"],
                "amount": m.values["amount"],
                "planned_on": m.values["planned_on"],
                "payment_after_acceptance": bool(m.values["payment_after_acceptance"]),
                "acceptance_period_days": m.values["acceptance_period_days"],
            }
            for m in row.milestones
            if not m.errors
        ],
    }


def _service_errors(exc: DomainError, row: Row) -> list[dict]:
    """contract_register's errors ({"field": [messages]}) as rows and columns of the file."""
    raw = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    sent = [m for m in row.milestones if not m.errors]
    result = []
    for name, messages in raw.items():
        for message in messages:
            parts = (name or "").split(".")
            if parts[0] == "milestones" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(sent):
                milestone = sent[int(parts[1])]
                result.append(
                    row_error(MILESTONE_SHEET, milestone.row, MILESTONE_HEADER.get(parts[2], parts[2]), message)
                )
                continue
            key = SERVICE_FIELDS.get(name, name)
            result.append(row_error(CONTRACT_SHEET, row.row, HEADER.get(key, key), message))
    return result


# The file's columns that feed contract_terms_problems, under the service's names.
TERM_COLUMNS = {
    "signed_on": "signed_on",
    "ends_on": "ends_on",
    "amount": "amount",
    "payment_term_days": "payment_term_days",
    "counterparty_size": "cp_size",
}


def _term_errors_beside_cell_errors(imp: ContractImport, row: Row) -> list[dict]:
    """A row with bad cells still gets the service's term checks on its good cells (a payment term above
    the legal ceiling, an end before the signing), so every error is reported in one round."""
    values = {name: row.values.get(key) for name, key in TERM_COLUMNS.items() if key not in row.bad}
    result: list[dict] = []
    for name, messages in contract_terms_problems(agency=imp.agency, values=values).items():
        key = SERVICE_FIELDS.get(name, name)
        if key in row.bad:
            continue
        result.extend(row_error(CONTRACT_SHEET, row.row, HEADER.get(key, key), m) for m in messages)
    return result


class _RollBack(Exception):
    """Leaves a savepoint or a transaction without keeping anything."""


def _validate_rows(imp: ContractImport, parsed: ParsedFile) -> list[dict]:
    """Run every clean row through contract_register, a chunk of rows per transaction that is
    always rolled back; commit the progress after each chunk.

    contract_register is atomic: inside the chunk's transaction it is a savepoint, so a refused
    row leaves nothing behind and the next row goes on. Rows that passed stay in the chunk's
    transaction until it is rolled back, as they would be in the import's one transaction
    (rows with a number twice in the file were refused before, so they do not collide).
    """
    errors = []
    contracts = parsed.contracts
    for start in range(0, len(contracts), CHUNK):
        chunk = contracts[start : start + CHUNK]
        try:
            with transaction.atomic():
                for row in chunk:
                    if row.errors:
                        errors.extend(_term_errors_beside_cell_errors(imp, row))
                        continue
                    try:
                        contract_register(agency=imp.agency, data=_service_data(row), acting_user=imp.uploaded_by)
                    except DomainError as exc:
                        errors.extend(_service_errors(exc, row))
                raise _RollBack
        except _RollBack:
            pass
        # Its own short transaction (autocommit): the status page sees it at once.
        ContractImport.objects.filter(pk=imp.pk, status=ContractImport.Status.VALIDATING).update(
            processed=start + len(chunk)
        )
    return errors


def _sorted(errors: list[dict]) -> list[dict]:
    order = {CONTRACT_SHEET: 0, MILESTONE_SHEET: 1}
    return sorted(errors, key=lambda e: (e["row"] is not None, order.get(e["sheet"], 2), e["row"] or 0))


def _finish(imp: ContractImport, name: str, *, reason: str = "", **fields) -> bool:
    """End the import with the transition `name` (complete, reject, fail) and its audit row; False
    when its state no longer allows it or changed since it was read (the save is conditional on it)."""
    after = {"created_count": imp.created_count, "errors": imp.errors, **fields}
    try:
        with transaction.atomic():
            transition(
                imp,
                name,
                values={"finished_at": clock.now(), **fields},
                actor=imp.uploaded_by,
                action="contract.import",
                reason=reason,
                changes={
                    "file": imp.original_name,
                    "sha256": imp.sha256,
                    "rows": imp.total,
                    "created": after["created_count"],
                    "errors": len(after["errors"] or []),
                },
            )
    except (Conflict, ConcurrentTransition):
        imp.refresh_from_db(fields=["status"])
        return False
    return True


class _RowRefused(Exception):
    def __init__(self, row: Row, error: DomainError):
        super().__init__(str(error))
        self.row, self.error = row, error


def _import_rows(imp: ContractImport, parsed: ParsedFile) -> None:
    """Create every contract in one transaction, which also marks the import done."""
    with transaction.atomic():
        for row in parsed.contracts:
            try:
                contract_register(agency=imp.agency, data=_service_data(row), acting_user=imp.uploaded_by)
            except DomainError as exc:
                raise _RowRefused(row, exc) from exc
        if not _finish(
            imp,
            "complete",
            created_count=len(parsed.contracts),
            processed=len(parsed.contracts),
        ):
            raise Conflict(_("The import was changed by someone else while it ran."), "import_state")


def _claim(import_id: int) -> bool:
    """queued → validating, for one worker only: the row is locked, and the save is conditional
    on the state it was read in, so a task delivered twice (or to two workers) runs once."""
    try:
        with transaction.atomic():
            imp = ContractImport.objects.select_for_update().filter(pk=import_id).first()
            if imp is None:
                return False
            transition(imp, "claim")
    except (Conflict, ConcurrentTransition):
        return False
    return True


def contract_import_run(import_id: int) -> str:
    """The q2 task: validate the whole file, then import all of it or nothing. Safe to run twice."""
    if not _claim(import_id):
        return "skipped"
    imp = ContractImport.objects.select_related("agency", "uploaded_by").get(pk=import_id)
    try:
        with imp.file.open("rb") as fileobj:
            parsed = import_file_parse(fileobj)
        imp.total = len(parsed.contracts)
        ContractImport.objects.filter(pk=imp.pk).update(total=imp.total, processed=0)
        errors = parsed.errors
        if not any(e["row"] is None for e in errors):
            errors += _validate_rows(imp, parsed)
        if errors:
            imp.errors = _sorted(errors)
            _finish(imp, "reject", errors=imp.errors)
            return ContractImport.Status.REJECTED
        with transaction.atomic():
            transition(imp, "start_import", values={"processed": imp.total})
        try:
            _import_rows(imp, parsed)
        except _RowRefused as exc:
            # E.g. someone registered one of these numbers after validation: still nothing is created.
            imp.errors = _service_errors(exc.error, exc.row)
            _finish(imp, "reject", errors=imp.errors)
            return ContractImport.Status.REJECTED
        return ContractImport.Status.DONE
    except Exception as exc:
        logger.exception("contract import %s failed", import_id)
        imp.errors = [
            row_error(
                "",
                None,
                "",
                _(
                    "The import stopped because of an unexpected error; nothing was imported. "
                    "Try again, or tell the administrator if it happens again."
                ),
            )
        ]
        _finish(
            imp,
            "fail",
            reason=f"{type(exc).__name__}: {exc}"[:500],
            errors=imp.errors,
        )
        return ContractImport.Status.FAILED


# --- upload ----------------------------------------------------------------------------------------


def import_file_check(upload) -> None:
    """Size, name and content of an uploaded file; raises ValidationFailed(field="file")."""
    try:
        check_upload(upload, max_bytes=MAX_IMPORT_BYTES, sheet=CONTRACT_SHEET)
    except UploadRefused as exc:
        code = REFUSAL_CODES.get(exc.code, exc.code)
        raise ValidationFailed(str(REFUSALS[exc.code]), code, field="file") from exc


@transaction.atomic
def contract_import_create(*, agency: Agency, upload, acting_user) -> ContractImport:
    """Check and store an uploaded workbook and queue its import. Nothing is stored on refusal."""
    import_file_check(upload)
    sha256 = sha256_of(upload)
    # One upload at a time per agency, so that the same file cannot slip in twice.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    earlier = ContractImport.objects.filter(agency=agency, sha256=sha256, status__in=BLOCKING).first()
    if earlier is not None:
        raise Conflict(
            _("This file was already uploaded on %(day)s (import %(id)s: %(status)s); it is not imported twice.")
            % {
                "day": clock.local(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
                "id": earlier.pk,
                "status": earlier.get_status_display(),
            },
            "duplicate_file",
        )
    imp = ContractImport(
        agency=agency,
        original_name=(upload.name or "import.xlsx").replace("\\", "/").split("/")[-1][-200:],
        sha256=sha256,
        status=ContractImport.Status.QUEUED,
        uploaded_by=acting_user,
        created_at=clock.now(),
    )
    # A random name: nothing the uploader chose ends up in a path. Storage is not transactional,
    # so the file is written last and removed again if the row cannot be saved.
    imp.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    try:
        imp.save()
        audit_record(
            action="contract.import",
            obj=imp,
            actor=acting_user,
            to_state=imp.status,
            changes={"file": imp.original_name, "sha256": sha256, "size": upload.size},
        )
    except Exception:
        imp.file.delete(save=False)
        raise
    enqueue("contracts.imports.services.contract_import_run", imp.pk)
    return imp
