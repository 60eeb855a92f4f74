"""Bulk import of dishonesty records from the Excel template (issue 5).

Small and synchronous, on the Excel mechanism shared with the contract import
(workflow.spreadsheets): a penalty officer downloads the template (`record_import_template_workbook`),
fills in one decision per row on the sheet 失信信息 and uploads it; the file (an .xlsx of at most
MAX_IMPORT_BYTES and MAX_ROWS rows) is checked and imported in the request by `record_import`:

1. every cell is read (choice labels, 是/否, dates, amounts), rows whose 主体名称 or 决定书文号
   starts with 示例 are skipped;
2. every row is validated with the real service, `repair.services.records.record_validate`, and its
   decision number is checked against the other rows of the file and the records of the unit;
3. any error → `ImportResult.errors` ([{"row", "column", "message"}], row numbers as Excel shows
   them) and nothing is created; else every row is created with `repair.services.records.record_create`
   (which issues the decision and the credit repair notice of each) in ONE transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repair.models import DishonestyRecord, Obligation
from repair.services.records import record_create, record_validate
from workflow.errors import DomainError, ValidationFailed
from workflow.spreadsheets import (
    NO,
    XLSX_CONTENT_TYPE,
    Column,
    TemplateSheet,
    UploadRefused,
    cell_text,
    open_upload,
    read_sheet,
    template_workbook,
)

__all__ = ["MAX_IMPORT_BYTES", "MAX_ROWS", "XLSX_CONTENT_TYPE", "record_import", "record_import_template_workbook"]

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500
SHEET = "失信信息"
NOTES_SHEET = "说明"
EXAMPLE_PREFIX = "示例"

TYPES = {
    "行政处罚": DishonestyRecord.Type.ADMIN_PENALTY,
    "严重失信主体名单": DishonestyRecord.Type.SERIOUS_LIST,
    "经营异常名录": DishonestyRecord.Type.ABNORMAL_LIST,
    "其他": DishonestyRecord.Type.OTHER,
}
CATEGORIES = {
    "轻微": DishonestyRecord.Category.MINOR,
    "一般": DishonestyRecord.Category.GENERAL,
    "严重": DishonestyRecord.Category.SERIOUS,
}
P = DishonestyRecord.PenaltyType
PENALTY_TYPES = {  # 行政处罚法 第九条, as a decision names them
    "警告": P.WARNING,
    "通报批评": P.CRITICISM,
    "罚款": P.FINE,
    "没收违法所得": P.CONFISCATION,
    "没收非法财物": P.CONFISCATION,
    "暂扣许可证件": P.LICENSE_SUSPENSION,
    "降低资质等级": P.LICENSE_SUSPENSION,
    "吊销许可证件": P.LICENSE_REVOCATION,
    "限制开展生产经营活动": P.BUSINESS_RESTRICTION,
    "责令停产停业": P.PRODUCTION_SUSPENSION,
    "责令关闭": P.CLOSURE,
    "限制从业": P.PRACTICE_RESTRICTION,
    "行政拘留": P.DETENTION,
}
DOMAINS = {
    "食品": DishonestyRecord.Domain.FOOD,
    "药品": DishonestyRecord.Domain.DRUG,
    "特种设备": DishonestyRecord.Domain.SPECIAL_EQUIPMENT,
    "安全生产": DishonestyRecord.Domain.WORK_SAFETY,
    "消防": DishonestyRecord.Domain.FIRE,
}
# Columns added after the template was first handed out: a file without them is still read.
LATER_COLUMNS = {"penalty_types", "domain"}

UNREADABLE = gettext_lazy("This file cannot be opened as an Excel workbook (.xlsx).")
# What the page says about a file that workflow.spreadsheets refused, by UploadRefused.code
# (an empty file and one openpyxl cannot open: UNREADABLE).
REFUSALS = {
    "too_large": gettext_lazy("The file is larger than 5 MB."),
    "bad_type": gettext_lazy("Upload an Excel workbook (.xlsx) made from the template."),
    "no_sheet": gettext_lazy(
        "The file has no sheet named 失信信息. Download the template on this page and fill it in."
    ),
    "xlsx_bomb": gettext_lazy(
        "This file expands to far more data than an import can hold (it may be damaged or built to "
        "overload the system). Save the filled-in template again as .xlsx and upload it."
    ),
}

COLUMNS = (
    Column(
        "主体统一社会信用代码",
        "uscc",
        "text",
        True,
        "18位统一社会信用代码，含校验位。",
        width=24,
        example="91110108MA01XXXX0H",
        number_format="@",
    ),
    Column(
        "主体名称",
        "name",
        "text",
        True,
        "企业全称。以“示例”开头的行不导入。",
        width=26,
        example="示例：X市某某建材有限公司",
    ),
    Column("信息类型", "type", "choice", True, "、".join(TYPES) + "。", choices=TYPES, width=18, example="行政处罚"),
    Column(
        "失信类别",
        "category",
        "choice",
        True,
        "轻微、一般、严重；决定公示期限和最早可修复日期。",
        choices=CATEGORIES,
        width=10,
        example="一般",
    ),
    Column(
        "轻微是否公示",
        "publish",
        "bool",
        False,
        "仅轻微失信可填“是”（确有必要公示的）；不填视为“否”。",
        width=12,
        example=NO,
    ),
    Column(
        "处罚种类",
        "penalty_types",
        "text",
        False,
        "行政处罚的种类，多个用“、”分隔：" + "、".join(PENALTY_TYPES) + "。同一决定有多种的，按公示期限最长的计算。",
        max_length=200,
        width=24,
        example="罚款、责令停产停业",
    ),
    Column(
        "领域",
        "domain",
        "choice",
        False,
        "、".join(DOMAINS) + "；其他领域不填。令第58号时期这些领域的行政处罚最短公示1年。",
        choices=DOMAINS,
        width=12,
        example="",
    ),
    Column(
        "决定书文号",
        "decision_number",
        "text",
        True,
        "本单位内唯一，最多64个字符。",
        width=22,
        example="示例-X交罚〔2026〕1号",
        number_format="@",
    ),
    Column(
        "决定日期",
        "decided_on",
        "date",
        True,
        "Excel 日期，或文本 YYYY-MM-DD；不得晚于导入当天。",
        width=13,
        example=dt.date(2026, 3, 2),
    ),
    Column("失信事实", "facts", "text", True, "认定的失信行为。", width=36, example="未按规定办理……"),
    Column(
        "法律依据",
        "basis",
        "text",
        True,
        "作出决定所依据的法律、法规条款。",
        width=30,
        example="《中华人民共和国……》第×条",
    ),
    Column(
        "罚款金额（元）",
        "fine_amount",
        "amount",
        False,
        "有罚款的填写，最多两位小数；可不填。",
        width=16,
        example=Decimal("5000.00"),
    ),
    Column(
        "罚款缴纳期限",
        "fine_due_on",
        "date",
        False,
        "Excel 日期，或文本 YYYY-MM-DD；可不填。",
        width=14,
        example=dt.date(2026, 4, 1),
    ),
)
HEADER = {c.key: c.header for c in COLUMNS}
# Where a field named by record_validate's / record_create's errors appears in the file.
SERVICE_FIELDS = {
    "subject": "uscc",
    "subject.uscc": "uscc",
    "subject.name": "name",
    "subject.person_name": "name",
    "subject.id_number": "uscc",
    "type": "type",
    "category": "category",
    "penalty_types": "penalty_types",
    "domain": "domain",
    "decision_number": "decision_number",
    "decided_on": "decided_on",
    "facts": "facts",
    "basis": "basis",
    "obligations.0.kind": "fine_amount",
    "obligations.0.amount": "fine_amount",
    "obligations.0.due_on": "fine_due_on",
}


@dataclass
class Row:
    row: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    bad: set = field(default_factory=set)

    def error(self, key: str, message) -> None:
        if key in self.bad:
            return  # one message per cell: the first says what to fix
        self.bad.add(key)
        self.errors.append({"row": self.row, "column": HEADER.get(key, key), "message": str(message)})

    def service_data(self) -> dict:
        v = self.values
        obligations = []
        if v.get("fine_amount") is not None or v.get("fine_due_on") is not None:
            obligations.append(
                {"kind": Obligation.Kind.FINE, "amount": v.get("fine_amount"), "due_on": v.get("fine_due_on")}
            )
        return {
            "subject": {"uscc": v.get("uscc") or "", "name": v.get("name") or ""},
            "type": v.get("type"),
            "category": v.get("category"),
            "publish": bool(v.get("publish")),
            # an unknown name is passed on as it is: the service refuses it in this column
            "penalty_types": [
                PENALTY_TYPES.get(name.strip(), name.strip())
                for name in (v.get("penalty_types") or "").replace("，", "、").replace(",", "、").split("、")
                if name.strip()
            ],
            "domain": v.get("domain") or "",
            "decision_number": v.get("decision_number") or "",
            "decided_on": v.get("decided_on"),
            # The decisions in a file were issued by the unit already: its own PDF is attached on the record
            # page before service; they are never issued again here.
            "decision_source": DishonestyRecord.DecisionSource.ATTACHED,
            "facts": v.get("facts") or "",
            "basis": v.get("basis") or "",
            "obligations": obligations,
        }


@dataclass
class ImportResult:
    rows: int = 0
    created: list = field(default_factory=list)  # DishonestyRecord, in file order
    errors: list = field(default_factory=list)  # [{"row", "column", "message"}]; row None: the whole file


def _file_error(message) -> ImportResult:
    return ImportResult(errors=[{"row": None, "column": "", "message": str(message)}])


def _is_example(raw: dict) -> bool:
    return any(cell_text(raw[key]).startswith(EXAMPLE_PREFIX) for key in ("uscc", "name", "decision_number"))


def _read_rows(upload) -> tuple[list[Row], ImportResult | None]:
    """The rows of the sheet 失信信息 with their cell errors, or a file-level error."""
    try:
        wb = open_upload(upload, max_bytes=MAX_IMPORT_BYTES, sheet=SHEET)
    except UploadRefused as exc:
        return [], _file_error(REFUSALS.get(exc.code, UNREADABLE))
    try:
        read = read_sheet(wb[SHEET], COLUMNS, limit=MAX_ROWS + 1, skip=_is_example)
        if read.missing and all(c.key in LATER_COLUMNS for c in read.missing):
            present = [c for c in COLUMNS if c not in read.missing]
            read = read_sheet(wb[SHEET], present, limit=MAX_ROWS + 1, skip=_is_example)
    finally:
        wb.close()
    if read.missing:
        result = ImportResult()
        for column in read.missing:
            message = _("Column %(column)s is missing.") % {"column": column.header}
            result.errors.append({"row": 1, "column": column.header, "message": message})
        return [], result
    if len(read.rows) > MAX_ROWS:
        return [], _file_error(
            _("The file has more than %(max)s records; split it into several files.") % {"max": MAX_ROWS}
        )
    if not read.rows:
        return [], _file_error(_("The sheet 失信信息 has no records to import."))
    rows = []
    for sheet_row in read.rows:
        row = Row(row=sheet_row.row, values=sheet_row.values)
        for key, message in sheet_row.errors.items():
            row.error(key, message)
        rows.append(row)
    return rows, None


def _service_errors(exc: DomainError, row: Row) -> None:
    raw = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
    for name, messages in raw.items():
        key = SERVICE_FIELDS.get(name or "", name or "")
        if key in row.bad:
            continue  # the cell's own error says it already
        for message in messages:
            row.error(key, message)


def record_import(*, upload, acting_user) -> ImportResult:
    """Check every row of the uploaded file; create all its records in one transaction or none."""
    rows, failed = _read_rows(upload)
    if failed is not None:
        return failed
    unit = acting_user.agency
    numbers = {r.values["decision_number"] for r in rows if r.values.get("decision_number")}
    existing = set(
        DishonestyRecord.objects.filter(deciding_unit=unit, decision_number__in=numbers).values_list(
            "decision_number", flat=True
        )
    )
    first_row: dict[str, int] = {}
    for row in rows:
        try:
            record_validate(row.service_data())
        except ValidationFailed as exc:
            _service_errors(exc, row)
        number = row.values.get("decision_number")
        if not number or "decision_number" in row.bad:
            continue
        if number in first_row:
            row.error(
                "decision_number",
                _("Decision number %(number)s appears more than once in this file (first in row %(row)s).")
                % {"number": number, "row": first_row[number]},
            )
            continue
        first_row[number] = row.row
        if number in existing:
            row.error("decision_number", _("This decision number is already recorded."))
    result = ImportResult(rows=len(rows), errors=[e for r in rows for e in r.errors])
    if result.errors:
        return result
    current: Row | None = None  # the row being created
    try:
        with transaction.atomic():
            for row in rows:
                current = row
                result.created.append(record_create(data=row.service_data(), acting_user=acting_user))
    except DomainError as exc:  # a race with another upload or a form: nothing of this file is kept
        result.created = []
        assert current is not None  # raised while a row was created
        _service_errors(exc, current)
        result.errors = list(current.errors)
    except IntegrityError:  # the same decision number recorded at the same moment by another upload
        result.created = []
        assert current is not None  # raised while a row was created
        _service_errors(
            ValidationFailed(
                _("This decision number is already recorded."), "duplicate_decision", field="decision_number"
            ),
            current,
        )
        result.errors = list(current.errors)
    return result


# --- the template ---------------------------------------------------------------------------------

NOTES = (
    "1. 在「失信信息」工作表每行填写一份已作出的失信认定决定（行政处罚决定、列入名单决定等），主体为企业。",
    "2. 主体名称或决定书文号以“示例”开头的行是示例，导入时跳过，可直接删除。请勿修改第一行的列名。",
    "3. 日期可填 Excel 日期，或文本 YYYY-MM-DD（如 2026-09-30）；决定日期不得晚于导入当天。金额以元为单位。",
    "4. 整个文件逐行校验：只要有一处错误，整个文件都不导入；页面列出出错的行号、列和原因，改正后重新上传。",
    "5. 校验通过后全部记录一次导入，每条记录同时制发决定书和信用修复告知书（双书同达）；"
    "公示期限和最早可修复日期按决定日期当时有效的规定、失信类别、处罚种类和领域计算（多种处罚的按期限最长的）。",
    f"6. 每个文件最多 {MAX_ROWS} 条记录、5 MB；已登记的决定书文号不能再次导入。",
)


def record_import_template_workbook() -> bytes:
    """Sheet 失信信息 (headers with notes, drop-down lists, an example row the importer skips) and 说明."""
    return template_workbook(
        (TemplateSheet(SHEET, COLUMNS),),
        rows=MAX_ROWS,
        notes_title="失信信息批量导入模板说明",
        notes=NOTES,
        notes_sheet=NOTES_SHEET,
    )
