"""setup_demo: the seed organisation and the demo accounts, for development only."""

import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from positions.models import Assignment, Employee, Position
from positions.permissions import EMPLOYEE, HR_EDITOR, MANAGER, access
from positions.services import history, people, seed, versions

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
    assert f"employee / {seed.DEMO_PASSWORD}" in output
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
        assert user.check_password(seed.DEMO_PASSWORD)
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
    from django.template.loader import render_to_string
    from django.utils.html import strip_tags

    from positions.models import Version
    from positions.sheet import build_sheet

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
    from reversion.models import Version as HistoryVersion

    users = [
        (u.username, u.password, u.first_name, sorted(g.name for g in u.groups.all()))
        for u in User.objects.order_by("username")
    ]
    assignments = list(
        Assignment.objects.order_by("pk").values_list(
            "employee__employee_no", "position__code", "start_date", "end_date"
        )
    )
    history = list(
        HistoryVersion.objects.order_by("pk").values_list(
            "revision__comment", "content_type__model", "object_id", "serialized_data"
        )
    )
    return [users, assignments, history]


@pytest.mark.django_db(transaction=True)
def test_export_all_then_import_all_into_empty_database_reproduces_every_sheet(tmp_path, settings):
    import datetime

    from django.contrib.auth.models import Group

    from positions.permissions import ROLES
    from positions.services.backup import model_counts

    # An earlier transactional test may have flushed the role groups migration 0003 creates.
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    seed.load_seed()
    seed.ensure_demo_accounts()
    history.ensure_initial_revisions()
    manager = Position.objects.get(code="FZ-XS-001")
    manager.summary = "负责售楼处管理（第二版）"
    manager.approved_by_name, manager.approved_at = "赵总", datetime.date(2025, 3, 1)
    manager.save()
    versions.publish_version(manager)  # V2 in force
    Position.objects.filter(pk=manager.pk).update(title="销售部经理", status="draft")  # a draft
    from positions.models import Acknowledgement, Department, EditorScope, WorkflowEvent

    hr = User.objects.get(username="hr")
    EditorScope.objects.create(user=hr, department=Department.objects.get(name="销售部"))
    WorkflowEvent.objects.create(
        position=manager, action="submit", actor=hr, from_status="draft", to_status="submitted"
    )
    clerk = Employee.objects.get(user__username="employee")
    held = clerk.assignments.current().get().position
    Acknowledgement.objects.create(version=held.current_version, employee=clerk)
    from django.core.files.base import ContentFile

    from positions.models import CompanyProfile

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
    for role in ROLES:  # what `migrate` leaves in a new database: the role groups
        Group.objects.get_or_create(name=role)
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
    from positions.services.backup import model_counts

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


# --- generate_positions and rebuild_search_index ----------------------------------------------


def generate(*args) -> str:
    out = io.StringIO()
    call_command("generate_positions", *args, stdout=out)
    return out.getvalue()


def test_generate_positions_creates_a_published_organisation_with_valid_reporting_lines():
    from positions.models import Department, Duty, SearchEntry, Version
    from positions.sheet import build_sheet

    output = generate("--count", "60", "--seed", "7")

    assert "已生成" in output and "60 个职位" in output and "600 条工作职责" in output
    positions = list(Position.objects.select_related("reports_to", "current_version"))
    assert len(positions) == 60
    assert Duty.objects.count() == 600
    # Exactly one top position; every other reports to a position of its own company.
    tops = [p for p in positions if p.reports_to is None]
    assert [p.title for p in tops] == ["董事长"]
    for position in positions:
        assert position.reporting_cycle() == []
        assert position.status == Position.Status.PUBLISHED
        assert position.current_version.number == 1
        assert position.current_version.title == position.title
    departments = {d.pk: d for d in Department.objects.all()}
    for position in positions:
        if position.reports_to is not None and position.reports_to.reports_to is not None:
            company = departments[position.department_id]
            while company.kind == Department.Kind.DEPARTMENT:
                company = departments[company.parent_id]
            boss_department = departments[position.reports_to.department_id]
            assert boss_department.pk in (company.pk, position.department_id)
    # The V1 sheet is the sheet of the position as published; readers find it.
    sales = Position.objects.with_sheet().filter(department__name="销售部").first()
    sheet = build_sheet(Version.objects.get(position=sales))
    assert sheet.title == sales.title
    assert sheet.duties.count == 10
    assert sheet.version == 1 and sheet.is_published
    assert SearchEntry.objects.filter(position=sales, source="version").exists()
    assert Employee.objects.count() == Assignment.objects.current().count() > 0


def test_generate_positions_is_deterministic_and_refuses_a_used_prefix():
    generate("--count", "30", "--seed", "3")
    first = list(Position.objects.order_by("code").values_list("code", "title"))
    with pytest.raises(CommandError, match="编号前缀“SIM”已被使用"):
        generate("--count", "30", "--seed", "3")
    generate("--count", "30", "--seed", "3", "--prefix", "ALT")
    second = list(
        Position.objects.filter(code__startswith="ALT")
        .order_by("code")
        .values_list("code", "title")
    )
    assert [t for _c, t in second] == [t for _c, t in first]


def test_generate_positions_rejects_bad_count():
    with pytest.raises(CommandError, match="--count 必须是正整数"):
        generate("--count", "0")


def test_rebuild_search_index_if_empty_and_full(seed):
    from positions.models import SearchEntry

    rows = SearchEntry.objects.count()
    out = io.StringIO()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert "无需重建" in out.getvalue()
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert SearchEntry.objects.count() == rows
    assert f"搜索索引已重建：{rows} 条。" in out.getvalue()
