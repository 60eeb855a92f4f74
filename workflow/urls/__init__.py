"""URL map of the shared engine. Each area owns one module; this file only stitches them."""

from django.urls import include, path

urlpatterns = [
    path("", include("workflow.urls.ops")),  # /healthz
    path("", include("workflow.urls.documents")),  # /verify/<code>, document downloads
    path("api/", include("workflow.api.urls")),  # /api/schema/, /api/docs/, /api/v1/...
    path("", include("workflow.urls.web")),  # portal, login, staff shell, inbox
]
