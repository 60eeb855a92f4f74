"""workflow.uploads: size caps, type by content, SHA-256, the streaming cap and the stored-file model."""

import hashlib
import io

import pytest
from django import forms
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, models
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import isolate_apps
from django.utils import translation

from workflow.errors import ValidationFailed
from workflow.uploads import (
    MAX_EVIDENCE_BYTES,
    MAX_FILE_BYTES,
    CappedUploadHandler,
    MultipleFileField,
    OversizedUpload,
    StoredFile,
    cap_uploads,
    capped_uploads,
    sha256_of,
    stored_file_response,
    upload_check,
    uploads_check,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # the claimed type is ignored


def refusal(check, *args, **kwargs) -> ValidationFailed:
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        check(*args, **kwargs)
    return caught.value


# --- caps ---------------------------------------------------------------------------------------------


def test_a_document_over_the_cap_is_refused_with_its_message_and_code():
    exc = refusal(upload_check, OversizedUpload("big.pdf", MAX_FILE_BYTES + 1, "application/pdf"), field="scan")
    assert (exc.message, exc.code, exc.field) == ("The file is larger than 20 MB.", "too_large", "scan")
    exc = refusal(upload_check, upload("big.pdf", PDF + b"\x00" * 100), field="scan", max_bytes=100)
    assert (exc.message, exc.code) == ("The file is larger than 20 MB.", "too_large")
    # Exactly at the cap is fine; the message is translated (the msgid is the one in the catalogue).
    assert upload_check(upload("exact.pdf", PDF + b"\x00" * (100 - len(PDF))), field="scan", max_bytes=100)
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        upload_check(upload("big.pdf", PDF + b"\x00" * 100), field="scan", max_bytes=100)
    assert caught.value.message == "文件超过 20 MB。"


def test_evidence_over_the_cap_or_too_many_files_is_refused():
    exc = refusal(uploads_check, [OversizedUpload("扫描件.pdf", MAX_EVIDENCE_BYTES + 1, None)], field="evidence")
    assert (exc.message, exc.code, exc.field) == ("扫描件.pdf is larger than 10 MB.", "too_large", "evidence")
    exc = refusal(uploads_check, [upload("a.pdf", PDF), upload("b.pdf", PDF)], field="evidence", max_files=1)
    assert (exc.message, exc.code) == ("At most 1 files.", "too_many_files")
    assert len(uploads_check([upload("a.pdf", PDF)] * 2, field="evidence", max_bytes=len(PDF), max_files=2)) == 2


# --- types by content -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("setup.pdf", EXE),  # a program named .pdf
        ("notes.png", b"just some text, not an image"),
        ("scan.pdf", PNG),  # a real PNG, but named .pdf
        ("scan.png", b"\x89PNX\r\n\x1a\n" + b"\x00" * 32),  # almost the magic number
        ("page.html", b"<html><script>alert(1)</script>"),
    ],
)
def test_a_document_whose_bytes_are_not_its_type_is_refused(name, content):
    exc = refusal(upload_check, upload(name, content), field="scan")
    assert exc.message == "Only PDF, JPG or PNG files are accepted, and the file's content must match its name."
    assert (exc.code, exc.field) == ("bad_type", "scan")


def test_an_empty_document_is_refused():
    exc = refusal(upload_check, upload("empty.pdf", b""), field="scan")
    assert (exc.message, exc.code) == ("The file is empty.", "empty")


@pytest.mark.parametrize("name, content", [("setup.pdf", EXE), ("notes.png", b"plain text"), ("empty.pdf", b"")])
def test_evidence_whose_bytes_are_not_a_pdf_or_image_is_refused(name, content):
    exc = refusal(uploads_check, [upload("ok.pdf", PDF), upload(name, content)], field="proofs")
    assert (exc.message, exc.code, exc.field) == (
        f"{name} is not a PDF, JPG or PNG file, or its content does not match its name.",
        "bad_type",
        "proofs",
    )


@pytest.mark.parametrize(
    "name, content, content_type",
    [("scan.pdf", PDF, "application/pdf"), ("scan.PNG", PNG, "image/png"), ("scan.jpeg", JPEG, "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_accepted_with_their_hash(name, content, content_type):
    for checked in (
        upload_check(upload(name, content), field="scan"),
        *uploads_check([upload(name, content)], field="e"),
    ):
        assert (checked.content_type, checked.size) == (content_type, len(content))
        assert checked.sha256 == hashlib.sha256(content).hexdigest()
        assert checked.upload.read() == content  # left at its start for storage


def test_sha256_of_reads_the_whole_file_in_chunks():
    content = PDF + bytes(range(256)) * 1000
    big = SimpleUploadedFile("big.pdf", content)
    big.DEFAULT_CHUNK_SIZE = 4096
    assert sha256_of(big) == hashlib.sha256(content).hexdigest()
    assert sha256_of(io.BytesIO(content)) == hashlib.sha256(content).hexdigest()


def test_the_multiple_file_field_cleans_to_a_list():
    a, b = upload("a.pdf", PDF), upload("b.png", PNG)
    assert MultipleFileField().clean([a, None, b]) == [a, b]
    assert MultipleFileField().clean(a) == [a] and MultipleFileField().clean([]) == []
    with translation.override("en"), pytest.raises(forms.ValidationError) as caught:
        MultipleFileField(required=True).clean([])
    assert caught.value.code == "required"
    assert 'accept="application/pdf,image/png,image/jpeg' in MultipleFileField().widget.render("f", None)


# --- the streaming cap ------------------------------------------------------------------------------------


class Recorder(FileUploadHandler):
    """Stands for the handlers that keep a file (memory, temporary file): records what reaches them."""

    def __init__(self, request=None):
        super().__init__(request)
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        self.kept += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return SimpleUploadedFile(self.file_name, b"x" * file_size)


class CountingInput(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def post_file(content: bytes, name="big.pdf"):
    """A multipart POST of `content` whose body is read through a CountingInput, kept by a Recorder."""
    body = encode_multipart(BOUNDARY, {"note": "hello", "file": SimpleUploadedFile(name, content)})
    stream = CountingInput(body)
    request = WSGIRequest(
        RequestFactory()._base_environ(
            PATH_INFO="/upload",
            REQUEST_METHOD="POST",
            CONTENT_TYPE=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(len(body)),
            **{"wsgi.input": stream},
        )
    )
    request.upload_handlers = [Recorder(request)]
    return request, stream, len(body)


def test_the_cap_drops_what_streams_in_past_it_and_leaves_an_empty_stand_in():
    content = PDF + b"\x00" * 300_000
    request, _stream, _size = post_file(content)
    handler = cap_uploads(request, 1000)
    recorder = request.upload_handlers[1]
    cut = request.FILES["file"]
    assert isinstance(cut, OversizedUpload) and cut.size == len(content) and cut.read() == b""
    assert handler.exceeded and recorder.kept <= 1000  # nothing past the cap reached memory or disk
    assert request.POST["note"] == "hello"
    assert refusal(upload_check, cut, field="file", max_bytes=1000).code == "too_large"


def test_the_cap_lets_a_file_within_it_through():
    request, _stream, _size = post_file(PDF)
    handler = cap_uploads(request, len(PDF))
    assert request.FILES["file"].read() == b"x" * len(PDF) and not handler.exceeded
    assert request.upload_handlers[1].kept == len(PDF)


def test_the_stopping_cap_stops_reading_the_body():
    request, stream, size = post_file(PDF + b"\x00" * 2_000_000)
    handler = cap_uploads(request, 100_000, stop=True)
    assert "file" not in request.FILES and handler.exceeded
    assert stream.consumed < size // 2  # the rest of the body was never read
    assert request.upload_handlers[1].kept <= 100_000


def test_the_view_decorator_caps_before_the_csrf_check(settings):
    seen = {}

    @capped_uploads(lambda: settings.UPLOAD_TEST_CAP)  # read at request time
    def view(request):
        seen["file"] = request.FILES["file"]
        return HttpResponse("ok")

    settings.UPLOAD_TEST_CAP = 1000
    assert view(post_file(PDF + b"\x00" * 5000)[0]).status_code == 403  # no CSRF token: still refused
    request = post_file(PDF + b"\x00" * 5000)[0]
    request._dont_enforce_csrf_checks = True
    assert view(request).status_code == 200
    assert type(seen["file"]) is OversizedUpload and view.__name__ == "view"
    settings.UPLOAD_TEST_CAP = 10_000
    request = post_file(PDF + b"\x00" * 5000)[0]
    request._dont_enforce_csrf_checks = True
    view(request)
    assert type(seen["file"]) is not OversizedUpload


def test_a_capped_handler_is_independent_per_file():
    handler = CappedUploadHandler(max_bytes=10)
    handler.new_file("file", "a.pdf", "application/pdf", 20)
    assert handler.receive_data_chunk(b"x" * 8, 0) == b"x" * 8
    assert handler.receive_data_chunk(b"x" * 8, 8) is None
    assert isinstance(handler.file_complete(16), OversizedUpload)
    handler.new_file("file", "b.pdf", "application/pdf", 5)
    assert handler.receive_data_chunk(b"x" * 5, 0) == b"x" * 5 and handler.file_complete(5) is None


# --- the stored-file model ---------------------------------------------------------------------------------


@pytest.fixture
def scan_model(transactional_db):
    """A concrete StoredFile of the tests' own, with its table."""
    with isolate_apps("workflow"):

        class Scan(StoredFile):
            file = models.FileField(upload_to="test-scans/")
            case = models.CharField(max_length=20)

            class Meta:
                app_label = "workflow"

        with connection.schema_editor() as editor:
            editor.create_model(Scan)
        try:
            yield Scan
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Scan)


def test_store_keeps_the_file_under_a_random_name_with_its_hash(scan_model):
    checked = upload_check(upload("签字版 scan.pdf", PDF), field="scan")
    stored = scan_model.store(checked, case="C-1")
    stored.refresh_from_db()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.original_name, stored.content_type, stored.size_bytes, stored.case) == (
        "签字版 scan.pdf",
        "application/pdf",
        len(PDF),
        "C-1",
    )
    assert stored.file.name.startswith("test-scans/") and stored.file.name.endswith(".pdf")
    assert "scan" not in stored.file.name.removeprefix("test-scans/") and stored.uploaded_at is not None
    with stored.file.open("rb") as f:
        assert f.read() == PDF
    response = stored_file_response(stored)
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_store_removes_the_file_when_what_follows_fails(scan_model):
    checked = uploads_check([upload("photo.png", PNG)], field="evidence")[0]

    def audit(stored):
        raise RuntimeError("audit failed")

    before = set(default_storage.listdir("test-scans")[1]) if default_storage.exists("test-scans") else set()
    with pytest.raises(RuntimeError):
        scan_model.store(checked, case="C-2", on_saved=audit)
    after = set(default_storage.listdir("test-scans")[1]) if default_storage.exists("test-scans") else set()
    assert after == before


# --- the total cap of a request ---------------------------------------------------------------------


def test_the_total_cap_stops_reading_when_the_files_together_pass_it():
    from django.core.files.uploadhandler import StopUpload

    from workflow.uploads import CappedUploadHandler

    handler = CappedUploadHandler(max_bytes=100, max_total=150)
    handler.handle_raw_input(None, {}, 10_000, b"x")  # Content-Length could be anything: count what streams
    handler.body_length = 0
    handler.new_file("proofs", "a.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 80, 0) == b"x" * 80
    handler.new_file("proofs", "b.pdf", "application/pdf", None)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 80, 0)
    assert handler.total_exceeded and handler.total_received == 160


def test_a_body_that_claims_more_than_the_total_is_refused_before_a_file_byte_is_read():
    from django.core.files.uploadhandler import StopUpload

    from workflow.uploads import FORM_SLACK, CappedUploadHandler

    handler = CappedUploadHandler(max_bytes=100, max_total=1000)
    handler.handle_raw_input(None, {}, 1000 + FORM_SLACK + 1, b"x")
    with pytest.raises(StopUpload):
        handler.new_file("proofs", "a.pdf", "application/pdf", None)
    assert handler.total_exceeded and handler.total_received == 0


def test_uploads_check_wants_the_extension_to_match_the_content_and_counts_what_a_case_holds():
    pdf = b"%PDF-1.7 x"
    exc = refusal(uploads_check, [upload("收据.png", pdf)], field="proofs")
    assert exc.code == "bad_type"
    assert uploads_check([upload("收据.PDF", pdf)], field="proofs")[0].content_type == "application/pdf"
    exc = refusal(uploads_check, [upload("a.pdf", pdf)], field="proofs", max_files=2, held=(2, 0))
    assert (exc.code, exc.message) == ("too_many_files", "At most 2 files in all; 2 are already attached.")
    exc = refusal(uploads_check, [upload("a.pdf", pdf)], field="proofs", max_total_bytes=20, held=(1, 15))
    assert (exc.code, exc.message) == ("total_too_large", "The files together may be at most 0.1 KB.")
