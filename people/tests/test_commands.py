"""setup_demo: the seed organisation and the demo accounts, for development only."""

import datetime
import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from reversion.models import Version as Revision

from people.services import demo, people
from positions.models import (
    Acknowledgement,
    Assignment,
    CompanyProfile,
    Department,
    EditorScope,
    Employee,
    Position,
    Version,
    WorkflowEvent,
)
from positions.permissions import EMPLOYEE, HR_EDITOR, MANAGER, access
from positions.services import history, seed, versions, workflow
from positions.sheet import build_sheet
from positions.tests.factories import create_role_groups
from transfer.services.backup import model_counts

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
    assert f"employee / {demo.DEMO_PASSWORD}" in output
    roles = {
        u.username: set(u.groups.values_list("role__code", flat=True)) for u in User.objects.all()
    }
    assert roles == {
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
        assert user.check_password(demo.DEMO_PASSWORD)
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


def test_setup_demo_lets_the_readme_path_be_walked(settings):
    """王人事 编制 → 陈经理 审核 → 赵总 审批: 销售部's sheets are reviewed by its 部门经理."""
    settings.DEBUG = True
    output = run()
    assert "销售部的职位说明书由本部门的部门经理审核" in output
    sales = Department.objects.get(code="FZ-XS")
    assert sales.reviewer_role == Department.ReviewerRole.MANAGER
    users = {u.username: u for u in User.objects.all()}
    clerk = Position.objects.get(code="FZ-XS-101")
    Position.objects.filter(pk=clerk.pk).update(status=Position.Status.DRAFT)
    clerk = workflow.submit(user=users["hr"], position=Position.objects.get(pk=clerk.pk))
    assert workflow.next_actors([clerk])[clerk.pk].label == "待 陈经理 审核"
    clerk = workflow.review(user=users["manager"], position=clerk, comment="同意。")
    assert workflow.next_actors([clerk])[clerk.pk].label == "待 赵总 审批"
    clerk = workflow.approve(user=users["director"], position=clerk)
    assert clerk.status == Position.Status.PUBLISHED
    assert clerk.current_version.number == 2
    # Run again after HR changed it back: the demo setting returns.
    Department.objects.filter(pk=sales.pk).update(reviewer_role=Department.ReviewerRole.HR_EDITOR)
    run()
    assert Department.objects.get(pk=sales.pk).reviewer_role == Department.ReviewerRole.MANAGER


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
    people.employee_leaves(employee=employee, left_on=employee.hired_on.replace(year=2025))

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


# --- export_all / import_all: the lossless backup ----------------------------------------------


def _sheet_snapshot() -> dict:
    """Every working copy's and every published version's sheet, as data and as rendered text."""

    def text(sheet) -> str:
        html = render_to_string("positions/_sheet.html", {"sheet": sheet})
        return " ".join(strip_tags(html).split())

    sheets = {}
    for position in Position.objects.with_sheet().order_by("pk"):
        sheet = build_sheet(position)
        sheets[f"position {position.pk}"] = (sheet.as_dict(), text(sheet))
    for version in Version.objects.order_by("pk"):
        sheet = build_sheet(version)
        sheets[f"version {version.pk}"] = (sheet.as_dict(), text(sheet))
    return sheets


def _people_snapshot() -> list:
    users = [
        (u.username, u.password, u.first_name, sorted(u.groups.values_list("name", "role__code")))
        for u in User.objects.order_by("username")
    ]
    assignments = list(
        Assignment.objects.order_by("pk").values_list(
            "employee__employee_no", "position__code", "start_date", "end_date"
        )
    )
    history = list(
        Revision.objects.order_by("pk").values_list(
            "revision__comment", "content_type__model", "object_id", "serialized_data"
        )
    )
    return [users, assignments, history]


@pytest.mark.django_db(transaction=True)
def test_export_all_then_import_all_into_empty_database_reproduces_every_sheet(tmp_path, settings):

    # An earlier transactional test may have flushed the role groups the migrations create.
    create_role_groups()
    seed.load_seed()
    demo.ensure_demo_accounts()
    history.ensure_initial_revisions()
    manager = Position.objects.get(code="FZ-XS-001")
    manager.summary = "负责售楼处管理（第二版）"
    manager.approved_by_name, manager.approved_at = "赵总", datetime.date(2025, 3, 1)
    manager.save()
    versions.publish_version(manager)  # V2 in force
    Position.objects.filter(pk=manager.pk).update(title="销售部经理", status="draft")  # a draft

    hr = User.objects.get(username="hr")
    EditorScope.objects.create(user=hr, department=Department.objects.get(name="销售部"))
    WorkflowEvent.objects.create(
        position=manager, action="submit", actor=hr, from_status="draft", to_status="submitted"
    )
    clerk = Employee.objects.get(user__username="employee")
    held = clerk.assignments.current().get().position
    Acknowledgement.objects.create(version=held.current_version, employee=clerk)

    settings.MEDIA_ROOT = tmp_path / "media"
    company = CompanyProfile(name="海峡地产集团", document_prefix="HX")
    company.logo.save("company/logo.png", ContentFile(b"\x89PNG\r\n\x1a\nlogo"), save=True)
    before = (_sheet_snapshot(), _people_snapshot(), model_counts())
    assert before[2]["positions.Acknowledgement"] == 1
    assert before[2]["positions.Version"] == Position.objects.count() + 1
    archive = tmp_path / "backup.zip"

    out = io.StringIO()
    call_command("export_all", str(archive), stdout=out)
    assert "已导出" in out.getvalue()
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)  # a new server: no uploaded files either
    assert not Position.objects.exists() and not User.objects.exists()
    create_role_groups()  # what `migrate` leaves in a new database: the role groups
    out = io.StringIO()
    call_command("import_all", str(archive), stdout=out)

    assert "已恢复" in out.getvalue()
    after = (_sheet_snapshot(), _people_snapshot(), model_counts())
    assert after[2] == before[2]
    assert after[0] == before[0]
    assert after[1] == before[1]
    logo = CompanyProfile.objects.get().logo
    assert logo.name == company.logo.name and logo.read() == b"\x89PNG\r\n\x1a\nlogo"
    restored = Position.objects.get(code="FZ-XS-001")
    assert restored.title == "销售部经理" and restored.current_version.number == 2


def test_import_all_refuses_a_database_that_is_not_empty(seed, tmp_path):
    archive = tmp_path / "backup.zip"
    call_command("export_all", str(archive), stdout=io.StringIO())
    before = model_counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_all", str(archive), stdout=io.StringIO())

    assert "数据库不是空的" in str(excinfo.value)
    assert model_counts() == before


def test_import_all_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.zip"
    bogus.write_bytes(b"this is not a zip")

    with pytest.raises(CommandError) as excinfo:
        call_command("import_all", str(bogus), stdout=io.StringIO())

    assert "不是 jobdesc 备份文件" in str(excinfo.value)
    assert not Position.objects.exists()
