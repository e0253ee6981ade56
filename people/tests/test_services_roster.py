"""Importing the 花名册: hires, transfers, 无变化, and bad rows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from openpyxl import Workbook

from people.services.roster import RosterAction, apply_roster_plan, plan_roster_import
from positions import permissions
from positions.models import Assignment, Employee, Position
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    published_together,
)
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


def test_new_employee_is_hired_on_the_account_a_directory_sign_in_made(hr_user, clerk):
    # What a first sign-in with the company directory left: account = 工号, no local password.
    account = User(username="E1001", first_name="林小华", email="lin@example.com")
    account.set_unusable_password()
    account.save()

    result = plan([["林小华", "E1001", "FZ-XS-101", datetime.date(2026, 3, 2)]], hr_user)
    assert result.ok, messages(result)
    apply_roster_plan(result, hr_user)

    employee = Employee.objects.get(employee_no="E1001")
    assert employee.user == account
    assert User.objects.filter(username="E1001").count() == 1
    assert account.groups.filter(role__code=permissions.EMPLOYEE).exists()


# --- rosters as companies keep them -----------------------------------------------------------


def company_roster(headers: list, rows: list[list], title: str | None = "员工花名册") -> bytes:
    """A roster as HR keeps it: its own sheet name, a title row above the headers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "在职人员"
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    return save(workbook)


@pytest.fixture
def sales_org(db):
    """福州项目公司 → 销售部 (售楼员 ×1) and 客服部 (售楼员 ×1, 客服专员)."""
    company = DepartmentFactory(name="福州项目公司", code="FZ")
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=company)
    service = DepartmentFactory(name="客服部", code="FZ-KF", parent=company)
    with published_together():
        return {
            "sales": sales,
            "service": service,
            "clerk": PositionFactory(title="售楼员", code="", department=sales),
            "other_clerk": PositionFactory(title="售楼员", code="", department=service),
            "agent": PositionFactory(title="客服专员", code="", department=service),
        }


HEADERS = ["序号", "员工姓名", "员工编号", "所属部门", "职位", "入职时间", "手机号", "身份证号"]


@pytest.mark.parametrize(
    "hired",
    [
        datetime.date(2024, 3, 1),
        datetime.datetime(2024, 3, 1, 0, 0),
        "2024/3/1",
        "2024-03-01",
        "2024年3月1日",
        "2024.3.1",
        45352,  # an Excel serial number in a cell not formatted as a date
    ],
    ids=["date", "datetime", "slashes", "iso", "chinese", "dots", "serial"],
)
def test_company_roster_headers_by_meaning_and_dates_in_every_form(hr_user, sales_org, hired):
    data = company_roster(
        HEADERS, [[1, "林小华", "E1001", "福州项目公司/销售部", "售楼员", hired, "138", "3501"]]
    )

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == []
    (row,) = result.rows
    assert (row.name, row.employee_no, row.hired_on) == (
        "林小华",
        "E1001",
        datetime.date(2024, 3, 1),
    )
    assert row.position == sales_org["clerk"] and row.action == RosterAction.HIRE
    assert result.notes == ["已忽略以下列（系统不保存这些个人信息）：手机号、身份证号。"]


def test_company_roster_leaf_department_and_other_header_spellings(hr_user, sales_org):
    headers = ["姓名", "工号", "部门", "岗位", "入职日期"]
    data = company_roster(headers, [["陈一", "E2001", "客服部", "客服专员", "2024-01-02"]], None)

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == [] and result.rows[0].position == sales_org["agent"]
    apply_roster_plan(result, hr_user)
    employee = Employee.objects.get(employee_no="E2001")
    assert employee.assignments.get().position == sales_org["agent"]


def test_company_roster_same_title_in_two_departments_without_department_asks_to_choose(
    hr_user, sales_org
):
    headers = ["姓名", "工号", "岗位", "入职日期"]
    data = company_roster(headers, [["陈二", "E2002", "售楼员", "2024-01-02"]])

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == [
        "工作表“在职人员” 第 3 行 “岗位”列：“售楼员”对应 2 个职位，请在预览中选择一个。"
    ]
    assert result.rows[0].candidates == [sales_org["other_clerk"], sales_org["clerk"]]
    chosen = plan_roster_import(
        data, hr_user, today=TODAY, choices={"3": sales_org["other_clerk"].pk}
    )
    assert chosen.ok and chosen.rows[0].position == sales_org["other_clerk"]


def test_company_roster_a_choice_outside_the_candidates_is_not_taken(hr_user, sales_org):
    headers = ["姓名", "工号", "岗位", "入职日期"]
    data = company_roster(headers, [["陈二", "E2002", "售楼员", "2024-01-02"]])

    result = plan_roster_import(data, hr_user, today=TODAY, choices={"3": sales_org["agent"].pk})

    assert not result.ok and result.rows[0].position is None


def test_company_roster_missing_matches_are_listed(hr_user, sales_org):
    data = company_roster(
        HEADERS[:6],
        [
            [1, "王三", "E3001", "销售部", "客服专员", "2024-01-02"],
            [2, "王四", "E3002", "销售部", "不存在的岗位", "2024-01-02"],
            [3, "王五", "E3003", "别的公司/销售部", "售楼员", "2024-01-02"],
        ],
    )

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == [
        "工作表“在职人员” 第 3 行 “岗位”列：没有找到职位“销售部 / 客服专员”，"
        "请在预览中从同名职位中选择一个。",
        "工作表“在职人员” 第 4 行 “岗位”列："
        "没有找到职位“销售部 / 不存在的岗位”：请先建立该职位，或更正部门和岗位。",
        "工作表“在职人员” 第 5 行 “岗位”列：没有找到职位“别的公司/销售部 / 售楼员”，"
        "请在预览中从同名职位中选择一个。",
    ]
    assert result.rows[0].candidates == [sales_org["agent"]]


def test_company_roster_without_recognisable_headers_is_refused(hr_user, sales_org):
    data = company_roster(["名称", "电话"], [["x", "y"]])

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == [
        "文件：没有找到花名册的标题行：前 10 行中应有“姓名”和“工号”（或“员工编号”）等列标题。"
    ]


def test_company_roster_without_a_position_column_names_it(hr_user, sales_org):
    data = company_roster(["姓名", "工号", "入职日期"], [["x", "E1", "2024-01-02"]])

    result = plan_roster_import(data, hr_user, today=TODAY)

    assert messages(result) == [
        "工作表“在职人员” 第 2 行 “岗位（或职位编号）”列：缺少列“岗位（或职位编号）”。"
    ]
