"""Portal, login/logout, language switch and the staff shell."""

from django.urls import include, path

from workflow.views import web

urlpatterns = [
    path("", web.portal_home, name="portal-home"),
    path("accounts/login/", web.GovcreditLoginView.as_view(), name="login"),
    path("accounts/logout/", web.GovcreditLogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", web.staff_home, name="staff-home"),
    path("staff/inbox/", web.staff_inbox, name="staff-inbox"),
    path("staff/notifications/", web.staff_notifications, name="staff-notifications"),
    path("staff/notifications/<int:pk>/read/", web.staff_notification_read, name="staff-notification-read"),
    path("staff/calendar/", web.staff_calendar, name="staff-calendar"),
]
