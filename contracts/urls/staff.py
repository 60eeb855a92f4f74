"""Staff pages for government contracts, mounted at /staff/contracts/ (URL names start with contracts-)."""

from django.urls import include, path

from contracts.views import contracts as views

urlpatterns = [
    path("disposals/", include("contracts.disposal.urls")),
    path("imports/", include("contracts.imports.urls")),
    path("evaluation/", include("contracts.evaluation.urls")),
    path("", views.contract_list, name="contracts-list"),
    path("new/", views.contract_new, name="contracts-new"),
    path("warnings/", views.warning_list, name="contracts-warnings"),
    path("warnings/<int:wid>/action/", views.warning_action, name="contracts-warning-action"),
    path("<int:pk>/", views.contract_detail, name="contracts-detail"),
    path("<int:pk>/delivery/", views.milestone_delivery, name="contracts-delivery"),
    path("<int:pk>/payments/", views.payment_create, name="contracts-payment"),
    path("<int:pk>/reports/", views.report_create, name="contracts-report"),
    path("<int:pk>/amend/", views.contract_amend, name="contracts-amend"),
    path("<int:pk>/attachments/", views.attachment_upload, name="contracts-attachment-upload"),
    path("<int:pk>/attachments/<int:aid>", views.attachment_download, name="contracts-attachment"),
]
