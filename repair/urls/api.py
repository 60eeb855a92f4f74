"""Credit repair endpoints, included under /api/v1/ by workflow.api.urls (before the catch-all)."""

from django.urls import path

from repair.api import applications, objections, public, records

urlpatterns = [
    path("repair/records/", records.RecordCollectionApi.as_view(), name="api-repair-records"),
    path("repair/records/<int:pk>", records.RecordDetailApi.as_view(), name="api-repair-record"),
    path("repair/records/<int:pk>/serve", records.RecordServeApi.as_view(), name="api-repair-record-serve"),
    path(
        "repair/records/<int:pk>/decision-file",
        records.RecordDecisionFileApi.as_view(),
        name="api-repair-record-decision-file",
    ),
    path("repair/records/<int:pk>/publish", records.RecordPublishApi.as_view(), name="api-repair-record-publish"),
    path(
        "repair/records/<int:pk>/objections",
        objections.RecordObjectionApi.as_view(),
        name="api-repair-record-objections",
    ),
    path(
        "repair/objections/<int:pk>/answer", objections.ObjectionAnswerApi.as_view(), name="api-repair-objection-answer"
    ),
    path("repair/applications/", applications.ApplicationCollectionApi.as_view(), name="api-repair-applications"),
    path("repair/applications/<int:pk>", applications.ApplicationDetailApi.as_view(), name="api-repair-application"),
    path(
        "repair/applications/<int:pk>/supplement",
        applications.ApplicationSupplementApi.as_view(),
        name="api-repair-application-supplement",
    ),
    path(
        "repair/applications/<int:pk>/supplement-received",
        applications.ApplicationSupplementReceivedApi.as_view(),
        name="api-repair-application-supplement-received",
    ),
    path(
        "repair/applications/<int:pk>/decide",
        applications.ApplicationDecideApi.as_view(),
        name="api-repair-application-decide",
    ),
    path(
        "repair/applications/<int:pk>/extend",
        applications.ApplicationExtendApi.as_view(),
        name="api-repair-application-extend",
    ),
    path("public/records/", public.PublicRecordListApi.as_view(), name="api-public-records"),
]
