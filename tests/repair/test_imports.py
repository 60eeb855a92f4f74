"""Bulk import of dishonesty records from Excel (issue 5): all rows or none. Since issue 12 the
request only checks the upload cheaply and stores it; a q2 worker parses and imports it (q2 runs
synchronously in tests; `enqueue` waits for the commit, hence django_capture_on_commit_callbacks).
The files are built here with openpyxl, as a penalty officer fills in the template."""

import datetime as dt
import io
import time
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from repair.imports.services import SHEET, XLSX_CONTENT_TYPE, record_import
from repair.imports.tasks import record_import_run
from repair.models import DishonestyRecord, Obligation, RecordImport
from tests.concurrency.race import race
from tests.security.bombs import shared_strings_bomb
from workflow import spreadsheets
from workflow.models import AuditLog, Document

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
        D(2026, 3, 1),  # the day after the 3-month minimum's last day (02-28)
        D(2026, 11, 30),
    )
    assert general.deciding_unit == officer.agency and general.enterprise.uscc == USCC
    serious = by_number["X市监罚〔2026〕7号"]
    assert (serious.type, serious.earliest_repair_on, serious.publication_ends_on) == (
        "serious_list",
        D(2027, 3, 1),  # a list entry: the 22号 tier only (令第58号's period is for penalties)
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
    # The imported decisions were issued by the unit already: never issued again here (its own PDF is
    # attached on the record page); each gets its repair notice and one service receipt listing both.
    assert Document.objects.filter(doc_type="penalty_decision").count() == 0
    assert Document.objects.filter(doc_type="repair_notice").count() == 3
    assert Document.objects.filter(doc_type="service_receipt").count() == 3
    assert Document.objects.count() == 6


def post_and_run(client, capture, content: bytes, name="失信信息.xlsx"):
    """POST the file (the worker runs on commit), then follow the redirect to the import's page."""
    with capture(execute=True):
        response = client.post(reverse("repair-import"), {"file": upload(content, name)})
    assert response.status_code == 302
    imp = RecordImport.objects.get()
    assert response["Location"] == reverse("repair-import-detail", args=[imp.pk])
    return client.get(response["Location"])


def test_the_page_imports_and_links_to_the_records(officer_client, travel, django_capture_on_commit_callbacks):
    travel("2026-11-01")
    response = post_and_run(officer_client, django_capture_on_commit_callbacks, xlsx(GOOD))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 records imported" in html
    assert reverse("repair-records") in html
    assert DishonestyRecord.objects.count() == 3
    imp = RecordImport.objects.get()
    assert (imp.status, imp.total, imp.created_count, imp.errors) == ("done", 3, 3, [])
    for record in DishonestyRecord.objects.all():  # each created record is listed with a link to it
        assert record.decision_number in html and reverse("repair-record", args=[record.pk]) in html
    # The imported decisions were issued by the unit already: never issued again here (its own PDF is
    # attached on the record page); each gets its repair notice and one service receipt listing both.
    assert Document.objects.filter(doc_type="penalty_decision").count() == 0
    assert Document.objects.filter(doc_type="repair_notice").count() == 3
    assert Document.objects.filter(doc_type="service_receipt").count() == 3
    assert Document.objects.count() == 6
    status = officer_client.get(reverse("repair-import-status", args=[imp.pk])).json()
    assert (status["status"], status["created_count"], status["errors_count"]) == ("done", 3, 0)
    assert officer_client.get(reverse("repair-import-errors", args=[imp.pk])).status_code == 404
    listing = officer_client.get(reverse("repair-import")).content.decode()  # the unit's past imports
    assert reverse("repair-import-detail", args=[imp.pk]) in listing and "Records created" in listing


def test_one_bad_row_names_its_row_and_column_and_nothing_is_created(
    officer_client, travel, django_capture_on_commit_callbacks
):
    travel("2026-11-01")
    bad = row(
        "X市监罚〔2026〕10号", **{"失信类别": "特别严重", "决定日期": "2026-12-01", "主体统一社会信用代码": "9133010"}
    )
    response = post_and_run(officer_client, django_capture_on_commit_callbacks, xlsx([GOOD[0], bad, GOOD[2]]))
    assert response.status_code == 200
    assert RecordImport.objects.get().status == "rejected"
    errors = response.context["errors"]
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
    with translation.override("en"):
        result = record_import(
            upload=upload(xlsx([row("X市监罚〔2026〕11号", **{"失信事实": None})])), acting_user=officer
        )
    assert result.errors == [{"row": 2, "column": "失信事实", "message": "This cell is required."}]
    assert DishonestyRecord.objects.count() == 0


def test_a_decision_number_twice_in_the_file_or_already_recorded_is_refused(officer, travel):
    travel("2026-11-01")
    result = record_import(upload=upload(xlsx([GOOD[0]])), acting_user=officer)
    assert len(result.created) == 1
    rows = [GOOD[1], GOOD[2], row("X市监罚〔2026〕7号"), GOOD[0]]
    with translation.override("en"):
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
    # The template has the penalty types and the domain (issue 9); files without them still import.
    assert [c.value for c in ws[1]] == [*HEADERS[:5], "处罚种类", "领域", *HEADERS[5:]]
    assert str(ws["B2"].value).startswith("示例")
    # The untouched template imports nothing: its only row is the example.
    result = record_import(upload=upload(content, "模板.xlsx"), acting_user=officer)
    assert result.errors == [{"row": None, "column": "", "message": "The sheet 失信信息 has no records to import."}]


def test_a_bad_file_shows_every_row_error_and_offers_the_error_workbook(
    officer_client, travel, django_capture_on_commit_callbacks
):
    travel("2026-11-01")
    rows = [
        row("X市监罚〔2026〕21号", **{"失信事实": None}),
        row("X市监罚〔2026〕22号", **{"信息类型": "警告"}),
        GOOD[0],
        row("X市监罚〔2026〕21号", **{"决定日期": "明天"}),
    ]
    response = post_and_run(officer_client, django_capture_on_commit_callbacks, xlsx(rows))
    imp = RecordImport.objects.get()
    assert (imp.status, imp.total, imp.created_count) == ("rejected", 4, 0)
    errors = [(e["row"], e["column"]) for e in response.context["errors"]]
    assert errors == [(2, "失信事实"), (3, "信息类型"), (5, "决定日期"), (5, "决定书文号")]
    html = response.content.decode()
    assert "The file has 4 errors." in html and "This cell is required." in html
    report = officer_client.get(reverse("repair-import-errors", args=[imp.pk]))
    assert report.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(report))).active
    assert [c.value for c in ws[1]] == ["行号", "列", "错误"]
    assert [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=2)] == errors
    assert DishonestyRecord.objects.count() == 0 and Document.objects.count() == 0


def test_a_bomb_is_refused_in_the_request_without_openpyxl(officer_client, travel, monkeypatch):
    """The request never parses the workbook: openpyxl raises if it is called at all."""
    travel("2026-11-01")

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was called in the request")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(spreadsheets, "load_workbook", refuse)
    response = officer_client.post(reverse("repair-import"), {"file": upload(shared_strings_bomb(SHEET, gigabytes=1))})
    assert response.status_code == 400
    assert response.context["form"].errors["file"][0].startswith("This file expands to far more data")
    assert RecordImport.objects.count() == 0 and DishonestyRecord.objects.count() == 0
    # A good file is stored and queued without openpyxl too.
    response = officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))})
    assert response.status_code == 302
    assert RecordImport.objects.get().status == "queued"


def test_a_second_claim_of_the_same_import_does_nothing(officer_client, travel):
    travel("2026-11-01")
    officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))})  # queued: no commit in the test
    imp = RecordImport.objects.get()
    assert imp.status == "queued"
    assert record_import_run(imp.pk) == "done"
    assert record_import_run(imp.pk) == "skipped"
    assert DishonestyRecord.objects.count() == 3 and Document.objects.count() == 6
    imp.refresh_from_db()
    assert (imp.status, imp.created_count) == ("done", 3)
    assert AuditLog.objects.filter(action="repair.record_import").count() == 2  # uploaded, done


def test_an_import_is_not_seen_outside_its_unit(client, demo, officer_client, travel):
    travel("2026-11-01")
    officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))})
    imp = RecordImport.objects.get()
    assert client.login(username="enterprise_user", password=PASSWORD)
    for name in ("repair-import-detail", "repair-import-status", "repair-import-errors"):
        assert client.get(reverse(name, args=[imp.pk])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_workers_claim_one_import_and_exactly_one_runs_it(officer_client, travel, monkeypatch):
    """A task delivered 20 times at once: one worker imports, 19 skip; nothing is written twice."""
    travel("2026-11-01")
    monkeypatch.setattr("repair.imports.tasks.enqueue", lambda *args, **kwargs: None)  # queued, not run
    assert officer_client.post(reverse("repair-import"), {"file": upload(xlsx(GOOD))}).status_code == 302
    imp = RecordImport.objects.get()
    started = time.monotonic()
    outcomes = race(20, lambda i: record_import_run(imp.pk))
    elapsed = time.monotonic() - started
    print(f"20 workers: {elapsed:.2f} s, {Counter(map(str, outcomes))}")
    assert elapsed < 30, (
        f"the 19 losers waited for the winner ({elapsed:.1f} s)"
    )  # bound, not a timing: a blocking lock makes it ~20 imports long
    assert Counter(map(str, outcomes)) == {"done": 1, "skipped": 19}
    imp.refresh_from_db()
    assert (imp.status, imp.created_count, imp.created_records.count()) == ("done", 3, 3)
    assert DishonestyRecord.objects.count() == 3 and Obligation.objects.count() == 2
    # The imported decisions were issued by the unit already: never issued again here (its own PDF is
    # attached on the record page); each gets its repair notice and one service receipt listing both.
    assert Document.objects.filter(doc_type="penalty_decision").count() == 0
    assert Document.objects.filter(doc_type="repair_notice").count() == 3
    assert Document.objects.filter(doc_type="service_receipt").count() == 3
    assert Document.objects.count() == 6
    given = list(Document.objects.exclude(doc_number="").values_list("doc_number", flat=True))
    assert len(set(given)) == len(given)
    assert AuditLog.objects.filter(action="repair.record_import").count() == 2  # uploaded, done
