"""Public contract pages, mounted at /public/contracts/ (no login)."""

from django.urls import path

from contracts.views import public as public_views

urlpatterns = [
    path("", public_views.public_contract_list, name="public-contract-list"),
    path("<int:pk>/", public_views.public_contract_detail, name="public-contract-detail"),
]
