"""Public pages of the complaint column, mounted at /complaints/ (no account needed)."""

from django.urls import path

from contracts.complaints.views import public as views

urlpatterns = [
    path("", views.complaint_index, name="complaint-index"),
    path("new/", views.complaint_new, name="complaint-new"),
    path("new/done/", views.complaint_done, name="complaint-done"),
    path("track/", views.complaint_track, name="complaint-track"),
    path("track/<str:code>/evaluate", views.complaint_evaluate, name="complaint-evaluate"),
    path("track/<str:code>/receipt", views.complaint_public_document, {"kind": "receipt"}, name="complaint-receipt"),
    path("track/<str:code>/reply", views.complaint_public_document, {"kind": "reply"}, name="complaint-reply"),
    path(
        "track/<str:code>/rejection",
        views.complaint_public_document,
        {"kind": "rejection"},
        name="complaint-rejection-notice",
    ),
]
