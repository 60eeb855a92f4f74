"""The complaint column's endpoints, included under /api/v1/ by workflow.api.urls (before the catch-all)."""

from django.urls import path

from contracts.complaints.api import endpoints as apis

urlpatterns = [
    path("complaints/", apis.ComplaintCollectionApi.as_view(), name="api-complaints"),
    path("complaints/<str:code>", apis.ComplaintDetailApi.as_view(), name="api-complaint"),
    path("complaints/<str:code>/accept", apis.ComplaintAcceptApi.as_view(), name="api-complaint-accept"),
    path("complaints/<str:code>/reject", apis.ComplaintRejectApi.as_view(), name="api-complaint-reject"),
    path("complaints/<str:code>/transfer", apis.ComplaintTransferApi.as_view(), name="api-complaint-transfer"),
    path("complaints/<str:code>/handle", apis.ComplaintHandleApi.as_view(), name="api-complaint-handle"),
    path("complaints/<str:code>/extend", apis.ComplaintExtendApi.as_view(), name="api-complaint-extend"),
    path("complaints/<str:code>/feedback", apis.ComplaintFeedbackApi.as_view(), name="api-complaint-feedback"),
    path("complaints/<str:code>/review", apis.ComplaintReviewApi.as_view(), name="api-complaint-review"),
    path("complaints/<str:code>/evaluate", apis.ComplaintEvaluateApi.as_view(), name="api-complaint-evaluate"),
]
