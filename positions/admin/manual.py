"""Admin: the 权责手册 (the manual, its catalogue, cells and published versions), read-only.

The manual has one writer, ``positions.services.manual.write_manual`` (the grid editor and the
Excel import), which holds the lock, the checks, the workflow and the versions; here every model
is view-only, for superusers too. Who may see it is asked of ``positions.permissions``
(``AsksPermissions``).
"""

from __future__ import annotations

from django.contrib import admin

from positions.admin.base import AsksPermissions
from positions.models import (
    Band,
    Body,
    Grant,
    Manual,
    ManualVersion,
    ManualVersionRow,
    Matter,
    MatterCategory,
)


@admin.register(Manual)
class ManualAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("title", "doc_no", "status", "current_version", "lock_version", "updated_at")
    list_select_related = ("current_version",)


@admin.register(MatterCategory)
class MatterCategoryAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("name", "order")
    ordering = ("order", "pk")
    search_fields = ("name",)


@admin.register(Matter)
class MatterAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("name", "category", "note", "order")
    list_select_related = ("category",)
    list_filter = ("category",)
    ordering = ("category__order", "order", "pk")
    search_fields = ("name", "note")


@admin.register(Band)
class BandAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("matter", "condition", "order")
    list_select_related = ("matter",)
    ordering = ("matter__category__order", "matter__order", "order", "pk")
    search_fields = ("matter__name", "condition")


@admin.register(Body)
class BodyAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("name", "order")
    ordering = ("order", "pk")


@admin.register(Grant)
class GrantAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("band", "position", "body", "level")
    list_select_related = ("band__matter", "position", "body")
    list_filter = ("level",)
    search_fields = ("band__matter__name", "position__title", "body__name")
    ordering = ("band__matter__category__order", "band__matter__order", "band__order", "pk")


@admin.register(ManualVersion)
class ManualVersionAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("number", "doc_no", "effective_date", "approved_by_name", "published_at")
    ordering = ("-number",)
    # The frozen document is read on the 权责手册 pages (/rights/versions/<n>/), not as JSON.
    exclude = ("document",)


@admin.register(ManualVersionRow)
class ManualVersionRowAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("version", "position", "category", "matter", "condition", "level")
    list_select_related = ("version", "position")
    list_filter = ("level",)
    search_fields = ("position__title", "matter", "category")
    ordering = ("-version__number", "position", "order")
    show_full_result_count = False
