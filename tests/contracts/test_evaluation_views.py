import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from contracts.models import EvaluationWeights
from workflow.models import Document, User

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


def report_documents():
    from workflow.models import Document

    return Document.objects.filter(doc_type="evaluation_report:2026Q3")


def csrf_token_of(page) -> str:
    return page.context["csrf_token"]


def test_opening_the_report_issues_nothing_a_supervisor_issues_it_by_post(q3):
    """A GET (a link, an image, a clerk opening it first) never issues an official document."""
    from workflow.documents import document_render
    from workflow.models import Agency, AuditLog

    xjtj = Agency.objects.get(code="XJTJ")
    url = f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3"
    clerk = login("agency_clerk")  # 交通运输局's own clerk sees the row, may not issue
    page = clerk.get(url)
    assert page.status_code == 200 and 'data-status="none"' in page.content.decode()
    assert 'id="issue-report"' not in page.content.decode()
    assert clerk.post(url).status_code == 403
    sup = Client(enforce_csrf_checks=True)
    sup.force_login(User.objects.get(username="supervisor"))
    page = sup.get(url)
    assert 'id="issue-report"' in page.content.decode()
    assert sup.post(url).status_code == 403  # no CSRF token: refused
    assert report_documents().count() == 0

    issued = sup.post(url, {"csrfmiddlewaretoken": csrf_token_of(page)})
    assert issued.status_code == 302 and issued.url == url
    document = report_documents().get()
    assert document.issuer.code == "XFGW" and document.status == "pending" and not document.file
    assert AuditLog.objects.filter(action="document.issued", object_id=str(document.pk)).count() == 1
    pending = sup.get(url).content.decode()
    assert 'data-status="pending"' in pending and "生成中" in pending and 'http-equiv="refresh"' in pending
    assert "/download" not in pending  # no link to a file that is not there
    waiting = sup.get(f"/documents/{document.pk}/download")
    assert waiting.status_code == 202 and "生成中" in waiting.content.decode()

    assert document_render(document.pk) == "rendered"  # the q2 task
    ready = sup.get(url).content.decode()
    assert 'data-status="rendered"' in ready and f"/documents/{document.pk}/download" in ready
    pdf = sup.get(f"/documents/{document.pk}/download")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    text = text.replace("\n", "")
    assert "政务诚信评价报告" in text and "48.89" in text and "贰万元整" in text
    # A numbered act of the credit office (X发改 + series 评价), printed under the masthead.
    document.refresh_from_db()
    assert document.doc_number == "X发改评价〔2026〕1号" and "X发改评价〔2026〕1号" in text
    again = sup.post(url, {"csrfmiddlewaretoken": csrf_token_of(page)})
    assert again.status_code == 302 and report_documents().count() == 1  # the same document, not a second one
    assert f"/documents/{document.pk}/download" in clerk.get(url).content.decode()
    assert login("agency_clerk2").get(url).status_code == 404


def test_a_report_is_issued_only_for_a_period_that_has_ended(q3, travel):
    """The report speaks of 期末: November's report can be issued from 1 December, not on 30 November."""
    from workflow.models import Agency

    xjtj = Agency.objects.get(code="XJTJ")
    url = f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026-11"
    sup = login("supervisor")
    travel("2026-11-30")
    page = sup.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="period-open"' in page and 'id="issue-report"' not in page
    assert "The period has not ended yet (it ends on 2026-11-30)" in page
    refused = sup.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    assert "An evaluation report is issued only for a period that has ended: 2026-11 ends on 2026-11-30." in (
        refused.content.decode()
    )
    assert not Document.objects.filter(doc_type__startswith="evaluation_report:").exists()
    zh = sup.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "评价报告只能在评价期结束后出具" in zh

    travel("2026-12-01")
    assert 'id="issue-report"' in sup.get(url).content.decode()
    issued = sup.post(url)
    assert issued.status_code == 302
    document = Document.objects.get(doc_type="evaluation_report:2026-11")
    assert (document.issued_on.isoformat(), document.doc_number) == ("2026-12-01", "X发改评价〔2026〕1号")


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
