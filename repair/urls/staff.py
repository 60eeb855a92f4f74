"""Staff and enterprise pages of credit repair, mounted at /staff/repair/."""

from django.urls import include, path

from repair.views import applications, dashboard, enterprise, home, objections, records, window

urlpatterns = [
    path("import/", include("repair.imports.urls")),
    path("", home.repair_home, name="repair-home"),
    path("records/", records.record_list, name="repair-records"),
    path("records/new/", records.record_new, name="repair-record-new"),
    path("records/<int:pk>/", records.record_detail, name="repair-record"),
    path("records/<int:pk>/decision.pdf", records.decision_file_download, name="repair-record-decision-file"),
    path("records/<int:pk>/objection/", objections.objection_new, name="repair-objection-new"),
    path("mine/", enterprise.my_records, name="repair-mine"),
    path("apply/", enterprise.apply, name="repair-apply"),
    path("applications/", applications.application_list, name="repair-applications"),
    path("applications/<int:pk>/", applications.application_detail, name="repair-application"),
    path("applications/<int:pk>/answer/", enterprise.application_answer, name="repair-application-answer"),
    path("applications/<int:pk>/proofs/<int:proof_pk>", applications.proof_download, name="repair-proof"),
    path("applications/<int:pk>/receipt/", window.application_receipt, name="repair-application-receipt"),
    path(
        "applications/<int:pk>/power-of-attorney",
        window.power_of_attorney_download,
        name="repair-power-of-attorney",
    ),
    path("documents/<int:pk>", records.document_download, name="repair-document"),
    path("objections/", objections.objection_list, name="repair-objections"),
    path("objections/<int:pk>/", objections.objection_detail, name="repair-objection"),
    path("measures/", home.measures, name="repair-measures"),
    path("dashboard/measures.json", dashboard.repair_data, name="repair-dashboard-measures"),
]
