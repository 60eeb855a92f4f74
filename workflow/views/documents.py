"""Public verification of documents and staff downloads. Reads go through workflow.documents."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from workflow.documents import (
    document_get_by_code,
    document_get_for_user,
    document_signature_check,
    pdf_upload_signature_check,
    verification_code_normalise,
)
from workflow.errors import NotFound
from workflow.models import Document
from workflow.uploads import (
    HEAD_BYTES,
    MAX_FILE_BYTES,
    cap_uploads,
    private_file_response,
    sha256_of,
    sniff_content_type,
)

MAX_UPLOAD_BYTES = MAX_FILE_BYTES


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("The electronic copy you received (PDF, at most 20 MB). It is compared, not stored."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="too_large")
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        if not upload.name.lower().endswith(".pdf") or sniff_content_type(head) != "application/pdf":
            raise forms.ValidationError(_("Only PDF files can be checked."), code="not_pdf")
        return upload


PENDING_REFRESH_SECONDS = 3


def document_pending_response(request, document: Document, *, back_url: str = "", status: int = 202):
    """The answer at a document's download address while its PDF is still with the q2 worker: a 生成中 page
    that reloads itself (202 Accepted), never a 404 and never a render inside the request. A client that
    asks for JSON only gets {"code": "document_pending", ...} with the same 202 and Retry-After."""
    accept = request.headers.get("Accept", "")
    response: HttpResponse
    if "application/json" in accept and "text/html" not in accept:
        response = JsonResponse(
            {
                "code": "document_pending",
                "detail": gettext("The document is still being generated; try again later."),
                "status": document.status,
            },
            status=status,
        )
        response["Cache-Control"] = "private, no-store"
        response["Retry-After"] = str(PENDING_REFRESH_SECONDS)
        return response
    response = render(
        request,
        "documents/pending_page.html",
        {"document": document, "refresh_seconds": PENDING_REFRESH_SECONDS, "back_url": back_url},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    response["Retry-After"] = str(PENDING_REFRESH_SECONDS)
    return response


def public_status(document: Document) -> tuple[str, str]:
    """(word, css tone) for the public: valid, revoked, or still being generated."""
    if document.status == Document.Status.RENDERED:
        return gettext("Valid"), "ok"
    if document.status == Document.Status.REVOKED:
        return gettext("Revoked"), "error"
    return gettext("Being generated"), "warn"


@require_GET
def verify_lookup(request):
    """/verify/?code=… → /verify/<code>; without a code, the lookup form."""
    code = verification_code_normalise(request.GET.get("code", ""))
    if code:
        return redirect("document-verify", code=code)
    return render(request, "verify/lookup.html", {"submitted": "code" in request.GET})


# The upload only compares a hash and changes nothing, so it needs no CSRF token; being exempt
# also lets the size limit act before anything parses the body (the CSRF check would read it all).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_detail(request, code: str):
    """What a citizen may know about a document: no case data, no personal data."""
    try:
        document = document_get_by_code(code=code)
    except NotFound:
        # A page of our own (not the site's generic 404): the citizen can retype the code.
        return render(request, "verify/not_found.html", {"code": code[:32]}, status=404)
    normalised = verification_code_normalise(code)
    if normalised != code:
        return redirect("document-verify", code=normalised)

    form, result, too_large = VerifyUploadForm(), None, False
    if request.method == "POST":
        # Stop reading an upload past the limit (whatever Content-Length claims).
        limit = cap_uploads(request, MAX_UPLOAD_BYTES, stop=True)
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + 64 * 1024
        if not too_large:
            form = VerifyUploadForm(data=request.POST, files=request.FILES)
            too_large = limit.exceeded
        if too_large:
            form = VerifyUploadForm()
        elif form.is_valid():
            uploaded = sha256_of(form.cleaned_data["file"])
            result = {
                "sha256": uploaded,
                "available": bool(document.sha256),
                "matches": bool(document.sha256) and uploaded == document.sha256,
                "signature": pdf_upload_signature_check(upload=form.cleaned_data["file"]),
            }

    status_word, status_tone = public_status(document)
    response = render(
        request,
        "verify/detail.html",
        {
            "document": document,
            "status_word": status_word,
            "status_tone": status_tone,
            "signature": document_signature_check(document=document),
            "form": form,
            "result": result,
            "too_large": too_large,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def document_download(request, pk: int):
    try:
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not document.file:
        if document.status == Document.Status.REVOKED:
            raise Http404(gettext("This document has not been generated yet."))
        return document_pending_response(request, document)
    filename = f"{document.doc_number or document.verification_code}.pdf"
    return private_file_response(document.file.open("rb"), filename=filename, content_type="application/pdf")
