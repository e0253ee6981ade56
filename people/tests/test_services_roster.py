"""Importing the 花名册: hires, transfers, 无变化, and bad rows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from people.services.roster import RosterAction, apply_roster_plan, plan_roster_import
from positions import permissions
from positions.models import Assignment, Employee, Position
from positions.tests.factories import EmployeeFactory, PositionFactory
from transfer.services.importing import ImportRefused
from transfer.tests.excel_helpers import open_bytes, roster_book, row_counts, save

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def clerk(db):
    return PositionFactory(code="FZ-XS-101", title="售楼员")


@pytest.fixture
def cashier(db):
    return PositionFactory(code="FZ-XS-102", title="收款员")


def plan(rows, user):
    return plan_roster_import(roster_book(rows), user, today=TODAY)


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_new_employee_is_hired_with_account_and_assignment(hr_user, clerk):
    result = plan([["林小华", "E1001", "FZ-XS-101", datetime.date(2026, 3, 2)]], hr_user)
    assert result.ok and [r.action for r in result.rows] == [RosterAction.HIRE]
    apply_roster_plan(result, hr_user)
    employee = Employee.objects.get(employee_no="E1001")
    assert employee.name == "林小华" and employee.hired_on == datetime.date(2026, 3, 2)
    assert employee.user.username == "E1001" and not employee.user.has_usable_password()
    assert employee.user.groups.filter(role__code=permissions.EMPLOYEE).exists()
    (assignment,) = employee.assignments.all()
    assert (assignment.position, assignment.start_date, assignment.end_date) == (
        clerk,
        datetime.date(2026, 3, 2),
        None,
    )


def test_known_employee_with_other_position_is_transferred_today(hr_user, clerk, cashier):
    employee = EmployeeFactory(name="林员工", employee_no="E1", position=clerk)
    result = plan([["林员工", "E1", "FZ-XS-102", employee.hired_on]], hr_user)
    assert result.ok and result.rows[0].action == RosterAction.TRANSFER
    apply_roster_plan(result, hr_user)
    current = Assignment.objects.current().get(employee=employee)
    assert (current.position, current.start_date) == (cashier, TODAY)
    assert employee.assignments.get(position=clerk).end_date == datetime.date(2026, 5, 31)


def test_same_roster_twice_changes_nothing(hr_user, clerk):
    rows = [["林小华", "E1001", "FZ-XS-101", "2026-03-02"]]
    apply_roster_plan(plan(rows, hr_user), hr_user)
    before = row_counts()
    again = plan(rows, hr_user)
    assert again.ok and [r.action for r in again.rows] == [RosterAction.UNCHANGED]
    assert not again.has_changes
    apply_roster_plan(again, hr_user)
    assert row_counts() == before


def test_changed_name_is_updated(hr_user, clerk):
    employee = EmployeeFactory(name="林员工", employee_no="E1", position=clerk)
    result = plan([["林晓员", "E1", "FZ-XS-101", employee.hired_on]], hr_user)
    assert result.rows[0].action == RosterAction.RENAME
    apply_roster_plan(result, hr_user)
    employee.refresh_from_db()
    assert employee.name == "林晓员"


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(hr_user, clerk):
    leaver = EmployeeFactory(name="离职者", employee_no="E9", position=clerk)
    leaver.left_on = datetime.date(2025, 1, 31)
    leaver.save()
    User.objects.create(username="E8")
    PositionFactory(code="OLD-1", title="旧职位", status=Position.Status.ARCHIVED)
    before = row_counts()
    result = plan(
        [
            ["张三", "E1", "NOPE-1", "2026-01-05"],
            ["李四", "E2", "FZ-XS-101", "明天"],
            ["", "E3", "FZ-XS-101", "2026-01-05"],
            ["王五", "E2", "FZ-XS-101", "2026-01-05"],
            ["离职者", "E9", "FZ-XS-101", leaver.hired_on],
            ["赵六", "E8", "FZ-XS-101", "2026-01-05"],
            ["钱七", "E7", "OLD-1", "2026/1/5"],
        ],
        hr_user,
    )
    assert messages(result) == [
        "工作表“花名册” 第 2 行 “职位编号”列：未知的职位编号“NOPE-1”。",
        "工作表“花名册” 第 3 行 “入职日期”列：“入职日期”应为日期，如 2024-03-01，实际为“明天”。",
        "工作表“花名册” 第 4 行 “姓名”列：必填项“姓名”为空。",
        "工作表“花名册” 第 5 行 “工号”列：工号“E2”重复：第 3 行已使用。",
        "工作表“花名册” 第 6 行 “工号”列：离职者已于 2025-01-31 离职。",
        "工作表“花名册” 第 7 行 “工号”列：登录账号“E8”已存在但未关联员工，请在后台处理。",
        "工作表“花名册” 第 8 行 “职位编号”列：职位“旧职位”已归档，不能安排员工任职。",
    ]
    with pytest.raises(ImportRefused):
        apply_roster_plan(result, hr_user)
    assert row_counts() == before


def test_roster_extra_column_is_ignored_and_said_and_a_formula_is_refused(hr_user, clerk):
    workbook = open_bytes(roster_book([["张三", "E1", "FZ-XS-101", "=TODAY()"]]))
    workbook["花名册"]["E1"] = "身份证号"
    workbook["花名册"]["E2"] = "350102199001011234"
    result = plan_roster_import(save(workbook), hr_user, today=TODAY)
    assert result.notes == ["已忽略以下列（系统不保存这些个人信息）：身份证号。"]
    assert messages(result) == [
        "工作表“花名册” 第 2 行 “入职日期”列：公式单元格没有计算结果，请粘贴为数值后再导入。"
    ]
