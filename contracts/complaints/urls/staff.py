"""Staff pages of the complaint column, mounted at /staff/complaints/."""

from django.urls import path

from contracts.complaints.views import dashboard, staff

urlpatterns = [
    path("", staff.complaint_list, name="complaints-list"),
    path("dashboard/", dashboard.complaint_dashboard, name="complaints-dashboard"),
    path("notices/<int:pk>/issue", dashboard.complaint_notice_issue, name="complaint-notice-issue"),
    # The flow's link (ComplaintProcess.get_absolute_url) names the complaint by its id.
    path("id/<int:pk>/", staff.complaint_by_id, name="contracts-complaint"),
    path("<str:code>/", staff.complaint_detail, name="complaint-detail"),
    path("<str:code>/evidence/<int:pk>", staff.complaint_evidence, name="complaint-evidence"),
    path("<str:code>/documents/<int:pk>", staff.complaint_document, name="complaint-document"),
]
