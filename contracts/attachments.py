"""Contract attachments (the signed contract scan): checked, stored privately, served after a permission check.

- Only PDF, JPEG and PNG, recognised by their first bytes (magic numbers) *and* a matching file
  extension; the client's Content-Type is ignored. At most 20 MB.
- Stored in the default storage (settings.PRIVATE_MEDIA_ROOT, outside the web root) under a random
  name, with the SHA-256 of the content in ContractAttachment.
- Served only by `attachment_response` after `contract_get_for_user` found the contract: anyone
  who may not see the contract gets a 404, as if the file did not exist.
"""

from __future__ import annotations

import hashlib
import io
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractAttachment
from workflow import clock
from workflow.audit import audit_record
from workflow.errors import NotFound, ValidationFailed

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

# (content type, magic bytes at offset 0, file extensions accepted for it)
ALLOWED_TYPES = (
    ("application/pdf", b"%PDF-", (".pdf",)),
    ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
    ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
)
EXTENSION_OF = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


def sniff_content_type(head: bytes) -> str | None:
    """The content type that the first bytes of a file prove, or None."""
    for content_type, magic, _extensions in ALLOWED_TYPES:
        if head.startswith(magic):
            return content_type
    return None


def attachment_check(upload) -> str:
    """Validate an uploaded file; returns its real content type or raises ValidationFailed(field="attachment")."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("The file is larger than 20 MB."), "too_large", field="attachment")
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), "empty", field="attachment")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    name = (upload.name or "").lower()
    extensions = next((ext for ct, _magic, ext in ALLOWED_TYPES if ct == content_type), ())
    if content_type is None or not name.endswith(extensions):
        raise ValidationFailed(
            _("Only PDF, JPG or PNG files are accepted, and the file's content must match its name."),
            "bad_type",
            field="attachment",
        )
    return content_type


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def contract_attachment_add(*, contract: Contract, upload, acting_user) -> ContractAttachment:
    """Store an uploaded file for `contract` (after the checks above), with its SHA-256, audited.

    Storage is not transactional: callers that register a contract and attach its scan in one
    transaction call this last, so that nothing after the file is written can roll it back.
    """
    content_type = attachment_check(upload)
    sha256 = _sha256(upload)
    attachment = ContractAttachment(
        contract=contract,
        original_name=(upload.name or "")[-200:],
        content_type=content_type,
        size_bytes=upload.size,
        sha256=sha256,
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        uploaded_at=clock.now(),
    )
    # A random name: nothing the uploader chose ends up in a path.
    attachment.file.save(f"{uuid.uuid4().hex}{EXTENSION_OF[content_type]}", upload, save=False)
    try:
        attachment.save()
        audit_record(
            action="contract.attachment",
            obj=contract,
            actor=acting_user,
            changes={"attachment": attachment.pk, "name": attachment.original_name, "sha256": sha256},
        )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_get_for_contract(*, contract: Contract, pk: int) -> ContractAttachment:
    attachment = ContractAttachment.objects.filter(contract=contract, pk=pk).first()
    if attachment is None:
        raise NotFound(_("No such attachment."), "not_found")
    return attachment


def attachment_response(attachment: ContractAttachment) -> FileResponse:
    """The file as a download, with headers that stop browsers from guessing or caching it."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name or f"attachment-{attachment.pk}{EXTENSION_OF[attachment.content_type]}",
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- upload size cap --------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands for a file that was cut off at the limit: nothing of it is kept, only its size."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class CappedUploadHandler(FileUploadHandler):
    """Reads an upload only up to MAX_ATTACHMENT_BYTES: the rest is dropped as it streams in, so a
    huge file never reaches memory or disk; the form then sees an OversizedUpload and refuses it.

    Install before the request body is parsed (a csrf_exempt view that calls a csrf_protect one).
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > MAX_ATTACHMENT_BYTES:
            self.exceeded = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.exceeded:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None


def uploads_check(
    files, *, field: str, max_bytes: int, max_files: int | None = None
) -> list[tuple[object, str, bytes]]:
    """Check uploaded evidence or proof files: PDF, JPG or PNG proved by their first bytes, each at most
    `max_bytes` (10 MB), at most `max_files`. Returns (upload, content type, content) for each;
    raises ValidationFailed on `field`."""
    files = list(files or [])
    if max_files is not None and len(files) > max_files:
        raise ValidationFailed(_("At most %(n)s files.") % {"n": max_files}, "too_many_files", field=field)
    checked = []
    for upload in files:
        if upload.size > max_bytes:
            raise ValidationFailed(
                _("%(name)s is larger than 10 MB.") % {"name": upload.name}, "too_large", field=field
            )
        upload.seek(0)
        content = upload.read()
        content_type = sniff_content_type(content[:16])
        if content_type is None or not content:
            raise ValidationFailed(
                _("%(name)s is not a PDF, JPG or PNG file.") % {"name": upload.name}, "bad_type", field=field
            )
        checked.append((upload, content_type, content))
    return checked
