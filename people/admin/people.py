"""Admin for employees, their assignments and HR editors' scopes.

An HR editor sees the employees they manage (``permissions.managed_employees_q``). Adding an
employee here hires them into a position (``people.hire_employee``); 调岗 and 离职 go through
the site's own pages, which keep the assignment history, so the history is read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from audit import services as audit
from people.services import people
from positions import permissions
from positions.admin.base import AsksPermissions
from positions.models import Assignment, EditorScope, Employee, Position

# -- employees ---------------------------------------------------------------------------------


class EmploymentStatusFilter(admin.SimpleListFilter):
    title = "在职状态"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("current", "在职"), ("left", "已离职")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "current":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "left":
            return queryset.filter(left_on__isnull=False)
        return queryset


class AssignmentInline(admin.TabularInline):
    """The assignment history, read-only: 调岗 and 离职 add and close rows."""

    model = Assignment
    extra = 0
    can_delete = False
    ordering = ("-start_date", "-pk")
    fields = ("position", "department", "start_date", "end_date", "reason")
    readonly_fields = fields
    verbose_name_plural = "任职记录（通过“调岗”“离职”办理）"
    view_on_site = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("position__department")

    @admin.display(description="部门")
    def department(self, assignment: Assignment) -> str:
        return assignment.position.department.name

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmployeeAddForm(forms.ModelForm):
    """Adding an employee hires them: ``get_form`` adds the first position to this form."""

    class Meta:
        model = Employee
        fields = ("user", "name", "employee_no", "hired_on")


@admin.register(Employee)
class EmployeeAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = (
        "employee_no",
        "name",
        "current_position",
        "hired_on",
        "left_on",
        "in_service",
    )
    list_display_links = ("employee_no", "name")
    list_filter = (EmploymentStatusFilter,)
    search_fields = ("name", "employee_no")
    autocomplete_fields = ("user",)
    ordering = ("employee_no",)
    inlines = (AssignmentInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        managed = people.managed_employees(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=managed).with_position()

    def get_fields(self, request: HttpRequest, obj: Employee | None = None) -> list[str]:
        if obj is None:
            return ["user", "name", "employee_no", "hired_on", "position"]
        return ["user", "name", "employee_no", "hired_on", "left_on", "people_actions"]

    def get_readonly_fields(self, request: HttpRequest, obj: Employee | None = None) -> tuple:
        # An employee's login account is chosen once, when hiring: re-linking a record to
        # another account would hand that account the record's positions.
        return () if obj is None else ("user", "left_on", "people_actions")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            field.queryset = field.queryset.filter(permissions.managed_accounts_q(request.user))
            field.error_messages["invalid_choice"] = "只能选择您管理的登录账号。"
        return field

    def get_inline_instances(self, request: HttpRequest, obj: Employee | None = None) -> list:
        return [] if obj is None else super().get_inline_instances(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Employee | None = None, change: bool = False, **kwargs
    ) -> type[forms.ModelForm]:
        if obj is None:
            choices = (
                Position.objects.filter(permissions.editable_positions_q(request.user))
                .active()
                .with_department()
            )

            class AddForm(EmployeeAddForm):
                position = forms.ModelChoiceField(
                    label="职位", queryset=choices, help_text="入职职位，自入职日期起任职。"
                )

            kwargs["form"] = AddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Employee, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        hired = people.hire_employee(
            user=obj.user,
            name=obj.name,
            employee_no=obj.employee_no,
            hired_on=obj.hired_on,
            position=form.cleaned_data["position"],
        )
        obj.pk = hired.pk
        obj._state.adding = False
        obj._state.db = hired._state.db

    @admin.display(description="当前职位")
    def current_position(self, employee: Employee) -> str:
        current = getattr(employee, "current_assignments", None)
        if current is None:
            current = list(employee.assignments.current().select_related("position"))
        return current[0].position.title if current else "—"

    @admin.display(description="在职", boolean=True)
    def in_service(self, employee: Employee) -> bool:
        return employee.left_on is None

    @admin.display(description="调岗 / 离职")
    def people_actions(self, employee: Employee) -> str:
        if employee.left_on is not None:
            return format_html('已离职，<a href="{}">查看任职记录</a>', employee.get_absolute_url())
        return format_html(
            '<a href="{}">办理调岗</a> · <a href="{}">办理离职</a>',
            reverse("positions:employee-transfer", args=[employee.pk]),
            reverse("positions:employee-leave", args=[employee.pk]),
        )


@admin.register(Assignment)
class AssignmentAdmin(AsksPermissions, admin.ModelAdmin):
    """Corrections of the history; new rows come from hiring and 调岗."""

    list_display = ("employee", "position", "department", "start_date", "end_date", "reason")
    list_filter = ("reason",)
    list_select_related = ("employee", "position__department")
    search_fields = ("employee__name", "employee__employee_no", "position__title")
    date_hierarchy = "start_date"
    fields = ("employee", "position", "start_date", "end_date", "reason")
    readonly_fields = ("employee", "position")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        managed = people.managed_employees(request.user).values("pk")
        return super().get_queryset(request).filter(employee__in=managed)

    @admin.display(description="部门", ordering="position__department__name")
    def department(self, assignment: Assignment) -> str:
        return assignment.position.department.name


# -- HR editors' scopes ------------------------------------------------------------------------


@admin.register(EditorScope)
class EditorScopeAdmin(AsksPermissions, admin.ModelAdmin):
    """Only unscoped HR editors (and superusers) grant scopes: nobody widens their own."""

    list_display = ("user", "department")
    list_select_related = ("user", "department")
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")
    autocomplete_fields = ("user", "department")

    # The audit trail records every scope granted, moved or removed (who, to whom, which).
    def save_model(self, request: HttpRequest, obj: EditorScope, form: Any, change: bool) -> None:
        previous = audit.stored_scope_department(obj) if change else ""
        super().save_model(request, obj, form, change)
        action = audit.Action.SCOPE_CHANGE if change else audit.Action.SCOPE_ADD
        audit.record_scope(request, action, obj, previous)

    def delete_model(self, request: HttpRequest, obj: EditorScope) -> None:
        audit.record_scope(request, audit.Action.SCOPE_DELETE, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EditorScope]) -> None:
        for scope in queryset.select_related("user", "department"):
            audit.record_scope(request, audit.Action.SCOPE_DELETE, scope)
        super().delete_queryset(request, queryset)
