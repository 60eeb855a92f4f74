"""The shared Excel mechanism (workflow.spreadsheets) through its public API, with small
workbooks made here: cell parsing, header matching, reading a sheet, opening an upload, and the
template and error-report workbooks."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from workflow.spreadsheets import (
    XLSX_CONTENT_TYPE,
    CellError,
    Column,
    TemplateSheet,
    UploadRefused,
    check_upload,
    errors_workbook,
    normal_header,
    open_upload,
    open_workbook,
    parse_cell,
    read_sheet,
    template_workbook,
)

USCC = "91330100MA2B000018"
SIZES = {"小型": "small", "大型": "large"}
COLUMNS = (
    Column("编号", "number", "text", True, "唯一。", max_length=5, example="示例-1", number_format="@"),
    Column("规模", "size", "choice", True, "小型或大型。", choices=SIZES, example="小型"),
    Column("金额（元）", "amount", "amount", False, "两位小数。", example=Decimal("12.50")),
    Column("日期", "day", "date", True, "日期。", example=dt.date(2026, 3, 2), header_en="Due date"),
    Column("天数", "days", "int", False, "1–30。", min_value=1, max_value=30, example=7),
    Column("是否公示", "publish", "bool", False, "是或否。", example="是"),
    Column("信用代码", "uscc", "uscc", False, "18位。", example=USCC),
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def column(kind, **over) -> Column:
    return dataclasses.replace(next(c for c in COLUMNS if c.kind == kind), **over)


def error_of(value, col) -> str:
    with pytest.raises(CellError) as caught:
        parse_cell(value, col)
    return str(caught.value)


# --- cells ---------------------------------------------------------------------------------------


def test_text_cells_are_stripped_and_limited():
    col = column("text")
    assert parse_cell("  A-1 ", col) == "A-1"
    assert parse_cell(12.0, col) == "12"  # a number typed into a text column loses its .0
    assert parse_cell(dt.datetime(2026, 3, 2, 9, 30), column("text", max_length=None)) == "2026-03-02"
    assert error_of("ABCDEF", col) == "At most 5 characters."


def test_empty_cells_required_or_not():
    assert error_of(None, column("text")) == "This cell is required."
    assert error_of("   ", column("date")) == "This cell is required."
    assert parse_cell(None, column("amount")) is None
    assert parse_cell("", column("int")) is None
    assert parse_cell(None, column("bool")) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (300000, Decimal("300000.00")),
        (0.1 + 0.2, Decimal("0.30")),  # binary noise from a formula
        ("¥1,234.5", Decimal("1234.50")),
        ("2,000，00", Decimal("200000.00")),  # both commas are thousands separators
        ("0", Decimal("0.00")),
    ],
)
def test_amounts_are_decimals_in_yuan(value, expected):
    assert parse_cell(value, column("amount")) == expected


@pytest.mark.parametrize("value", ["12.345", "abc", True, 1.005, "1e20", "NaN"])
def test_bad_amounts(value):
    assert error_of(value, column("amount")) == "Enter an amount in yuan with at most two decimals, e.g. 300000.00."


def test_negative_amounts():
    assert error_of(-5, column("amount")) == "The amount cannot be negative."


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 9, 30, 0, 0),
        dt.date(2026, 9, 30),
        "2026-09-30",
        "2026/9/30",
        "2026.09.30",
        "2026年9月30日",
        46295,  # Excel's serial day number of 2026-09-30
    ],
)
def test_dates(value):
    assert parse_cell(value, column("date")) == dt.date(2026, 9, 30)


@pytest.mark.parametrize("value", ["30/09/2026", "2026-02-30", "soon", True])
def test_bad_dates(value):
    assert error_of(value, column("date")) == "Enter a date as an Excel date or as YYYY-MM-DD."


def test_whole_numbers_within_bounds():
    col = column("int")
    assert parse_cell(7, col) == 7
    assert parse_cell(30.0, col) == 30
    assert parse_cell(" 12 ", col) == 12
    for bad in (0, 31, 2.5, "ten", True, "-3"):
        assert error_of(bad, col) == "Enter a whole number from 1 to 30.", bad


def test_choices_by_label_or_value():
    col = column("choice")
    assert parse_cell("大型", col) == "large"
    assert parse_cell(" Small ", col) == "small"
    assert error_of("中型", col) == "Choose one of: 小型、大型."


def test_booleans():
    col = column("bool")
    assert parse_cell("是", col) is True
    assert parse_cell("否", col) is False
    assert parse_cell(True, col) is True
    assert error_of("Y", col) == "Enter 是 or 否."
    wide = column("bool", choices={"是": True, "否": False, "Y": True, "N": False})
    assert parse_cell("y", wide) is True  # labels are looked up in upper case
    assert parse_cell("n", wide) is False


def test_unified_social_credit_codes():
    col = column("uscc")
    assert parse_cell(USCC.lower(), col) == USCC
    assert error_of("91330100MA2B000019", col) == "91330100MA2B000019 is not a valid unified social credit code."


def test_an_unknown_kind_is_refused_when_the_schema_is_written():
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("X", "x", "money", True, "")


def test_messages_are_translated():
    with translation.override("zh-hans"):
        assert error_of(None, column("text")) == "此单元格为必填项。"
        assert error_of("Y", column("bool")) == "请填写“是”或“否”。"


# --- reading a sheet -----------------------------------------------------------------------------


def sheet(rows, headers=None):
    """The sheet as an import reads it: from a saved file, opened read-only."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers if headers is not None else [c.header for c in COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return open_workbook(buffer).active


def good(number="A-1", **over):
    values = {"number": number, "size": "小型", "amount": 100, "day": "2026-09-30", "days": 5, "publish": "否"}
    values |= {"uscc": USCC} | over
    return [values[c.key] for c in COLUMNS]


def test_rows_become_values_with_the_row_numbers_excel_shows():
    read = read_sheet(sheet([good(), [], good("A-2", amount=None, publish=None)]), COLUMNS)
    assert read.missing == []
    assert [r.row for r in read.rows] == [2, 4]  # the empty row 3 is left out
    assert read.rows[0].values == {
        "number": "A-1",
        "size": "small",
        "amount": Decimal("100.00"),
        "day": dt.date(2026, 9, 30),
        "days": 5,
        "publish": False,
        "uscc": USCC,
    }
    assert read.rows[0].errors == {}
    assert (read.rows[1].values["amount"], read.rows[1].values["publish"]) == (None, False)


def test_bad_cells_are_reported_per_row_and_column_in_column_order():
    read = read_sheet(sheet([good(), good("A-2", day="soon", size="中型", amount=-1)]), COLUMNS)
    row = read.rows[1]
    assert row.errors == {
        "size": "Choose one of: 小型、大型.",
        "amount": "The amount cannot be negative.",
        "day": "Enter a date as an Excel date or as YYYY-MM-DD.",
    }
    assert list(row.errors) == ["size", "amount", "day"]
    assert (row.values["size"], row.values["day"], row.values["number"]) == (None, None, "A-2")
    assert read.rows[0].errors == {}


def test_a_missing_column_is_reported_and_nothing_is_read():
    headers = [c.header for c in COLUMNS if c.key != "day"]
    read = read_sheet(sheet([good()[:3] + good()[4:]], headers), COLUMNS)
    assert [c.key for c in read.missing] == ["day"]
    assert read.rows == []


def test_headers_match_despite_spaces_brackets_and_a_trailing_star_in_any_order():
    headers = [" 编 号*", "规模＊", "金额(元)", "日期", "天数", "是否公示", "信用代码"]
    reordered = [headers[6], *headers[:6]]
    values = good()
    read = read_sheet(sheet([[values[6], *values[:6]]], reordered), COLUMNS)
    assert read.missing == []
    assert read.rows[0].values["number"] == "A-1"
    assert read.rows[0].values["uscc"] == USCC
    assert normal_header(" 金额 (元) * ") == "金额（元）"


def test_an_english_header_is_accepted_in_any_case_where_the_column_names_one():
    headers = [c.header for c in COLUMNS]
    headers[3] = " due DATE "
    read = read_sheet(sheet([good()], headers), COLUMNS)
    assert read.missing == []
    assert read.rows[0].values["day"] == dt.date(2026, 9, 30)
    headers[2] = "Amount"  # the amount column names no English header
    assert [c.key for c in read_sheet(sheet([good()], headers), COLUMNS).missing] == ["amount"]


def test_skipped_rows_and_the_limit():
    rows = [good("示例-1"), good("A-1"), good("A-2"), good("A-3")]
    skip = lambda raw: str(raw["number"]).startswith("示例")  # noqa: E731
    read = read_sheet(sheet(rows), COLUMNS, skip=skip, limit=2)
    assert [r.values["number"] for r in read.rows] == ["A-1", "A-2"]
    assert [r.row for r in read.rows] == [3, 4]


# --- opening an upload ---------------------------------------------------------------------------


def xlsx_bytes(title="数据") -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = title
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refusal(upload, **kwargs) -> str:
    with pytest.raises(UploadRefused) as caught:
        open_upload(upload, **{"max_bytes": 100_000, "sheet": "数据", **kwargs})
    return caught.value.code


def test_an_upload_is_opened_only_when_every_check_passes():
    content = xlsx_bytes()
    assert refusal(SimpleUploadedFile("a.xlsx", content), max_bytes=len(content) - 1) == "too_large"
    assert refusal(SimpleUploadedFile("a.xlsx", b"")) == "empty"
    assert refusal(SimpleUploadedFile("a.xls", content)) == "bad_type"
    assert refusal(SimpleUploadedFile("a.xlsx", b"PK not really a zip")) == "not_xlsx"
    assert refusal(SimpleUploadedFile("a.XLSX", xlsx_bytes("Sheet"))) == "no_sheet"
    upload = SimpleUploadedFile("a.XLSX", content, content_type=XLSX_CONTENT_TYPE)
    workbook = open_upload(upload, max_bytes=len(content), sheet="数据")
    try:
        assert workbook.sheetnames == ["数据"]
    finally:
        workbook.close()
    check_upload(upload, max_bytes=len(content), sheet="数据")
    assert upload.tell() == 0  # rewound for whoever stores it


# --- workbooks handed out ------------------------------------------------------------------------


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_template_has_headers_notes_lists_examples_and_a_notes_sheet():
    content = template_workbook(
        (TemplateSheet("数据", COLUMNS, examples=({"number": "示例-0", "amount": None}, {})),),
        rows=10,
        notes_title="模板说明",
        notes=("1. 每行一条。",),
        note=lambda c: c.note + "!",
    )
    wb = load(content)
    assert wb.sheetnames == ["数据", "说明"]
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert ws["A1"].comment.text == "必填。唯一。!"
    assert ws["C1"].comment.text == "选填。两位小数。!"
    assert ws.freeze_panes == "A2"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {"B2:B11": '"小型,大型"', "F2:F11": '"是,否"'}
    assert [c.value for c in ws[2]][:3] == ["示例-0", "小型", None]
    assert [c.value for c in ws[3]][:3] == ["示例-1", "小型", 12.5]
    assert ws["D3"].value == dt.datetime(2026, 3, 2)
    assert (ws["A3"].number_format, ws["C3"].number_format, ws["D3"].number_format) == ("@", "#,##0.00", "yyyy-mm-dd")
    assert ws["G3"].number_format == "@"  # a credit code is text
    notes = [list(r) for r in wb["说明"].iter_rows(values_only=True)]
    assert notes[0][0] == "模板说明"
    assert notes[1][0] == "1. 每行一条。"
    assert notes[3] == ["列名", "必填", "说明"]
    assert notes[4] == ["编号", "是", "唯一。!"]
    assert notes[6] == ["金额（元）", "否", "两位小数。!"]
    assert len(notes) == 4 + len(COLUMNS)


def test_a_template_of_several_sheets_names_the_sheet_of_each_column():
    other = (Column("名称", "name", "text", True, "全称。"),)
    wb = load(
        template_workbook(
            (TemplateSheet("甲", COLUMNS), TemplateSheet("乙", other)),
            rows=5,
            notes_title="说明",
            notes=(),
            notes_sheet="帮助",
        )
    )
    assert wb.sheetnames == ["甲", "乙", "帮助"]
    assert [c.value for c in wb["乙"][1]] == ["名称"]
    notes = [list(r) for r in wb["帮助"].iter_rows(values_only=True)]
    assert notes[2] == ["工作表", "列名", "必填", "说明"]
    assert notes[3] == ["甲", "编号", "是", "唯一。"]
    assert notes[-1] == ["乙", "名称", "是", "全称。"]


def test_the_error_workbook_lists_every_error():
    errors = [
        {"sheet": "数据", "row": None, "field": "", "message": "The file has no rows."},
        {"sheet": "数据", "row": 3, "field": "日期", "message": "Enter a date as an Excel date or as YYYY-MM-DD."},
    ]
    fields = (("工作表", "sheet", 10), ("行号", "row", 8), ("字段", "field", 24), ("错误", "message", 90))
    wb = load(errors_workbook(errors, fields))
    ws = wb["错误"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["工作表", "行号", "字段", "错误"],
        ["数据", None, None, "The file has no rows."],
        ["数据", 3, "日期", "Enter a date as an Excel date or as YYYY-MM-DD."],
    ]
    assert ws.auto_filter.ref == "A1:D3"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width == 90
    assert ws["A1"].font.bold


# --- the zip checks before openpyxl --------------------------------------------------------------


def _refusal(content: bytes, sheet="Sheet"):
    from workflow.spreadsheets import UploadRefused, check_upload

    with pytest.raises(UploadRefused) as refused:
        check_upload(SimpleUploadedFile("a.xlsx", content), max_bytes=10 * 1024 * 1024, sheet=sheet)
    return refused.value.code


def _workbook_bytes(**cells) -> bytes:
    wb = openpyxl.Workbook()
    for ref, value in cells.items():
        wb.active[ref] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_real_workbook_passes_the_zip_checks_and_names_its_sheets():
    from workflow.spreadsheets import check_xlsx_zip

    content = _workbook_bytes(A1="合同编号", A2="HT-1")
    assert check_xlsx_zip(io.BytesIO(content)) == ["Sheet"]
    assert _refusal(content, sheet="合同") == "no_sheet"


def test_the_limits_of_the_zip_check_come_from_settings(settings):
    from tests.security.bombs import SHEET_XML, WORKBOOK_XML, small_zip

    members = {"xl/workbook.xml": WORKBOOK_XML.format(sheet="Sheet"), "xl/worksheets/sheet1.xml": SHEET_XML}
    content = small_zip(members)
    assert _refusal(content, sheet="Other") == "no_sheet"  # under every limit
    settings.GOVCREDIT_XLSX_MAX_MEMBERS = 1
    assert _refusal(content) == "xlsx_bomb"
    settings.GOVCREDIT_XLSX_MAX_MEMBERS = 500
    big_sheet = small_zip({**members, "xl/worksheets/sheet1.xml": "<x/>" + " " * (2 * 1024 * 1024)})
    assert _refusal(big_sheet) == "xlsx_bomb"  # one worksheet inflating 2 MB at a ratio over 100
    settings.GOVCREDIT_XLSX_MAX_RATIO = 100_000
    settings.GOVCREDIT_XLSX_MAX_SHEET_BYTES = 1024 * 1024
    assert _refusal(big_sheet) == "xlsx_bomb"  # over the size of a worksheet
    settings.GOVCREDIT_XLSX_MAX_SHEET_BYTES = 100 * 1024 * 1024
    assert _refusal(big_sheet, sheet="Other") == "no_sheet"  # within the raised limits
    settings.GOVCREDIT_XLSX_MAX_SHARED_STRINGS_BYTES = 10
    strings = small_zip({**members, "xl/sharedStrings.xml": "<sst>" + "<si><t>a</t></si>" * 10 + "</sst>"})
    assert _refusal(strings) == "xlsx_bomb"


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 a broken zip", b"%PDF-1.7", b"PK\x05\x06" + b"\x00" * 18],
    ids=["broken zip", "pdf", "empty zip"],
)
def test_what_is_not_a_zip_with_a_workbook_is_not_xlsx(content):
    assert _refusal(content) == "not_xlsx"
