from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/contracts/disposals/", include("contracts.disposal_urls")),
    path("staff/contracts/imports/", include("contracts.import_urls")),
    path("staff/contracts/evaluation/", include("contracts.evaluation_urls")),
    path("staff/complaints/", include("contracts.complaint_staff_urls")),
    path("complaints/", include("contracts.complaint_urls")),
    path("staff/repair/import/", include("repair.import_urls")),
    path("staff/repair/", include("repair.urls")),
    path("public/records/", include("repair.public_urls")),
    path("staff/contracts/", include("contracts.urls")),
    path("public/contracts/", include("contracts.public_urls")),
    path("", include("workflow.urls")),
]
