"""The 组织诊断's notes in the admin: read by HR editors, the same rule as the pages."""

from django.contrib import admin
from django.http import HttpRequest

from diagnosis.models import FindingNote


@admin.register(FindingNote)
class FindingNoteAdmin(admin.ModelAdmin):
    list_display = ("summary", "kind", "department", "status", "marked_by", "marked_at")
    list_filter = ("status", "kind")
    search_fields = ("summary", "reason", "key")
    readonly_fields = ("key", "kind", "summary", "department", "marked_by", "marked_at")
    fields = ("key", "kind", "summary", "department", "status", "reason", "marked_by", "marked_at")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        """Notes are made on the report page, about a finding it shows: never here."""
        return False
