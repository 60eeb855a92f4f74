"""The Excel file of the bulk import of contracts: its sheets, limits and columns, the checks
across its rows, what is said about a refused upload, and the template.

The columns (workflow.spreadsheets.Column) say what each cell must hold (checked when a file is
read) and how the template shows it (header, note, drop-down list, example); SERVICE_FIELDS
places contract_register's errors in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow import clock
from workflow.errors import DomainError
from workflow.rules import rule_in_force
from workflow.spreadsheets import NO, YES, Column, TemplateSheet, template_workbook

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# One file is imported in one transaction by one q2 task. On SQLite that transaction holds the
# database's write lock (2,000 contracts: about 12 s on the reference machine, under the 20 s that
# other writers wait before "database is locked"), and the task must end within
# Q_CLUSTER["timeout"] (300 s). Larger sets are split into several files.
MAX_CONTRACTS = 2000
MILESTONES_PER_CONTRACT = 20  # on average, at most: bounds the 节点 sheet
ERRORS_SHOWN = 500

CONTRACT_SHEET = "合同"
MILESTONE_SHEET = "节点"
NOTES_SHEET = "说明"
EXAMPLE_PREFIX = "示例"

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
# Labels of a bool cell (upper-cased before the look-up).
BOOLS = {YES: True, NO: False, "Y": True, "N": False, "YES": True, "NO": False, "TRUE": True, "FALSE": False}
BOOLS |= {"1": True, "0": False}


# --- the template's columns ----------------------------------------------------------------------


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
        number_format="@",  # text: a number like 0012 keeps its zeros
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
        number_format="@",  # text: a number like 0012 keeps its zeros
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


# --- checks of a file ---------------------------------------------------------------------------


@dataclass
class Row:
    """One row of a sheet as read: its values, its errors, and (for a contract) its milestone rows."""

    sheet: str
    row: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    bad: set = field(default_factory=set)  # keys of the cells with an error
    milestones: list = field(default_factory=list)  # contract rows: their milestone rows, in file order

    def error(self, key: str, message: str) -> None:
        headers = HEADER if self.sheet == CONTRACT_SHEET else MILESTONE_HEADER
        self.bad.add(key)
        self.errors.append(row_error(self.sheet, self.row, headers.get(key, key), message))


def row_error(sheet: str, row: int | None, field_name: str, message: str | Promise) -> dict:
    """An error of the report: sheet, row, column header, message."""
    return {"sheet": sheet, "row": row, "field": field_name, "message": str(message)}


def check_rows(contracts: list[Row], milestones: list[Row]) -> None:
    """The checks across rows, as errors on the rows: a contract number twice in the file, a
    milestone of a number that is not in the file (else it joins its contract's `milestones`),
    a payment milestone without an amount, a condition of acceptance on another milestone."""
    first_row: dict[str, Row] = {}
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


MISSING_SHEET = gettext_lazy(
    "The file has no sheet named 合同. Download the template on the import page and fill it in."
)
# What the upload page says about a file that workflow.spreadsheets refused, by UploadRefused.code;
# REFUSAL_CODES: the codes this import reports otherwise.
REFUSALS = {
    "too_large": gettext_lazy("The file is larger than 10 MB."),
    "empty": gettext_lazy("The file is empty."),
    "bad_type": gettext_lazy(
        "Only Excel workbooks (.xlsx) are accepted: download the template on this page and fill it in."
    ),
    "not_xlsx": gettext_lazy(
        "This file is not an Excel workbook (.xlsx) that can be read. "
        "Save it as .xlsx in Excel or WPS and upload it again."
    ),
    "no_sheet": MISSING_SHEET,
    "xlsx_bomb": gettext_lazy(
        "This file expands to far more data than an import can hold (it may be damaged or built to "
        "overload the system). Save the filled-in template again as .xlsx and upload it."
    ),
}
REFUSAL_CODES = {"no_sheet": "no_contract_sheet"}


# --- the template ----------------------------------------------------------------------------------

TEMPLATE_ROWS = MAX_CONTRACTS  # rows that get the drop-down lists
GENERAL_NOTES = (
    "1. 在「合同」工作表每行填写一份已签订的合同；在「节点」工作表填写其交付、验收、付款节点，用合同编号与合同对应。",
    "2. 合同编号以“示例”开头的行是示例，导入时跳过，可直接删除。请勿修改第一行的列名。",
    "3. 日期可填 Excel 日期，或文本 YYYY-MM-DD（如 2026-09-30）。金额以元为单位，最多两位小数。",
    "4. 整个文件逐行校验：只要有一处错误，整个文件都不导入；页面列出出错的工作表、行号、列和原因，改正后重新上传。",
    "5. 已在系统中登记的合同编号不能再次导入；合同变更请在合同页面登记，原条款作为历史版本保留。",
    "6. 登记日期为导入当天；法定登记期限按签订日期计算，逾期登记如实显示。",
    f"7. 每个文件最多 {MAX_CONTRACTS} 份合同、10 MB；更多的合同请分成几个文件导入。",
)
# The 节点 sheet's first example is a delivery; its second, the columns' own examples, a payment.
DELIVERY_EXAMPLE = {"kind": "交付", "title": "养护服务交付", "amount": None, "planned_on": dt.date(2026, 6, 15)}
DELIVERY_EXAMPLE |= {"payment_after_acceptance": None, "acceptance_period_days": None}


def _note(column: Column) -> str:
    """The column's note; the payment-term ceiling comes from the rules table in force today."""
    if "{ceiling}" not in column.note:
        return column.note
    try:
        ceiling = rule_in_force("sme.pay.government", clock.today()).ceiling
    except DomainError:
        ceiling = None
    return column.note.replace("{ceiling}", f"（{ceiling}天）" if ceiling else "")


def import_template_workbook() -> bytes:
    """The import template: sheets 合同 and 节点 with headers, notes, drop-down lists and an
    example that the importer skips (its 合同编号 starts with 示例); sheet 说明 explains every column."""
    return template_workbook(
        (
            TemplateSheet(CONTRACT_SHEET, CONTRACT_COLUMNS),
            TemplateSheet(MILESTONE_SHEET, MILESTONE_COLUMNS, examples=(DELIVERY_EXAMPLE, {})),
        ),
        rows=TEMPLATE_ROWS,
        notes_title="政府合同批量导入模板说明",
        notes=GENERAL_NOTES,
        notes_sheet=NOTES_SHEET,
        note=_note,
    )
