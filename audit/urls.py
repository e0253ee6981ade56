"""URL patterns of the audit trail (审计日志).

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, like every area."""

from django.urls import path

from audit.views import events

urlpatterns = [
    path("audit/", events.event_list, name="audit-list"),
    path("audit/users/<int:pk>/", events.user_events, name="audit-user"),
    path("audit/positions/<int:pk>/", events.position_events, name="audit-position"),
    path("audit/export.xlsx", events.event_export, name="audit-export"),
]
