"""Bulk import of dishonesty records from Excel, mounted at /staff/repair/import/."""

from django.urls import path

from repair.imports import views as import_views

urlpatterns = [
    path("", import_views.import_upload, name="repair-import"),
    path("template.xlsx", import_views.import_template, name="repair-import-template"),
    path("<int:pk>/", import_views.import_detail, name="repair-import-detail"),
    path("<int:pk>/status.json", import_views.import_status, name="repair-import-status"),
    path("<int:pk>/errors.xlsx", import_views.import_errors, name="repair-import-errors"),
]
