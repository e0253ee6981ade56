"""URLs of notifications, in their own namespace (``notifications:preferences`` …)."""

from django.urls import path

from notifications.views import pages

app_name = "notifications"

urlpatterns = [
    path("notifications/settings/", pages.preferences, name="preferences"),
    path("notifications/log/", pages.message_log, name="message-log"),
]
