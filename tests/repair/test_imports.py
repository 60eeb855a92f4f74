"""Bulk import of dishonesty records from Excel (issue 5): checked and imported in the request,
all rows or none. The files are built here with openpyxl, as a penalty officer fills in the template."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repair.imports.services import XLSX_CONTENT_TYPE, record_import
from repair.models import DishonestyRecord, Obligation
from workflow.models import Document

pytestmark = pytest.mark.django_db

D = dt.date
PASSWORD = "demo-pass-2026"
HEADERS = [
    "主体统一社会信用代码",
    "主体名称",
    "信息类型",
    "失信类别",
    "轻微是否公示",
    "决定书文号",
    "决定日期",
    "失信事实",
    "法律依据",
    "罚款金额（元）",
    "罚款缴纳期限",
]
USCC = "91410100AY4CL12THU"
USCC_B = "91330100MA2B000018"
USCC_C = "91330100MA2B00002B"


def row(number, **over):
    values = {
        "主体统一社会信用代码": USCC,
        "主体名称": "X市恒信建材有限公司",
        "信息类型": "行政处罚",
        "失信类别": "一般",
        "轻微是否公示": "否",
        "决定书文号": number,
        "决定日期": dt.datetime(2025, 11, 30),
        "失信事实": "销售不合格建材，货值金额3.2万元。",
        "法律依据": "《中华人民共和国产品质量法》第四十九条",
        "罚款金额（元）": 50000,
        "罚款缴纳期限": "2025-12-15",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def xlsx(rows, *, sheet="失信信息", headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="失信信息.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


GOOD = [
    row("X市监罚〔2025〕118号"),  # general, decided 2025-11-30
    row(
        "X市监罚〔2026〕7号",
        **{
            "主体统一社会信用代码": USCC_B,
            "主体名称": "X市新建养护有限公司",
            "失信类别": "严重",
            "决定日期": "2026-02-28",
        },
        **{"信息类型": "严重失信主体名单", "罚款金额（元）": None, "罚款缴纳期限": None},
    ),
    row(
        "X市监罚〔2026〕9号",
        **{"主体统一社会信用代码": USCC_C, "主体名称": "X市示范商贸有限公司", "失信类别": "轻微", "轻微是否公示": "是"},
        **{"决定日期": D(2026, 6, 10), "罚款金额（元）": "2,000.50"},
    ),
]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_good_file_creates_every_record_with_its_dates_and_both_documents(officer, travel):
    travel("2026-11-01")
    result = record_import(
        upload=upload(xlsx([row("示例-X交罚〔2026〕1号", **{"主体名称": "示例：某公司"}), *GOOD])), acting_user=officer
    )
    assert result.errors == []
    assert len(result.created) == 3
    by_number = {r.decision_number: r for r in DishonestyRecord.objects.all()}
    assert set(by_number) == {
        "X市监罚〔2025〕118号",
        "X市监罚〔2026〕7号",
        "X市监罚〔2026〕9号",
    }  # the 示例 row is skipped
    general = by_number["X市监罚〔2025〕118号"]
    assert (general.category, general.earliest_repair_on, general.publication_ends_on) == (
        "general",
        D(2026, 2, 28),
        D(2026, 11, 30),
    )
    assert general.deciding_unit == officer.agency and general.enterprise.uscc == USCC
    serious = by_number["X市监罚〔2026〕7号"]
    assert (serious.type, serious.earliest_repair_on, serious.publication_ends_on) == (
        "serious_list",
        D(2027, 2, 28),
        D(2029, 2, 28),
    )
    minor = by_number["X市监罚〔2026〕9号"]
    assert (minor.publish_minor, minor.earliest_repair_on, minor.publication_ends_on) == (
        True,
        D(2026, 6, 10),
        D(2026, 9, 10),
    )
    fines = {(o.record.decision_number, o.amount, o.due_on) for o in Obligation.objects.all()}
    assert fines == {
        ("X市监罚〔2025〕118号", Decimal("50000.00"), D(2025, 12, 15)),
        ("X市监罚〔2026〕9号", Decimal("2000.50"), D(2025, 12, 15)),
    }
    assert Document.objects.filter(doc_type="penalty_decision").count() == 3
    assert Document.objects.filter(doc_type="repair_notice").count() == 3
    assert Document.objects.count() == 6


def test_the_page_imports_and_links_to_the_records(officer_client, travel):
    travel("2026-11-01")
    response = officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 records imported" in html
    assert reverse("repair-records") in html
    assert DishonestyRecord.objects.count() == 3


def test_one_bad_row_names_its_row_and_column_and_nothing_is_created(officer_client, travel):
    travel("2026-11-01")
    bad = row(
        "X市监罚〔2026〕10号", **{"失信类别": "特别严重", "决定日期": "2026-12-01", "主体统一社会信用代码": "9133010"}
    )
    response = officer_client.post(reverse("repair-import"), {"file": upload(xlsx([GOOD[0], bad, GOOD[2]]))})
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "失信类别"), (3, "决定日期"), (3, "主体统一社会信用代码")}
    messages = {e["column"]: e["message"] for e in errors}
    assert messages["失信类别"] == "Choose one of: 轻微、一般、严重."
    assert messages["决定日期"] == "The decision date cannot be in the future."
    assert messages["主体统一社会信用代码"] == "Enter a valid unified social credit code (18 characters)."
    html = response.content.decode()
    assert "Nothing was imported" in html and "The decision date cannot be in the future." in html
    assert DishonestyRecord.objects.count() == 0
    assert Document.objects.count() == 0


def test_a_missing_required_cell_is_reported(officer, travel):
    travel("2026-11-01")
    result = record_import(upload=upload(xlsx([row("X市监罚〔2026〕11号", **{"失信事实": None})])), acting_user=officer)
    assert result.errors == [{"row": 2, "column": "失信事实", "message": "This cell is required."}]
    assert DishonestyRecord.objects.count() == 0


def test_a_decision_number_twice_in_the_file_or_already_recorded_is_refused(officer, travel):
    travel("2026-11-01")
    result = record_import(upload=upload(xlsx([GOOD[0]])), acting_user=officer)
    assert len(result.created) == 1
    rows = [GOOD[1], GOOD[2], row("X市监罚〔2026〕7号"), GOOD[0]]
    result = record_import(upload=upload(xlsx(rows)), acting_user=officer)
    assert result.created == []
    assert result.errors == [
        {
            "row": 4,
            "column": "决定书文号",
            "message": "Decision number X市监罚〔2026〕7号 appears more than once in this file (first in row 2).",
        },
        {"row": 5, "column": "决定书文号", "message": "This decision number is already recorded."},
    ]
    assert DishonestyRecord.objects.count() == 1


def test_a_file_that_is_not_the_template_is_a_form_error(officer_client, travel):
    travel("2026-11-01")
    response = officer_client.post(reverse("repair-import"), {"file": upload(b"not a workbook")})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This file cannot be opened as an Excel workbook (.xlsx)."]
    response = officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD, sheet="Sheet1"))})
    assert response.context["form"].errors["file"] == [
        "The file has no sheet named 失信信息. Download the template on this page and fill it in."
    ]
    big = upload(b"x" * (5 * 1024 * 1024 + 1))
    response = officer_client.post(reverse("repair-import"), {"file": big})
    assert response.context["form"].errors["file"] == ["The file is larger than 5 MB."]
    assert DishonestyRecord.objects.count() == 0


@pytest.mark.parametrize("username", ["agency_clerk", "supervisor", "enterprise_user"])
def test_only_a_penalty_officer_imports(client, demo, travel, username):
    travel("2026-11-01")
    assert client.login(username=username, password=PASSWORD)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(reverse("repair-import")).status_code == 403
    assert client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))}).status_code == 403
    assert client.get(reverse("repair-import-template")).status_code == 403
    assert DishonestyRecord.objects.count() == 0


def test_the_template_has_the_sheet_headers_and_an_example_the_importer_skips(officer_client, officer, travel):
    travel("2026-11-01")
    page = officer_client.get(reverse("repair-import"))
    assert page.status_code == 200 and reverse("repair-import-template") in page.content.decode()
    response = officer_client.get(reverse("repair-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    content = b"".join(response)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["失信信息", "说明"]
    ws = wb["失信信息"]
    assert [c.value for c in ws[1]] == HEADERS
    assert str(ws["B2"].value).startswith("示例")
    # The untouched template imports nothing: its only row is the example.
    result = record_import(upload=upload(content, "模板.xlsx"), acting_user=officer)
    assert result.errors == [{"row": None, "column": "", "message": "The sheet 失信信息 has no records to import."}]
