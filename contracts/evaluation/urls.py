from django.urls import path, re_path

from contracts.evaluation import views as v

urlpatterns = [
    path("", v.evaluation_ranking, name="contracts-evaluation"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", v.evaluation_export, name="contracts-evaluation-export"),
    path("report/<int:agency_id>/", v.evaluation_report, name="contracts-evaluation-report"),
    path("weights/", v.evaluation_weights, name="contracts-evaluation-weights"),
    path("overdue/<int:year>/", v.evaluation_overdue, name="contracts-evaluation-overdue"),
]
