import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from contracts.models import EvaluationWeights
from workflow.models import User

pytestmark = pytest.mark.django_db


def login(name):
    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


def test_ranking_page_and_exports(q3):
    sup = login("supervisor")
    page = sup.get("/staff/contracts/evaluation/?period=2026Q3").content.decode()
    assert 'id="agency-XJTJ"' in page and "48.89" in page
    text = sup.get("/staff/contracts/evaluation/export.csv?period=2026Q3").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    xjtj = next(r for r in rows if r[1] == "XJTJ")
    assert (xjtj[0], xjtj[3]) == ("1", "48.89")
    assert xjtj[-2:] == ["1", "20000.00"]
    wb = load_workbook(io.BytesIO(sup.get("/staff/contracts/evaluation/export.xlsx?period=2026Q3").content))
    assert wb.active.title == "2026Q3" and any(row[1] == "XJTJ" for row in wb.active.iter_rows(values_only=True))


def test_agencies_see_their_own_rows_only(q3):
    page = login("agency_clerk2").get("/staff/contracts/evaluation/?period=2026Q3").content.decode()
    assert 'id="agency-XJYJ"' in page and 'id="agency-XJTJ"' not in page
    assert login("enterprise_user").get("/staff/contracts/evaluation/").status_code == 403


def test_pdf_report_is_issued_once_and_reads_right(q3):
    from workflow.models import Agency

    sup = login("supervisor")
    xjtj = Agency.objects.get(code="XJTJ")
    r = sup.get(f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3")
    assert r.status_code == 302
    pdf = sup.get(r.url)
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    text = text.replace("\n", "")
    assert "政务诚信评价报告" in text and "48.89" in text and "贰万元整" in text
    again = sup.get(f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3")
    assert again.url == r.url  # the same document, not a second one
    assert login("agency_clerk2").get(f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3").status_code == 404


def test_weights_page_for_supervisors_only(q3):
    assert login("agency_clerk").get("/staff/contracts/evaluation/weights/").status_code == 403
    sup = login("supervisor")
    data = dict.fromkeys(EvaluationWeights.INDICATORS, 0) | {"on_time_payment_rate": 1, "reason": ""}
    r = sup.post("/staff/contracts/evaluation/weights/", data)
    assert r.status_code == 200 and EvaluationWeights.objects.count() == 1
    data["reason"] = "只看按时付款率"
    assert sup.post("/staff/contracts/evaluation/weights/", data).status_code == 302
    assert EvaluationWeights.objects.count() == 2
    page = sup.get("/staff/contracts/evaluation/?period=2026Q3").content.decode()
    assert "50.0" in page


def test_overdue_report_page(q3):
    page = login("supervisor").get("/staff/contracts/evaluation/overdue/2025/").content.decode()
    assert 'id="overdue-report"' in page and "2026-03-31" in page
