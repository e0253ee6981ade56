"""The audit trail in the admin: read only, for whoever may read it (``can_view_audit``) and
reaches the admin. No add, change or delete view answers anything but 403, not even for a
superuser; the changelist offers no action."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from audit.services import details_text
from positions.admin.base import AsksPermissions, LogsToTrail


@admin.register(AuditEvent)
class AuditEventAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("created_at", "username", "ip_address", "action", "object_label")
    list_filter = ("action", "created_at")
    search_fields = ("username", "object_label", "object_id", "ip_address")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "user",
        "username",
        "ip_address",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "details_summary",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description="详情")
    def details_summary(self, event: AuditEvent) -> str:
        return details_text(event)

    # Append-only, whatever the rules say for other models.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- other apps' admins --------------------------------------------------------------------------
# django-axes (login attempts: deleting one unlocks an account) and django-tasks (task results)
# register stock ModelAdmins, which would change data without a word to the audit trail. They are
# registered again with ``LogsToTrail``: the same pages with the same permissions (superusers
# only), and every addition, change and deletion reaches the trail.
for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (DBTaskResult, DBTaskResultAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Audited{_admin.__name__}", (LogsToTrail, _admin), {}))
