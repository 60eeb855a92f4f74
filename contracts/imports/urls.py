"""Bulk import of contracts from Excel, mounted at /staff/contracts/imports/ (URL names start with contracts-import)."""

from django.urls import path

from contracts.imports import views as import_views

urlpatterns = [
    path("", import_views.import_upload, name="contracts-import"),
    path("template.xlsx", import_views.import_template, name="contracts-import-template"),
    path("<int:pk>/", import_views.import_detail, name="contracts-import-detail"),
    path("<int:pk>/status.json", import_views.import_status, name="contracts-import-status"),
    path("<int:pk>/errors.xlsx", import_views.import_errors, name="contracts-import-errors"),
]
