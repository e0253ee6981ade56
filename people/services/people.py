"""People: hiring, transfers (调岗), leaving (离职) and who holds which position now.

Every change keeps the assignment history: an assignment is closed (``end_date`` set), never
deleted. Dates are inclusive — an assignment covers ``start_date`` through ``end_date``.

**The transfer date rule.** The new position is held *from* the effective date; the old one is
held *through the day before*: ``old.end_date = effective_date - 1 day`` and
``new.start_date = effective_date``. On any given day an employee therefore holds exactly one
position, and "who held position X on day D" never counts a transferee twice. It follows that
a transfer must take effect *after* the current assignment's start date (a same-day transfer
would leave the old assignment zero days long; correct it in the admin instead).

**Leaving.** ``left_on`` is the last working day: the current assignment is closed on that day
and the login account is deactivated at once (``user.is_active = False``).

Hiring and transfers made on someone's behalf name them (``by``): the position must be one
they may edit (``permissions.can_edit_position``), whatever form or import led here.

Errors are ``ValidationError`` with Chinese messages, keyed by the name of the offending
keyword argument (``"position"``, ``"effective_date"``, ``"left_on"`` …) or by ``__all__``
when the employee's state is the problem, so a form whose fields carry the same names can show
them with ``form.add_error(None, error)``.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from positions import hooks
from positions.models import Assignment, Employee, Position
from positions.permissions import can_edit_position, managed_employees_q

ONE_DAY = datetime.timedelta(days=1)


def _date(value: datetime.date) -> str:
    return value.isoformat()


def _current_assignment(employee: Employee) -> Assignment | None:
    """The employee's assignment in force, locked for the rest of the transaction."""
    return (
        Assignment.objects.select_for_update()
        .select_related("position")
        .filter(employee=employee, end_date__isnull=True)
        .first()
    )


def _out_of_scope(by: User | AnonymousUser | None, position: Position, verb: str) -> str | None:
    """Why ``by`` may not place employees in ``position`` (None when they may, or no one asks)."""
    if by is None or can_edit_position(by, position):
        return None
    return (
        f"您无权将员工{verb}职位“{position.title}”"
        f"（{position.department.name}不在您的编辑范围内），请重新选择。"
    )


def _refresh_left_on(employee: Employee) -> None:
    """Re-read ``left_on`` so that a stale object cannot leave or transfer twice."""
    employee.left_on = (
        Employee.objects.select_for_update().values_list("left_on", flat=True).get(pk=employee.pk)
    )


@transaction.atomic
def hire_employee(
    *,
    user: AbstractBaseUser,
    name: str,
    employee_no: str,
    hired_on: datetime.date,
    position: Position,
    by: User | AnonymousUser | None = None,
) -> Employee:
    """Create the employee record for ``user`` and their first assignment (入职) on ``hired_on``.

    ``by``: the HR editor hiring; the position must be one they may edit.
    """
    errors: dict[str, str] = {}
    name = name.strip()
    employee_no = employee_no.strip()
    if not name:
        errors["name"] = "请填写员工姓名。"
    if not employee_no:
        errors["employee_no"] = "请填写工号。"
    else:
        clash = Employee.objects.filter(employee_no=employee_no).first()
        if clash is not None:
            errors["employee_no"] = f"工号“{employee_no}”已被{clash.name}使用。"
    existing = Employee.objects.filter(user_id=user.pk).first()
    if existing is not None:
        errors["user"] = f"登录账号“{user.get_username()}”已关联员工{existing.name}。"
    if position.status == Position.Status.ARCHIVED:
        errors["position"] = f"职位“{position.title}”已归档，不能安排员工任职。"
    elif refusal := _out_of_scope(by, position, "安排到"):
        errors["position"] = refusal
    if errors:
        raise ValidationError(errors)
    employee = Employee.objects.create(
        user=user, name=name, employee_no=employee_no, hired_on=hired_on
    )
    Assignment.objects.create(
        employee=employee, position=position, start_date=hired_on, reason=Assignment.Reason.HIRE
    )
    return employee


@transaction.atomic
def transfer_employee(
    *,
    employee: Employee,
    position: Position,
    effective_date: datetime.date,
    by: User | AnonymousUser | None = None,
) -> Assignment:
    """调岗: hold ``position`` from ``effective_date``; the old assignment ends the day before.

    Returns the new assignment. An employee with no current position simply starts holding
    ``position`` on ``effective_date`` (not before their hire date). ``by``: the HR editor
    making the transfer; the position must be one they may edit.
    """
    _refresh_left_on(employee)
    if employee.has_left:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"{employee.name}已于 {_date(employee.left_on)} 离职，不能调岗。"}
        )
    current = _current_assignment(employee)
    errors: dict[str, str] = {}
    if position.status == Position.Status.ARCHIVED:
        errors["position"] = f"职位“{position.title}”已归档，不能调入。"
    elif refusal := _out_of_scope(by, position, "调入"):
        errors["position"] = refusal
    elif current is not None and current.position_id == position.pk:
        errors["position"] = f"{employee.name}目前已在“{position.title}”任职，请选择其他职位。"
    if current is not None and effective_date <= current.start_date:
        errors["effective_date"] = (
            f"调岗生效日期须晚于当前任职开始日期（{_date(current.start_date)}）。"
        )
    elif current is None and effective_date < employee.hired_on:
        errors["effective_date"] = f"调岗生效日期不能早于入职日期（{_date(employee.hired_on)}）。"
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.end_date = effective_date - ONE_DAY
        current.save(update_fields=["end_date"])
    has_history = current is not None or employee.assignments.exists()
    assignment = Assignment.objects.create(
        employee=employee,
        position=position,
        start_date=effective_date,
        reason=Assignment.Reason.TRANSFER if has_history else Assignment.Reason.HIRE,
    )
    hooks.occurred([hooks.Occurrence(hooks.EMPLOYEE_TRANSFERRED, assignment, position)])
    return assignment


@transaction.atomic
def employee_leaves(*, employee: Employee, left_on: datetime.date) -> Employee:
    """离职: ``left_on`` is the last working day; closes the assignment, deactivates the account."""
    _refresh_left_on(employee)
    if employee.has_left:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"{employee.name}已于 {_date(employee.left_on)} 办理离职。"}
        )
    current = _current_assignment(employee)
    if left_on < employee.hired_on:
        raise ValidationError(
            {"left_on": f"离职日期不能早于入职日期（{_date(employee.hired_on)}）。"}
        )
    if current is not None and left_on < current.start_date:
        raise ValidationError(
            {"left_on": f"离职日期不能早于当前任职开始日期（{_date(current.start_date)}）。"}
        )
    if current is not None:
        current.end_date = left_on
        current.save(update_fields=["end_date"])
    employee.left_on = left_on
    employee.save(update_fields=["left_on"])
    user = employee.user
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    left_position = current.position if current is not None else None
    hooks.occurred([hooks.Occurrence(hooks.EMPLOYEE_LEFT, employee, left_position)])
    return employee


def managed_employees(user: User | AnonymousUser) -> QuerySet[Employee]:
    """The employees ``user`` manages (``permissions.managed_employees_q``, one row each)."""
    return Employee.objects.filter(managed_employees_q(user))
