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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from contracts.models import ContractImport
from contracts.services import contract_register
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import Conflict, DomainError, NotFound, ValidationFailed
from workflow.jobs import enqueue
from workflow.models import Agency
from workflow.models.parties import validate_uscc
from workflow.rules import rule_in_force
from workflow.scoping import agency_filter
from workflow.transitions import ConcurrentTransition, transition

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# One file is imported in one transaction by one q2 task. On SQLite that transaction holds the
# database's write lock (2,000 contracts: about 12 s on the reference machine, under the 20 s that
# other writers wait before "database is locked"), and the task must end within
# Q_CLUSTER["timeout"] (300 s). Larger sets are split into several files.
MAX_CONTRACTS = 2000
# Rows validated per short transaction; `processed` is committed after each chunk.
CHUNK = 50
MILESTONES_PER_CONTRACT = 20  # on average, at most: bounds the 节点 sheet
ERRORS_SHOWN = 500

CONTRACT_SHEET = "合同"
MILESTONE_SHEET = "节点"
NOTES_SHEET = "说明"
EXAMPLE_PREFIX = "示例"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACTIVE = (ContractImport.Status.QUEUED, ContractImport.Status.VALIDATING, ContractImport.Status.IMPORTING)
# A file with the same SHA-256 is refused while an import of it is under way or done.
BLOCKING = (*ACTIVE, ContractImport.Status.DONE)

KINDS = {
    "货物": "goods",
    "工程": "works",
    "服务": "services",
    "招商引资承诺": "investment",
    "其他政府承诺": "commitment",
    "其他": "other",
}
SIZES = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}
MILESTONE_KINDS = {"交付": "delivery", "验收": "acceptance", "付款": "payment"}
YES, NO = "是", "否"
BOOLS = {YES: True, NO: False, "Y": True, "N": False, "YES": True, "NO": False, "TRUE": True, "FALSE": False}
BOOLS |= {"1": True, "0": False}


# --- the template's columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str  # text | uscc | choice | bool | amount | date | int
    required: bool
    note: str  # shown in the template (comment on the header and the 说明 sheet)
    choices: dict | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    width: int = 14
    example: object = None


CONTRACT_COLUMNS = (
    Column(
        "合同编号",
        "number",
        "text",
        True,
        "本单位内唯一，最多64个字符。以“示例”开头的行不导入。",
        max_length=64,
        width=18,
        example="示例-2026-001",
    ),
    Column(
        "合同名称", "title", "text", True, "最多200个字符。", max_length=200, width=28, example="道路养护服务采购合同"
    ),
    Column(
        "合同类型",
        "kind",
        "choice",
        True,
        "从下拉列表选择：" + "、".join(KINDS) + "。",
        choices=KINDS,
        width=14,
        example="服务",
    ),
    Column(
        "是否政府采购", "procurement", "bool", False, "是 或 否；不填视为“否”。", choices=BOOLS, width=12, example=YES
    ),
    Column(
        "相对方名称",
        "cp_name",
        "text",
        True,
        "签约企业的全称，最多200个字符。",
        max_length=200,
        width=26,
        example="X市示例建设有限公司",
    ),
    Column(
        "相对方统一社会信用代码",
        "cp_uscc",
        "uscc",
        True,
        "18位统一社会信用代码，含校验位。",
        width=24,
        example="91110108MA01XXXX0H",
    ),
    Column(
        "相对方规模",
        "cp_size",
        "choice",
        True,
        "签订时相对方的企业规模：微型、小型、中型、大型。",
        choices=SIZES,
        width=12,
        example="小型",
    ),
    Column("合同金额（元）", "amount", "amount", True, "大于0，最多两位小数。", width=16, example=Decimal("300000.00")),
    Column(
        "签订日期",
        "signed_on",
        "date",
        True,
        "Excel 日期，或文本 YYYY-MM-DD；不得晚于导入当天。",
        width=13,
        example=dt.date(2026, 3, 2),
    ),
    Column(
        "履行期限截止日期",
        "ends_on",
        "date",
        False,
        "不得早于签订日期；可不填。",
        width=16,
        example=dt.date(2027, 3, 1),
    ),
    Column(
        "约定付款期限（天）",
        "payment_term_days",
        "int",
        False,
        "自交付（或验收）起的天数，1–3650；相对方为中小企业的，不得超过法定上限{ceiling}。可不填。",
        min_value=1,
        max_value=3650,
        width=18,
        example=30,
    ),
)
MILESTONE_COLUMNS = (
    Column(
        "合同编号",
        "number",
        "text",
        True,
        "对应「合同」工作表中的合同编号。",
        max_length=64,
        width=18,
        example="示例-2026-001",
    ),
    Column(
        "节点类型", "kind", "choice", True, "交付、验收 或 付款。", choices=MILESTONE_KINDS, width=10, example="付款"
    ),
    Column("节点名称", "title", "text", True, "最多200个字符。", max_length=200, width=24, example="第一期付款"),
    Column(
        "金额",
        "amount",
        "amount",
        False,
        "付款节点必填；最多两位小数。各付款节点之和不得超过合同金额。",
        width=14,
        example=Decimal("100000.00"),
    ),
    Column(
        "计划日期",
        "planned_on",
        "date",
        True,
        "Excel 日期，或文本 YYYY-MM-DD。",
        width=13,
        example=dt.date(2026, 6, 30),
    ),
    Column(
        "付款以验收为条件",
        "payment_after_acceptance",
        "bool",
        False,
        "仅付款节点可填“是”；不填视为“否”。",
        choices=BOOLS,
        width=16,
        example=YES,
    ),
    Column(
        "约定验收期限（天）",
        "acceptance_period_days",
        "int",
        False,
        "自交付起的验收天数，0–365；可不填。",
        min_value=0,
        max_value=365,
        width=18,
        example=15,
    ),
)
# Where a field named by contract_register's ValidationFailed appears in the file.
SERVICE_FIELDS = {
    "number": "number",
    "title": "title",
    "kind": "kind",
    "procurement": "procurement",
    "counterparty.name": "cp_name",
    "counterparty.uscc": "cp_uscc",
    "counterparty.size": "cp_size",
    "amount": "amount",
    "signed_on": "signed_on",
    "ends_on": "ends_on",
    "payment_term_days": "payment_term_days",
    "milestones": "amount",  # payment milestones add up to more than the contract amount
}
HEADER = {c.key: c.header for c in CONTRACT_COLUMNS}
MILESTONE_HEADER = {c.key: c.header for c in MILESTONE_COLUMNS}


# --- reading cells -------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _normal_header(value) -> str:
    text = "" if value is None else str(value)
    return "".join(text.split()).replace("(", "（").replace(")", "）").rstrip("*＊")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()[:10]
    return str(value).strip()


def _parse_amount(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("Enter an amount in yuan with at most two decimals, e.g. 300000.00."))
    try:
        if isinstance(value, int):
            amount = Decimal(value)
        elif isinstance(value, float):
            amount = Decimal(repr(value))
            cents = amount.quantize(Decimal("0.01"))
            if abs(amount - cents) < Decimal("0.000001"):  # binary noise from an Excel formula
                amount = cents
        else:
            text = _text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
            amount = Decimal(text)
        if not amount.is_finite() or abs(amount) >= Decimal(10) ** 14 or amount != amount.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        raise CellError(_("Enter an amount in yuan with at most two decimals, e.g. 300000.00.")) from exc
    if amount < 0:
        raise CellError(_("The amount cannot be negative."))
    return amount.quantize(Decimal("0.01"))


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A date cell that lost its date format: Excel's serial day number.
        return from_excel(value).date()
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise CellError(_("Enter a date as an Excel date or as YYYY-MM-DD."))


def _parse_int(value, column: Column) -> int:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < column.min_value or number > column.max_value:
        raise CellError(
            _("Enter a whole number from %(min)s to %(max)s.") % {"min": column.min_value, "max": column.max_value}
        )
    return number


def _parse_cell(value, column: Column):
    """The cell's value as the service wants it, None when empty; raises CellError."""
    empty = value is None or (isinstance(value, str) and not value.strip())
    if empty:
        if column.required:
            raise CellError(_("This cell is required."))
        return False if column.kind == "bool" else None
    if column.kind == "text":
        text = _text(value)
        if column.max_length and len(text) > column.max_length:
            raise CellError(_("At most %(max)s characters.") % {"max": column.max_length})
        return text
    if column.kind == "uscc":
        text = _text(value).upper()
        try:
            validate_uscc(text)
        except Exception as exc:  # noqa: BLE001 - stdnum's and Django's errors alike
            raise CellError(_("%(value)s is not a valid unified social credit code.") % {"value": text}) from exc
        return text
    if column.kind == "choice":
        text = _text(value)
        if text in column.choices:
            return column.choices[text]
        if text.lower() in column.choices.values():
            return text.lower()
        raise CellError(_("Choose one of: %(choices)s.") % {"choices": "、".join(column.choices)})
    if column.kind == "bool":
        if isinstance(value, bool):
            return value
        text = _text(value).upper()
        if text not in BOOLS:
            raise CellError(_("Enter 是 or 否."))
        return BOOLS[text]
    if column.kind == "amount":
        return _parse_amount(value)
    if column.kind == "date":
        return _parse_date(value)
    if column.kind == "int":
        return _parse_int(value, column)
    raise AssertionError(column.kind)


# --- reading the file ----------------------------------------------------------------------------


@dataclass
class Row:
    sheet: str
    row: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    bad: set = field(default_factory=set)  # keys of the cells with an error
    milestones: list = field(default_factory=list)  # contract rows: their milestone rows, in file order

    def error(self, key: str, message: str) -> None:
        headers = HEADER if self.sheet == CONTRACT_SHEET else MILESTONE_HEADER
        self.bad.add(key)
        self.errors.append(_error(self.sheet, self.row, headers.get(key, key), message))


def _error(sheet: str, row: int | None, field_name: str, message: str) -> dict:
    return {"sheet": sheet, "row": row, "field": field_name, "message": str(message)}


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
    ws.reset_dimensions()  # some writers record a wrong sheet size; read what is really there
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    position = {}
    for index, value in enumerate(header):
        position.setdefault(_normal_header(value), index)
    missing = [c.header for c in columns if _normal_header(c.header) not in position]
    if missing:
        for name in missing:
            parsed.file_errors.append(
                _error(sheet, 1, name, _("Column %(column)s is missing from this sheet.") % {"column": name})
            )
        return None
    result = []
    where = {c.key: position[_normal_header(c.header)] for c in columns}
    for number, values in enumerate(rows, start=2):
        if len(result) >= limit:
            break
        cells = {key: values[i] if i < len(values) else None for key, i in where.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        if _text(cells["number"]).startswith(EXAMPLE_PREFIX):
            continue
        row = Row(sheet=sheet, row=number)
        for column in columns:
            try:
                row.values[column.key] = _parse_cell(cells[column.key], column)
            except CellError as exc:
                row.values[column.key] = None
                row.error(column.key, str(exc))
        result.append(row)
    return result


def import_file_parse(fileobj) -> ParsedFile:
    """Read both sheets and check every cell and the cross-row facts; no database writes."""
    parsed = ParsedFile()
    workbook = load_workbook(fileobj, read_only=True, data_only=True)
    try:
        if CONTRACT_SHEET not in workbook.sheetnames:
            parsed.file_errors.append(_error(CONTRACT_SHEET, None, "", _missing_sheet_message()))
            return parsed
        contracts = _read_sheet(workbook[CONTRACT_SHEET], CONTRACT_SHEET, CONTRACT_COLUMNS, parsed, MAX_CONTRACTS + 1)
        milestones = []
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
        parsed.file_errors.append(_error(CONTRACT_SHEET, None, "", _("The sheet 合同 has no contracts to import.")))
    if len(contracts) > MAX_CONTRACTS:
        parsed.file_errors.append(
            _error(
                CONTRACT_SHEET,
                None,
                "",
                _("The file has more than %(max)s contracts; split it into several files.") % {"max": MAX_CONTRACTS},
            )
        )
    if len(milestones) > MILESTONES_PER_CONTRACT * MAX_CONTRACTS:
        parsed.file_errors.append(
            _error(
                MILESTONE_SHEET,
                None,
                "",
                _("The file has more than %(max)s milestones; split it into several files.")
                % {"max": MILESTONES_PER_CONTRACT * MAX_CONTRACTS},
            )
        )
    first_row = {}
    for row in contracts:
        number = row.values.get("number")
        if not number:
            continue
        if number in first_row:
            row.error(
                "number",
                _("Contract number %(number)s appears more than once in this file (first in row %(row)s).")
                % {"number": number, "row": first_row[number].row},
            )
        else:
            first_row[number] = row
    for row in milestones:
        number = row.values.get("number")
        if not number:
            continue
        contract = first_row.get(number)
        if contract is None:
            row.error(
                "number",
                _("There is no contract numbered %(number)s in the sheet 合同 of this file.") % {"number": number},
            )
            continue
        contract.milestones.append(row)
        if row.values.get("kind") == "payment" and row.values.get("amount") is None and "amount" not in row.bad:
            row.error("amount", _("A payment milestone needs an amount."))
        if row.values.get("payment_after_acceptance") and row.values.get("kind") not in (None, "payment"):
            row.error("payment_after_acceptance", _("Only a payment milestone can depend on acceptance."))
    return parsed


def _missing_sheet_message() -> str:
    return _("The file has no sheet named 合同. Download the template on the import page and fill it in.")


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
                result.append(_error(MILESTONE_SHEET, milestone.row, MILESTONE_HEADER.get(parts[2], parts[2]), message))
                continue
            key = SERVICE_FIELDS.get(name, name)
            result.append(_error(CONTRACT_SHEET, row.row, HEADER.get(key, key), message))
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
            _error(
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
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than 10 MB."), "too_large", field="file")
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), "empty", field="file")
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise ValidationFailed(
            _("Only Excel workbooks (.xlsx) are accepted: download the template on this page and fill it in."),
            "bad_type",
            field="file",
        )
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike: not a workbook
        raise ValidationFailed(
            _(
                "This file is not an Excel workbook (.xlsx) that can be read. "
                "Save it as .xlsx in Excel or WPS and upload it again."
            ),
            "not_xlsx",
            field="file",
        ) from exc
    try:
        sheets = workbook.sheetnames
    finally:
        workbook.close()
        upload.seek(0)
    if CONTRACT_SHEET not in sheets:
        raise ValidationFailed(_missing_sheet_message(), "no_contract_sheet", field="file")


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def contract_import_create(*, agency: Agency, upload, acting_user) -> ContractImport:
    """Check and store an uploaded workbook and queue its import. Nothing is stored on refusal."""
    import_file_check(upload)
    sha256 = _sha256(upload)
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


# --- reads -------------------------------------------------------------------------------------------


def contract_imports_for_user(user):
    """Imports of the agencies the user may see (own and sub-agencies; supervisors all)."""
    return ContractImport.objects.filter(agency_filter(user, "agency")).select_related("agency", "uploaded_by")


def contract_import_get_for_user(*, user, pk) -> ContractImport:
    imp = contract_imports_for_user(user).filter(pk=pk).first()
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


# --- workbooks we hand out ------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9E1B1B")
OPTIONAL_FILL = PatternFill("solid", fgColor="5C6470")
EXAMPLE_FONT = Font(italic=True, color="808080")
TEMPLATE_ROWS = MAX_CONTRACTS  # rows that get the drop-down lists


def _note(column: Column) -> str:
    """The column's note; the payment-term ceiling comes from the rules table in force today."""
    if "{ceiling}" not in column.note:
        return column.note
    try:
        ceiling = rule_in_force("sme.pay.government", clock.today()).ceiling
    except DomainError:
        ceiling = None
    return column.note.replace("{ceiling}", f"（{ceiling}天）" if ceiling else "")


NUMBER_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "uscc": "@"}


def _number_format(column: Column) -> str | None:
    if column.key == "number":
        return "@"  # text: a number like 0012 keeps its zeros
    return NUMBER_FORMATS.get(column.kind)


def _header_row(ws, columns) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(
            ("必填。" if column.required else "选填。") + _note(column), "govcredit", width=260, height=110
        )
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if _number_format(column):
            # The column's style: cells typed in later get it too.
            ws.column_dimensions[letter].number_format = _number_format(column)
        if column.kind in ("choice", "bool"):
            labels = [YES, NO] if column.kind == "bool" else list(column.choices)
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(labels) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="输入有误",
                error="请从下拉列表中选择：" + "、".join(labels),
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"


def _example_row(ws, row: int, columns, values: dict | None = None) -> None:
    for index, column in enumerate(columns, start=1):
        value = (values or {}).get(column.key, column.example)
        if isinstance(value, Decimal):
            value = float(value)
        cell = ws.cell(row=row, column=index, value=value)
        cell.font = EXAMPLE_FONT
        if _number_format(column):
            cell.number_format = _number_format(column)


GENERAL_NOTES = (
    "1. 在「合同」工作表每行填写一份已签订的合同；在「节点」工作表填写其交付、验收、付款节点，用合同编号与合同对应。",
    "2. 合同编号以“示例”开头的行是示例，导入时跳过，可直接删除。请勿修改第一行的列名。",
    "3. 日期可填 Excel 日期，或文本 YYYY-MM-DD（如 2026-09-30）。金额以元为单位，最多两位小数。",
    "4. 整个文件逐行校验：只要有一处错误，整个文件都不导入；页面列出出错的工作表、行号、列和原因，改正后重新上传。",
    "5. 已在系统中登记的合同编号不能再次导入；合同变更请在合同页面登记，原条款作为历史版本保留。",
    "6. 登记日期为导入当天；法定登记期限按签订日期计算，逾期登记如实显示。",
    f"7. 每个文件最多 {MAX_CONTRACTS} 份合同、10 MB；更多的合同请分成几个文件导入。",
)


def _notes_sheet(notes) -> None:
    for letter, width in zip("ABCD", (10, 24, 7, 90), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append(["政府合同批量导入模板说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for text in GENERAL_NOTES:
        notes.append([text])
        row = notes.max_row
        notes.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        notes.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        notes.row_dimensions[row].height = 32
    notes.append([])
    notes.append(["工作表", "列名", "必填", "说明"])
    for cell in notes[notes.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet, columns in ((CONTRACT_SHEET, CONTRACT_COLUMNS), (MILESTONE_SHEET, MILESTONE_COLUMNS)):
        for column in columns:
            notes.append([sheet, column.header, YES if column.required else NO, _note(column)])
            for cell in notes[notes.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def import_template_workbook() -> bytes:
    """The import template: sheets 合同 and 节点 with headers, notes, drop-down lists and an
    example that the importer skips (its 合同编号 starts with 示例); sheet 说明 explains every column."""
    wb = Workbook()
    contracts = wb.active
    contracts.title = CONTRACT_SHEET
    _header_row(contracts, CONTRACT_COLUMNS)
    _example_row(contracts, 2, CONTRACT_COLUMNS)
    milestones = wb.create_sheet(MILESTONE_SHEET)
    _header_row(milestones, MILESTONE_COLUMNS)
    delivery = {"kind": "交付", "title": "养护服务交付", "amount": None, "planned_on": dt.date(2026, 6, 15)}
    delivery |= {"payment_after_acceptance": None, "acceptance_period_days": None}
    _example_row(milestones, 2, MILESTONE_COLUMNS, delivery)
    _example_row(milestones, 3, MILESTONE_COLUMNS)

    _notes_sheet(wb.create_sheet(NOTES_SHEET))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_errors_workbook(imp: ContractImport) -> bytes:
    """The error list of a rejected import as a workbook: sheet, row, column, error."""
    wb = Workbook()
    ws = wb.active
    ws.title = "错误"
    ws.append(["工作表", "行号", "字段", "错误"])
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for error in imp.errors or []:
        ws.append([error.get("sheet", ""), error.get("row"), error.get("field", ""), error.get("message", "")])
    for letter, width in zip("ABCD", (10, 8, 24, 90), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:D{max(ws.max_row, 1)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


STATUS_HELP = {
    ContractImport.Status.QUEUED: gettext_lazy("Waiting for a worker to start."),
    ContractImport.Status.VALIDATING: gettext_lazy("Checking every row."),
    ContractImport.Status.IMPORTING: gettext_lazy("Every row is correct; creating the contracts."),
}
