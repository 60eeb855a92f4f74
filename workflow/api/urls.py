"""The API, mounted at /api/ by workflow.urls. Versioned endpoints live under v1/.

Apps mount their endpoints under /api/v1/ in config/urls.py, before this module;
anything unknown under /api/ answers JSON 404.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from workflow.api.auth import MeView, TokenView
from workflow.api.documents import DocumentDownloadView
from workflow.api.errors import not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("v1/auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("v1/me", MeView.as_view(), name="api-me"),
    path("v1/documents/<int:pk>/download", DocumentDownloadView.as_view(), name="api-document-download"),
    # Keep last: unknown URLs under /api/ get the API's JSON 404.
    re_path(r"^.*$", not_found, name="api-not-found"),
]
