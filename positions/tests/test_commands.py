"""setup_demo: the seed organisation and the demo accounts, for development only."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from positions import services
from positions.models import Assignment, Employee, Position
from positions.permissions import EMPLOYEE, HR_EDITOR, MANAGER, access

pytestmark = pytest.mark.django_db

User = get_user_model()


def run(*args) -> str:
    out = io.StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


def holding(username: str) -> tuple[str, str, str]:
    """(name, 工号, title of the position held now) of a demo account."""
    employee = Employee.objects.get(user__username=username)
    assignment = employee.assignments.current().select_related("position").get()
    return employee.name, employee.employee_no, assignment.position.title


def test_setup_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as excinfo:
        run()

    message = str(excinfo.value)
    assert "DEBUG 未开启" in message and "绝不能在生产服务器上创建" in message
    assert "must never be created on a production server" in message
    assert not User.objects.exists()
    assert not Position.objects.exists()


def test_setup_demo_reload_also_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        run("--reload")

    assert not User.objects.exists()


def test_setup_demo_creates_accounts_with_groups_and_positions(settings):
    settings.DEBUG = True

    output = run()

    assert "已载入种子数据" in output
    assert f"employee / {services.DEMO_PASSWORD}" in output
    groups = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert groups == {
        "admin": set(),
        "hr": {HR_EDITOR},
        "director": {MANAGER},
        "manager": {MANAGER},
        "employee": {EMPLOYEE},
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not Employee.objects.filter(user=admin).exists()
    for user in User.objects.all():
        assert user.check_password(services.DEMO_PASSWORD)
        assert not user.user_permissions.exists()  # roles come from the groups
    assert holding("hr") == ("王人事", "FZ0001", "人力行政经理")
    assert holding("director") == ("赵总", "FZ0002", "副总经理")
    assert holding("manager") == ("陈经理", "FZ0003", "销售经理")
    assert holding("employee") == ("林员工", "FZ0004", "售楼员")
    manager = Position.objects.get(code="FZ-XS-001")
    assert manager.reports_to.title == "副总经理"
    assert Assignment.objects.get(position=manager).employee.user.username == "manager"
    assert Position.objects.get(code="FZ-XS-101").reports_to == manager
    # The 销售部 manager's role reaches 销售部 drafts; the employee's does not.
    assert manager.department_id in access(User.objects.get(username="manager")).draft_departments
    assert not access(User.objects.get(username="employee")).draft_departments


def test_setup_demo_second_run_duplicates_nothing(settings):
    settings.DEBUG = True
    run()
    counts = (User.objects.count(), Employee.objects.count(), Assignment.objects.count())

    output = run()

    assert "未重复载入" in output
    assert (User.objects.count(), Employee.objects.count(), Assignment.objects.count()) == counts
    assert holding("manager") == ("陈经理", "FZ0003", "销售经理")


def test_setup_demo_resets_a_demo_account_changed_while_trying_things_out(settings):
    settings.DEBUG = True
    run()
    employee = Employee.objects.get(user__username="employee")
    services.employee_leaves(employee=employee, left_on=employee.hired_on.replace(year=2025))

    run()

    employee.refresh_from_db()
    assert employee.left_on is None
    assert employee.user.is_active
    assert holding("employee") == ("林员工", "FZ0004", "售楼员")
    assert employee.assignments.count() == 2  # the history is kept


def test_setup_demo_reload_keeps_accounts_holding_their_positions(settings):
    settings.DEBUG = True
    run()

    output = run("--reload")

    assert "已载入种子数据" in output
    assert Employee.objects.count() == 4
    assert holding("manager") == ("陈经理", "FZ0003", "销售经理")
    assert holding("director") == ("赵总", "FZ0002", "副总经理")
