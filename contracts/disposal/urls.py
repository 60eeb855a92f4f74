from django.urls import path

from contracts.disposal import views as disposal_views

urlpatterns = [
    path("", disposal_views.disposal_list, name="contracts-disposals"),
    path("new/", disposal_views.disposal_new, name="contracts-disposal-new"),
    path("<int:pk>/", disposal_views.disposal_detail, name="contracts-disposal"),
]
