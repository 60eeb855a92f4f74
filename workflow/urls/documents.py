"""Public verification of documents (/verify/…) and staff downloads (/documents/…)."""

from django.urls import path

from workflow.views import documents

urlpatterns = [
    path("verify/", documents.verify_lookup, name="document-verify-lookup"),
    path("verify/<str:code>", documents.verify_detail, name="document-verify"),
    path("documents/<int:pk>/download", documents.document_download, name="document-download"),
]
