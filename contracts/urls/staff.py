"""Staff pages for government contracts, mounted at /staff/contracts/ (URL names start with contracts-)."""

from django.urls import include, path

from contracts.views import arrears, contracts, dashboard, lifecycle, performance, publication, warnings

urlpatterns = [
    path("disposals/", include("contracts.disposal.urls")),
    path("imports/", include("contracts.imports.urls")),
    path("evaluation/", include("contracts.evaluation.urls")),
    path("", contracts.contract_list, name="contracts-list"),
    path("dashboard/arrears.json", dashboard.arrears_data, name="contracts-dashboard-arrears"),
    path("dashboard/warnings.json", dashboard.warnings_data, name="contracts-dashboard-warnings"),
    path("dashboard/complaints.json", dashboard.complaints_data, name="contracts-dashboard-complaints"),
    path("new/", contracts.contract_new, name="contracts-new"),
    path("warnings/", warnings.warning_list, name="contracts-warnings"),
    path("warnings/<int:wid>/escalation/", warnings.escalation_detail, name="contracts-escalation"),
    path("warnings/<int:wid>/action/", warnings.warning_action, name="contracts-warning-action"),
    path("arrears/", arrears.arrears_ledger, name="contracts-arrears"),
    path("arrears/<int:pk>/", arrears.arrears_detail, name="contracts-arrears-case"),
    path("<int:pk>/", contracts.contract_detail, name="contracts-detail"),
    path("<int:pk>/publication/", publication.contract_publication, name="contracts-publication"),
    path("<int:pk>/fulfil/", lifecycle.contract_fulfil, name="contracts-fulfil"),
    path("<int:pk>/terminate/", lifecycle.contract_terminate, name="contracts-terminate"),
    path("<int:pk>/milestones/<int:mid>/waive/", lifecycle.milestone_waive, name="contracts-waive"),
    path("<int:pk>/delivery/", performance.milestone_delivery, name="contracts-delivery"),
    path("<int:pk>/payments/", performance.payment_create, name="contracts-payment"),
    path("<int:pk>/reports/", performance.report_create, name="contracts-report"),
    path("<int:pk>/amend/", contracts.contract_amend, name="contracts-amend"),
    path("<int:pk>/attachments/", performance.attachment_upload, name="contracts-attachment-upload"),
    path("<int:pk>/attachments/<int:aid>", performance.attachment_download, name="contracts-attachment"),
]
