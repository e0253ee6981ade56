"""Hiring, 调岗 and 离职: the assignment history they leave behind, and what they refuse."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from people.services import people
from positions.models import Assignment, Employee, Position
from positions.permissions import HR_EDITOR, role_group
from positions.services import reading
from positions.tests.factories import (
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def sales_manager():
    return PositionFactory(title="销售经理", code="FZ-XS-001", headcount=3)


@pytest.fixture
def adviser():
    return PositionFactory(title="置业顾问", code="FZ-XS-002")


@pytest.fixture
def zhang(sales_manager):
    """张三, hired 2024-03-01 as 销售经理."""
    return EmployeeFactory(
        user=UserFactory(username="zhangsan"),
        name="张三",
        employee_no="E0001",
        hired_on=D(2024, 3, 1),
        position=sales_manager,
    )


def history(employee: Employee) -> list[tuple[str, D, D | None, str]]:
    return [
        (a.position.title, a.start_date, a.end_date, a.get_reason_display())
        for a in employee.assignments.order_by("start_date", "pk")
    ]


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# -- hire --------------------------------------------------------------------------------------


def test_hire_employee_creates_employee_and_first_assignment(sales_manager):
    user = UserFactory(username="lisi")

    employee = people.hire_employee(
        user=user,
        name=" 李四 ",
        employee_no="E0100",
        hired_on=D(2025, 1, 6),
        position=sales_manager,
    )

    employee.refresh_from_db()
    assert (employee.user, employee.name, employee.employee_no) == (user, "李四", "E0100")
    assert employee.hired_on == D(2025, 1, 6)
    assert employee.left_on is None
    assert history(employee) == [("销售经理", D(2025, 1, 6), None, "入职")]


def test_hire_employee_refuses_taken_employee_no_linked_user_and_archived_position(zhang):
    archived = PositionFactory(title="案场文员", status=Position.Status.ARCHIVED)

    with pytest.raises(ValidationError) as excinfo:
        people.hire_employee(
            user=zhang.user, name="", employee_no="E0001", hired_on=D(2025, 1, 6), position=archived
        )

    assert errors_of(excinfo) == {
        "name": ["请填写员工姓名。"],
        "employee_no": ["工号“E0001”已被张三使用。"],
        "user": ["登录账号“zhangsan”已关联员工张三。"],
        "position": ["职位“案场文员”已归档，不能安排员工任职。"],
    }
    assert Employee.objects.count() == 1


# -- transfer ----------------------------------------------------------------------------------


def test_transfer_moves_employee_from_its_date_and_keeps_old_assignment(zhang, adviser):
    new = people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 7, 1))

    assert (new.position, new.start_date, new.end_date) == (adviser, D(2025, 7, 1), None)
    assert new.reason == Assignment.Reason.TRANSFER
    assert history(zhang) == [
        ("销售经理", D(2024, 3, 1), D(2025, 6, 30), "入职"),
        ("置业顾问", D(2025, 7, 1), None, "调岗"),
    ]
    holders = reading.holders_by_position([adviser.pk, new.position_id])
    assert holders[adviser.pk] == [zhang]


def test_transfer_twice_keeps_every_assignment_in_order(zhang, adviser, sales_manager):
    people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 1, 1))
    people.transfer_employee(employee=zhang, position=sales_manager, effective_date=D(2025, 1, 2))

    assert history(zhang) == [
        ("销售经理", D(2024, 3, 1), D(2024, 12, 31), "入职"),
        ("置业顾问", D(2025, 1, 1), D(2025, 1, 1), "调岗"),
        ("销售经理", D(2025, 1, 2), None, "调岗"),
    ]


def test_transfer_of_employee_without_position_starts_one(adviser):
    employee = EmployeeFactory(name="王五", hired_on=D(2024, 5, 1))

    people.transfer_employee(employee=employee, position=adviser, effective_date=D(2024, 5, 1))

    assert history(employee) == [("置业顾问", D(2024, 5, 1), None, "入职")]


def test_transfer_refuses_employee_who_has_left(zhang, adviser):
    people.employee_leaves(employee=zhang, left_on=D(2025, 3, 31))

    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 5, 1))

    assert errors_of(excinfo) == {NON_FIELD_ERRORS: ["张三已于 2025-03-31 离职，不能调岗。"]}
    assert history(zhang) == [("销售经理", D(2024, 3, 1), D(2025, 3, 31), "入职")]


def test_transfer_refuses_stale_employee_object_that_has_left_meanwhile(zhang, adviser):
    stale = Employee.objects.get(pk=zhang.pk)
    people.employee_leaves(employee=zhang, left_on=D(2025, 3, 31))

    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(employee=stale, position=adviser, effective_date=D(2025, 5, 1))

    assert excinfo.value.messages == ["张三已于 2025-03-31 离职，不能调岗。"]


def test_transfer_refuses_same_position(zhang, sales_manager):
    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(
            employee=zhang, position=sales_manager, effective_date=D(2025, 7, 1)
        )

    assert errors_of(excinfo) == {"position": ["张三目前已在“销售经理”任职，请选择其他职位。"]}
    assert history(zhang) == [("销售经理", D(2024, 3, 1), None, "入职")]


@pytest.mark.parametrize("effective_date", [D(2024, 2, 29), D(2024, 3, 1)])
def test_transfer_refuses_date_not_after_current_assignment_start(zhang, adviser, effective_date):
    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(employee=zhang, position=adviser, effective_date=effective_date)

    assert errors_of(excinfo) == {
        "effective_date": ["调岗生效日期须晚于当前任职开始日期（2024-03-01）。"]
    }
    assert history(zhang) == [("销售经理", D(2024, 3, 1), None, "入职")]


def test_transfer_refuses_archived_position(zhang):
    archived = PositionFactory(title="案场文员", status=Position.Status.ARCHIVED)

    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(employee=zhang, position=archived, effective_date=D(2025, 7, 1))

    assert errors_of(excinfo) == {"position": ["职位“案场文员”已归档，不能调入。"]}


def test_transfer_of_employee_without_position_refuses_date_before_hire(adviser):
    employee = EmployeeFactory(name="王五", hired_on=D(2024, 5, 1))

    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(employee=employee, position=adviser, effective_date=D(2024, 4, 30))

    assert errors_of(excinfo) == {
        "effective_date": ["调岗生效日期不能早于入职日期（2024-05-01）。"]
    }


def scoped_hr(department):
    """An HR editor whose scope is ``department`` (and the departments below it)."""

    user = UserFactory(username="hr-scoped")
    user.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=user, department=department)
    return user


def test_transfer_by_hr_refuses_position_outside_their_scope(zhang, sales_manager, adviser):
    hr = scoped_hr(sales_manager.department)

    with pytest.raises(ValidationError) as excinfo:
        people.transfer_employee(
            employee=zhang, position=adviser, effective_date=D(2025, 7, 1), by=hr
        )

    department = adviser.department.name
    assert errors_of(excinfo) == {
        "position": [
            f"您无权将员工调入职位“置业顾问”（{department}不在您的编辑范围内），请重新选择。"
        ]
    }
    assert history(zhang) == [("销售经理", D(2024, 3, 1), None, "入职")]


def test_transfer_by_hr_within_their_scope_moves_employee(zhang, sales_manager):
    hr = scoped_hr(sales_manager.department)
    deputy = PositionFactory(title="销售副经理", department=sales_manager.department)

    people.transfer_employee(employee=zhang, position=deputy, effective_date=D(2025, 7, 1), by=hr)

    assert history(zhang) == [
        ("销售经理", D(2024, 3, 1), D(2025, 6, 30), "入职"),
        ("销售副经理", D(2025, 7, 1), None, "调岗"),
    ]


def test_hire_by_hr_refuses_position_outside_their_scope(sales_manager, adviser):
    hr = scoped_hr(sales_manager.department)

    with pytest.raises(ValidationError) as excinfo:
        people.hire_employee(
            user=UserFactory(username="lisi"),
            name="李四",
            employee_no="E0100",
            hired_on=D(2025, 1, 6),
            position=adviser,
            by=hr,
        )

    department = adviser.department.name
    assert errors_of(excinfo) == {
        "position": [
            f"您无权将员工安排到职位“置业顾问”（{department}不在您的编辑范围内），请重新选择。"
        ]
    }
    assert not Employee.objects.filter(employee_no="E0100").exists()


# -- leaving -----------------------------------------------------------------------------------


def test_leaver_account_is_inactive_and_history_is_kept(client, zhang, adviser):
    people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 1, 1))

    people.employee_leaves(employee=zhang, left_on=D(2025, 3, 31))

    zhang.refresh_from_db()
    zhang.user.refresh_from_db()
    assert zhang.left_on == D(2025, 3, 31)
    assert zhang.user.is_active is False
    assert history(zhang) == [
        ("销售经理", D(2024, 3, 1), D(2024, 12, 31), "入职"),
        ("置业顾问", D(2025, 1, 1), D(2025, 3, 31), "调岗"),
    ]
    assert reading.holders_by_position([adviser.pk]) == {adviser.pk: []}


def test_leaver_cannot_log_in(client, rf, zhang):
    credentials = {"username": "zhangsan", "password": "jobdesc-pass-123"}
    # django-axes guards authentication and wants the request that carries the credentials.
    assert client.login(request=rf.post("/accounts/login/"), **credentials) is True
    client.logout()

    people.employee_leaves(employee=zhang, left_on=D(2025, 3, 31))

    assert client.login(request=rf.post("/accounts/login/"), **credentials) is False
    response = client.post("/accounts/login/", credentials)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_leave_on_the_day_the_assignment_started_is_allowed(zhang):
    people.employee_leaves(employee=zhang, left_on=D(2024, 3, 1))

    assert history(zhang) == [("销售经理", D(2024, 3, 1), D(2024, 3, 1), "入职")]


def test_leave_refuses_date_before_hire(adviser):
    employee = EmployeeFactory(name="王五", hired_on=D(2024, 5, 1))

    with pytest.raises(ValidationError) as excinfo:
        people.employee_leaves(employee=employee, left_on=D(2024, 4, 30))

    assert errors_of(excinfo) == {"left_on": ["离职日期不能早于入职日期（2024-05-01）。"]}
    employee.user.refresh_from_db()
    assert employee.user.is_active is True


def test_leave_refuses_date_before_current_assignment_start(zhang, adviser):
    people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 1, 1))

    with pytest.raises(ValidationError) as excinfo:
        people.employee_leaves(employee=zhang, left_on=D(2024, 12, 31))

    assert errors_of(excinfo) == {"left_on": ["离职日期不能早于当前任职开始日期（2025-01-01）。"]}
    zhang.refresh_from_db()
    assert zhang.left_on is None


def test_leave_refuses_employee_already_left(zhang):
    people.employee_leaves(employee=zhang, left_on=D(2025, 3, 31))

    with pytest.raises(ValidationError) as excinfo:
        people.employee_leaves(employee=zhang, left_on=D(2025, 4, 30))

    assert errors_of(excinfo) == {NON_FIELD_ERRORS: ["张三已于 2025-03-31 办理离职。"]}
    zhang.refresh_from_db()
    assert zhang.left_on == D(2025, 3, 31)


# -- holders and headcount ---------------------------------------------------------------------


def test_holders_by_position_lists_current_holders_in_one_query(
    django_assert_num_queries, sales_manager, adviser
):
    empty = PositionFactory(title="收款文员")
    b = EmployeeFactory(name="乙", employee_no="E0002", position=sales_manager)
    a = EmployeeFactory(name="甲", employee_no="E0001", position=sales_manager)
    EmployeeFactory(name="丙", employee_no="E0003", position=adviser, left_on=D(2025, 1, 1))
    moved = EmployeeFactory(name="丁", employee_no="E0004", position=adviser)
    people.transfer_employee(employee=moved, position=empty, effective_date=D(2025, 1, 1))

    with django_assert_num_queries(1):
        holders = reading.holders_by_position([sales_manager.pk, adviser.pk, empty.pk])

    assert holders == {sales_manager.pk: [a, b], adviser.pk: [], empty.pk: [moved]}
    assert [e.name for e in holders[sales_manager.pk]] == ["甲", "乙"]


def test_holders_by_position_without_ids_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert reading.holders_by_position([]) == {}
