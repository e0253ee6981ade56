"""Importing the employee roster (花名册: 姓名, 工号, 职位编号, 入职日期) from Excel.

Same shape as the position import: ``plan_roster_import`` checks every row and writes nothing;
``apply_roster_plan`` writes a plan without problems in one transaction.

* A new 工号 hires the employee: a user account (username = 工号, in the 员工 group, with an
  **unusable password** — HR sets a password in the admin (用户 → 修改密码) before the
  employee first logs in) and the first assignment through ``services.hire_employee``. When
  the person already signed in with the company directory, the account it made (username =
  工号, no employee record, no local password) is the one hired, not a second.
* A known 工号 with another 职位编号 is a 调岗 through ``services.transfer_employee``, effective
  on the day of the import.
* A known 工号 with the same data is 无变化; a changed 姓名 is updated.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from people.services.people import hire_employee, transfer_employee
from positions import permissions
from positions.ids import parse_id
from positions.models import Assignment, Employee, Position
from transfer.services import excel
from transfer.services.importing import ImportRefused, Problem, read_workbook_sheets

SHEET = excel.ROSTER.name


class RosterAction:
    HIRE = "hire"
    TRANSFER = "transfer"
    RENAME = "rename"
    UNCHANGED = "unchanged"
    LABELS = {HIRE: "入职（新建员工）", TRANSFER: "调岗", RENAME: "更新姓名", UNCHANGED: "无变化"}


@dataclass
class PlannedEmployee:
    row: int
    name: str
    employee_no: str
    position_key: str
    hired_on: datetime.date | None
    position: Position | None = None
    employee: Employee | None = None
    current: Position | None = None  # the position held now (existing employees)
    action: str = RosterAction.HIRE

    @property
    def action_label(self) -> str:
        return RosterAction.LABELS[self.action]


@dataclass
class RosterPlan:
    rows: list[PlannedEmployee]
    problems: list[Problem]
    effective_date: datetime.date

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def has_changes(self) -> bool:
        return any(row.action != RosterAction.UNCHANGED for row in self.rows)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(
                repr(
                    (row.employee_no, row.name, row.position_key, row.hired_on, row.action)
                ).encode()
            )
        for problem in self.problems:
            digest.update(str(problem).encode())
        return digest.hexdigest()[:32]


def plan_roster_import(
    data: bytes, user: AbstractBaseUser, today: datetime.date | None = None
) -> RosterPlan:
    today = today or timezone.localdate()
    sheets, problems = read_workbook_sheets(data, (excel.ROSTER,), (excel.HELP_SHEET,))
    parsed = sheets.get(SHEET, [])
    if SHEET in sheets and not parsed and not problems:
        problems.append(Problem(SHEET, None, "", "工作表“花名册”没有数据行：请至少填写一名员工。"))
    rows: list[PlannedEmployee] = []
    first_row: dict[str, int] = {}
    for row in parsed:
        values = row.values
        number = values.get("employee_no") or ""
        if number and number in first_row:
            problems.append(
                Problem(
                    SHEET,
                    row.number,
                    "工号",
                    f"工号“{number}”重复：第 {first_row[number]} 行已使用。",
                )
            )
            continue
        if number:
            first_row[number] = row.number
        for header, name, limit in (("姓名", "name", 50), ("工号", "employee_no", 30)):
            if len(values.get(name) or "") > limit:
                problems.append(
                    Problem(SHEET, row.number, header, f"“{header}”最多 {limit} 个字符。")
                )
        rows.append(
            PlannedEmployee(
                row=row.number,
                name=values.get("name") or "",
                employee_no=number,
                position_key=values.get("position") or "",
                hired_on=values.get("hired_on"),
            )
        )
    positions = _positions([r.position_key for r in rows if r.position_key])
    employees = {
        e.employee_no: e
        for e in Employee.objects.filter(employee_no__in=[r.employee_no for r in rows])
    }
    current = {
        a.employee_id: a
        for a in Assignment.objects.current()
        .filter(employee__in=employees.values())
        .select_related("position")
    }
    taken = set(
        User.objects.filter(username__in=[r.employee_no for r in rows])
        .exclude(_awaiting_employee_q())
        .values_list("username", flat=True)
    )
    managed = set(
        Employee.objects.filter(
            permissions.managed_employees_q(user), pk__in=[e.pk for e in employees.values()]
        ).values_list("pk", flat=True)
    )
    for planned in rows:
        if not planned.position_key:
            continue
        position = positions.get(planned.position_key)

        def problem(column: str, message: str, planned: PlannedEmployee = planned) -> None:
            problems.append(Problem(SHEET, planned.row, column, message))

        if position is None:
            problem("职位编号", f"未知的职位编号“{planned.position_key}”。")
            continue
        planned.position = position
        if position.status == Position.Status.ARCHIVED:
            problem("职位编号", f"职位“{position.title}”已归档，不能安排员工任职。")
        if not permissions.can_edit_position(user, position):
            problem(
                "职位编号",
                f"您无权安排员工到职位“{position.title}”（{position.department.name}不在您的编辑范围内）。",
            )
        employee = employees.get(planned.employee_no)
        if employee is None:
            planned.action = RosterAction.HIRE
            if planned.employee_no in taken:
                problem(
                    "工号", f"登录账号“{planned.employee_no}”已存在但未关联员工，请在后台处理。"
                )
            continue
        planned.employee = employee
        assignment = current.get(employee.pk)
        planned.current = assignment.position if assignment else None
        if employee.pk not in managed:
            problem("工号", f"您无权管理员工{employee.name}（{employee.employee_no}）。")
            continue
        if employee.left_on is not None:
            problem("工号", f"{employee.name}已于 {employee.left_on.isoformat()} 离职。")
            continue
        if planned.hired_on is not None and planned.hired_on != employee.hired_on:
            problem(
                "入职日期",
                f"入职日期与系统记录（{employee.hired_on.isoformat()}）不一致；"
                "如需更正请在员工资料中修改。",
            )
        if planned.current is not None and planned.current.pk == position.pk:
            same_name = planned.name == employee.name
            planned.action = RosterAction.UNCHANGED if same_name else RosterAction.RENAME
            continue
        planned.action = RosterAction.TRANSFER
        if assignment is not None and assignment.start_date >= today:
            problem(
                "职位编号",
                f"{employee.name}的当前任职自 {assignment.start_date.isoformat()} 开始，"
                f"调岗须晚于该日期（导入时按今天 {today.isoformat()} 生效）。",
            )
        elif assignment is None and today < employee.hired_on:
            problem("职位编号", f"{employee.name}尚未入职，不能调岗。")
    problems.sort(key=lambda p: p.row or 0)
    return RosterPlan(rows=rows, problems=problems, effective_date=today)


def _awaiting_employee_q() -> Q:
    """Accounts a hire under their username takes over: made by a directory sign-in (no
    employee record, no local password, not a superuser)."""
    return Q(
        is_superuser=False,
        employee__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )


def _positions(keys: list[str]) -> dict[str, Position]:
    codes = [k for k in keys if not k.startswith(excel.ID_PREFIX)]
    ids = [parse_id(k[1:]) for k in keys if k.startswith(excel.ID_PREFIX)]
    ids = [pk for pk in ids if pk is not None]
    found = {}
    queryset = Position.objects.select_related("department")
    for position in queryset.filter(code__in=codes):
        found[position.code] = position
    for position in queryset.filter(pk__in=ids, code=""):
        found[f"{excel.ID_PREFIX}{position.pk}"] = position
    return found


def apply_roster_plan(plan: RosterPlan, user: AbstractBaseUser) -> RosterPlan:
    """Write the roster plan in one transaction (hires, transfers, renames)."""

    if not plan.ok:
        raise ImportRefused("the plan has problems")
    employee_group = permissions.role_group(permissions.EMPLOYEE)
    with transaction.atomic():
        for row in plan.rows:
            if row.action == RosterAction.HIRE:
                account = User.objects.filter(
                    _awaiting_employee_q(), username=row.employee_no
                ).first() or User(username=row.employee_no, first_name=row.name)
                if account.pk is None:
                    account.set_unusable_password()
                    account.save()
                account.groups.add(employee_group)
                hire_employee(
                    user=account,
                    name=row.name,
                    employee_no=row.employee_no,
                    hired_on=row.hired_on,
                    position=row.position,
                    by=user,
                )
            elif row.action == RosterAction.TRANSFER:
                transfer_employee(
                    employee=row.employee,
                    position=row.position,
                    effective_date=plan.effective_date,
                    by=user,
                )
            if row.action in (RosterAction.TRANSFER, RosterAction.RENAME) and (
                row.employee.name != row.name
            ):
                row.employee.name = row.name
                row.employee.save(update_fields=["name"])
    return plan
