"""The Excel template's shape for the bulk import of contracts: its sheets, limits and columns.

The columns say what each cell must hold (checked when a file is read) and how the template shows
it (header, note, drop-down list, example); SERVICE_FIELDS places contract_register's errors in
the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

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
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
