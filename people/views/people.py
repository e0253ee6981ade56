"""People: the employee list, an employee's page, transfers (调岗) and leaving (离职).

The list and the two changes are for HR editors managing the employee; an employee's page is
also open to the employee themself (``positions.permissions`` decides). The changes are made
by ``positions.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from people.forms.people import EmployeeFilterForm, LeaveForm, TransferForm
from people.services import people
from positions import permissions
from positions.models import Assignment, Employee, Position
from positions.org import department_index
from positions.services import reading
from positions.views.browse import paginate


def employee_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_employees(request.user):
        raise PermissionDenied("只有 HR 编辑可以查看员工列表。")
    index = department_index()
    form = EmployeeFilterForm(request.GET or None, index=index)
    form.is_valid()
    filters: dict[str, Any] = getattr(form, "cleaned_data", {})
    employees = people.managed_employees(request.user).with_position()
    if query := (filters.get("q") or "").strip():
        employees = employees.filter(Q(name__icontains=query) | Q(employee_no__icontains=query))
    if (department := filters.get("department")) is not None:
        in_department = Assignment.objects.current().filter(
            employee=OuterRef("pk"), position__department_id__in=index.subtree_ids(department)
        )
        employees = employees.filter(Exists(in_department))
    if not filters.get("left"):
        employees = employees.current()
    employees = employees.order_by("employee_no", "pk")
    page_obj, page_notice = paginate(employees, request.GET.get("page"))
    return render(
        request,
        "positions/employee_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
            "page_notice": page_notice,
            "is_filtered": bool(query or department is not None),
        },
    )


def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = get_object_or_404(Employee.objects.select_related("user"), pk=pk)
    if not permissions.can_view_employee_details(request.user, employee):
        raise PermissionDenied("无权查看该员工的信息。")
    history = list(
        employee.assignments.select_related("position__department").order_by("-start_date", "-pk")
    )
    current = next((a for a in history if a.end_date is None), None)
    filled = ""
    if current is not None:
        holders = reading.holders_by_position([current.position_id])[current.position_id]
        filled = current.position.staffing_label(len(holders))
    return render(
        request,
        "positions/employee_detail.html",
        {
            "employee": employee,
            "current": current,
            "filled": filled,
            "history": [
                (assignment, permissions.can_view_position(request.user, assignment.position))
                for assignment in history
            ],
            "can_manage": permissions.can_manage_employee(request.user, employee),
            "is_self": employee.user_id == request.user.pk,
        },
    )


def employee_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    employee, current = _managed_employee(request, pk)
    if employee.has_left:
        messages.warning(request, f"{employee.name}已离职，不能调岗。")
        return redirect(employee)
    positions = (
        Position.objects.filter(permissions.editable_positions_q(request.user))
        .active()
        .with_department()
    )
    filled = _filled_labels(positions)
    form = TransferForm(request.POST or None, positions=positions, filled=filled)
    if request.method == "POST" and form.is_valid():
        position = form.cleaned_data["position"]
        effective_date = form.cleaned_data["effective_date"]
        try:
            people.transfer_employee(
                employee=employee,
                position=position,
                effective_date=effective_date,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            since = effective_date.isoformat()
            messages.success(
                request, f"{employee.name}已调至“{position.title}”，自 {since} 起生效。"
            )
            return redirect(employee)
    return _form_page(request, employee, current, form, action="transfer")


def employee_leave(request: HttpRequest, pk: int) -> HttpResponse:
    employee, current = _managed_employee(request, pk)
    if employee.has_left:
        messages.warning(
            request, f"{employee.name}已于 {employee.left_on.isoformat()} 离职，无需重复办理。"
        )
        return redirect(employee)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        left_on = form.cleaned_data["left_on"]
        try:
            people.employee_leaves(employee=employee, left_on=left_on)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"已为{employee.name}办理离职（离职日期 {left_on.isoformat()}），登录账号已停用。",
            )
            return redirect(employee)
    return _form_page(request, employee, current, form, action="leave")


# -- helpers -----------------------------------------------------------------------------------

FORM_PAGES = {
    "transfer": {
        "title": "调岗",
        "icon": "bi-arrow-left-right",
        "submit": "确认调岗",
        "button": "btn-primary",
    },
    "leave": {
        "title": "办理离职",
        "icon": "bi-box-arrow-right",
        "submit": "确认离职",
        "button": "btn-danger",
    },
}


def _managed_employee(request: HttpRequest, pk: int) -> tuple[Employee, Assignment | None]:
    """The employee (404 when unknown, 403 unless the user manages them) and their position."""
    employee = get_object_or_404(Employee.objects.select_related("user"), pk=pk)
    if not permissions.can_manage_employee(request.user, employee):
        raise PermissionDenied("无权为该员工办理调岗或离职。")
    current = employee.assignments.current().select_related("position__department").first()
    return employee, current


def _filled_labels(positions: QuerySet[Position]) -> dict[int, str]:
    """Each position's filled headcount label ("2/3"), in two queries whatever the number."""
    listed = list(positions)
    holders = reading.holders_by_position([position.pk for position in listed])
    return {p.pk: p.staffing_label(len(holders[p.pk])) for p in listed}


def _form_page(
    request: HttpRequest,
    employee: Employee,
    current: Assignment | None,
    form: TransferForm | LeaveForm,
    *,
    action: str,
) -> HttpResponse:
    return render(
        request,
        "positions/employee_form.html",
        {
            "employee": employee,
            "current": current,
            "form": form,
            "action": action,
            **FORM_PAGES[action],
        },
    )
