"""Contract attachments (the signed contract scan): checked, stored privately, served after a permission check.

The checks, the size cap, the hash and the storage are workflow.uploads':
- Only PDF, JPEG and PNG, recognised by their first bytes (magic numbers) *and* a matching file
  extension; the client's Content-Type is ignored. At most 20 MB.
- Stored in the default storage (settings.PRIVATE_MEDIA_ROOT, outside the web root) under a random
  name, with the SHA-256 of the content in ContractAttachment.
- Served only by `attachment_response` after `contract_get_for_user` found the contract: anyone
  who may not see the contract gets a 404, as if the file did not exist.
"""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractAttachment
from workflow.audit import audit_record
from workflow.errors import NotFound
from workflow.uploads import EXTENSION_OF, MAX_FILE_BYTES, stored_file_response, upload_check

MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES


def attachment_check(upload) -> str:
    """Validate an uploaded file; returns its real content type or raises ValidationFailed(field="attachment")."""
    return upload_check(upload, field="attachment", max_bytes=MAX_ATTACHMENT_BYTES).content_type


@transaction.atomic
def contract_attachment_add(*, contract: Contract, upload, acting_user) -> ContractAttachment:
    """Store an uploaded file for `contract` (after the checks above), with its SHA-256, audited.

    Storage is not transactional: callers that register a contract and attach its scan in one
    transaction call this last, so that nothing after the file is written can roll it back.
    """
    checked = upload_check(upload, field="attachment", max_bytes=MAX_ATTACHMENT_BYTES)
    return ContractAttachment.store(
        checked,
        contract=contract,
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        on_saved=lambda attachment: audit_record(
            action="contract.attachment",
            obj=contract,
            actor=acting_user,
            changes={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256},
        ),
    )


def attachment_get_for_contract(*, contract: Contract, pk: int) -> ContractAttachment:
    attachment = ContractAttachment.objects.filter(contract=contract, pk=pk).first()
    if attachment is None:
        raise NotFound(_("No such attachment."), "not_found")
    return attachment


def attachment_response(attachment: ContractAttachment) -> FileResponse:
    """The file as a download, with headers that stop browsers from guessing or caching it."""
    return stored_file_response(
        attachment,
        filename=attachment.original_name or f"attachment-{attachment.pk}{EXTENSION_OF[attachment.content_type]}",
    )
