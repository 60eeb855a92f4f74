"""Publication (公示) endpoints and the public OCDS feed, included under /api/v1/ by workflow.api.urls."""

from django.urls import path

from contracts.publication import api as publication_apis

urlpatterns = [
    path(
        "contracts/<int:pk>/publication",
        publication_apis.PublicationDetailApi.as_view(),
        name="api-contract-publication",
    ),
    path(
        "contracts/<int:pk>/publication/review",
        publication_apis.PublicationReviewApi.as_view(),
        name="api-contract-publication-review",
    ),
    path("contracts/<int:pk>/publish", publication_apis.ContractPublishApi.as_view(), name="api-contract-publish"),
    path("contracts/<int:pk>/withdraw", publication_apis.ContractWithdrawApi.as_view(), name="api-contract-withdraw"),
    path("ocds/releases.json", publication_apis.OcdsReleasesApi.as_view(), name="api-ocds-releases"),
]
