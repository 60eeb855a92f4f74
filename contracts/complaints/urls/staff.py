"""Staff pages of the complaint column, mounted at /staff/complaints/."""

from django.urls import path

from contracts.complaints.views import staff as views

urlpatterns = [
    path("", views.complaint_list, name="complaints-list"),
    path("dashboard/", views.complaint_dashboard, name="complaints-dashboard"),
    path("notices/<int:pk>/issue", views.complaint_notice_issue, name="complaint-notice-issue"),
    # The flow's link (ComplaintProcess.get_absolute_url) names the complaint by its id.
    path("id/<int:pk>/", views.complaint_by_id, name="contracts-complaint"),
    path("<str:code>/", views.complaint_detail, name="complaint-detail"),
    path("<str:code>/evidence/<int:pk>", views.complaint_evidence, name="complaint-evidence"),
    path("<str:code>/documents/<int:pk>", views.complaint_document, name="complaint-document"),
]
