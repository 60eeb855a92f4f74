"""The site's URL map: each app's staff, public and API URL modules, then the shared engine's.

The engine (workflow.urls) comes last: it ends /api/ with a catch-all that answers JSON 404.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Government contracts (disposal, imports, evaluation and publication are mounted inside).
    path("staff/contracts/", include("contracts.urls.staff")),
    path("public/contracts/", include("contracts.urls.public")),
    path("api/v1/", include("contracts.urls.api")),
    # The complaint column.
    path("staff/complaints/", include("contracts.complaints.urls.staff")),
    path("complaints/", include("contracts.complaints.urls.public")),
    path("api/v1/", include("contracts.complaints.urls.api")),
    # Credit repair.
    path("staff/repair/", include("repair.urls.staff")),
    path("public/records/", include("repair.urls.public")),
    path("api/v1/", include("repair.urls.api")),
    # The shared engine: /healthz, /verify, documents, /api/ (auth, schema, JSON 404), portal and staff shell.
    path("", include("workflow.urls")),
]

# Error pages: JSON under /api/, HTML elsewhere (workflow.api.errors).
handler400 = "workflow.api.errors.bad_request"
handler403 = "workflow.api.errors.permission_denied"
handler404 = "workflow.api.errors.page_not_found"
handler500 = "workflow.api.errors.server_error"
