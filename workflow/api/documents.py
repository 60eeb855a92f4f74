"""GET /api/v1/documents/<pk>/download: a document's PDF for API clients (token or session).

The same rule as the page route (`workflow.documents.document_get_for_user`): a document is visible
to exactly who may see its case; anything else is a JSON 404 `document_not_found`, whether the
document exists or not. The document URLs in API payloads point here (`document_api_url`).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workflow.api.errors import ErrorSerializer
from workflow.documents import document_get_for_user
from workflow.uploads import private_file_response


def document_api_url(pk: int, request=None) -> str:
    """Where an API client downloads document `pk` with its token (absolute when `request` is given)."""
    url = reverse("api-document-download", kwargs={"pk": pk})
    return request.build_absolute_uri(url) if request is not None else url


class PDFRenderer(BaseRenderer):
    """Lets a client send `Accept: application/pdf`; the view answers a FileResponse itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # pragma: no cover - never used
        return data


# As the download pages' 生成中 answer (workflow.views.documents): a warm render takes about a second.
PENDING_RETRY_SECONDS = 3


class PendingSerializer(serializers.Serializer):
    """A document issued but not rendered yet (for the schema)."""

    code = serializers.CharField(help_text="document_pending")
    message = serializers.CharField()
    status = serializers.CharField(help_text="pending, or failed (the daily sweep renders it again)")


class DocumentDownloadView(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="document_download",
        summary="Download a formal document (PDF)",
        description=(
            "The rendered PDF of a formal document (公文). Visible to exactly who may see its case: the "
            "parties (the enterprise concerned), the staff roles of that process and supervisors. Anything "
            "else, including an id that does not exist, is a 404 `document_not_found` (existence is not "
            "leaked); a document issued but not yet rendered answers 202 `document_pending` with Retry-After, as "
            "the download pages do (a q2 worker renders it). "
            "Authenticate with `Authorization: Token <token>` (or a session)."
        ),
        tags=["documents"],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF (attachment)."),
            401: OpenApiResponse(ErrorSerializer, description="No or an invalid token: `not_authenticated`."),
            202: OpenApiResponse(
                PendingSerializer,
                description="`document_pending`: the PDF is being generated; retry after Retry-After.",
            ),
            404: OpenApiResponse(ErrorSerializer, description="`document_not_found`."),
        },
    )
    def get(self, request: Request, pk: int):
        document = document_get_for_user(user=request.user, pk=pk)
        if not document.file:
            pending = Response(
                {
                    "code": "document_pending",
                    "message": _("The document is still being generated; try again later."),
                    "status": document.status,
                },
                status=202,
            )
            pending["Retry-After"] = str(PENDING_RETRY_SECONDS)
            pending["Cache-Control"] = "private, no-store"
            return pending
        filename = f"{document.doc_number or document.verification_code}.pdf"
        return private_file_response(document.file.open("rb"), filename=filename, content_type="application/pdf")

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever the client accepts (the PDF renderer renders nothing).
        if isinstance(response, Response):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
