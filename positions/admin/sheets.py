"""Admin: departments (edited here by HR in scope) and the sheets, read-only.

A sheet — a position and its sections — is written in one place only, the editor at
``/positions/<id>/edit/``, which checks the lock, moves the workflow and records the history.
Here every sheet model is view-only, for superusers too, and the position list links to the
editor. Who may see or change what is asked of ``positions.permissions`` (``AsksPermissions``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from positions import hooks, permissions
from positions.admin.base import AsksPermissions
from positions.models import (
    Acknowledgement,
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
    Version,
)
from positions.services.organisation import grade_overlap_q

# Multi-line sheet text is short paragraphs or a few lines: keep the change form compact.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}
TABULAR_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}

# -- departments -----------------------------------------------------------------------------


class ScopedDepartmentFieldMixin:
    """Department pickers offer only the departments the HR editor may edit."""

    scoped_department_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in self.scoped_department_fields and field is not None:
            field.queryset = field.queryset.filter(permissions.editable_departments_q(request.user))
            field.error_messages["invalid_choice"] = "只能选择您负责范围内的部门。"
            if permissions.access(request.user).edit_departments is not None:
                field.required = True  # a scoped editor cannot create a department at the top
        return field


@admin.register(Department)
class DepartmentAdmin(AsksPermissions, ScopedDepartmentFieldMixin, admin.ModelAdmin):
    scoped_department_fields = ("parent",)
    list_display = ("name", "code", "kind", "parent", "order")
    list_display_links = ("name",)
    list_editable = ("order",)
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    ordering = ("order", "code")
    fields = ("name", "code", "kind", "parent", "order", "reviewer_role")

    def save_model(self, request: HttpRequest, obj: Department, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # Search finds positions by their department's name.
            hooks.sheets_written(obj.positions.values_list("pk", flat=True))


# -- positions -------------------------------------------------------------------------------


class GradeRangeFilter(admin.SimpleListFilter):
    """Positions whose grade range overlaps a band of grades."""

    title = "职位等级"
    parameter_name = "grade"
    bands: dict[str, tuple[int, int | None]] = {
        "1-3": (1, 3),
        "4-6": (4, 6),
        "7-9": (7, 9),
        "10-12": (10, 12),
        "13-": (13, None),
    }

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        labels = [
            (key, f"{low} 级及以上" if high is None else f"{low}–{high} 级")
            for key, (low, high) in self.bands.items()
        ]
        return [*labels, ("none", "未设定")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "none":
            return queryset.filter(grade_min__isnull=True, grade_max__isnull=True)
        if value in self.bands:
            low, high = self.bands[value]
            return queryset.filter(grade_overlap_q(low, high if high is not None else 32767))
        return queryset


class PositionSectionInlineMixin(AsksPermissions):
    """A sheet section inline: shown with its position, never changed here."""

    def has_add_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        return False


class DutyInline(PositionSectionInlineMixin, admin.StackedInline):
    model = Duty
    formfield_overrides = COMPACT_TEXT
    extra = 0
    ordering = ("rank",)
    fields = (("rank", "kind", "responsibility"), ("group", "title"), "tasks", "assessment")


class RelationshipInline(PositionSectionInlineMixin, admin.TabularInline):
    model = Relationship
    formfield_overrides = TABULAR_TEXT
    extra = 0
    ordering = ("order", "pk")
    fields = ("order", "kind", "party", "purpose")


class QualificationInline(PositionSectionInlineMixin, admin.StackedInline):
    model = Qualification
    formfield_overrides = COMPACT_TEXT
    extra = 0
    max_num = 1
    fields = (
        ("education", "education_note"),
        "major",
        ("experience_years", "experience"),
        "background",
        "knowledge",
        "skills",
        "competencies",
        "qualities",
        "certificates",
    )


class IndicatorInline(PositionSectionInlineMixin, admin.TabularInline):
    model = Indicator
    formfield_overrides = TABULAR_TEXT
    extra = 0
    ordering = ("order", "pk")
    fields = ("order", "name", "description")


@admin.register(Position)
class PositionAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = ("title", "code", "department", "reports_to", "grade", "status")
    list_display_links = ("title",)
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), GradeRangeFilter, "status")
    list_select_related = ("department", "reports_to")
    list_per_page = 50
    search_fields = ("title", "code", "department__name")
    ordering = ("department__order", "code", "title")
    fieldsets = (
        (
            "基本信息",
            {
                "fields": (
                    ("title", "code"),
                    ("department", "reports_to"),
                    "related_positions",
                    ("grade_min", "grade_max"),
                    ("headcount", "location"),
                    ("status", "current_version"),
                )
            },
        ),
        ("职位概要", {"fields": ("purpose", "summary")}),
        ("主要责任", {"fields": ("commitments",)}),
        ("工作环境与其他要求", {"fields": ("work_environment", "other_requirements")}),
        (
            "签核",
            {
                "fields": (
                    ("prepared_by_name", "prepared_at"),
                    ("reviewed_by_name", "reviewed_at"),
                    ("approved_by_name", "approved_at"),
                    ("created_at", "updated_at"),
                )
            },
        ),
    )
    inlines = (
        DutyInline,
        RelationshipInline,
        QualificationInline,
        IndicatorInline,
    )

    @admin.display(description="职位等级", ordering="grade_min")
    def grade(self, obj: Position) -> str:
        return obj.grade_display or "—"

    def get_list_display(self, request: HttpRequest) -> tuple:
        @admin.display(description="编辑")
        def editor(obj: Position) -> str:
            """Where a sheet is changed: the site's editor, for those who may edit it."""
            if not permissions.can_edit_position(request.user, obj):
                return "—"
            url = reverse("positions:position-edit", args=[obj.pk])
            return format_html('<a href="{}">在编辑器中打开</a>', url)

        return (*self.list_display, editor)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Position]:
        return super().get_queryset(request).filter(permissions.visible_positions_q(request.user))


# -- the parts of a sheet, each also reachable on its own ------------------------------------


class PositionPartAdmin(AsksPermissions, admin.ModelAdmin):
    """A section of a sheet on its own: looked at (and searched) here, edited in the editor."""

    list_select_related = ("position", "position__department")
    search_fields = ("position__title", "position__code")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(
                position__in=Position.objects.filter(permissions.visible_positions_q(request.user))
            )
        )


@admin.register(Duty)
class DutyAdmin(PositionPartAdmin):
    list_display = ("position", "rank", "title", "kind", "responsibility")
    list_filter = ("kind", "responsibility")
    search_fields = ("position__title", "position__code", "title", "tasks")


@admin.register(Qualification)
class QualificationAdmin(PositionPartAdmin):
    list_display = ("position", "education", "experience_years")
    list_filter = ("education",)


@admin.register(Relationship)
class RelationshipAdmin(PositionPartAdmin):
    list_display = ("position", "order", "kind", "party")
    list_filter = ("kind",)
    search_fields = ("position__title", "position__code", "party")


@admin.register(Indicator)
class IndicatorAdmin(PositionPartAdmin):
    list_display = ("position", "order", "name")
    search_fields = ("position__title", "position__code", "name")


class ReadOnlyAdmin(AsksPermissions, admin.ModelAdmin):
    """Published versions and acknowledgements are records: looked at, never edited here
    (``permissions.has_admin_permission`` grants them ``view`` only)."""


@admin.register(Version)
class PublishedVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "code",
        "number",
        "effective_date",
        "approved_by_name",
        "is_historical",
    )
    list_filter = ("is_historical",)
    list_select_related = ("position",)
    search_fields = ("title", "code")
    exclude = ("sheet",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Version]:
        visible = Position.objects.filter(permissions.visible_positions_q(request.user))
        return super().get_queryset(request).filter(position__in=visible).defer("sheet")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("employee", "version", "acknowledged_at")
    list_select_related = ("employee", "version")
    search_fields = ("employee__name", "employee__employee_no", "version__title")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Acknowledgement]:
        # Who confirmed which version: those who read the position's working copy.
        readable = Position.objects.filter(permissions.working_copy_q(request.user))
        return super().get_queryset(request).filter(version__position__in=readable)
