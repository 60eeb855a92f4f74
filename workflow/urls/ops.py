from django.urls import path

from workflow.views import ops

urlpatterns = [path("healthz", ops.healthz, name="healthz")]
