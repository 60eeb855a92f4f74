"""Documents: numbering, issuing once, rendering (few real renders), failure and retry."""

import datetime as dt
import hashlib
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from pypdf import PdfReader

from workflow.documents import (
    VERIFICATION_ALPHABET,
    document_issue,
    document_number_next,
    documents_render_pending,
)
from workflow.errors import ValidationFailed
from workflow.management.commands.render_sample import TITLE
from workflow.models import Agency, AuditLog, Document
from workflow.signing import pdf_signature_check

SAMPLE = "documents/sample_notice.html"


@pytest.fixture
def issuer(db):
    return Agency.objects.create(code="XFGW", name="X市发展和改革委员会", kind="government", doc_prefix="X发改")


@pytest.fixture
def other_issuer(db):
    return Agency.objects.create(code="XCZJ", name="X市财政局", kind="government", doc_prefix="X财")


_case_counter = iter(range(1, 10_000))


def new_case(name: str = "案件单位") -> Agency:
    """Any saved model can be a document's case; an Agency is at hand."""
    n = next(_case_counter)
    return Agency.objects.create(code=f"CASE{n}", name=f"{name}{n}", kind="government")


def issue(case, *, issuer=None, series="信修", doc_type="notice", context=None, **kwargs) -> Document:
    return document_issue(
        case=case,
        doc_type=doc_type,
        title=kwargs.pop("title", "关于督促履行合同付款义务的通知"),
        template=kwargs.pop("template", SAMPLE),
        context=context if context is not None else {"budget": "550.00"},
        issuer=issuer,
        series=series,
        **kwargs,
    )


# -- numbering -----------------------------------------------------------------------------


def test_numbers_are_sequential_per_issuer_series_and_year(issuer, other_issuer, travel):
    travel("2026-11-21")
    docs = [issue(new_case(), issuer=issuer) for _ in range(3)]
    assert [d.number for d in docs] == [1, 2, 3]
    assert docs[2].doc_number == "X发改信修〔2026〕3号"
    assert docs[0].issued_on == dt.date(2026, 11, 21) and docs[0].year == 2026

    assert issue(new_case(), issuer=other_issuer).doc_number == "X财信修〔2026〕1号"
    assert issue(new_case(), issuer=issuer, series="信复").doc_number == "X发改信复〔2026〕1号"

    travel("2027-01-04")
    next_year = issue(new_case(), issuer=issuer)
    assert (next_year.number, next_year.doc_number) == (1, "X发改信修〔2027〕1号")


def test_a_rolled_back_issue_leaves_no_gap(issuer, travel):
    travel("2026-11-21")
    assert issue(new_case(), issuer=issuer).number == 1
    with pytest.raises(RuntimeError, match="same act failed"), transaction.atomic():
        assert issue(new_case(), issuer=issuer).number == 2
        raise RuntimeError("a later step of the same act failed")
    assert issue(new_case(), issuer=issuer).number == 2
    assert Document.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_number_next_refuses_to_run_outside_a_transaction():
    issuer = Agency.objects.create(code="XFGW", name="X市发展和改革委员会", kind="government", doc_prefix="X发改")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        document_number_next(issuer=issuer, series="信修", year=2026)


# -- issuing -------------------------------------------------------------------------------


def test_issue_freezes_context_and_records_audit(issuer, travel, django_capture_on_commit_callbacks):
    travel("2026-11-21")
    with django_capture_on_commit_callbacks() as callbacks:
        doc = issue(
            new_case(),
            issuer=issuer,
            context={"budget": Decimal("100000.00"), "due": dt.date(2026, 12, 31), "items": [{"n": 1}]},
        )
    assert len(callbacks) == 1  # the render task, queued on commit
    doc.refresh_from_db()
    assert doc.context == {"budget": "100000.00", "due": "2026-12-31", "items": [{"n": 1}]}
    assert doc.status == Document.Status.PENDING
    assert len(doc.verification_code) == 16 and set(doc.verification_code) <= set(VERIFICATION_ALPHABET)
    assert not set("0O1I") & set(doc.verification_code)
    entry = AuditLog.objects.get(action="document.issued", object_id=str(doc.pk))
    assert entry.changes["doc_number"] == doc.doc_number


def test_issue_without_series_has_no_number(issuer):
    doc = issue(new_case(), issuer=issuer, series="")
    assert (doc.number, doc.doc_number) == (None, "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"context": {"when": object()}}, "context"),
        ({"template": "documents/no_such_template.html"}, "template"),
        ({"title": ""}, "title"),
    ],
)
def test_issue_validates(issuer, kwargs, field):
    with pytest.raises(ValidationFailed) as excinfo:
        issue(new_case(), issuer=issuer, **kwargs)
    assert excinfo.value.field == field
    assert not Document.objects.exists()


def test_series_needs_an_issuer_with_a_prefix(db):
    with pytest.raises(ValidationFailed):
        issue(new_case(), issuer=None, series="信修")
    with pytest.raises(ValidationFailed, match="prefix"):
        issue(new_case(), issuer=new_case(), series="信修")


# -- rendering (real WeasyPrint runs: keep these few) ------------------------------------------


def _font_descriptors(reader: PdfReader):
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                yield font["/BaseFont"], descendant.get_object()["/FontDescriptor"].get_object()


def test_render_sample_command(issuer, tmp_path, travel):
    travel("2026-11-21")
    out = tmp_path / "sample.pdf"
    stdout = io.StringIO()
    call_command("render_sample", out=str(out), repeat=0, stdout=stdout)

    doc = Document.objects.get(doc_type="sample_notice")
    assert doc.status == Document.Status.RENDERED
    assert doc.doc_number == "X发改信用〔2026〕1号"
    stored = doc.file.read()
    assert doc.size_bytes == len(stored) > 0
    assert doc.sha256 == hashlib.sha256(stored).hexdigest()
    assert out.read_bytes() == stored
    # Signed by the issuer's key right after rendering; the stored hash is of the signed bytes.
    assert (doc.signature_method, doc.signed_by) == ("PAdES", "X市发展和改革委员会")
    assert doc.signed_at is not None
    assert pdf_signature_check(stored).status == "valid"
    assert doc.sha256 in stdout.getvalue() and doc.doc_number in stdout.getvalue()

    reader = PdfReader(io.BytesIO(stored))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert TITLE in text
    assert "人民币壹拾万元整（¥100,000.00）" in text
    assert "X发改信用〔2026〕1号" in text
    assert "2026年11月21日" in text
    assert doc.verification_code[:4] in text
    descriptors = list(_font_descriptors(reader))
    assert descriptors
    for name, descriptor in descriptors:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), f"{name} is not embedded"

    # A second run returns the same document and does not regenerate it.
    call_command("render_sample", out=str(out), repeat=0, stdout=io.StringIO())
    assert Document.objects.filter(doc_type="sample_notice").count() == 1
    assert Document.objects.get(pk=doc.pk).sha256 == doc.sha256


def test_issuing_twice_returns_the_same_document_and_renders_once(issuer, travel, django_capture_on_commit_callbacks):
    travel("2026-11-21")
    case = new_case()
    with django_capture_on_commit_callbacks(execute=True):
        first = issue(case, issuer=issuer, title="第一次")
    first.refresh_from_db()
    assert first.status == Document.Status.RENDERED and first.attempts == 1

    travel("2026-11-25")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = issue(case, issuer=issuer, title="第二次", context={"budget": "1.00"})
    assert callbacks == []
    again.refresh_from_db()
    assert again.pk == first.pk
    assert (again.title, again.number, again.issued_on) == ("第一次", 1, dt.date(2026, 11, 21))
    assert (again.sha256, again.rendered_at, again.file.name) == (first.sha256, first.rendered_at, first.file.name)
    assert AuditLog.objects.filter(action="document.rendered", object_id=str(first.pk)).count() == 1

    # Running the task again (a q2 redelivery, or the sweep) changes nothing either.
    assert documents_render_pending() == {}
    from workflow.documents import document_render

    assert document_render(first.pk) == Document.Status.RENDERED
    again.refresh_from_db()
    assert (again.sha256, again.attempts) == (first.sha256, 1)


def test_a_failed_render_is_recorded_and_retried(issuer, monkeypatch, django_capture_on_commit_callbacks):
    import weasyprint

    def broken(self, *args, **kwargs):
        raise OSError("font cache unavailable")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)  # the layout step (workflow.pdf_layout)
    with django_capture_on_commit_callbacks(execute=True):
        doc = issue(new_case(), issuer=issuer)
    doc.refresh_from_db()
    assert doc.status == Document.Status.FAILED
    assert doc.attempts == 1
    assert "font cache unavailable" in doc.last_error
    assert not doc.file and not doc.sha256
    assert AuditLog.objects.filter(action="document.render_failed", object_id=str(doc.pk)).exists()

    monkeypatch.undo()
    assert documents_render_pending() == {Document.Status.RENDERED: 1}
    doc.refresh_from_db()
    assert doc.status == Document.Status.RENDERED
    assert (doc.attempts, doc.last_error) == (2, "")
    assert doc.sha256 == hashlib.sha256(doc.file.read()).hexdigest()


# -- concurrency (PostgreSQL) ----------------------------------------------------------------


def _run_at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # reported by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_get_distinct_gap_free_numbers(monkeypatch, travel):
    travel("2026-11-21")
    monkeypatch.setattr("workflow.jobs.enqueue", lambda *args, **kwargs: None)  # no renders here
    issuer = Agency.objects.create(code="XFGW", name="X市发展和改革委员会", kind="government", doc_prefix="X发改")
    cases = [new_case() for _ in range(8)]

    results = _run_at_once(8, lambda i: issue(cases[i], issuer=issuer).number)

    assert sorted(results) == list(range(1, 9)), results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_for_one_case_make_one_document(monkeypatch, travel):
    travel("2026-11-21")
    monkeypatch.setattr("workflow.jobs.enqueue", lambda *args, **kwargs: None)
    issuer = Agency.objects.create(code="XFGW", name="X市发展和改革委员会", kind="government", doc_prefix="X发改")
    case = new_case()

    results = _run_at_once(4, lambda i: issue(case, issuer=issuer).pk)

    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert Document.objects.count() == 1
    # The losers gave their numbers back: the next document is number 2.
    assert issue(new_case(), issuer=issuer).number == 2
