"""The public list of dishonesty information published now, mounted at /public/records/ (no login)."""

from django.urls import path

from repair.views import public

urlpatterns = [
    path("", public.public_record_list, name="public-records"),
]
