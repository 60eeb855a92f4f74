"""Credit repair endpoints, included under /api/v1/ by workflow.api.urls (before the catch-all)."""

from django.urls import path

from repair.api import records as apis

urlpatterns = [
    path("repair/records/", apis.RecordCollectionApi.as_view(), name="api-repair-records"),
    path("repair/records/<int:pk>", apis.RecordDetailApi.as_view(), name="api-repair-record"),
    path("repair/records/<int:pk>/serve", apis.RecordServeApi.as_view(), name="api-repair-record-serve"),
    path("repair/records/<int:pk>/publish", apis.RecordPublishApi.as_view(), name="api-repair-record-publish"),
    path("repair/records/<int:pk>/objections", apis.RecordObjectionApi.as_view(), name="api-repair-record-objections"),
    path("repair/objections/<int:pk>/answer", apis.ObjectionAnswerApi.as_view(), name="api-repair-objection-answer"),
    path("repair/applications/", apis.ApplicationCollectionApi.as_view(), name="api-repair-applications"),
    path("repair/applications/<int:pk>", apis.ApplicationDetailApi.as_view(), name="api-repair-application"),
    path(
        "repair/applications/<int:pk>/supplement",
        apis.ApplicationSupplementApi.as_view(),
        name="api-repair-application-supplement",
    ),
    path(
        "repair/applications/<int:pk>/supplement-received",
        apis.ApplicationSupplementReceivedApi.as_view(),
        name="api-repair-application-supplement-received",
    ),
    path(
        "repair/applications/<int:pk>/decide", apis.ApplicationDecideApi.as_view(), name="api-repair-application-decide"
    ),
    path(
        "repair/applications/<int:pk>/extend", apis.ApplicationExtendApi.as_view(), name="api-repair-application-extend"
    ),
    path("public/records/", apis.PublicRecordListApi.as_view(), name="api-public-records"),
]
