"""Staff and enterprise pages of credit repair, mounted at /staff/repair/."""

from django.urls import include, path

from repair.views import applications as views

urlpatterns = [
    path("import/", include("repair.imports.urls")),
    path("", views.repair_home, name="repair-home"),
    path("records/", views.record_list, name="repair-records"),
    path("records/new/", views.record_new, name="repair-record-new"),
    path("records/<int:pk>/", views.record_detail, name="repair-record"),
    path("records/<int:pk>/objection/", views.objection_new, name="repair-objection-new"),
    path("mine/", views.my_records, name="repair-mine"),
    path("apply/", views.apply, name="repair-apply"),
    path("applications/", views.application_list, name="repair-applications"),
    path("applications/<int:pk>/", views.application_detail, name="repair-application"),
    path("applications/<int:pk>/answer/", views.application_answer, name="repair-application-answer"),
    path("applications/<int:pk>/proofs/<int:proof_pk>", views.proof_download, name="repair-proof"),
    path("documents/<int:pk>", views.document_download, name="repair-document"),
    path("objections/", views.objection_list, name="repair-objections"),
    path("objections/<int:pk>/", views.objection_detail, name="repair-objection"),
    path("measures/", views.measures, name="repair-measures"),
]
