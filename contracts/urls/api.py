from django.urls import include, path

from contracts.api import contracts as apis

urlpatterns = [
    path("", include("contracts.publication.urls")),
    path("contracts/", apis.ContractListCreateApi.as_view(), name="api-contracts"),
    path("contracts/<int:pk>", apis.ContractDetailApi.as_view(), name="api-contract"),
    path(
        "contracts/<int:pk>/milestones/<int:mid>/delivery",
        apis.MilestoneDeliveryApi.as_view(),
        name="api-contract-delivery",
    ),
    path("contracts/<int:pk>/payments/", apis.PaymentCreateApi.as_view(), name="api-contract-payments"),
    path("contracts/<int:pk>/fulfil", apis.ContractFulfilApi.as_view(), name="api-contract-fulfil"),
    path("contracts/<int:pk>/terminate", apis.ContractTerminateApi.as_view(), name="api-contract-terminate"),
    path("arrears/", apis.ArrearsListApi.as_view(), name="api-arrears"),
    path("arrears/rates", apis.ArrearsRatesApi.as_view(), name="api-arrears-rates"),
    path("arrears/<int:pk>/plan", apis.ArrearsPlanApi.as_view(), name="api-arrears-plan"),
    path("evaluation/", apis.EvaluationApi.as_view(), name="api-evaluation"),
]
