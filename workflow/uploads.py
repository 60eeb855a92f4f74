"""Uploaded files, one mechanism for every app: size caps, type by content, SHA-256, storage, serving.

- Caps: `CappedUploadHandler` (installed before the body is parsed, by `cap_uploads` or the view
  decorator `capped_uploads`) keeps at most `max_bytes` of each file as it streams in; a bigger file
  arrives as an empty `OversizedUpload` with its real size, which the checks below refuse by size.
  With `stop=True` it aborts the upload instead and reading of the body stops. With `max_total` it
  also aborts once all files of the request together (or the Content-Length it claims) pass that
  many bytes: `upload_cap_exceeded(request)` then says so and the answer is a 413 (`PayloadTooLarge`).
- Types: only PDF, JPEG and PNG, recognised by their first bytes (magic numbers); the client's
  Content-Type is ignored. `upload_check` (one document, e.g. a signed contract scan) also wants a
  matching file extension; `uploads_check` checks several evidence or proof files the same way, their
  count and their total size (with the files a case already holds, for a per-case cap).
- Both checks read each file once, computing its SHA-256 while reading (`CheckedUpload`).
- Forms take several files in a `MultipleFileField`; `ACCEPT` is what the browser should offer.
- `StoredFile` is the abstract model of a stored upload (name, type, size, hash, time); its
  `store` writes a checked upload under a random name, so nothing the uploader chose ends up in a
  path. `stored_file_response` serves it as a download that browsers neither guess nor cache.

This module is generic: the apps bring their own models, fields, limits and permission checks.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from workflow import clock
from workflow.errors import DomainError, ValidationFailed

MAX_FILE_BYTES = 20 * 1024 * 1024  # one document: a signed contract scan, a PDF to verify
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # each of several evidence or proof files

# (content type, magic bytes at offset 0, file extensions accepted for it)
ALLOWED_TYPES = (
    ("application/pdf", b"%PDF-", (".pdf",)),
    ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
    ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
)
EXTENSION_OF = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"  # for <input type=file accept=…>
HEAD_BYTES = 16  # enough for every magic number above
FORM_SLACK = 64 * 1024  # the form fields and multipart headers around the files of a request


class PayloadTooLarge(DomainError):
    """The files of a request together are over its limit (413); nothing of them was kept."""

    http_status = 413


def _extension_matches(name: str | None, content_type: str | None) -> bool:
    extensions = next((ext for ct, _magic, ext in ALLOWED_TYPES if ct == content_type), ())
    return bool(extensions) and (name or "").lower().endswith(extensions)


def size_text(size: int) -> str:
    """A limit as the messages state it: "10 MB", "1.5 MB", "200 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(size / 1024, 0.1):.1f}".removesuffix(".0") + " KB"


def sniff_content_type(head: bytes) -> str | None:
    """The content type that the first bytes of a file prove, or None."""
    for content_type, magic, _extensions in ALLOWED_TYPES:
        if head.startswith(magic):
            return content_type
    return None


def sha256_of(fileobj) -> str:
    """SHA-256 of an uploaded or stored file, read in chunks from its start; left at its start."""
    return _read(fileobj)[0]


def _read(fileobj) -> tuple[str, bytes, int]:
    """(SHA-256, first bytes, size) of a file, in one pass."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    if hasattr(fileobj, "chunks"):
        chunks = fileobj.chunks()  # from the start
    else:
        fileobj.seek(0)
        chunks = iter(lambda: fileobj.read(1 << 16), b"")
    for chunk in chunks:
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), head, size


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed a check: its real content type, SHA-256 and size in bytes."""

    upload: UploadedFile
    content_type: str
    sha256: str
    size: int


def upload_check(upload, *, field: str, max_bytes: int = MAX_FILE_BYTES) -> CheckedUpload:
    """Check one document: not empty, at most `max_bytes` (20 MB), PDF, JPG or PNG by its first bytes
    *and* its file extension. Raises ValidationFailed on `field`."""
    if upload.size > max_bytes:
        raise ValidationFailed(_("The file is larger than 20 MB."), "too_large", field=field)
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), "empty", field=field)
    sha256, head, size = _read(upload)
    content_type = sniff_content_type(head)
    if content_type is None or not _extension_matches(upload.name, content_type):
        raise ValidationFailed(
            _("Only PDF, JPG or PNG files are accepted, and the file's content must match its name."),
            "bad_type",
            field=field,
        )
    return CheckedUpload(upload, content_type, sha256, size)


def uploads_check(
    files: Iterable,
    *,
    field: str,
    max_bytes: int = MAX_EVIDENCE_BYTES,
    max_files: int | None = None,
    max_total_bytes: int | None = None,
    held: tuple[int, int] = (0, 0),
) -> list[CheckedUpload]:
    """Check evidence or proof files: at most `max_files` and `max_total_bytes` in all (counting the
    `held` (count, bytes) that the case already has), each at most `max_bytes` (10 MB) and a PDF, JPG
    or PNG by its first bytes *and* its file extension. Raises ValidationFailed on `field`."""
    files = list(files or [])
    held_count, held_bytes = held
    if max_files is not None and held_count + len(files) > max_files:
        if held_count:
            message = _("At most %(n)s files in all; %(held)s are already attached.") % {
                "n": max_files,
                "held": held_count,
            }
        else:
            message = _("At most %(n)s files.") % {"n": max_files}
        raise ValidationFailed(message, "too_many_files", field=field)
    checked = []
    for upload in files:
        if upload.size > max_bytes:
            raise ValidationFailed(
                _("%(name)s is larger than %(size)s.") % {"name": upload.name, "size": size_text(max_bytes)},
                "too_large",
                field=field,
            )
        sha256, head, size = _read(upload)
        content_type = sniff_content_type(head)
        if content_type is None or not size or not _extension_matches(upload.name, content_type):
            raise ValidationFailed(
                _("%(name)s is not a PDF, JPG or PNG file, or its content does not match its name.")
                % {"name": upload.name},
                "bad_type",
                field=field,
            )
        checked.append(CheckedUpload(upload, content_type, sha256, size))
    if max_total_bytes is not None and held_bytes + sum(c.size for c in checked) > max_total_bytes:
        raise ValidationFailed(
            _("The files together may be at most %(size)s.") % {"size": size_text(max_total_bytes)},
            "total_too_large",
            field=field,
        )
    return checked


# --- forms ----------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (PDF, JPG or PNG offered by the browser); cleans to a list, empty
    when the field is optional. Their content is checked by `uploads_check`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [item for item in data if item] if isinstance(data, list | tuple) else ([data] if data else [])
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


# --- the streaming cap ------------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands for a file that was cut off at the limit: nothing of it is kept, only its size."""

    def __init__(self, name: str | None, size: int, content_type: str | None):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class CappedUploadHandler(FileUploadHandler):
    """Reads each upload only up to `max_bytes`: the rest is dropped as it streams in, so a huge file
    never reaches memory or disk; the checks then see an OversizedUpload and refuse it by its size.
    With `stop=True` the upload is aborted instead (StopUpload, connection reset): the rest of the
    body is not read at all and the file is missing from request.FILES; `exceeded` tells why.

    Install before the request body is parsed (`cap_uploads`, `capped_uploads`).
    """

    def __init__(self, request=None, *, max_bytes: int, stop: bool = False, max_total: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.stop = stop
        self.max_total = max_total
        self.received = 0
        self.exceeded = False
        self.total_received = 0  # bytes of all files of the request that streamed through
        self.total_exceeded = False
        self.body_length = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length or 0

    def _abort_total(self):
        self.total_exceeded = True
        raise StopUpload(connection_reset=True)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.exceeded = False
        if self.max_total is not None and self.body_length > self.max_total + FORM_SLACK:
            self._abort_total()  # the body says it is too big: not a byte of a file is read

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        self.total_received += len(raw_data)
        if self.max_total is not None and self.total_received > self.max_total:
            self._abort_total()  # whatever Content-Length claimed
        if self.received > self.max_bytes:
            self.exceeded = True
            if self.stop:
                raise StopUpload(connection_reset=True)
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.exceeded:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None


def cap_uploads(request, max_bytes: int, *, stop: bool = False, max_total: int | None = None) -> CappedUploadHandler:
    """Install a CappedUploadHandler first on `request` (before its body is parsed); returns it."""
    handler = CappedUploadHandler(request, max_bytes=max_bytes, stop=stop, max_total=max_total)
    request.upload_handlers.insert(0, handler)
    return handler


def upload_cap_exceeded(request) -> bool:
    """Whether a capped request's files together passed its `max_total` (they are then missing)."""
    request = getattr(request, "_request", request)  # a DRF Request
    return any(getattr(h, "total_exceeded", False) for h in request.upload_handlers)


def payload_too_large(max_total: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        _("The files together may be at most %(size)s; nothing was uploaded.") % {"size": size_text(max_total)},
        "too_large",
    )


def _value(limit: int | Callable[[], int]) -> int:
    return limit() if callable(limit) else limit


def capped_uploads(max_bytes: int | Callable[[], int], *, max_total: int | Callable[[], int] | None = None):
    """View decorator: cap each file of a POST at `max_bytes` (or what the callable returns at request
    time) before the body is parsed; the CSRF check then runs on the parsed body (the pattern Django
    documents for changing upload handlers in a view). With `max_total`, a POST whose files together
    are bigger is answered 413 with a message, without reading the rest of its body."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                total = None if max_total is None else _value(max_total)
                handler = cap_uploads(request, _value(max_bytes), max_total=total)
                if total is not None:
                    request.POST  # noqa: B018 - parse the body now, under the cap
                    if handler.total_exceeded:
                        return HttpResponse(payload_too_large(total).message, status=413, content_type="text/plain")
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


# --- stored files ---------------------------------------------------------------------------------


class StoredFile(models.Model):
    """A stored upload. Concrete models add the `file` field (with their own upload_to) and the case
    the file belongs to; storage is private, so they are served only after a permission check."""

    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    file: FieldFile  # the concrete model's FileField

    default_name = "file"  # the original name of an upload without one

    class Meta:
        abstract = True

    @classmethod
    def original_name_of(cls, upload) -> str:
        return (upload.name or cls.default_name)[:200]

    @classmethod
    def store(cls, checked: CheckedUpload, *, on_saved: Callable | None = None, **fields):
        """Save `checked` under a random name and its row with `fields` (`uploaded_at` defaults to now).

        Storage is not transactional: the file is removed again if the row cannot be saved or
        `on_saved(stored)` (e.g. the audit record) fails. Callers that save more in one transaction
        store the file last, so that nothing after it can roll the transaction back.
        """
        fields.setdefault("uploaded_at", clock.now())
        stored = cls(
            original_name=cls.original_name_of(checked.upload),
            content_type=checked.content_type,
            size_bytes=checked.size,
            sha256=checked.sha256,
            **fields,
        )
        stored.file.save(f"{uuid.uuid4().hex}{EXTENSION_OF[checked.content_type]}", checked.upload, save=False)
        try:
            stored.save()
            if on_saved is not None:
                on_saved(stored)
        except Exception:
            stored.file.delete(save=False)
            raise
        return stored


def private_file_response(fileobj, *, filename: str, content_type: str) -> FileResponse:
    """A private file as a download, with headers that stop browsers from guessing, running or caching it."""
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def stored_file_response(stored: StoredFile, *, filename: str | None = None) -> FileResponse:
    """A StoredFile as a download under its original name (or `filename`)."""
    return private_file_response(
        stored.file.open("rb"), filename=filename or stored.original_name, content_type=stored.content_type
    )
