"""Bulk import of existing contracts from the Excel template (issue 3).

The files are built here with openpyxl, as an agency clerk would fill in the template. In tests
the q2 queue is synchronous but `enqueue` waits for the commit that a test transaction never
makes, so the task is called directly (or the commit callbacks are run).
"""

import datetime as dt
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from contracts.imports import services as imports
from contracts.imports.services import contract_import_create, contract_import_run
from contracts.models import Contract, ContractImport, Milestone
from workflow.models import Agency, AuditLog, Enterprise, User

CONTRACT_HEADERS = [
    "合同编号",
    "合同名称",
    "合同类型",
    "是否政府采购",
    "相对方名称",
    "相对方统一社会信用代码",
    "相对方规模",
    "合同金额（元）",
    "签订日期",
    "履行期限截止日期",
    "约定付款期限（天）",
]
MILESTONE_HEADERS = ["合同编号", "节点类型", "节点名称", "金额", "计划日期", "付款以验收为条件", "约定验收期限（天）"]
USCC_A = "91330100MA2B000018"
USCC_B = "91330100MA2B00002B"
USCC_C = "91330100MA2B00003E"
PASSWORD = "demo-pass-2026"


def contract_row(number, **over):
    row = {
        "合同编号": number,
        "合同名称": f"{number} 道路养护服务",
        "合同类型": "服务",
        "是否政府采购": "否",
        "相对方名称": "X市新建养护有限公司",
        "相对方统一社会信用代码": USCC_A,
        "相对方规模": "小型",
        "合同金额（元）": 300000,
        "签订日期": dt.datetime(2026, 9, 30),
        "履行期限截止日期": "2027-09-29",
        "约定付款期限（天）": 30,
    }
    aliases = {"amount": "合同金额（元）", "term": "约定付款期限（天）"}  # not Python names
    row.update({aliases.get(k, k): v for k, v in over.items()})
    return [row[h] for h in CONTRACT_HEADERS]


def milestone_row(number, kind="付款", title="第一期付款", amount=100000, planned="2026-12-31", after="否", days=None):
    return [number, kind, title, amount, planned, after, days]


def xlsx(contracts, milestones=(), *, contract_headers=CONTRACT_HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "合同"
    ws.append(contract_headers)
    for row in contracts:
        ws.append(row)
    ws2 = wb.create_sheet("节点")
    ws2.append(MILESTONE_HEADERS)
    for row in milestones:
        ws2.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="存量合同.xlsx"):
    return SimpleUploadedFile(name, content, content_type=imports.XLSX_CONTENT_TYPE)


@pytest.fixture
def xjtj(demo):
    return Agency.objects.get(code="XJTJ")


@pytest.fixture
def run_import(clerk, xjtj):
    """Upload `content` as the clerk and run the import task (messages in English)."""

    def _run(content: bytes, name="存量合同.xlsx") -> ContractImport:
        imp = contract_import_create(agency=xjtj, upload=upload(content, name), acting_user=clerk)
        with translation.override("en"):
            contract_import_run(imp.pk)
        imp.refresh_from_db()
        return imp

    return _run


def errors_of(imp):
    return [(e["sheet"], e["row"], e["field"]) for e in imp.errors]


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


GOOD_CONTRACTS = [
    contract_row("示例-2026-001"),  # the template's example: skipped
    contract_row("HT-2026-101", 是否政府采购="是", 合同类型="货物", 相对方规模="微型"),
    contract_row(
        "HT-2026-102",
        相对方统一社会信用代码=USCC_B,
        相对方名称="X市路桥工程集团有限公司",
        相对方规模="大型",
        合同类型="工程",
        签订日期="2026-09-01",
        term=None,
        履行期限截止日期=None,
    ),
    contract_row("HT-2026-103", amount="1,234,567.89", 签订日期=dt.datetime(2026, 10, 9)),
]
GOOD_MILESTONES = [
    milestone_row("示例-2026-001"),
    milestone_row("HT-2026-101", kind="交付", title="设备交付", amount=None, planned=dt.datetime(2026, 11, 2)),
    milestone_row("HT-2026-101", title="验收后付款", amount=250000.5, after="是", days=15),
    milestone_row("HT-2026-103", title="尾款", amount="1234567.89", planned="2027-06-30"),
]


# --- a good file ---------------------------------------------------------------------------------


def test_a_good_file_registers_every_contract_with_its_statutory_dates(run_import, travel, xjtj, clerk):
    travel("2026-10-20")
    imp = run_import(xlsx(GOOD_CONTRACTS, GOOD_MILESTONES))

    assert imp.status == ContractImport.Status.DONE
    assert (imp.total, imp.processed, imp.created_count, imp.errors) == (3, 3, 3, [])
    assert imp.finished_at is not None
    contracts = {c.number: c for c in Contract.objects.filter(agency=xjtj, number__startswith="HT-2026-1")}
    assert sorted(contracts) == ["HT-2026-101", "HT-2026-102", "HT-2026-103"]
    assert not Contract.objects.filter(number__startswith="示例").exists()

    c101 = contracts["HT-2026-101"]
    assert c101.status == Contract.Status.REGISTERED
    assert (c101.kind, c101.procurement, c101.counterparty_size) == ("goods", True, "micro")
    assert c101.amount == Decimal("300000.00")
    assert c101.signed_on == dt.date(2026, 9, 30)
    assert c101.ends_on == dt.date(2027, 9, 29)
    assert c101.registered_on == dt.date(2026, 10, 20)
    # 7 working days after signing; National Day 1–7 October is skipped, Saturday 10 October is worked.
    assert c101.register_due_on == dt.date(2026, 10, 15)
    assert c101.publish_due_on == dt.date(2026, 10, 9)
    assert c101.payment_term_days == 30
    assert c101.created_by == clerk
    m = list(c101.milestones.order_by("id"))
    assert [(x.kind, x.title, x.amount, x.planned_on) for x in m] == [
        ("delivery", "设备交付", None, dt.date(2026, 11, 2)),
        ("payment", "验收后付款", Decimal("250000.50"), dt.date(2026, 12, 31)),
    ]
    assert (m[1].payment_after_acceptance, m[1].acceptance_period_days) == (True, 15)

    c102 = contracts["HT-2026-102"]
    assert (c102.kind, c102.counterparty_size, c102.signed_on) == ("works", "large", dt.date(2026, 9, 1))
    assert c102.register_due_on == dt.date(2026, 9, 10)
    assert c102.publish_due_on is None
    assert (c102.ends_on, c102.payment_term_days) == (None, None)
    assert c102.counterparty.name == "X市路桥工程集团有限公司"
    assert c102.milestones.count() == 0

    c103 = contracts["HT-2026-103"]
    assert c103.amount == Decimal("1234567.89")
    assert c103.register_due_on == dt.date(2026, 10, 19)
    assert c103.registered_on > c103.register_due_on  # imported late, and shown as late
    assert c103.milestones.get().amount == Decimal("1234567.89")

    registered = AuditLog.objects.filter(
        action="contract.register", object_id__in=[str(c.pk) for c in contracts.values()]
    )
    assert registered.count() == 3
    assert {a.actor for a in registered} == {clerk}
    trail = AuditLog.objects.filter(action="contract.import", object_id=str(imp.pk)).order_by("id")
    assert [(a.from_state, a.to_state) for a in trail] == [("", "queued"), ("importing", "done")]
    assert trail.last().changes["created"] == 3


def test_amounts_dates_and_labels_in_the_forms_excel_produces(run_import, travel, xjtj):
    """Dates as Excel dates, serial numbers or text; amounts as numbers with float noise, or text."""
    travel("2026-10-20")
    imp = run_import(
        xlsx(
            [
                contract_row("A-1", 签订日期=46295, amount=0.1 + 0.2, 合同类型="services"),  # 46295 = 2026-09-30
                contract_row("A-2", 签订日期="2026/09/29", amount="￥88,000.5", 是否政府采购=None),
                contract_row(20260928, 签订日期="2026年9月28日"),
            ]
        )
    )
    assert imp.status == ContractImport.Status.DONE, imp.errors
    got = {c.number: c for c in Contract.objects.filter(agency=xjtj, number__in=["A-1", "A-2", "20260928"])}
    assert (got["A-1"].signed_on, got["A-1"].amount, got["A-1"].kind) == (
        dt.date(2026, 9, 30),
        Decimal("0.30"),
        "services",
    )
    assert (got["A-2"].signed_on, got["A-2"].amount, got["A-2"].procurement) == (
        dt.date(2026, 9, 29),
        Decimal("88000.50"),
        False,
    )
    assert "20260928" in got  # a number typed into a number cell is still the contract number


# --- rejected files: every error, nothing created -----------------------------------------------


def test_one_bad_row_among_good_ones_rejects_the_file_and_names_rows_and_columns(run_import, travel, xjtj):
    travel("2026-10-20")
    before = (
        Contract.objects.count(),
        Milestone.objects.count(),
        Enterprise.objects.count(),
        AuditLog.objects.filter(action="contract.register").count(),
    )
    imp = run_import(
        xlsx(
            [
                contract_row("HT-2026-201"),
                contract_row("HT-2026-202", 相对方统一社会信用代码="91410100AY4CL12THX"),
                contract_row("HT-2026-203", 合同类型="租赁", 相对方统一社会信用代码=USCC_C),
                contract_row("HT-2026-204", 相对方统一社会信用代码=USCC_C),
            ],
            [milestone_row("HT-2026-201"), milestone_row("HT-2026-204")],
        )
    )

    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [("合同", 3, "相对方统一社会信用代码"), ("合同", 4, "合同类型")]
    assert imp.errors[0]["message"] == "91410100AY4CL12THX is not a valid unified social credit code."
    assert imp.errors[1]["message"] == "Choose one of: 货物、工程、服务、招商引资承诺、其他政府承诺、其他."
    assert (imp.total, imp.processed, imp.created_count) == (4, 4, 0)
    # Nothing of the good rows either: no contract, no milestone, no new enterprise, no register audit.
    assert (
        Contract.objects.count(),
        Milestone.objects.count(),
        Enterprise.objects.count(),
        AuditLog.objects.filter(action="contract.register").count(),
    ) == before
    assert AuditLog.objects.filter(action="contract.import", object_id=str(imp.pk), to_state="rejected").count() == 1


def test_every_cell_error_of_a_row_is_reported(run_import, travel):
    travel("2026-10-20")
    imp = run_import(
        xlsx(
            [
                contract_row(
                    "HT-2026-301",
                    合同名称=None,
                    相对方规模="特大型",
                    amount="12.345",
                    签订日期="30/09/2026",
                    term="thirty",
                    是否政府采购="可能",
                ),
                contract_row("HT-2026-302", amount=-5),
            ]
        )
    )
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [
        ("合同", 2, "合同名称"),
        ("合同", 2, "是否政府采购"),
        ("合同", 2, "相对方规模"),
        ("合同", 2, "合同金额（元）"),
        ("合同", 2, "签订日期"),
        ("合同", 2, "约定付款期限（天）"),
        ("合同", 3, "合同金额（元）"),
    ]
    messages = [e["message"] for e in imp.errors]
    assert messages[0] == "This cell is required."
    assert messages[3] == "Enter an amount in yuan with at most two decimals, e.g. 300000.00."
    assert messages[4] == "Enter a date as an Excel date or as YYYY-MM-DD."
    assert messages[6] == "The amount cannot be negative."


def test_domain_rules_come_from_the_register_service(run_import, travel, make_contract):
    """Future signing, term before signing, payment term above the legal ceiling for an SME,
    payment milestones above the amount, a number the agency already registered."""
    existing = make_contract(number="HT-2026-OLD", signed_on="2026-08-03")
    travel("2026-10-20")
    imp = run_import(
        xlsx(
            [
                contract_row("HT-2026-401", 签订日期="2026-10-21"),
                contract_row("HT-2026-402", 履行期限截止日期="2026-09-01"),
                contract_row("HT-2026-403", term=90),
                contract_row("HT-2026-404", amount=100000),
                contract_row(existing.number),
                contract_row("HT-2026-406", 相对方规模="大型", term=90),  # not an SME: no ceiling
            ],
            [
                milestone_row("HT-2026-404", amount=60000),
                milestone_row("HT-2026-404", title="尾款", amount=50000),
                milestone_row("HT-2026-406", kind="交付", title="交付", amount=None, after="是"),
            ],
        )
    )
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [
        ("合同", 2, "签订日期"),
        ("合同", 3, "履行期限截止日期"),
        ("合同", 4, "约定付款期限（天）"),
        ("合同", 5, "合同金额（元）"),
        ("合同", 6, "合同编号"),
        ("节点", 4, "付款以验收为条件"),
    ]
    messages = {(e["row"], e["sheet"]): e["message"] for e in imp.errors}
    assert messages[(2, "合同")] == "The signing date cannot be in the future."
    assert messages[(5, "合同")] == "Payment milestones add up to more than the contract amount."
    assert messages[(6, "合同")] == "Contract HT-2026-OLD is already registered for this agency."
    assert messages[(4, "节点")] == "Only a payment milestone can depend on acceptance."
    assert not Contract.objects.filter(number__startswith="HT-2026-4").exists()


def test_a_contract_number_twice_in_the_file(run_import, travel):
    travel("2026-10-20")
    imp = run_import(
        xlsx([contract_row("HT-2026-501"), contract_row("HT-2026-502"), contract_row("HT-2026-501", 合同名称="重复")])
    )
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [("合同", 4, "合同编号")]
    assert (
        imp.errors[0]["message"] == "Contract number HT-2026-501 appears more than once in this file (first in row 2)."
    )
    assert not Contract.objects.filter(number__startswith="HT-2026-5").exists()


def test_a_milestone_for_a_contract_number_that_is_not_in_the_file(run_import, travel):
    travel("2026-10-20")
    imp = run_import(
        xlsx(
            [contract_row("HT-2026-601")],
            [
                milestone_row("HT-2026-601"),
                milestone_row("HT-2026-699", title="不存在的合同"),
                milestone_row("HT-2026-601", amount=None),
            ],
        )
    )
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [("节点", 3, "合同编号"), ("节点", 4, "金额")]
    assert imp.errors[0]["message"] == "There is no contract numbered HT-2026-699 in the sheet 合同 of this file."
    assert imp.errors[1]["message"] == "A payment milestone needs an amount."
    assert not Contract.objects.filter(number__startswith="HT-2026-6").exists()


def test_a_renamed_or_damaged_sheet_is_a_file_error(run_import, travel):
    travel("2026-10-20")
    headers = [h if h != "签订日期" else "签约日期" for h in CONTRACT_HEADERS]
    imp = run_import(xlsx([contract_row("HT-2026-701")], contract_headers=headers))
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [("合同", 1, "签订日期")]
    assert imp.errors[0]["message"] == "Column 签订日期 is missing from this sheet."
    empty = run_import(xlsx([contract_row("示例-1")]), name="empty.xlsx")
    assert empty.status == ContractImport.Status.REJECTED
    assert [e["message"] for e in empty.errors] == ["The sheet 合同 has no contracts to import."]


def test_a_file_with_too_many_contracts_is_refused_as_a_whole(run_import, travel, monkeypatch):
    travel("2026-10-20")
    monkeypatch.setattr(imports, "MAX_CONTRACTS", 3)
    imp = run_import(xlsx([contract_row(f"M-{i}") for i in range(5)]))
    assert imp.status == ContractImport.Status.REJECTED
    assert [e["message"] for e in imp.errors] == ["The file has more than 3 contracts; split it into several files."]
    assert not Contract.objects.filter(number__startswith="M-").exists()


# --- the task: once, all or nothing --------------------------------------------------------------


def test_the_task_run_twice_imports_once(run_import, travel, xjtj):
    travel("2026-10-20")
    imp = run_import(xlsx(GOOD_CONTRACTS, GOOD_MILESTONES))
    assert imp.status == ContractImport.Status.DONE
    assert contract_import_run(imp.pk) == "skipped"
    assert Contract.objects.filter(agency=xjtj, number__startswith="HT-2026-1").count() == 3
    # A second delivery while the first still runs does nothing either.
    other = contract_import_create(
        agency=xjtj, upload=upload(xlsx([contract_row("HT-2026-801")])), acting_user=imp.uploaded_by
    )
    ContractImport.objects.filter(pk=other.pk).update(status=ContractImport.Status.VALIDATING)
    assert contract_import_run(other.pk) == "skipped"
    assert not Contract.objects.filter(number="HT-2026-801").exists()


def test_an_unexpected_error_while_importing_leaves_nothing_half_written(run_import, travel, monkeypatch):
    travel("2026-10-20")
    real = imports.contract_register
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["data"]["number"])
        if len(calls) == 5:  # validation took 3 calls; the import dies on its second contract
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "contract_register", flaky)
    before = (Contract.objects.count(), Milestone.objects.count())
    imp = run_import(xlsx(GOOD_CONTRACTS, GOOD_MILESTONES))
    assert imp.status == ContractImport.Status.FAILED
    assert imp.errors[0]["message"].startswith(
        "The import stopped because of an unexpected error; nothing was imported."
    )
    assert imp.created_count == 0
    assert (Contract.objects.count(), Milestone.objects.count()) == before
    assert AuditLog.objects.get(action="contract.import", object_id=str(imp.pk), to_state="failed").reason == (
        "RuntimeError: disk full"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_to_other_connections_while_rows_are_checked(travel, monkeypatch):
    """The polling page reads `processed` from its own connection while the worker validates."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    clerk = User.objects.get(username="agency_clerk")
    travel("2026-10-20")
    monkeypatch.setattr(imports, "CHUNK", 2)
    real = imports.contract_register
    seen = []

    def watching(**kwargs):
        def look():
            imp = ContractImport.objects.get(pk=imp_id)
            seen.append((imp.status, imp.processed, Contract.objects.filter(number__startswith="P-").count()))
            connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return real(**kwargs)

    monkeypatch.setattr(imports, "contract_register", watching)
    monkeypatch.setattr(imports, "enqueue", lambda *args: None)  # run by hand below, not at the commit
    imp = contract_import_create(
        agency=clerk.agency, upload=upload(xlsx([contract_row(f"P-{i}") for i in range(6)])), acting_user=clerk
    )
    imp_id = imp.pk
    contract_import_run(imp_id)
    validating = [s for s in seen if s[0] == "validating"]
    assert [p for _status, p, _n in validating] == [0, 0, 2, 2, 4, 4]
    assert all(n == 0 for _s, _p, n in validating)  # rows under validation are never visible
    assert [s[0] for s in seen[6:]] == ["importing"] * 6
    imp.refresh_from_db()
    assert (imp.status, imp.created_count) == ("done", 6)


# --- pages ---------------------------------------------------------------------------------------


def test_template_download_opens_with_openpyxl_and_has_the_sheets_and_headers(client, demo, travel):
    login(client, "agency_clerk")
    response = client.get(reverse("contracts-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["合同", "节点", "说明"]
    assert [c.value for c in wb["合同"][1]] == CONTRACT_HEADERS
    assert [c.value for c in wb["节点"][1]] == MILESTONE_HEADERS
    assert wb["合同"]["A2"].value.startswith("示例")
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb["合同"].data_validations.dataValidation}
    assert lists["C2"] == '"货物,工程,服务,招商引资承诺,其他政府承诺,其他"'
    assert lists["D2"] == '"是,否"'
    assert lists["G2"] == '"微型,小型,中型,大型"'
    assert wb["合同"]["A1"].comment is not None
    notes = [row[1] for row in wb["说明"].iter_rows(values_only=True)]
    assert set(CONTRACT_HEADERS) <= set(notes) and "付款以验收为条件" in notes

    # The template itself, filled in below its example rows, imports.
    travel("2026-10-20")
    wb["合同"].append(contract_row("HT-2026-901"))
    wb["节点"].append(milestone_row("HT-2026-901"))
    buffer = io.BytesIO()
    wb.save(buffer)
    clerk = User.objects.get(username="agency_clerk")
    imp = contract_import_create(agency=clerk.agency, upload=upload(buffer.getvalue()), acting_user=clerk)
    contract_import_run(imp.pk)
    imp.refresh_from_db()
    assert (imp.status, imp.created_count) == ("done", 1), imp.errors
    assert Contract.objects.get(number="HT-2026-901").milestones.count() == 1


def test_upload_page_runs_the_import_and_shows_the_result(client, demo, travel, django_capture_on_commit_callbacks):
    travel("2026-10-20")
    login(client, "agency_clerk")
    page = client.get(reverse("contracts-import"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert reverse("contracts-import-template") in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contracts-import"), {"file": upload(xlsx(GOOD_CONTRACTS, GOOD_MILESTONES))})
    imp = ContractImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts-import-detail", args=[imp.pk])
    imp.refresh_from_db()
    assert (imp.status, imp.created_count, imp.original_name) == ("done", 3, "存量合同.xlsx")
    assert default_storage.exists(imp.file.name)
    assert imp.file.name.startswith("imports/") and "存量合同" not in imp.file.name

    status = client.get(reverse("contracts-import-status", args=[imp.pk])).json()
    assert {k: status[k] for k in ("status", "total", "processed", "created_count", "errors_count")} == {
        "status": "done",
        "total": 3,
        "processed": 3,
        "created_count": 3,
        "errors_count": 0,
    }
    detail = client.get(reverse("contracts-import-detail", args=[imp.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = detail.content.decode()
    assert "<progress" in html
    assert "Every row was correct: 3 contracts were registered." in html
    assert reverse("contracts-list") in html
    assert "import-progress.js" not in html  # nothing to poll any more
    listing = client.get(reverse("contracts-import")).content.decode()
    assert f'id="import-{imp.pk}"' in listing


def test_a_running_import_page_polls_its_status(client, run_import, clerk, xjtj):
    imp = contract_import_create(agency=xjtj, upload=upload(xlsx([contract_row("X-1")])), acting_user=clerk)
    login(client, "agency_clerk")
    html = client.get(reverse("contracts-import-detail", args=[imp.pk])).content.decode()
    assert "js/import-progress.js" in html
    assert f'data-status-url="{reverse("contracts-import-status", args=[imp.pk])}"' in html
    status = client.get(reverse("contracts-import-status", args=[imp.pk]))
    assert status.json()["status"] == "queued"
    assert status["Cache-Control"] == "private, no-store"


def test_a_rejected_import_shows_the_errors_and_offers_the_report(client, run_import, travel):
    travel("2026-10-20")
    imp = run_import(xlsx([contract_row("E-1"), contract_row("E-2", 相对方统一社会信用代码="123")]))
    assert imp.status == "rejected"
    login(client, "agency_clerk")
    html = client.get(reverse("contracts-import-detail", args=[imp.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The file has 1 error. Nothing was imported" in html
    assert "相对方统一社会信用代码" in html and "123 is not a valid unified social credit code." in html
    report = client.get(reverse("contracts-import-errors", args=[imp.pk]))
    assert report.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(report.content))["错误"].iter_rows(values_only=True))
    assert rows == [
        ("工作表", "行号", "字段", "错误"),
        ("合同", 3, "相对方统一社会信用代码", "123 is not a valid unified social credit code."),
    ]


def test_a_file_that_is_not_xlsx_is_refused_and_nothing_is_stored(client, demo):
    login(client, "agency_clerk")
    files_before = default_storage.listdir("imports")[1] if default_storage.exists("imports") else []
    for name, content in [
        ("合同.xlsx", b"%PDF-1.7 not a workbook"),
        ("合同.xlsx", b"PK\x03\x04 a broken zip"),
        ("合同.csv", "合同编号,合同名称\nHT-1,x\n".encode()),
        ("合同.xlsx", b""),
    ]:
        response = client.post(
            reverse("contracts-import"), {"file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400, name
        assert response.context["form"].errors["file"], name
    html = client.post(
        reverse("contracts-import"), {"file": SimpleUploadedFile("合同.xlsx", b"%PDF-1.7")}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "This file is not an Excel workbook (.xlsx) that can be read." in html
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(reverse("contracts-import"), {"file": upload(buffer.getvalue())}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The file has no sheet named 合同." in response.content.decode()
    assert not ContractImport.objects.exists()
    files_after = default_storage.listdir("imports")[1] if default_storage.exists("imports") else []
    assert files_after == files_before


def test_a_file_over_10_mb_is_refused(client, demo, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1000)
    monkeypatch.setattr("contracts.imports.views.MAX_IMPORT_BYTES", 1000)
    login(client, "agency_clerk")
    response = client.post(reverse("contracts-import"), {"file": upload(xlsx([contract_row("BIG-1")] * 50))})
    assert response.status_code == 400
    assert not ContractImport.objects.exists()


def test_the_same_file_is_not_imported_twice(client, run_import, travel, xjtj, clerk):
    travel("2026-10-20")
    content = xlsx([contract_row("D-1")])
    first = run_import(content)
    assert first.status == "done"
    login(client, "agency_clerk")
    response = client.post(reverse("contracts-import"), {"file": upload(content)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert (
        f"This file was already uploaded on 2026-10-20 10:00 (import {first.pk}: imported)" in response.content.decode()
    )
    assert ContractImport.objects.count() == 1
    # A rejected file may come again (e.g. once the conflicting contract is gone); another agency's too.
    bad = xlsx([contract_row("D-2", 合同类型="租赁")])
    assert run_import(bad).status == "rejected"
    assert contract_import_create(agency=xjtj, upload=upload(bad), acting_user=clerk).status == "queued"
    other = User.objects.get(username="agency_clerk2")
    assert contract_import_create(agency=other.agency, upload=upload(content), acting_user=other).status == "queued"


def test_another_agencys_clerk_sees_nothing_of_an_import(client, run_import, travel):
    travel("2026-10-20")
    imp = run_import(xlsx([contract_row("S-1"), contract_row("S-2", 合同类型="租赁")]))
    login(client, "agency_clerk2")
    for name in ("contracts-import-detail", "contracts-import-status", "contracts-import-errors"):
        assert client.get(reverse(name, args=[imp.pk])).status_code == 404, name
    assert f'id="import-{imp.pk}"' not in client.get(reverse("contracts-import")).content.decode()
    client.logout()
    login(client, "enterprise_user")
    assert client.get(reverse("contracts-import-detail", args=[imp.pk])).status_code == 404
    client.logout()
    login(client, "supervisor")
    assert client.get(reverse("contracts-import-detail", args=[imp.pk])).status_code == 200
    assert client.get(reverse("contracts-import-errors", args=[imp.pk])).status_code == 200
    client.logout()
    login(client, "agency_head")  # same agency, may look, may not upload
    assert client.get(reverse("contracts-import-detail", args=[imp.pk])).status_code == 200


@pytest.mark.parametrize("username", ["enterprise_user", "agency_head", "supervisor"])
def test_only_an_agency_clerk_uploads(client, demo, username):
    login(client, username)
    assert client.get(reverse("contracts-import")).status_code == 403
    response = client.post(reverse("contracts-import"), {"file": upload(xlsx([contract_row("F-1")]))})
    assert response.status_code == 403
    assert not ContractImport.objects.exists()


def test_an_enterprise_user_cannot_download_the_template(client, demo):
    login(client, "enterprise_user")
    assert client.get(reverse("contracts-import-template")).status_code == 403
    client.logout()
    assert client.get(reverse("contracts-import-template")).status_code == 302  # to the login page


def test_a_row_with_bad_cells_still_gets_the_legal_checks_in_the_same_round(run_import, travel):
    """The 60-day ceiling and the end-before-signing check are not held back until the other cells are fixed."""
    travel("2026-10-20")
    imp = run_import(
        xlsx(
            [
                contract_row("HT-2026-501", 合同名称=None, term=90),
                contract_row(
                    "HT-2026-502", 相对方统一社会信用代码="not-a-code", 履行期限截止日期="2026-09-01", term=61
                ),
                contract_row("HT-2026-503", 签订日期="30/09/2026", term=90),  # no signing date: no ceiling to check
            ]
        )
    )
    assert imp.status == ContractImport.Status.REJECTED
    assert errors_of(imp) == [
        ("合同", 2, "合同名称"),
        ("合同", 2, "约定付款期限（天）"),
        ("合同", 3, "相对方统一社会信用代码"),
        ("合同", 3, "履行期限截止日期"),
        ("合同", 3, "约定付款期限（天）"),
        ("合同", 4, "签订日期"),
    ]
    ceiling = [e["message"] for e in imp.errors if e["field"] == "约定付款期限（天）"]
    assert all("60" in m for m in ceiling), ceiling
