"""What every ModelAdmin of ours asks before showing or changing anything.

The answers come from ``positions.permissions.has_admin_permission`` — the same rules the
authentication backend (``positions.backends``) gives ``user.has_perm``. The ModelAdmins ask it
directly because ``user.has_perm`` says yes to every superuser, and even a superuser only reads
sheets here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from positions import hooks, permissions


class LogsToTrail:
    """The admin's own log (``LogEntry``), told to the audit trail through ``positions.hooks``."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any):
        entry = super().log_addition(request, obj, message)
        hooks.admin_logged(request, [entry])
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any):
        entry = super().log_change(request, obj, message)
        hooks.admin_logged(request, [entry])
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any):
        entries = super().log_deletions(request, queryset)
        hooks.admin_logged(request, entries)
        return entries


class AsksPermissions(LogsToTrail):
    """``has_*_permission`` of a ModelAdmin or inline, answered by ``positions.permissions``."""

    def _allowed(self, request: HttpRequest, action: str, obj: Any = None) -> bool:
        opts = self.opts
        perm = f"{opts.app_label}.{action}_{opts.model_name}"
        return permissions.has_admin_permission(request.user, perm, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.has_admin_module_permission(request.user, self.opts.app_label)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "delete", obj)
