"""Importing the employee roster (花名册) from Excel, as companies keep it.

The headers are recognised by meaning, wherever the header row is among the first rows (a
title row 「XX公司员工花名册」 above it is common): 序号; 姓名 / 员工姓名; 工号 / 员工编号;
部门 / 所属部门 (a path such as 福州项目公司/销售部, or a leaf name); 岗位 / 职位 / 职务;
职位编号 (our template's); 入职日期 / 入职时间 (Excel dates, 2024/3/1, 2024-03-01,
2024年3月1日). Any other column (手机号, 身份证号 …) is ignored and never stored — there is no
field for it — and the preview says which columns were ignored. Without a 职位编号 the position
is matched by 部门 + 职位名称; a row matching several positions, or none, lists the candidates
for the importer to choose in the preview (``choices``: row number → position id).

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
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook

from people.services.people import hire_employee, transfer_employee
from positions import permissions
from positions.ids import parse_id
from positions.models import Assignment, Department, Employee, Position
from positions.org import department_index
from transfer.services import excel
from transfer.services.excel import DATE, Column, SheetSpec
from transfer.services.importing import (
    ImportRefused,
    Problem,
    open_workbook,
    read_sheet,
    scan_workbook,
)

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
    department_text: str = ""
    title_text: str = ""
    candidates: list[Position] = field(default_factory=list)  # to choose from in the preview
    ambiguous: bool = False  # several positions match (else: none does, same titles offered)

    @property
    def position_text(self) -> str:
        """What the row says of its position: 部门 / 岗位, or the 职位编号."""
        if self.title_text:
            return " / ".join(part for part in (self.department_text, self.title_text) if part)
        return self.position_key

    @property
    def action_label(self) -> str:
        return RosterAction.LABELS[self.action]


@dataclass
class RosterPlan:
    rows: list[PlannedEmployee]
    problems: list[Problem]
    effective_date: datetime.date
    notes: list[str] = field(default_factory=list)  # ignored columns and the like
    sheet_name: str = SHEET

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
                    (
                        row.employee_no,
                        row.name,
                        row.position_key,
                        row.position_text,
                        row.position.pk if row.position else None,
                        row.hired_on,
                        row.action,
                    )
                ).encode()
            )
        for problem in self.problems:
            digest.update(str(problem).encode())
        return digest.hexdigest()[:32]


# --- reading a roster as companies keep it ----------------------------------------------------

# Canonical field → the headers that mean it (compared without spaces, *, （必填） and the like).
HEADERS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号序号", "NO", "NO."),
    "name": ("姓名", "员工姓名", "职工姓名", "人员姓名", "名字"),
    "employee_no": ("工号", "员工编号", "员工工号", "职工编号", "人员编号", "工作证号"),
    "department": ("部门", "所属部门", "部门名称", "任职部门", "所在部门", "部门/科室"),
    "title": ("岗位", "职位", "职务", "岗位名称", "职位名称", "职务名称", "现任岗位", "现任职位"),
    "position": ("职位编号", "岗位编号"),
    "hired_on": ("入职日期", "入职时间", "到岗日期", "入职年月日", "入司日期", "入司时间"),
}
CANONICAL = {
    "name": "姓名",
    "employee_no": "工号",
    "department": "部门",
    "title": "岗位",
    "position": "职位编号",
    "hired_on": "入职日期",
}
_ALIAS = {alias.upper(): key for key, aliases in HEADERS.items() for alias in aliases}
_NOISE = re.compile(r"[\s*＊:：]|[（(]\s*(必填|选填|可选)\s*[)）]")
HEADER_ROWS = 10  # the header row is looked for among the first rows
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_PATH = re.compile(r"\s*[/／\\>＞]\s*")


def header_key(value: object) -> str | None:
    """The canonical field a header cell means (``"name"`` …), or None."""
    if value is None:
        return None
    text = _NOISE.sub("", str(value)).upper()
    return _ALIAS.get(text)


def roster_date(value: object) -> object:
    """A date cell as a date: a real date, an Excel serial number, 2024/3/1, 2024年3月1日,
    20240301; anything else unchanged (reported by the reader)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return (datetime.datetime(1899, 12, 30) + datetime.timedelta(days=int(value))).date()
    if isinstance(value, str):
        match = _DATE.match(value) or _COMPACT_DATE.match(value)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return value
    return value


def _find_header(rows: list[tuple]) -> tuple[int, dict[int, str]] | None:
    """(row index, {column index: field}) of the likeliest header row."""
    best: tuple[int, dict[int, str]] | None = None
    for index, row in enumerate(rows[:HEADER_ROWS]):
        fields: dict[int, str] = {}
        for column, value in enumerate(row):
            key = header_key(value)
            if key and key not in fields.values():
                fields[column] = key
        if {"name", "employee_no"} <= set(fields.values()) and (
            best is None or len(fields) > len(best[1])
        ):
            best = (index, fields)
    return best


def _read(data: bytes, problems: list[Problem]) -> tuple[str, list[tuple[int, dict]], list[str]]:
    """(sheet name, [(row number, values)], ignored headers) of the roster in ``data``."""
    scans = scan_workbook(data, problems)
    workbook = open_workbook(data, problems) if scans is not None else None
    if workbook is None:
        return SHEET, [], []
    candidates = [workbook[SHEET]] if SHEET in workbook.sheetnames else []
    candidates += [ws for ws in workbook.worksheets if ws.title != SHEET]
    for worksheet in candidates:
        if scans[worksheet.title].too_many_rows:
            limit = settings.IMPORT_MAX_ROWS
            problems.append(
                Problem(worksheet.title, None, "", f"数据行过多：最多 {limit} 行，请分批导入。")
            )
            return worksheet.title, [], []
        rows = list(worksheet.iter_rows(values_only=True))
        found = _find_header(rows)
        if found is None:
            continue
        header_index, fields = found
        header_row = header_index + 1  # the worksheet's row number
        ignored = [
            str(value).strip()
            for column, value in enumerate(rows[header_index])
            if column not in fields and value is not None and str(value).strip()
        ]
        used = [field for field in CANONICAL if field in fields.values()]
        missing = [CANONICAL[f] for f in ("name", "employee_no", "hired_on") if f not in used]
        if not ({"position", "title"} & set(used)):
            missing.append("岗位（或职位编号）")
        if missing:
            for header in missing:
                problems.append(Problem(worksheet.title, header_row, header, f"缺少列“{header}”。"))
            return worksheet.title, [], ignored
        # A clean sheet of the recognised columns, read by the workbook importer's reader.
        columns = [(column, field) for column, field in fields.items() if field in CANONICAL]
        spec = SheetSpec(
            worksheet.title,
            "roster",
            tuple(
                Column(
                    CANONICAL[field],
                    field,
                    DATE if field == "hired_on" else "text",
                    required=field in ("name", "employee_no", "hired_on"),
                )
                for _column, field in columns
            ),
        )
        clean = Workbook().active
        clean.append([CANONICAL[field] for _column, field in columns])
        formulas = set()
        numbers = []
        for offset, row in enumerate(rows[header_index + 1 :], start=1):
            number = header_row + offset
            values = []
            for target, (column, key) in enumerate(columns, start=1):
                value = row[column] if column < len(row) else None
                if (number, column + 1) in scans[worksheet.title].formulas:
                    formulas.add((offset + 1, target))
                values.append(roster_date(value) if key == "hired_on" else value)
            clean.append(values)
            numbers.append(number)
        found_problems: list[Problem] = []
        parsed = read_sheet(clean, spec, found_problems, frozenset(formulas))
        for problem in found_problems:
            row = numbers[problem.row - 2] if problem.row and problem.row > 1 else problem.row
            problems.append(Problem(problem.sheet, row, problem.column, problem.message))
        return worksheet.title, [(numbers[r.number - 2], r.values) for r in parsed], ignored
    problems.append(
        Problem(
            "",
            None,
            "",
            "没有找到花名册的标题行：前 10 行中应有“姓名”和“工号”（或“员工编号”）等列标题。",
        )
    )
    return SHEET, [], []


# --- matching positions by 部门 + 职位名称 ------------------------------------------------------


def _department_ids(text: str) -> set[int] | None:
    """Departments a roster's 部门 names: a path (福州项目公司/销售部) or a leaf name; None when
    the cell is empty (any department)."""
    parts = [part for part in _PATH.split(text.strip()) if part]
    if not parts:
        return None
    index = department_index()
    found = set()
    for department in Department.objects.filter(name=parts[-1]).only("pk", "name", "parent"):
        names = [d.name for d in index.ancestors(department.pk)] + [department.name]
        # Every named ancestor in order (the path may start below the group).
        if names[-len(parts) :] == parts:
            found.add(department.pk)
    return found


def _match_by_title(rows: list[PlannedEmployee]) -> None:
    titles = {row.title_text for row in rows if row.title_text and not row.position_key}
    by_title: dict[str, list[Position]] = {}
    for position in (
        Position.objects.exclude(status=Position.Status.ARCHIVED)
        .filter(title__in=titles)
        .select_related("department")
        .order_by("department__name", "pk")
    ):
        by_title.setdefault(position.title, []).append(position)
    for row in rows:
        if row.position_key or not row.title_text:
            continue
        same_title = by_title.get(row.title_text, [])
        departments = _department_ids(row.department_text)
        if departments is None:
            matches = same_title
        else:
            matches = [p for p in same_title if p.department_id in departments]
        if len(matches) == 1:
            row.position = matches[0]
        else:
            # Several: choose one. None in that department: the same title elsewhere.
            row.candidates = matches or same_title
            row.ambiguous = len(matches) > 1


def plan_roster_import(
    data: bytes,
    user: AbstractBaseUser,
    today: datetime.date | None = None,
    choices: dict[str, int] | None = None,
) -> RosterPlan:
    """Read a roster and decide what confirming it would do; writes nothing.

    ``choices`` maps a row number (as text) to the id of the position the importer chose for a
    row whose 部门 + 岗位 matched several positions or none.
    """
    today = today or timezone.localdate()
    choices = choices or {}
    problems: list[Problem] = []
    sheet, parsed, ignored = _read(data, problems)
    notes = []
    if ignored:
        notes.append(f"已忽略以下列（系统不保存这些个人信息）：{'、'.join(ignored)}。")
    if not parsed and not problems:
        empty = f"工作表“{sheet}”没有数据行：请至少填写一名员工。"
        problems.append(Problem(sheet, None, "", empty))
    rows: list[PlannedEmployee] = []
    first_row: dict[str, int] = {}
    for number, values in parsed:
        employee_no = values.get("employee_no") or ""
        if employee_no and employee_no in first_row:
            problems.append(
                Problem(
                    sheet,
                    number,
                    "工号",
                    f"工号“{employee_no}”重复：第 {first_row[employee_no]} 行已使用。",
                )
            )
            continue
        if employee_no:
            first_row[employee_no] = number
        for header, name, limit in (("姓名", "name", 50), ("工号", "employee_no", 30)):
            if len(values.get(name) or "") > limit:
                problems.append(Problem(sheet, number, header, f"“{header}”最多 {limit} 个字符。"))
        rows.append(
            PlannedEmployee(
                row=number,
                name=values.get("name") or "",
                employee_no=employee_no,
                position_key=values.get("position") or "",
                hired_on=values.get("hired_on"),
                department_text=values.get("department") or "",
                title_text=values.get("title") or "",
            )
        )
    positions = _positions([r.position_key for r in rows if r.position_key])
    _match_by_title(rows)
    chosen_ids = {parse_id(str(pk)) for pk in choices.values() if parse_id(str(pk)) is not None}
    chosen = Position.objects.select_related("department").in_bulk(chosen_ids)
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

        def problem(column: str, message: str, planned: PlannedEmployee = planned) -> None:
            problems.append(Problem(sheet, planned.row, column, message))

        if planned.position_key:
            position = positions.get(planned.position_key)
            if position is None:
                problem("职位编号", f"未知的职位编号“{planned.position_key}”。")
                continue
        elif planned.title_text:
            pick = parse_id(str(choices.get(str(planned.row), "")))
            if planned.position is None and pick in {c.pk for c in planned.candidates}:
                planned.position = chosen.get(pick)
            position = planned.position
            if position is None:
                said = planned.position_text
                if planned.ambiguous:
                    count = len(planned.candidates)
                    problem("岗位", f"“{said}”对应 {count} 个职位，请在预览中选择一个。")
                elif planned.candidates:
                    problem("岗位", f"没有找到职位“{said}”，请在预览中从同名职位中选择一个。")
                else:
                    problem("岗位", f"没有找到职位“{said}”：请先建立该职位，或更正部门和岗位。")
                continue
        else:
            problem("岗位", "必填项“岗位”（或“职位编号”）为空。")
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
    return RosterPlan(
        rows=rows, problems=problems, effective_date=today, notes=notes, sheet_name=sheet
    )


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
