"""Who sees and changes what: the permission module, and every URL × every role.

The organisation is the seed's: 销售部 (销售经理, 售楼员 …) under 福州项目公司, and 营销策划部
under 集团公司. Each role is a real user in its group, holding a real position.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from reversion.models import Version as Revision

from audit.models import AuditEvent
from positions import permissions
from positions.models import (
    Acknowledgement,
    Band,
    Body,
    BookJob,
    Department,
    Employee,
    Grant,
    ImportJob,
    Manual,
    ManualVersion,
    ManualVersionRow,
    Matter,
    MatterCategory,
    Position,
    Qualification,
)
from positions.services import history
from positions.tests import factories
from positions.tests.factories import (
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)
from printing.services import books
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db


@dataclass
class World:
    users: dict[str, object]
    sales: Department
    marketing: Department
    published: Position
    sales_draft: Position
    marketing_draft: Position
    archived: Position
    clerk_employee: object
    sessions: dict[str, str] = field(default_factory=dict)  # role → a signed-in session key


def in_group(user, role: str):
    user.groups.add(permissions.role_group(role))
    return user


def build_world() -> World:
    sales = Department.objects.get(name="销售部")
    marketing = Department.objects.get(name="营销策划部")
    clerk = Position.objects.get(code="FZ-XS-101")  # 售楼员, 销售部
    sales_manager = Position.objects.get(code="FZ-XS-001")  # 销售经理, 销售部
    marketing_manager = Position.objects.get(title="营销策划经理")  # 营销策划部

    employee = in_group(UserFactory(username="employee"), permissions.EMPLOYEE)
    clerk_employee = EmployeeFactory(user=employee, name="林员工", position=clerk)
    manager_own = in_group(UserFactory(username="manager-own"), permissions.MANAGER)
    EmployeeFactory(user=manager_own, name="陈经理", position=sales_manager)
    manager_other = in_group(UserFactory(username="manager-other"), permissions.MANAGER)
    EmployeeFactory(user=manager_other, name="周经理", position=marketing_manager)
    hr_scoped = in_group(UserFactory(username="hr-scoped"), permissions.HR_EDITOR)
    EditorScopeFactory(user=hr_scoped, department=sales.parent)  # 福州项目公司 and below
    hr_unscoped = in_group(UserFactory(username="hr-unscoped"), permissions.HR_EDITOR)
    superuser = UserFactory(username="admin", is_superuser=True, is_staff=True)
    auditor = in_group(UserFactory(username="auditor"), permissions.AUDITOR)

    return World(
        users={
            "anonymous": None,
            "employee": employee,
            "manager_own": manager_own,
            "manager_other": manager_other,
            "hr_scoped": hr_scoped,
            "hr_unscoped": hr_unscoped,
            "superuser": superuser,
            "auditor": auditor,
        },
        sales=sales,
        marketing=marketing,
        published=clerk,
        sales_draft=PositionFactory(
            title="案场主管", code="FZ-XS-050", department=sales, status=Position.Status.DRAFT
        ),
        marketing_draft=PositionFactory(
            title="品牌专员", code="MK120", department=marketing, status=Position.Status.DRAFT
        ),
        archived=PositionFactory(
            title="销售内勤", code="FZ-XS-090", department=sales, status=Position.Status.ARCHIVED
        ),
        clerk_employee=clerk_employee,
    )


@dataclass(frozen=True)
class StoredWorld:
    """The world's rows (built once per module, inside the shared seed layer) and a signed-in
    session per role: each test reads fresh instances and its changes roll back."""

    users: dict[str, int | None]
    sales: int
    marketing: int
    published: int
    sales_draft: int
    marketing_draft: int
    archived: int
    clerk_employee: int
    sessions: dict[str, str]

    def load(self) -> World:
        users = User.objects.in_bulk([pk for pk in self.users.values() if pk is not None])
        departments = Department.objects.in_bulk([self.sales, self.marketing])
        positions = Position.objects.in_bulk(
            [self.published, self.sales_draft, self.marketing_draft, self.archived]
        )
        return World(
            users={role: users.get(pk) for role, pk in self.users.items()},
            sales=departments[self.sales],
            marketing=departments[self.marketing],
            published=positions[self.published],
            sales_draft=positions[self.sales_draft],
            marketing_draft=positions[self.marketing_draft],
            archived=positions[self.archived],
            clerk_employee=Employee.objects.get(pk=self.clerk_employee),
            sessions=self.sessions,
        )


@pytest.fixture(scope="module")
def stored_world(_seed_layer, django_db_blocker) -> StoredWorld:
    """Built once: its rows live in the seed layer's transaction, rolled back with it."""
    with django_db_blocker.unblock():
        world = build_world()
        sessions = {}
        for role, user in world.users.items():
            if user is not None:
                client = Client()
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return StoredWorld(
        users={role: user.pk if user else None for role, user in world.users.items()},
        sales=world.sales.pk,
        marketing=world.marketing.pk,
        published=world.published.pk,
        sales_draft=world.sales_draft.pk,
        marketing_draft=world.marketing_draft.pk,
        archived=world.archived.pk,
        clerk_employee=world.clerk_employee.pk,
        sessions=sessions,
    )


@pytest.fixture
def world(stored_world, seed) -> World:
    return stored_world.load()


# --- the permission module -------------------------------------------------------------------


def test_visible_to_employee_is_published_only(world):
    visible = set(Position.objects.filter(permissions.visible_positions_q(world.users["employee"])))
    assert world.published in visible
    assert not {world.sales_draft, world.marketing_draft, world.archived} & visible
    assert visible == set(Position.objects.published())


def test_reads_every_working_copy_only_hr_over_everything_and_superusers(world):
    users = {role: user or AnonymousUser() for role, user in world.users.items()}
    reads_all = {role for role, user in users.items() if permissions.reads_every_working_copy(user)}
    assert reads_all == {"hr_unscoped", "superuser"}
    # The same answer as asking department by department.
    departments = list(Department.objects.values_list("pk", flat=True))
    for user in users.values():
        every = all(permissions.reads_working_copy_in(user, pk) for pk in departments)
        assert permissions.reads_every_working_copy(user) == every


def test_visible_to_manager_adds_drafts_of_own_department_subtree(world):
    own = set(Position.objects.filter(permissions.visible_positions_q(world.users["manager_own"])))
    other = set(
        Position.objects.filter(permissions.visible_positions_q(world.users["manager_other"]))
    )
    assert world.sales_draft in own and world.marketing_draft not in own
    assert world.marketing_draft in other and world.sales_draft not in other


def test_visible_to_manager_of_parent_department_includes_sub_departments(world):
    director = in_group(UserFactory(username="director"), permissions.MANAGER)
    EmployeeFactory(user=director, position=Position.objects.get(title="副总经理"))
    # 副总经理 sits in 福州项目公司; 销售部 is below it.
    assert world.sales_draft in Position.objects.filter(permissions.visible_positions_q(director))
    assert world.marketing_draft not in Position.objects.filter(
        permissions.visible_positions_q(director)
    )


def test_visible_to_manager_who_left_is_published_only(world):
    manager = world.users["manager_own"]
    employee = manager.employee
    employee.left_on = datetime.date(2025, 1, 31)
    employee.save()
    permissions.forget_access(manager)
    assert world.sales_draft not in Position.objects.filter(
        permissions.visible_positions_q(manager)
    )


def test_editable_by_scoped_hr_is_its_subtree_only(world):
    editable = Position.objects.filter(permissions.editable_positions_q(world.users["hr_scoped"]))
    assert world.sales_draft in editable
    assert world.published in editable
    assert world.marketing_draft not in editable
    assert not permissions.can_edit_position(world.users["hr_scoped"], world.marketing_draft)


def test_editable_by_unscoped_hr_is_everything(world):
    assert Position.objects.filter(
        permissions.editable_positions_q(world.users["hr_unscoped"])
    ).count() == (Position.objects.count())


def test_editable_by_manager_and_employee_is_nothing(world):
    for role in ("employee", "manager_own"):
        assert not Position.objects.filter(
            permissions.editable_positions_q(world.users[role])
        ).exists()


def test_inactive_user_has_no_access(world):
    user = world.users["hr_unscoped"]
    user.is_active = False
    assert not permissions.can_view_position(user, world.published)
    assert not permissions.can_use_admin(user)


def test_directory_may_sign_in_to_ordinary_accounts_only(world):
    assert permissions.directory_may_sign_in(world.users["employee"])
    assert permissions.directory_may_sign_in(world.users["hr_unscoped"])
    assert not permissions.directory_may_sign_in(
        UserFactory(username="root", is_superuser=True, is_staff=True)
    )
    assert not permissions.directory_may_sign_in(UserFactory(username="gone", is_active=False))


# --- every URL × every role --------------------------------------------------------------------

ROLES = ("anonymous", "employee", "manager_own", "manager_other", "hr_scoped", "hr_unscoped")
LOGIN = "login"  # a 302 redirect to the login page


@dataclass(frozen=True)
class Case:
    name: str  # URL name as reversed
    kwargs: Callable[[World], dict]
    expected: dict[str, int | str]  # role → status, or LOGIN
    method: str = "get"
    label: str = ""


def everyone(status: int = 200) -> dict[str, int | str]:
    return {"anonymous": LOGIN} | {role: status for role in ROLES[1:]}


def statuses(*values: int | str) -> dict[str, int | str]:
    return dict(zip(ROLES, values, strict=True))


def none(world: World) -> dict:
    return {}


AUDIT_READERS = statuses(LOGIN, 403, 403, 403, 403, 403) | {"auditor": 200, "superuser": 200}


def sales_book(world: World) -> dict:
    """The 销售部 book (queued): every signed-in user reads what it prints."""
    selection = books.department_selection(world.sales, include_subdepartments=False)
    return {"pk": books.request_book(selection).pk}


def sales_book_done(world: World) -> dict:
    """The 销售部 book, built by the real task worker and stored."""

    kwargs = sales_book(world)
    run_worker()
    return kwargs


def archived_book(world: World) -> dict:
    """A book of a 销售部 version whose position has since been archived."""

    position = PositionFactory(title="销售助理", code="FZ-XS-095", department=world.sales)
    Position.objects.filter(pk=position.pk).update(status=Position.Status.ARCHIVED)
    job = BookJob.objects.create(
        key="archived-book",
        kind=BookJob.Kind.SELECTION,
        title="自选职位",
        version_ids=[position.current_version_id],
        total=1,
    )
    return {"pk": job.pk}


def hr_import_job(world: World) -> dict:
    """An import job uploaded by the unscoped HR editor, waiting in the queue."""
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.WORD, token="t" * 32, total=1, requested_by=world.users["hr_unscoped"]
    )
    return {"pk": job.pk}


def diagnosis_job(world: World) -> dict:
    """A finished 组织诊断 job of 销售部 (the diagnosis app's model, through the registry)."""
    job = apps.get_model("diagnosis", "DiagnosisJob").objects.create(
        department=world.sales,
        status="done",
        done=1,
        total=1,
        report={
            "scope": "福州项目公司 / 销售部",
            "department_id": world.sales.pk,
            "positions": 5,
            "made_at": "2026-12-01T09:00:00+08:00",
            "findings": [],
        },
    )
    return {"pk": job.pk}


def finding_note(world: World) -> dict:
    """HR's note on a finding of the 售楼员 (销售部, in hr_scoped's scope)."""
    note = apps.get_model("diagnosis", "FindingNote").objects.create(
        key="missing-indicators-1",
        kind="missing_assessment",
        summary="“售楼员”没有关键指标",
        department=world.sales,
        status="acknowledged",
        reason="指标在绩效系统中维护",
    )
    return {"object_id": note.pk}


def first_version(world: World) -> dict:
    """The published 售楼员's first history entry (loaddata records none, so make it)."""
    history.ensure_initial_revisions()
    version = Revision.objects.get_for_object(world.published).earliest("pk")
    return {"pk": world.published.pk, "version_id": version.pk}


CASES: tuple[Case, ...] = (
    Case("login", none, {role: 200 for role in ROLES}),
    Case("logout", none, {role: LOGIN for role in ROLES}, method="post"),
    Case("positions:department-tree", none, everyone()),
    Case("positions:my-position", none, everyone()),
    Case("positions:department-detail", lambda w: {"pk": w.sales.pk}, everyone()),
    # Who reviews a department's sheets: HR editors in scope set it on the department page.
    Case(
        "positions:department-reviewer",
        lambda w: {"pk": w.sales.pk},
        statuses(LOGIN, 403, 403, 403, 400, 400),
        method="post",
        label="销售部, POST without a choice",
    ),
    Case(
        "positions:department-reviewer",
        lambda w: {"pk": w.marketing.pk},
        statuses(LOGIN, 403, 403, 403, 403, 400),
        method="post",
        label="营销策划部 (outside hr_scoped), POST without a choice",
    ),
    Case(
        "positions:department-reviewer",
        lambda w: {"pk": w.sales.pk},
        statuses(LOGIN, 405, 405, 405, 405, 405),
        label="GET",
    ),
    # A department's print layout: HR editors in scope set it on the department page.
    Case(
        "positions:department-layout",
        lambda w: {"pk": w.sales.pk},
        statuses(LOGIN, 403, 403, 403, 302, 302),
        method="post",
        label="销售部, POST without a choice (follows 公司信息)",
    ),
    Case(
        "positions:department-layout",
        lambda w: {"pk": w.marketing.pk},
        statuses(LOGIN, 403, 403, 403, 403, 302),
        method="post",
        label="营销策划部 (outside hr_scoped), POST without a choice",
    ),
    Case("positions:position-list", none, everyone()),
    Case("positions:search", none, everyone()),
    Case(
        "positions:position-sheet",
        lambda w: {"pk": w.published.pk},
        everyone(),
        label="published",
    ),
    Case(
        "positions:position-sheet",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case(
        "positions:position-sheet",
        lambda w: {"pk": w.marketing_draft.pk},
        statuses(LOGIN, 404, 404, 200, 404, 200),
        label="营销策划部 draft",
    ),
    Case(
        "positions:position-sheet",
        lambda w: {"pk": w.archived.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="archived",
    ),
    Case(
        "positions:position-pdf",
        lambda w: {"pk": w.published.pk},
        everyone(),
        label="published",
    ),
    Case(
        "positions:position-pdf",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case("positions:version-list", lambda w: {"pk": w.published.pk}, everyone()),
    Case(
        "positions:version-list",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case("positions:version-compare", lambda w: {"pk": w.published.pk}, everyone()),
    Case(
        "positions:version-sheet",
        lambda w: {"pk": w.published.pk, "number": 1},
        everyone(),
    ),
    Case(
        "positions:version-sheet",
        lambda w: {"pk": w.archived.pk, "number": 1},
        statuses(LOGIN, 404, 404, 404, 404, 404),
        label="archived, never published: no V1",
    ),
    Case(
        "positions:version-pdf",
        lambda w: {"pk": w.published.pk, "number": 1},
        everyone(),
    ),
    Case(
        "positions:version-acknowledgements",
        lambda w: {"pk": w.published.pk, "number": 1},
        statuses(LOGIN, 403, 200, 403, 200, 200),
    ),
    Case(
        "positions:version-acknowledgements",
        lambda w: {"pk": w.marketing_draft.pk, "number": 1},
        statuses(LOGIN, 404, 404, 404, 404, 404),
        label="营销策划部 draft without versions",
    ),
    Case(
        "positions:version-acknowledgements-xlsx",
        lambda w: {"pk": w.published.pk, "number": 1},
        statuses(LOGIN, 403, 200, 403, 200, 200),
    ),
    # 签收单: a version's all for those who see its 员工确认; one's own for its holder.
    Case(
        "positions:version-receipts",
        lambda w: {"pk": w.published.pk, "number": 1},
        statuses(LOGIN, 403, 200, 403, 200, 200),
    ),
    Case(
        "positions:acknowledgement-receipt",
        lambda w: {"pk": acknowledgement(w)["object_id"]},
        statuses(LOGIN, 200, 200, 404, 200, 200),
        label="the 售楼员's own confirmation",
    ),
    Case(
        "positions:my-position-acknowledge",
        none,
        statuses(LOGIN, 404, 404, 404, 404, 404),
        method="post",
        label="no version named",
    ),
    Case("positions:employee-list", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case(
        "positions:employee-detail",
        lambda w: {"pk": w.clerk_employee.pk},
        statuses(LOGIN, 200, 403, 403, 200, 200),
        label="the 售楼员 employee",
    ),
    Case(
        "positions:employee-transfer",
        lambda w: {"pk": w.clerk_employee.pk},
        statuses(LOGIN, 403, 403, 403, 200, 200),
    ),
    Case(
        "positions:employee-leave",
        lambda w: {"pk": w.clerk_employee.pk},
        statuses(LOGIN, 403, 403, 403, 200, 200),
    ),
    Case(
        "positions:position-history",
        lambda w: {"pk": w.published.pk},
        statuses(LOGIN, 403, 200, 403, 200, 200),
        label="published",
    ),
    Case(
        "positions:position-history",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case(
        "positions:position-history-compare",
        lambda w: {"pk": w.published.pk},
        statuses(LOGIN, 403, 200, 403, 200, 200),
    ),
    Case("positions:position-restore", first_version, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case(
        "positions:position-restore",
        first_version,
        statuses(LOGIN, 403, 403, 403, 302, 302),
        method="post",
        label="POST",
    ),
    Case("positions:position-create", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    *(
        Case(name, kwargs, expected, label=label)
        for name in ("positions:position-edit", "positions:position-delete")
        for label, kwargs, expected in (
            (
                "销售部 published",
                lambda w: {"pk": w.published.pk},
                statuses(LOGIN, 403, 403, 403, 200, 200),
            ),
            (
                "销售部 draft",
                lambda w: {"pk": w.sales_draft.pk},
                statuses(LOGIN, 404, 403, 404, 200, 200),
            ),
            (
                "营销策划部 draft",
                lambda w: {"pk": w.marketing_draft.pk},
                statuses(LOGIN, 404, 404, 403, 404, 200),
            ),
            (
                "营销策划部 published",
                lambda w: {"pk": Position.objects.get(code="MK105").pk},
                statuses(LOGIN, 403, 403, 403, 403, 200),
            ),
        )
    ),
    Case(
        "positions:position-copy",
        lambda w: {"pk": w.published.pk},
        statuses(LOGIN, 403, 403, 403, 200, 200),
        label="销售部 published",
    ),
    Case(
        "positions:position-copy",
        lambda w: {"pk": w.marketing_draft.pk},
        statuses(LOGIN, 404, 404, 403, 404, 200),
        label="营销策划部 draft",
    ),
    Case(
        "positions:position-copy",
        lambda w: {"pk": Position.objects.get(code="MK105").pk},
        statuses(LOGIN, 403, 403, 403, 200, 200),
        label="营销策划部 published, copied into the editor's own departments",
    ),
    Case("positions:position-picker", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case("positions:department-picker", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case("positions:review-overdue", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case(
        "positions:position-workflow",
        lambda w: {"pk": w.published.pk},
        statuses(LOGIN, 403, 200, 403, 200, 200),
        label="销售部 published",
    ),
    Case(
        "positions:position-workflow",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case(
        "positions:position-workflow",
        lambda w: {"pk": w.published.pk},
        statuses(LOGIN, 403, 400, 403, 400, 400),
        method="post",
        label="POST without action",
    ),
    Case("positions:workflow-queue", none, everyone()),
    # Batch 提交/审核/审批: those who take part in the workflow; each sheet is then checked.
    Case(
        "positions:workflow-batch",
        none,
        statuses(LOGIN, 403, 400, 400, 400, 400),
        method="post",
        label="POST without a selection",
    ),
    Case("positions:workflow-batch", none, statuses(LOGIN, 405, 405, 405, 405, 405), label="GET"),
    # 组织架构图: everyone signed in; a position's chart follows its sheet, archived ones are
    # never drawn (404 for all).
    *(Case(f"positions:org-chart{suffix}", none, everyone()) for suffix in ("", "-svg", "-pdf")),
    *(
        Case(f"positions:position-chart{suffix}", kwargs, expected, label=label)
        for suffix in ("", "-svg", "-pdf")
        for label, kwargs, expected in (
            ("published", lambda w: {"pk": w.published.pk}, everyone()),
            (
                "销售部 draft",
                lambda w: {"pk": w.sales_draft.pk},
                statuses(LOGIN, 404, 200, 404, 200, 200),
            ),
            (
                "营销策划部 draft",
                lambda w: {"pk": w.marketing_draft.pk},
                statuses(LOGIN, 404, 404, 200, 404, 200),
            ),
            ("archived", lambda w: {"pk": w.archived.pk}, statuses(LOGIN, *[404] * 5)),
        )
    ),
    *(
        Case(f"positions:department-chart{suffix}", lambda w: {"pk": w.sales.pk}, everyone())
        for suffix in ("", "-svg", "-pdf")
    ),
    Case("password_change", none, everyone()),
    Case("password_change_done", none, everyone()),
    Case("positions:import-export", none, statuses(LOGIN, 403, 200, 200, 200, 200)),
    Case("positions:position-export", none, statuses(LOGIN, 403, 200, 200, 200, 200)),
    Case("positions:position-import-template", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case("positions:roster-import-template", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    *(
        Case(
            name,
            none,
            statuses(LOGIN, 403, 403, 403, 400, 400),
            method="post",
            label="POST without a file",
        )
        for name in ("positions:position-import", "positions:roster-import")
    ),
    *(
        Case(
            name,
            lambda w: {"token": "0" * 32},
            statuses(LOGIN, 403, 403, 403, 404, 404),
            label="token not in the session",
        )
        for name in ("positions:position-import-preview", "positions:roster-import-preview")
    ),
    # The import job (batches, .zip, big workbooks): only its uploader sees it.
    Case("positions:import-job-create", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    *(
        Case(name, hr_import_job, statuses(LOGIN, 404, 404, 404, 404, 200))
        for name in ("positions:import-job", "positions:import-job-status")
    ),
    # Word: a sheet as .docx (what each reader reads), and importing .docx files (HR editors).
    Case(
        "positions:position-docx", lambda w: {"pk": w.published.pk}, everyone(), label="published"
    ),
    Case(
        "positions:position-docx",
        lambda w: {"pk": w.sales_draft.pk},
        statuses(LOGIN, 404, 200, 404, 200, 200),
        label="销售部 draft",
    ),
    Case(
        "positions:version-docx",
        lambda w: {"pk": w.published.pk, "number": 1},
        everyone(),
        label="V1 of the published 售楼员",
    ),
    Case("positions:word-import", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case(
        "positions:word-import",
        none,
        statuses(LOGIN, 403, 403, 403, 400, 400),
        method="post",
        label="POST without a file",
    ),
    Case(
        "positions:word-import-preview",
        lambda w: {"token": "0" * 24},
        statuses(LOGIN, 403, 403, 403, 404, 404),
        label="unknown token",
    ),
    # 职位说明书汇编: books print versions in force, which every signed-in user reads.
    Case("positions:book-create", none, everyone()),
    Case(
        "positions:book-create",
        none,
        statuses(LOGIN, 400, 400, 400, 400, 400),
        method="post",
        label="POST empty selection",
    ),
    Case("positions:book-detail", sales_book, everyone(), label="销售部"),
    Case(
        "positions:book-detail",
        archived_book,
        statuses(LOGIN, 403, 200, 403, 200, 200),
        label="archived position",
    ),
    Case("positions:book-status", sales_book, everyone()),
    Case("positions:book-download", sales_book_done, everyone(), label="done"),
    Case("positions:book-download", sales_book, everyone(404), label="queued"),
    # 审计日志: the 审计员 and superusers only (the other roles of ROLES get 403).
    *(
        Case(name, kwargs, AUDIT_READERS, label=label)
        for name, kwargs, label in (
            ("positions:audit-list", none, ""),
            ("positions:audit-user", lambda w: {"pk": w.users["employee"].pk}, "the 售楼员"),
            ("positions:audit-position", lambda w: {"pk": w.published.pk}, "售楼员"),
            ("positions:audit-export", none, ""),
        )
    ),
    # 通知设置: everyone their own; 通知记录 (the message log): HR editors.
    Case("notifications:preferences", none, everyone()),
    Case(
        "notifications:preferences",
        none,
        everyone(302),
        method="post",
        label="POST: everything off",
    ),
    Case("notifications:message-log", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    # 组织诊断: HR editors for their scope, managers read their departments' reports; the whole
    # organisation's job is the unscoped HR editors'; marking is HR's (POSTs without a finding
    # are refused 400 for them, 403 for everyone else).
    Case("diagnosis:index", none, statuses(LOGIN, 403, 200, 200, 200, 200)),
    *(
        Case(
            name,
            lambda w: {"pk": w.sales.pk},
            statuses(LOGIN, 403, 200, 403, 200, 200),
            label="销售部",
        )
        for name in ("diagnosis:report", "diagnosis:report-pdf", "diagnosis:report-xlsx")
    ),
    *(
        Case(
            name, none, statuses(LOGIN, 403, 403, 403, 400, 400), method="post", label="no finding"
        )
        for name in ("diagnosis:mark", "diagnosis:unmark")
    ),
    Case(
        "diagnosis:job-create",
        none,
        statuses(LOGIN, 403, 403, 403, 403, 302),
        method="post",
        label="whole organisation",
    ),
    *(
        Case(name, diagnosis_job, statuses(LOGIN, 403, 200, 403, 200, 200), label="销售部, done")
        for name in (
            "diagnosis:job",
            "diagnosis:job-status",
            "diagnosis:job-pdf",
            "diagnosis:job-xlsx",
        )
    ),
    # 权责手册 grid editor (rights/views_grid.py): HR editors; a scoped one starts in its own
    # departments (the page) and may not write the whole matrix (the JSON endpoint, no scope).
    Case("rights:grid", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case("rights:grid-data", none, statuses(LOGIN, 403, 403, 403, 403, 200)),
    Case(
        "rights:grid-data",
        none,
        statuses(LOGIN, 403, 403, 403, 403, 400),
        method="put",
        label="PUT without a body",
    ),
    # 权责手册 in Excel: the working copy for HR, the version in force (the seed's V1) else.
    Case("positions:manual-export", none, everyone()),
    Case("positions:manual-import", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case(
        "positions:manual-import",
        none,
        statuses(LOGIN, 403, 403, 403, 400, 400),
        method="post",
        label="POST without a file",
    ),
    Case(
        "positions:manual-import-preview",
        lambda w: {"token": "x" * 32},
        statuses(LOGIN, 403, 403, 403, 404, 404),
        label="token not staged",
    ),
    # 权责手册 PDF: a version for everyone signed in (the seed's V1), the working copy for those
    # who read its drafts.
    Case("positions:manual-version-pdf", lambda w: {"number": 1}, everyone(), label="V1"),
    Case(
        "positions:manual-version-pdf",
        lambda w: {"number": 9},
        statuses(LOGIN, 404, 404, 404, 404, 404),
        label="no such version",
    ),
    Case("positions:manual-draft-pdf", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    # 权责手册: the version in force and its versions for everyone signed in; the working copy
    # for HR editors (and the manual's approvers); a workflow POST answers each role's step.
    Case("rights:manual", none, everyone()),
    Case("rights:working-copy", none, statuses(LOGIN, 403, 403, 403, 200, 200)),
    Case("rights:version-list", none, everyone()),
    Case("rights:version-detail", lambda w: {"number": 1}, everyone()),
    Case("rights:version-detail", lambda w: {"number": 99}, everyone(404), label="no V99"),
    Case(
        "rights:workflow",
        none,
        statuses(LOGIN, 400, 400, 400, 400, 400),
        method="post",
        label="POST without an action",
    ),
    # 公司信息 is printed on every department's sheets: unscoped HR editors only.
    Case("positions:company-settings", none, statuses(LOGIN, 403, 403, 403, 403, 200)),
    Case(
        "positions:company-settings",
        none,
        statuses(LOGIN, 403, 403, 403, 403, 200),
        method="post",
        label="POST without a name",
    ),
)


# --- the admin: every URL of every registered model × every role, a superuser included -------

ADMIN_ROLES = (*ROLES, "superuser")


def admin_statuses(hr_scoped: int | str, hr_unscoped: int | str, superuser: int | str) -> dict:
    """A visitor is sent to the login page; a signed-in person who may not use the admin (no
    HR 编辑 role) gets 403 (您没有访问管理后台的权限)."""
    return (
        {"anonymous": LOGIN}
        | {role: 403 for role in ROLES[1:4]}
        | {
            "hr_scoped": hr_scoped,
            "hr_unscoped": hr_unscoped,
            "superuser": superuser,
        }
    )


def same(status: int | str) -> dict:
    return admin_statuses(status, status, status)


def section(related: str) -> Callable[[World], dict]:
    """A section of the published 售楼员 (销售部, in hr_scoped's scope)."""

    def kwargs(world: World) -> dict:
        position = world.published
        maker = {
            "duties": factories.DutyFactory,
            "qualification": factories.QualificationFactory,
            "relationships": factories.RelationshipFactory,
            "indicators": factories.IndicatorFactory,
        }[related]
        if related == "qualification":
            found = Qualification.objects.filter(position=position).first()
        else:
            found = getattr(position, related).first()
        obj = found or maker(position=position)
        return {"object_id": obj.pk}

    return kwargs


def acknowledgement(world: World) -> dict:
    ack = Acknowledgement.objects.create(
        employee=world.clerk_employee, version=world.published.current_version
    )
    return {"object_id": ack.pk}


def obj(getter: Callable[[World], object]) -> Callable[[World], dict]:
    return lambda w: {"object_id": getter(w).pk}


def missing(pk: str) -> Callable[[World], dict]:
    """A row that does not exist (the other apps' logs and task results)."""
    return lambda w: {"object_id": pk}


# model → (object kwargs, {view: expected}); views: changelist, add, change, delete, history.
SHEET_VIEWS = {
    "changelist": same(200),
    "add": same(403),
    "change": same(200),  # view only: no save button, a POST is refused
    "delete": same(403),
    "history": same(200),
}
SUPERUSER_ONLY_VIEWS = {
    "changelist": admin_statuses(403, 403, 200),
    "add": admin_statuses(403, 403, 200),
    "change": admin_statuses(403, 403, 200),
    "delete": admin_statuses(403, 403, 200),
    "history": admin_statuses(403, 403, 200),
}
# The other apps' records (axes' logs, task results): superusers only. The row asked for does not
# exist: Django's history page says so (a redirect to the index) before asking permissions.
LOG_VIEWS = {
    "changelist": admin_statuses(403, 403, 200),
    "add": same(403),
    "change": admin_statuses(403, 403, 302),
    "delete": admin_statuses(403, 403, 302),
    "history": same(302),
}
ADMIN_MODEL_ROWS: dict[str, tuple[Callable[[World], dict], dict[str, dict]]] = {
    "positions_position": (obj(lambda w: w.published), SHEET_VIEWS),
    "positions_duty": (section("duties"), SHEET_VIEWS),
    "positions_qualification": (section("qualification"), SHEET_VIEWS),
    "positions_relationship": (section("relationships"), SHEET_VIEWS),
    "positions_indicator": (section("indicators"), SHEET_VIEWS),
    "positions_version": (obj(lambda w: w.published.current_version), SHEET_VIEWS),
    "positions_acknowledgement": (acknowledgement, SHEET_VIEWS),
    "positions_department": (
        obj(lambda w: w.sales),
        {
            "changelist": same(200),
            "add": same(200),
            "change": same(200),
            "delete": same(200),
            "history": same(200),
        },
    ),
    "positions_employee": (
        obj(lambda w: w.clerk_employee),
        {
            "changelist": same(200),
            "add": same(200),
            "change": same(200),
            "delete": admin_statuses(403, 403, 200),  # history: superusers only
            "history": same(200),
        },
    ),
    "positions_assignment": (
        obj(lambda w: w.clerk_employee.assignments.first()),
        {
            "changelist": same(200),
            "add": same(403),
            "change": same(200),
            "delete": admin_statuses(403, 403, 200),
            "history": same(200),
        },
    ),
    "positions_editorscope": (
        obj(lambda w: w.users["hr_scoped"].editor_scopes.first()),
        {
            view: admin_statuses(403, 200, 200)
            for view in ("changelist", "add", "change", "delete", "history")
        },
    ),
    "auth_user": (
        obj(lambda w: w.users["employee"]),  # the 售楼员's account, in hr_scoped's scope
        {
            "changelist": same(200),
            "add": same(200),
            "change": same(200),
            "delete": admin_statuses(403, 403, 200),
            "history": same(200),
        },
    ),
    "auth_group": (
        obj(lambda w: permissions.role_group(permissions.HR_EDITOR)),
        SUPERUSER_ONLY_VIEWS,
    ),
    "axes_accessattempt": (missing("0"), LOG_VIEWS),
    "axes_accesslog": (missing("0"), LOG_VIEWS),
    "axes_accessfailurelog": (missing("0"), LOG_VIEWS),
    "django_tasks_database_dbtaskresult": (
        missing("00000000-0000-0000-0000-000000000000"),
        LOG_VIEWS | {"delete": same(403)},  # task results are never deleted by hand
    ),
}


def audit_event(world: World) -> dict:
    return {"object_id": AuditEvent.objects.create(action="login", username="employee").pk}


# The audit trail is append-only: read by superusers (an 审计员 reads it on its own pages and
# does not reach the admin), never added, changed or deleted.
ADMIN_MODEL_ROWS["audit_auditevent"] = (
    audit_event,
    {
        "changelist": admin_statuses(403, 403, 200) | {"auditor": 403},
        "add": same(403) | {"auditor": 403},
        "change": admin_statuses(403, 403, 200) | {"auditor": 403},
        "delete": same(403) | {"auditor": 403},
        "history": admin_statuses(403, 403, 200) | {"auditor": 403},
    },
)


def api_token(world: World) -> dict:
    """A token of the 售楼员's (the api app's model, reached through the registry: the core's
    tests do not import the outer areas they need not)."""
    token = apps.get_model("api", "ApiToken").objects.create(
        user=world.users["employee"], name="北森同步", prefix="jd_abcdefg", digest="0" * 64
    )
    return {"object_id": token.pk}


# API tokens: a superuser issues them for integration accounts and revokes them; nobody deletes.
ADMIN_MODEL_ROWS["api_apitoken"] = (
    api_token,
    {
        "changelist": admin_statuses(403, 403, 200),
        "add": admin_statuses(403, 403, 200),
        "change": admin_statuses(403, 403, 200),
        "delete": same(403),
        "history": admin_statuses(403, 403, 200),
    },
)


def chat_robot(world: World) -> dict:
    """A group-chat robot (the notifications app's model, through the registry)."""
    robot = apps.get_model("notifications", "ChatRobot").objects.create(
        name="销售部群", kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
    )
    return {"object_id": robot.pk}


def webhook_subscription(world: World) -> dict:
    subscription = apps.get_model("notifications", "Subscription").objects.create(
        name="ERP", url="https://erp.example.com/hook", secret="s" * 32, events=[]
    )
    return {"object_id": subscription.pk}


def webhook_delivery(world: World) -> dict:
    subscription = webhook_subscription(world)["object_id"]
    delivery = apps.get_model("notifications", "Delivery").objects.create(
        subscription_id=subscription, event="version.published", body="{}", status="succeeded"
    )
    return {"object_id": delivery.pk}


# Robots: superusers and HR editors set them up; webhooks and their deliveries: superusers only,
# a delivery is never added or edited (read, 重新发送 as an action, deleted by a superuser).
ADMIN_MODEL_ROWS["notifications_chatrobot"] = (
    chat_robot,
    {view: same(200) for view in ("changelist", "add", "change", "delete", "history")},
)
ADMIN_MODEL_ROWS["notifications_subscription"] = (webhook_subscription, SUPERUSER_ONLY_VIEWS)
# 组织诊断 notes: made on the report page (never added here); read, corrected and deleted by HR
# editors whose scope covers the finding.
ADMIN_MODEL_ROWS["diagnosis_findingnote"] = (
    finding_note,
    {
        "changelist": same(200),
        "add": same(403),
        "change": same(200),
        "delete": same(200),
        "history": same(200),
    },
)
ADMIN_MODEL_ROWS["notifications_delivery"] = (
    webhook_delivery,
    {
        "changelist": admin_statuses(403, 403, 200),
        "add": same(403),
        "change": admin_statuses(403, 403, 200),
        "delete": admin_statuses(403, 403, 200),
        "history": admin_statuses(403, 403, 200),
    },
)

# The 权责手册 (the seed's V1 and its working copy): read in the admin by HR editors, never
# added, changed or deleted there — its one writer is write_manual (the grid, the Excel import).
MANUAL_ADMIN_VIEWS = {
    "changelist": same(200),
    "add": same(403),
    "change": same(200),  # view only: no save button, a POST is refused
    "delete": same(403),
    "history": same(200),
}
for _model, _getter in (
    ("manual", lambda w: Manual.objects.get()),
    ("mattercategory", lambda w: MatterCategory.objects.first()),
    ("matter", lambda w: Matter.objects.first()),
    ("band", lambda w: Band.objects.first()),
    ("body", lambda w: Body.objects.first()),
    ("grant", lambda w: Grant.objects.first()),
    ("manualversion", lambda w: ManualVersion.objects.get(number=1)),
    ("manualversionrow", lambda w: ManualVersionRow.objects.first()),
):
    ADMIN_MODEL_ROWS[f"positions_{_model}"] = (obj(_getter), MANUAL_ADMIN_VIEWS)


def _admin_model_cases() -> tuple[Case, ...]:
    cases = []
    for model, (kwargs, views) in ADMIN_MODEL_ROWS.items():
        for view, expected in views.items():
            with_object = view in ("change", "delete", "history")
            cases.append(Case(f"admin:{model}_{view}", kwargs if with_object else none, expected))
    return tuple(cases)


ADMIN_CASES: tuple[Case, ...] = (
    Case("admin:index", none, same(200)),
    Case("admin:login", none, same(LOGIN)),
    # Logging out ends at the login page.
    Case("admin:logout", none, same(LOGIN), method="post"),
    Case("admin:password_change", none, same(200)),
    Case("admin:password_change_done", none, same(200)),
    Case("admin:jsi18n", none, same(200)),
    Case("admin:autocomplete", none, same(403), label="no field named"),
    Case(
        "admin:view_on_site",
        lambda w: {
            "content_type_id": ContentType.objects.get_for_model(Position).pk,
            "object_id": w.published.pk,
        },
        same(302),
    ),
    Case("admin:app_list", lambda w: {"app_label": "positions"}, same(200), label="positions"),
    Case("admin:app_list", lambda w: {"app_label": "auth"}, same(200), label="auth: users"),
    Case("admin:app_list", lambda w: {"app_label": "axes"}, admin_statuses(404, 404, 200)),
    Case("admin:app_list", lambda w: {"app_label": "audit"}, admin_statuses(404, 404, 200)),
    *_admin_model_cases(),
    # Sheets are written in the editor only: a POST to the change or delete page is refused.
    Case(
        "admin:positions_position_change",
        obj(lambda w: w.published),
        same(403),
        method="post",
        label="POST",
    ),
    Case(
        "admin:positions_position_delete",
        obj(lambda w: w.published),
        same(403),
        method="post",
        label="POST",
    ),
    Case(
        "admin:positions_duty_change",
        section("duties"),
        same(403),
        method="post",
        label="POST",
    ),
    # Audit events: a POST to the change or delete page is refused, for a superuser too.
    *(
        Case(
            f"admin:audit_auditevent_{view}",
            audit_event,
            same(403) | {"auditor": 403},
            method="post",
            label="POST",
        )
        for view in ("change", "delete")
    ),
    # A scoped editor does not see the other department's drafts: no such row for it.
    *(
        Case(
            f"admin:positions_position_{view}",
            obj(lambda w: w.marketing_draft),
            expected,
            label="营销策划部 draft",
        )
        for view, expected in (
            ("change", admin_statuses(302, 200, 200)),
            ("delete", same(403)),
            ("history", admin_statuses(302, 200, 200)),
        )
    ),
    # Departments outside the scope are read, not changed.
    Case(
        "admin:positions_department_change",
        obj(lambda w: w.marketing),
        admin_statuses(403, 200, 200),
        method="post",
        label="营销策划部 POST without data",
    ),
    Case(
        "admin:positions_department_delete",
        obj(lambda w: w.marketing),
        admin_statuses(403, 200, 200),
        label="营销策划部",
    ),
    # Employees and accounts outside the scope do not exist for the scoped editor.
    Case(
        "admin:positions_employee_change",
        obj(lambda w: w.users["manager_other"].employee),
        admin_statuses(302, 200, 200),
        label="营销策划部 employee",
    ),
    *(
        Case(f"admin:auth_user_{view}", obj(user), expected, label=label)
        for label, user, unscoped in (
            ("营销策划部 manager", lambda w: w.users["manager_other"], 200),
            ("HR editor without a record", lambda w: w.users["hr_unscoped"], 404),
            ("superuser", lambda w: w.users["superuser"], 404),
        )
        for view, expected in (
            ("change", admin_statuses(404, unscoped, 200)),
            ("history", admin_statuses(404, unscoped, 200)),
            # deleting an account: superusers only (403 where the account is seen at all)
            ("delete", admin_statuses(404, 403 if unscoped == 200 else 404, 200)),
        )
    ),
    *(
        Case("admin:auth_user_password_change", kwargs, expected, label=label)
        for label, kwargs, expected in (
            ("the 售楼员", lambda w: {"id": w.users["employee"].pk}, same(200)),
            (
                "营销策划部 manager",
                lambda w: {"id": w.users["manager_other"].pk},
                admin_statuses(404, 200, 200),
            ),
            (
                "superuser",
                lambda w: {"id": w.users["superuser"].pk},
                admin_statuses(404, 404, 200),
            ),
        )
    ),
)
CASES = CASES + ADMIN_CASES


def project_url_names() -> set[str]:
    """Every named URL of the project, the admin's (which Django generates) included."""
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_permission_matrix_covers_every_url():
    covered = {case.name for case in CASES}
    # The REST API's routes (``api:``) answer JSON and tokens: api/tests/test_permissions.py
    # holds their matrix, every route × every role, and checks it covers them all.
    missing = {name for name in project_url_names() - covered if not name.startswith("api:")}
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


def test_permission_matrix_covers_every_admin_model():
    """Every model registered in the admin has its rows (a newly registered one fails here)."""

    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODEL_ROWS)


def test_admin_has_no_reversion_revert_or_recover_urls():
    """django-reversion's admin views (历史 revert, recover) bypassed every rule: gone."""
    names = {name for name in project_url_names() if name.startswith("admin:")}
    assert not {n for n in names if n.endswith(("_revision", "_recover", "_recoverlist"))}
    assert "admin:positions_position_changelist" in names


def seen_by(client, user, url: str, method: str = "get") -> int | str:
    """The status ``user`` (None: a visitor) gets for ``url``, or LOGIN."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url)
    # the admin sends visitors through its own login URL, which forwards to ours
    login_urls = (reverse("login"), reverse("admin:login"))
    to_login = response.status_code == 302 and response["Location"].startswith(login_urls)
    return LOGIN if to_login else response.status_code


def seen_as(world: World, role: str, url: str, method: str = "get") -> int | str:
    """What ``role`` gets for ``url``, in the session it signed in with once for the module
    (a visitor: none); cheaper than signing in again for every request."""
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    response = getattr(client, method)(url)
    login_urls = (reverse("login"), reverse("admin:login"))
    to_login = response.status_code == 302 and response["Location"].startswith(login_urls)
    return LOGIN if to_login else response.status_code


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.name}{'[' + c.label + ']' if c.label else ''}" for c in CASES]
)
def test_permission_matrix(case: Case, world: World):
    url = reverse(case.name, kwargs=case.kwargs(world))
    got = {role: seen_as(world, role, url, case.method) for role in case.expected}
    assert got == case.expected


def test_permission_matrix_sessions_belong_to_their_roles(world: World):
    """The matrix's shared sessions are each role's own: a page shows who is signed in."""
    me = reverse("positions:my-position")
    for role, user in world.users.items():
        if user is None:
            assert seen_as(world, role, me) == LOGIN
            continue
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        assert client.get(me).wsgi_request.user.pk == user.pk, role


def test_employee_guessing_draft_url_sees_not_found_not_the_content(world, client):
    client.force_login(world.users["employee"])
    for name in ("positions:position-sheet", "positions:position-pdf"):
        response = client.get(reverse(name, kwargs={"pk": world.sales_draft.pk}))
        assert response.status_code == 404
        assert "案场主管" not in response.content.decode(errors="ignore")


def test_draft_lists_follow_the_managers_department(world, client):
    client.force_login(world.users["manager_own"])
    page = client.get(reverse("positions:position-list")).content.decode()
    assert "案场主管" in page and "品牌专员" not in page
    tree = client.get(reverse("positions:department-tree")).content.decode()
    assert "案场主管" in tree and "品牌专员" not in tree


# --- the admin -----------------------------------------------------------------------------------


def admin_change_url(position: Position) -> str:
    return reverse("admin:positions_position_change", args=[position.pk])


def test_admin_scoped_hr_cannot_edit_position_outside_scope(world, client):
    client.force_login(world.users["hr_scoped"])
    outside = Position.objects.get(code="MK105")  # published, 营销策划部
    page = client.get(admin_change_url(outside))
    assert page.status_code == 200
    assert "查看 职位" in page.content.decode()  # read-only view, no save buttons
    assert 'name="_save"' not in page.content.decode()
    response = client.post(admin_change_url(outside), {"title": "改名"})
    assert response.status_code == 403
    outside.refresh_from_db()
    assert outside.title == "营销策划专员"


def test_admin_scoped_hr_reads_position_in_scope_and_is_sent_to_the_editor(world, client):
    client.force_login(world.users["hr_scoped"])
    page = client.get(admin_change_url(world.sales_draft)).content.decode()
    assert "查看 职位" in page
    assert 'name="_save"' not in page
    changelist = client.get(reverse("admin:positions_position_changelist")).content.decode()
    editor = reverse("positions:position-edit", args=[world.sales_draft.pk])
    assert f'href="{editor}"' in changelist
    outside = reverse("positions:position-edit", args=[Position.objects.get(code="MK105").pk])
    assert outside not in changelist


def test_admin_scoped_hr_cannot_move_position_to_department_outside_scope(world, client):
    client.force_login(world.users["hr_scoped"])
    position = world.sales_draft
    lock = position.lock_version
    response = client.post(
        admin_change_url(position),
        {
            "title": position.title,
            "code": position.code,
            "department": world.marketing.pk,
            "status": position.status,
            "review_interval_months": 12,
            **{
                f"{prefix}-{key}": value
                for prefix in (
                    "duties",
                    "relationships",
                    "qualification",
                    "indicators",
                )
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 403
    position.refresh_from_db()
    assert (position.department, position.lock_version) == (world.sales, lock)


def test_admin_employee_is_refused_not_sent_to_login(world, client):
    client.force_login(world.users["employee"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert "您没有访问管理后台的权限。" in response.content.decode()


def test_admin_hr_editor_without_staff_flag_reaches_admin(world, client):
    user = world.users["hr_unscoped"]
    assert not user.is_staff
    client.force_login(user)
    assert "数据管理" in client.get(reverse("admin:index")).content.decode()


def test_managed_employees_scoped_hr_sees_never_assigned_and_own_leavers_only(world):
    hr = world.users["hr_scoped"]
    EmployeeFactory(name="新员工")
    sales_leaver = EmployeeFactory(name="离职售楼员", position=world.published)
    sales_leaver.assignments.update(end_date=datetime.date(2025, 6, 30))
    sales_leaver.left_on = datetime.date(2025, 6, 30)
    sales_leaver.save()
    marketing_leaver = EmployeeFactory(name="离职策划", position=Position.objects.get(code="MK105"))
    marketing_leaver.assignments.update(end_date=datetime.date(2025, 6, 30))
    marketing_leaver.left_on = datetime.date(2025, 6, 30)
    marketing_leaver.save()

    managed = list(Employee.objects.filter(permissions.managed_employees_q(hr)))
    names = sorted(e.name for e in managed)
    assert names == sorted(["林员工", "陈经理", "新员工", "离职售楼员"])
    assert len(managed) == len(set(managed))


# --- roles are found by their code, not by their group's name ---------------------------------

# Rows of the matrix that tell the roles apart (GET only, nothing queued or built).
ROLE_CASES = tuple(
    case
    for case in CASES
    if case.method == "get"
    and case.name
    in {
        "positions:position-edit",
        "positions:position-create",
        "positions:position-history",
        "positions:position-restore",
        "admin:index",
        "admin:positions_department_change",
        "admin:auth_user_changelist",
    }
)


def rename_group_in_admin(client, superuser, group: Group, name: str) -> None:
    """A superuser renames a group through the admin's change form (a real POST)."""
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": name})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("admin:auth_group_changelist")
    client.logout()


def test_role_cases_cover_every_role_and_the_admin():
    assert {case.name for case in ROLE_CASES} >= {"positions:position-edit", "admin:index"}
    assert len(ROLE_CASES) >= 8


def test_hr_group_renamed_in_admin_keeps_every_hr_editor_editing(world, client):
    edit = reverse("positions:position-edit", kwargs={"pk": world.sales_draft.pk})
    editors = [world.users["hr_scoped"], world.users["hr_unscoped"]]
    assert [seen_by(client, user, edit) for user in editors] == [200, 200]

    rename_group_in_admin(
        client,
        world.users["superuser"],
        permissions.role_group(permissions.HR_EDITOR),
        "人力资源编辑",
    )

    assert not Group.objects.filter(name="HR 编辑").exists()
    assert permissions.role_group(permissions.HR_EDITOR).name == "人力资源编辑"
    assert [seen_by(client, user, edit) for user in editors] == [200, 200]
    client.force_login(world.users["hr_unscoped"])
    assert "数据管理" in client.get(reverse("admin:index")).content.decode()


def test_permission_matrix_holds_after_every_role_group_is_renamed(world, client):
    def rules() -> dict[str, permissions.Access]:
        users = {role: u for role, u in world.users.items() if u is not None}
        fresh = User.objects.in_bulk([u.pk for u in users.values()])
        return {role: permissions.access(fresh[u.pk]) for role, u in users.items()}

    before = rules()
    for code, name in (
        (permissions.HR_EDITOR, "人力资源编辑"),
        (permissions.MANAGER, "经理"),
        (permissions.EMPLOYEE, "普通员工"),
    ):
        rename_group_in_admin(client, world.users["superuser"], permissions.role_group(code), name)

    assert rules() == before
    assert before["hr_scoped"].roles == {permissions.HR_EDITOR}
    assert before["manager_own"].roles == {permissions.MANAGER}
    assert before["employee"].roles == {permissions.EMPLOYEE}
    for case in ROLE_CASES:
        url = reverse(case.name, kwargs=case.kwargs(world))
        got = {role: seen_by(client, world.users[role], url) for role in case.expected}
        assert got == case.expected, case.name


def test_group_named_hr_editor_without_a_role_grants_nothing(world, client):
    rename_group_in_admin(
        client,
        world.users["superuser"],
        permissions.role_group(permissions.HR_EDITOR),
        "人力资源编辑",
    )
    impostor = UserFactory(username="impostor")
    impostor.groups.add(Group.objects.create(name="HR 编辑"))

    rules = permissions.access(impostor)
    assert rules.roles == frozenset()
    assert not rules.is_hr_editor
    assert not permissions.can_use_admin(impostor)
    assert not permissions.can_edit_position(impostor, world.published)
    for case in ROLE_CASES:  # what a plain 员工 gets, page by page
        url = reverse(case.name, kwargs=case.kwargs(world))
        assert seen_by(client, impostor, url) == case.expected["employee"], case.name


# --- go-live: 作为已生效版本导入 ---------------------------------------------------------------


def test_in_force_import_only_for_unscoped_hr_editors_and_superusers(world):
    allowed = {
        role: permissions.may_import_as_in_force(user)
        for role, user in world.users.items()
        if user is not None
    }

    assert allowed == {
        "employee": False,
        "manager_own": False,
        "manager_other": False,
        "hr_scoped": False,
        "hr_unscoped": True,
        "superuser": True,
        "auditor": False,
    }
    assert permissions.in_force_import_refusal(world.users["hr_scoped"]) == (
        "只有不限部门范围的 HR 编辑可以作为已生效版本导入；请导入为草稿后提交审核。"
    )
    assert permissions.in_force_import_refusal(world.users["manager_own"]) == (
        "只有 HR 编辑可以导入职位说明书。"
    )
