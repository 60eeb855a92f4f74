"""Formal documents (公文): numbering, issuing, rendering to PDF, verification and access.

- A document is issued once per (case, doc_type) with a gap-free number (文号) per issuer, series
  and year, a random verification code and its template context frozen as JSON.
- Rendering runs in a q2 worker (`document_render`), once: WeasyPrint turns the template into a
  PDF, the issuing body's signer signs it (PAdES, `workflow.signing`), and the SHA-256 of the
  signed file is stored next to it. A failed render stays retryable
  (`documents_render_pending`).
- The public /verify/<code> page shows the hash and status; users download (page or API with a token)
  through `document_get_for_user`, which answers NotFound for anything the user may not see: a
  document is visible to exactly who may see its case (`document_visible_to`).

See docs/documents.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext

from workflow import clock, jobs, roles
from workflow.audit import audit_record
from workflow.errors import Conflict, NotFound, ValidationFailed
from workflow.models import Agency, Document, DocumentSequence
from workflow.pdf_layout import pdf_render
from workflow.scoping import agencies_for_user
from workflow.signing import SignatureCheck, pdf_signature_check, signer_for

logger = logging.getLogger(__name__)

# No 0/O or 1/I: the code is read off paper and typed in by people.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 16  # 32 symbols ** 16 = 2 ** 80
RENDER_TASK = "workflow.documents.document_render"
# 版心 (type area) width of GB/T 9704-2012, in points: 156 mm.
TYPE_AREA_WIDTH_PT = 156 / 25.4 * 72
ERROR_TEXT_LIMIT = 2000


# -- numbering -----------------------------------------------------------------------------


def document_number_next(*, issuer, series: str, year: int) -> int:
    """Take the next number of (issuer, series, year) under a row lock, in the caller's transaction.

    The number belongs to the caller's transaction: if it rolls back, so does the number (no gap);
    a concurrent caller waits on the lock and gets the following number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_next must run inside the transaction that uses the number")
    if not series:
        raise ValidationFailed("A document series is required for numbering.", field="series")
    # Create the row if it is missing without failing when a concurrent caller creates it too
    # (INSERT ... ON CONFLICT DO NOTHING), then lock it.
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(issuer=issuer, series=series, year=year)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(issuer=issuer, series=series, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def document_number_text(*, issuer, series: str, year: int, number: int) -> str:
    """X发改信修〔2026〕12号 (GB/T 9704: 六角括号〔〕, no leading zeros, 号 at the end)."""
    return f"{issuer.doc_prefix}{series}〔{year}〕{number}号"


def verification_code_new() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


def verification_code_normalise(raw: str) -> str:
    """What people type (lower case, spaces, dashes) → the stored form, or ""."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())[:32]


def verify_url(code: str) -> str:
    return settings.GOVCREDIT_PUBLIC_URL.rstrip("/") + reverse("document-verify", kwargs={"code": code})


# -- issuing -------------------------------------------------------------------------------


def _freeze(context: dict) -> dict:
    """The context as plain JSON: dates → ISO strings, Decimals → strings; anything else refused."""
    if not isinstance(context, dict):
        raise ValidationFailed("A document context must be a dict.", field="context")
    try:
        return json.loads(json.dumps(context, cls=DjangoJSONEncoder, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"The document context is not JSON-serialisable: {exc}", field="context") from exc


def _existing(case, doc_type: str) -> Document | None:
    content_type = ContentType.objects.get_for_model(case)
    return Document.objects.filter(content_type=content_type, object_id=str(case.pk), doc_type=doc_type).first()


@transaction.atomic
def document_issue(
    *,
    case,
    doc_type: str,
    title: str,
    template: str,
    context: dict,
    issuer=None,
    series: str = "",
    doc_number: str = "",
    acting_user=None,
    issued_on=None,
) -> Document:
    """Issue the document of type `doc_type` for `case`, once; the PDF is rendered after commit.

    `doc_number` gives a number decided elsewhere (e.g. a penalty decision's own 文号); it is used as
    it is and takes no number from the sequence, so it cannot be combined with `series`.
    `issued_on` is the date the act bears when it is not today (a decision issued here bears its
    decision date); it is never later than today.

    If the case already has a document of this type, that document is returned unchanged: a formal
    document is never silently regenerated (revoke it and issue another type or case instead).
    """
    if case is None or case.pk is None:
        raise ValidationFailed("A document needs a saved case.", field="case")
    existing = _existing(case, doc_type)
    if existing is not None:
        return existing

    if not doc_type:
        raise ValidationFailed("A document type is required.", field="doc_type")
    if not title:
        raise ValidationFailed("A document title is required.", field="title")
    if series and doc_number:
        raise ValidationFailed(
            "A document takes its number from a series or is given one, not both.", field="doc_number"
        )
    if series and issuer is None:
        raise ValidationFailed("A numbered document needs an issuer.", field="issuer")
    if series and not issuer.doc_prefix:
        raise ValidationFailed(f"{issuer} has no document number prefix (发文机关代字).", field="issuer")
    try:
        get_template(template)
    except TemplateDoesNotExist as exc:
        raise ValidationFailed(f"No document template {template!r}.", field="template") from exc
    frozen = _freeze(context)

    today = clock.today()
    if issued_on is None:
        issued_on = today
    elif issued_on > today:
        raise ValidationFailed("A document cannot bear a date in the future.", field="issued_on")
    document = Document(
        content_type=ContentType.objects.get_for_model(case),
        object_id=str(case.pk),
        doc_type=doc_type,
        title=title,
        template=template,
        issuer=issuer,
        series=series,
        year=issued_on.year,
        issued_on=issued_on,
        context=frozen,
        verification_code=verification_code_new(),
        doc_number=doc_number,
    )
    try:
        # The context is checked by _freeze (an empty one is fine); uniqueness by the database.
        document.full_clean(exclude=["status", "file", "context"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed("The document is not valid.", errors=exc.message_dict) from exc
    try:
        # A savepoint around number + row: if a concurrent act issued this (case, doc_type) first,
        # the unique constraint fires, the number is given back, and we return that document.
        with transaction.atomic():
            if issuer is not None and series:
                document.number = document_number_next(issuer=issuer, series=series, year=issued_on.year)
                document.doc_number = document_number_text(
                    issuer=issuer, series=series, year=issued_on.year, number=document.number
                )
            document.save()
    except IntegrityError:
        existing = _existing(case, doc_type)
        if existing is None:
            raise
        return existing

    audit_record(
        action="document.issued",
        obj=document,
        actor=acting_user,
        to_state=document.status,
        changes={"doc_type": doc_type, "doc_number": document.doc_number, "title": title},
    )
    jobs.enqueue(RENDER_TASK, document.pk)
    return document


@transaction.atomic
def document_revoke(*, document: Document, reason: str, acting_user=None) -> Document:
    """Revoke an issued document: the verify page then says so. The file is kept."""
    if not reason:
        raise ValidationFailed("A reason is required to revoke a document.", field="reason")
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != Document.Status.RENDERED:
        raise Conflict("Only an issued document can be revoked.", code="document_not_issued")
    from_state = document.status
    document.revoke()
    document.save(update_fields=["status"])
    audit_record(
        action="document.revoked",
        obj=document,
        actor=acting_user,
        from_state=from_state,
        to_state=document.status,
        reason=reason,
    )
    return document


# -- rendering -----------------------------------------------------------------------------


def qr_data_uri(data: str) -> str:
    """A QR code of `data` as an SVG data URI (vector: sharp in print, a few KB in the PDF)."""
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _issuer_mark_size_pt(mark: str) -> float:
    """Largest size (≤ 42 pt) at which the 发文机关标志 fits the 156 mm type area on one line."""
    return round(min(42.0, TYPE_AREA_WIDTH_PT * 0.92 / max(len(mark), 1)), 1)


def document_template_context(document: Document) -> dict:
    """The frozen context plus the document's own fields (those win over the frozen keys)."""
    issuer = document.issuer
    issuer_mark = f"{issuer.name}文件" if issuer is not None else ""
    url = verify_url(document.verification_code)
    return {
        **document.context,
        "document": document,
        "title": document.title,
        "doc_number": document.doc_number,
        "issued_on": document.issued_on,
        "issuer": issuer,
        # How the issuer refers to itself in the text (我委, 我局, 我办…), from its profile or its name.
        "issuer_self": issuer.self_reference_text() if issuer is not None else "",
        # 印发机关 in the 版记: the issuer's office, or the issuer itself when it is an office.
        "issuer_office": (issuer.name if issuer.name.endswith(("办公室", "办")) else f"{issuer.name}办公室")
        if issuer is not None
        else "",
        "issuer_mark": issuer_mark,
        "issuer_mark_size_pt": _issuer_mark_size_pt(issuer_mark),
        # 信函格式: the name alone, a little smaller than a 文件格式 mark.
        "issuer_name_size_pt": min(30.0, _issuer_mark_size_pt(issuer.name if issuer is not None else "")),
        "verification_code": document.verification_code,
        "verify_url": url,
        "qr_data_uri": qr_data_uri(url),
    }


def document_pdf_render(*, document: Document) -> bytes:
    """The PDF of `document`, built from its template and frozen context. Writes nothing.
    How the pages are made to break well: `workflow.pdf_layout`."""
    return pdf_render(template=document.template, context=document_template_context(document))


def _render_and_store(document_id: int) -> str:
    with transaction.atomic():
        # The row lock makes a second worker (or the sweep) wait, then see "rendered" and stop.
        document = Document.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=document_id)
        if document.status not in (Document.Status.PENDING, Document.Status.FAILED):
            return document.status
        from_state = document.status
        # Signed right after WeasyPrint, before hashing: the stored hash is of the signed bytes.
        signed = signer_for(document.issuer).sign(
            document_pdf_render(document=document), reason=f"签发《{document.title}》{document.doc_number}"
        )
        pdf = signed.pdf
        document.signature_method, document.signed_by, document.signed_at = (
            signed.method,
            signed.signer,
            signed.signed_at,
        )
        document.file.save(f"doc-{document.pk}.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size_bytes = len(pdf)
        document.rendered_at = clock.now()
        document.attempts += 1
        document.last_error = ""
        document.mark_rendered()
        document.save(
            update_fields=[
                *("status", "file", "sha256", "size_bytes", "rendered_at", "attempts", "last_error"),
                *("signature_method", "signed_by", "signed_at"),
            ]
        )
        audit_record(
            action="document.rendered",
            obj=document,
            from_state=from_state,
            to_state=document.status,
            changes={"sha256": document.sha256, "size_bytes": document.size_bytes, "signed_by": document.signed_by},
        )
        return document.status


def _render_failed(document_id: int, exc: Exception) -> None:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status not in (Document.Status.PENDING, Document.Status.FAILED):
            return
        from_state = document.status
        document.attempts += 1
        document.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_TEXT_LIMIT]
        document.mark_failed()
        document.save(update_fields=["status", "attempts", "last_error"])
        audit_record(
            action="document.render_failed",
            obj=document,
            from_state=from_state,
            to_state=document.status,
            reason=document.last_error,
        )


def document_render(document_id: int) -> str:
    """q2 task: render and store the PDF of a pending or failed document. Safe to run twice.

    A failure is recorded on the document (status failed, attempts, last_error) and not raised:
    `documents_render_pending` (run by the daily sweep) tries again.
    """
    try:
        return _render_and_store(document_id)
    except Document.DoesNotExist:
        logger.warning("document %s to render does not exist", document_id)
        return "missing"
    except Exception as exc:
        logger.exception("rendering document %s failed", document_id)
        _render_failed(document_id, exc)
        return Document.Status.FAILED


def documents_render_pending(*, limit: int | None = 100) -> dict[str, int]:
    """Render pending and failed documents, fewest attempts first. Returns counts by outcome.

    Run by the daily sweep (inside a q2 task): `limit` keeps one run well inside the q2 timeout
    (a warm render takes about half a second), and ordering by attempts keeps a document that
    always fails from starving the others.
    """
    waiting = Document.objects.filter(status__in=[Document.Status.PENDING, Document.Status.FAILED])
    ids = waiting.order_by("attempts", "pk").values_list("pk", flat=True)
    outcome: dict[str, int] = {}
    for pk in list(ids[:limit] if limit else ids):
        result = str(document_render(pk))
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


# -- reading -------------------------------------------------------------------------------


def document_get_by_code(*, code: str) -> Document:
    """The document a public verification code names (any status), or NotFound."""
    code = verification_code_normalise(code)
    document = Document.objects.select_related("issuer").filter(verification_code=code).first() if code else None
    if document is None:
        raise NotFound("No document has this verification code.", code="document_not_found")
    return document


def document_signature_check(*, document: Document) -> SignatureCheck | None:
    """The signature status of the stored file of `document` (None while it has no file)."""
    if not document.file:
        return None
    with document.file.open("rb") as handle:
        return pdf_signature_check(handle.read())


def pdf_upload_signature_check(*, upload) -> SignatureCheck:
    """The signature status of an uploaded PDF (already size- and type-checked by the caller)."""
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return pdf_signature_check(data)


# Case model → its app's scoping selector (user → queryset of the cases the user may see).
_CASE_SCOPES: dict[type, Callable[[Any], QuerySet]] = {}


def document_scope_register(model: type, visible_to: Callable[[Any], QuerySet]) -> None:
    """Declare who may see the documents issued on cases of `model`: exactly who may see the case, as its
    app's own scoping selector `visible_to(user)` answers (one rule for the pages, the API and the
    documents). Apps register in their AppConfig.ready()."""
    _CASE_SCOPES[model] = visible_to


def _agencies_for_their_staff(user) -> QuerySet:
    """Documents about an agency (its evaluation report): the clerks and heads of the agency or of an
    agency above it."""
    if not roles.has_role(user, roles.AGENCY_CLERK, roles.AGENCY_HEAD):
        return Agency.objects.none()
    return agencies_for_user(user)


document_scope_register(Agency, _agencies_for_their_staff)


def document_visible_to(*, document: Document, user) -> bool:
    """Exactly who may see the document's case: supervisors (and superusers), and whoever the case's app
    scoping selector admits (`document_scope_register`); a case model may instead declare
    `document_visible_to(user) -> bool`. Being on the issuer's staff grants nothing by itself; a case
    with no rule shows its documents to supervisors only."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser or roles.has_role(user, roles.SUPERVISOR):
        return True
    case = document.case
    if case is None:
        return False
    scope = _CASE_SCOPES.get(type(case))
    if scope is not None:
        return scope(user).filter(pk=case.pk).exists()
    declares = getattr(case, "document_visible_to", None)
    return bool(callable(declares) and declares(user))


def document_get_for_user(*, user, pk: int) -> Document:
    """The document `pk` if `user` may see it; NotFound otherwise (not 403: existence is not leaked)."""
    document = Document.objects.select_related("issuer", "content_type").filter(pk=pk).first()
    if document is None or not document_visible_to(document=document, user=user):
        raise NotFound(gettext("No such document."), code="document_not_found")
    return document
