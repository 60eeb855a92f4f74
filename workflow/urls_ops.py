from django.urls import path

from .views import ops

urlpatterns = [path("healthz", ops.healthz, name="healthz")]
