"""Admin: where HR edits departments and the full content of each job description.

Who may change what is asked of ``positions.permissions``: an HR editor scoped to a department
subtree sees the rest of the organisation read-only and can place positions only in their own
departments.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest
from reversion.admin import VersionAdmin

from positions import permissions
from positions.models import (
    Acknowledgement,
    Authority,
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
    Version,
)
from positions.services import grade_overlap_q
from positions.services.sheets import mark_edited
from positions.services.search import reindex_department, reindex_position

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
class DepartmentAdmin(ScopedDepartmentFieldMixin, admin.ModelAdmin):
    scoped_department_fields = ("parent",)
    list_display = ("name", "code", "kind", "parent", "order")
    list_display_links = ("name",)
    list_editable = ("order",)
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    ordering = ("order", "code")
    fields = ("name", "code", "kind", "parent", "order")

    def save_model(self, request: HttpRequest, obj: Department, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            reindex_department(obj.pk)  # search finds positions by their department's name

    def has_change_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit_department(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit_department(request.user, obj))


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


class PositionSectionInlineMixin:
    """A sheet section inline is editable exactly when its position is."""

    def _editable(self, request: HttpRequest, obj: Position | None) -> bool:
        return obj is None or permissions.can_edit_position(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class DutyInline(PositionSectionInlineMixin, admin.StackedInline):
    model = Duty
    formfield_overrides = COMPACT_TEXT
    extra = 0
    ordering = ("rank",)
    fields = (("rank", "kind", "responsibility"), ("group", "title"), "tasks", "assessment")


class AuthorityInline(PositionSectionInlineMixin, admin.TabularInline):
    model = Authority
    extra = 0
    ordering = ("order", "pk")
    fields = ("order", "name", "level")


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
class PositionAdmin(ScopedDepartmentFieldMixin, VersionAdmin):
    scoped_department_fields = ("department",)
    list_display = ("title", "code", "department", "reports_to", "grade", "status")
    list_display_links = ("title",)
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), GradeRangeFilter, "status")
    list_select_related = ("department", "reports_to")
    list_per_page = 50
    search_fields = ("title", "code", "department__name")
    autocomplete_fields = ("department", "reports_to", "related_positions")
    ordering = ("department__order", "code", "title")
    save_on_top = True
    formfield_overrides = COMPACT_TEXT
    # The state and the sign-off are workflow decisions (流程/审批), never typed in here.
    readonly_fields = (
        "status",
        "prepared_by_name",
        "prepared_at",
        "reviewed_by_name",
        "reviewed_at",
        "approved_by_name",
        "approved_at",
        "current_version",
        "created_at",
        "updated_at",
    )
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
        AuthorityInline,
        RelationshipInline,
        QualificationInline,
        IndicatorInline,
    )

    @admin.display(description="职位等级", ordering="grade_min")
    def grade(self, obj: Position) -> str:
        return obj.grade_display or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Position]:
        return super().get_queryset(request).visible_to(request.user)

    def save_model(self, request: HttpRequest, obj: Position, form, change: bool) -> None:
        if change:
            obj.lock_version += 1  # an admin save conflicts with an editor open elsewhere
            mark_edited(obj)  # a published sheet edited here becomes the draft of V(n+1)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        reindex_position(form.instance)  # after the inlines: the index holds every section

    def has_change_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit_position(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit_position(request.user, obj))


# -- the parts of a sheet, each also reachable on its own ------------------------------------


class PositionPartAdmin(VersionAdmin):
    list_select_related = ("position", "position__department")
    search_fields = ("position__title", "position__code")
    autocomplete_fields = ("position",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(position__in=Position.objects.visible_to(request.user))
        )

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A section is part of its position: editing it alone still moves the position on,
        # and out of 已生效 / review like any edit of the sheet.
        Position.objects.filter(pk=obj.position_id).update(lock_version=F("lock_version") + 1)
        position = Position.objects.get(pk=obj.position_id)
        mark_edited(position)
        if position.returned_to_draft or position.started_next_version:
            position.save()
        reindex_position(position)

    def delete_model(self, request: HttpRequest, obj) -> None:
        position_id = obj.position_id
        super().delete_model(request, obj)
        position = Position.objects.get(pk=position_id)
        mark_edited(position)
        position.lock_version += 1
        position.save()
        reindex_position(position)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "position":
            field.queryset = field.queryset.editable_by(request.user)
            field.error_messages["invalid_choice"] = "只能选择您负责范围内的职位。"
        return field

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or permissions.can_edit_position(request.user, obj.position)
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (
            obj is None or permissions.can_edit_position(request.user, obj.position)
        )


@admin.register(Duty)
class DutyAdmin(PositionPartAdmin):
    list_display = ("position", "rank", "title", "kind", "responsibility")
    list_filter = ("kind", "responsibility")
    search_fields = ("position__title", "position__code", "title", "tasks")


@admin.register(Authority)
class AuthorityAdmin(PositionPartAdmin):
    list_display = ("position", "order", "name", "level")
    list_filter = ("level",)
    search_fields = ("position__title", "position__code", "name")


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published versions and acknowledgements are records: looked at, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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
        visible = Position.objects.visible_to(request.user)
        return super().get_queryset(request).filter(position__in=visible).defer("sheet")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("employee", "version", "acknowledged_at")
    list_select_related = ("employee", "version")
    search_fields = ("employee__name", "employee__employee_no", "version__title")
