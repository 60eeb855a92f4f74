"""Excel workbooks in and out, for every import page: a typed column schema, cell parsing, safe
opening of an uploaded .xlsx, reading a sheet into rows of values with an error per bad cell, and
the two workbooks handed out — the template (headers with notes, drop-down lists, example rows and
a 说明 sheet) and the error report.

An app keeps only its own part: its columns, what its messages say about a whole file (a missing
column or sheet, a refused upload: `UploadRefused.code` says which check failed) and what a row
becomes. Messages about a single cell are the same everywhere and live here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from workflow.models.parties import validate_uscc
from workflow.xlsxzip import UploadRefused, check_xlsx_zip

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = "是", "否"
BOOLS = {YES: True, NO: False}  # a bool column's labels unless it names its own (upper case)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
KINDS = ("text", "uscc", "choice", "bool", "amount", "date", "int")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: `header` is what the template shows and the file must have (spaces,
    half-width brackets and a trailing * do not matter); `header_en`, if set, is accepted too, in
    any case. `note` (required or optional is added in front) explains the column in the template."""

    header: str
    key: str
    kind: str  # one of KINDS
    required: bool
    note: str
    choices: dict | None = None  # choice: label → value; bool: upper-case label → True/False
    max_length: int | None = None  # text
    min_value: int | None = None  # int
    max_value: int | None = None  # int
    width: int = 14
    example: object = None
    number_format: str | None = None  # the template column's format; by kind when None
    header_en: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "choice" and self.choices is None:
            raise ValueError(f"choice column {self.key!r} has no choices")
        if self.kind == "int" and (self.min_value is None or self.max_value is None):
            raise ValueError(f"int column {self.key!r} has no bounds")


class CellError(ValueError):
    """A cell that cannot be read; str() is the message for the user."""


# --- cells ---------------------------------------------------------------------------------------


def normal_header(value) -> str:
    text = "" if value is None else str(value)
    return "".join(text.split()).replace("(", "（").replace(")", "）").rstrip("*＊")


def _header_key(value) -> str:
    return normal_header(value).casefold()


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """The cell as text: whole floats without .0, dates as YYYY-MM-DD, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()[:10]
    return str(value).strip()


def parse_text(value, max_length: int | None = None) -> str:
    text = cell_text(value)
    if max_length and len(text) > max_length:
        raise CellError(_("At most %(max)s characters.") % {"max": max_length})
    return text


def parse_uscc(value) -> str:
    text = cell_text(value).upper()
    try:
        validate_uscc(text)
    except Exception as exc:  # noqa: BLE001 - stdnum's and Django's errors alike
        raise CellError(_("%(value)s is not a valid unified social credit code.") % {"value": text}) from exc
    return text


def parse_amount(value) -> Decimal:
    """Yuan with at most two decimals, not negative: a number, or text like ¥1,234.50."""
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
            text = cell_text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
            amount = Decimal(text)
        if not amount.is_finite() or abs(amount) >= Decimal(10) ** 14 or amount != amount.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        raise CellError(_("Enter an amount in yuan with at most two decimals, e.g. 300000.00.")) from exc
    if amount < 0:
        raise CellError(_("The amount cannot be negative."))
    return amount.quantize(Decimal("0.01"))


def parse_date(value) -> dt.date:
    """An Excel date, its serial day number, or text in one of DATE_FORMATS."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A date cell that lost its date format: Excel's serial day number.
        return from_excel(value).date()
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise CellError(_("Enter a date as an Excel date or as YYYY-MM-DD."))


def parse_int(value, minimum: int, maximum: int) -> int:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < minimum or number > maximum:
        raise CellError(_("Enter a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum})
    return number


def parse_choice(value, choices: dict):
    """A label's value; the value itself is accepted too, in any case."""
    text = cell_text(value)
    if text in choices:
        return choices[text]
    if text.lower() in choices.values():
        return text.lower()
    raise CellError(_("Choose one of: %(choices)s.") % {"choices": "、".join(choices)})


def parse_bool(value, choices: dict | None = None) -> bool:
    if isinstance(value, bool):
        return value
    labels = choices or BOOLS
    text = cell_text(value).upper()
    if text not in labels:
        raise CellError(_("Enter 是 or 否."))
    return labels[text]


def parse_cell(value, column: Column):
    """The cell's value for the column, None when empty (False for a bool); raises CellError."""
    if is_empty(value):
        if column.required:
            raise CellError(_("This cell is required."))
        return False if column.kind == "bool" else None
    if column.kind == "text":
        return parse_text(value, column.max_length)
    if column.kind == "uscc":
        return parse_uscc(value)
    if column.kind == "choice":
        assert column.choices is not None  # checked in Column.__post_init__
        return parse_choice(value, column.choices)
    if column.kind == "bool":
        return parse_bool(value, column.choices)
    if column.kind == "amount":
        return parse_amount(value)
    if column.kind == "date":
        return parse_date(value)
    assert column.min_value is not None and column.max_value is not None  # checked in Column.__post_init__
    return parse_int(value, column.min_value, column.max_value)


# --- reading a file ------------------------------------------------------------------------------


def open_workbook(fileobj, *, data_only: bool = True):
    """A workbook opened read-only (cells as values, not formulas); the caller closes it. The zip is
    checked first (`check_xlsx_zip`): openpyxl reads all shared strings into memory on opening."""
    check_xlsx_zip(fileobj)
    return load_workbook(fileobj, read_only=True, data_only=data_only)


def _check_file(upload, *, max_bytes: int) -> None:
    if upload.size > max_bytes:
        raise UploadRefused("too_large")
    if upload.size == 0:
        raise UploadRefused("empty")
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise UploadRefused("bad_type")


def open_upload(upload, *, max_bytes: int, sheet: str, data_only: bool = True):
    """Check an uploaded file's size, name, zip (`check_xlsx_zip`) and that it has `sheet`, and open
    it read-only; raises UploadRefused. The caller closes the workbook. For a worker: in a web
    request use `check_upload`, which does not parse the workbook."""
    check_upload(upload, max_bytes=max_bytes, sheet=sheet)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike: not a workbook
        upload.seek(0)
        raise UploadRefused("not_xlsx") from exc
    if sheet not in workbook.sheetnames:
        workbook.close()
        upload.seek(0)
        raise UploadRefused("no_sheet")
    return workbook


def check_upload(upload, *, max_bytes: int, sheet: str) -> None:
    """open_upload's checks without parsing any XML of the workbook (cheap enough for a web request:
    the zip's directory and the sheet names); raises UploadRefused. The upload is rewound."""
    _check_file(upload, max_bytes=max_bytes)
    if sheet not in check_xlsx_zip(upload):
        raise UploadRefused("no_sheet")


@dataclass
class SheetRow:
    row: int  # as Excel shows it
    values: dict = field(default_factory=dict)  # column key → parsed value (None for a bad cell)
    errors: dict = field(default_factory=dict)  # column key → message, in column order


@dataclass
class SheetRows:
    rows: list = field(default_factory=list)  # SheetRow, in file order
    missing: list = field(default_factory=list)  # Column whose header is not in the header row


def read_sheet(ws, columns: Sequence[Column], *, limit: int | None = None, skip: Callable | None = None) -> SheetRows:
    """Parse every row below the header row of `ws`. Empty rows are left out, and rows for which
    `skip(raw)` is true (raw: column key → cell value), e.g. the template's examples; reading stops
    after `limit` rows. Nothing is read when a column is missing from the header row."""
    ws.reset_dimensions()  # some writers record a wrong sheet size; read what is really there
    cells = ws.iter_rows(values_only=True)
    position: dict[str, int] = {}
    header_row = next(cells, None) or ()
    for index, value in enumerate(header_row):
        position.setdefault(_header_key(value), index)
    result = SheetRows()
    where = {}
    for column in columns:
        found = [position[k] for k in (_header_key(column.header), _header_key(column.header_en)) if k in position]
        if found:
            where[column.key] = found[0]
        else:
            result.missing.append(column)
    if result.missing:
        return result
    for number, values in enumerate(cells, start=2):
        raw = {key: values[i] if i < len(values) else None for key, i in where.items()}
        if all(is_empty(v) for v in raw.values()) or (skip is not None and skip(raw)):
            continue
        row = SheetRow(row=number)
        for column in columns:
            try:
                row.values[column.key] = parse_cell(raw[column.key], column)
            except CellError as exc:
                row.values[column.key] = None
                row.errors[column.key] = str(exc)
        result.rows.append(row)
        if limit is not None and len(result.rows) >= limit:
            break
    return result


# --- workbooks handed out ------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9E1B1B")
OPTIONAL_FILL = PatternFill("solid", fgColor="5C6470")
EXAMPLE_FONT = Font(italic=True, color="808080")
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "uscc": "@"}


def _number_format(column: Column) -> str | None:
    return column.number_format or NUMBER_FORMATS.get(column.kind)


def _column_note(column: Column) -> str:
    return column.note


@dataclass(frozen=True)
class TemplateSheet:
    title: str
    columns: tuple
    # One example row per dict (column key → value; the column's own example for the keys left out).
    examples: tuple = ({},)


def _header_row(ws, columns, *, rows: int, note: Callable) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(
            ("必填。" if column.required else "选填。") + note(column), "govcredit", width=260, height=110
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
            validation.add(f"{letter}2:{letter}{rows + 1}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"


def _example_row(ws, row: int, columns, values: dict) -> None:
    for index, column in enumerate(columns, start=1):
        value = values.get(column.key, column.example)
        if isinstance(value, Decimal):
            value = float(value)
        cell = ws.cell(row=row, column=index, value=value)
        cell.font = EXAMPLE_FONT
        if _number_format(column):
            cell.number_format = _number_format(column)


def _notes_sheet(ws, *, title: str, notes: Sequence[str], sheets: Sequence[TemplateSheet], note: Callable) -> None:
    """The title, the general notes, then every column: (sheet,) name, required, note."""
    named = len(sheets) > 1
    widths = ((10,) if named else ()) + (24, 7, 90)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for text in notes:
        ws.append([text])
        row = ws.max_row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 32
    ws.append([])
    ws.append((["工作表"] if named else []) + ["列名", "必填", "说明"])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in sheets:
        for column in sheet.columns:
            ws.append(([sheet.title] if named else []) + [column.header, YES if column.required else NO, note(column)])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template_workbook(
    sheets: Sequence[TemplateSheet],
    *,
    rows: int,
    notes_title: str,
    notes: Sequence[str],
    notes_sheet: str = "说明",
    note: Callable[[Column], str] = _column_note,
) -> bytes:
    """An .xlsx with one sheet per TemplateSheet (headers with their notes as comments, drop-down
    lists on `rows` rows for choice and bool columns, the example rows) and the sheet `notes_sheet`
    explaining the file and every column. `note(column)` is the text shown for a column."""
    wb = Workbook()
    for index, sheet in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = sheet.title
        _header_row(ws, sheet.columns, rows=rows, note=note)
        for row, values in enumerate(sheet.examples, start=2):
            _example_row(ws, row, sheet.columns, values)
    _notes_sheet(wb.create_sheet(notes_sheet), title=notes_title, notes=notes, sheets=sheets, note=note)
    return _bytes(wb)


def errors_workbook(errors: Sequence[dict], fields: Sequence[tuple[str, str, int]], *, title: str = "错误") -> bytes:
    """An .xlsx listing `errors`, one a row; `fields` are the columns as (header, error key, width)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([header for header, _key, _width in fields])
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for error in errors:
        ws.append([error.get(key) for _header, key, _width in fields])
    for index, (_header, _key, width) in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{max(ws.max_row, 1)}"
    return _bytes(wb)


# --- on the web -------------------------------------------------------------------------------------


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook download: never cached, never sniffed into something else."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class XlsxUploadForm(forms.Form):
    """The upload of a filled-in template; a subclass states its limits in the field's help text."""

    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )
