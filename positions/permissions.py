"""Who may see or change what — the only place that decides.

Roles are Django groups, each linked to a stable role code by a ``Role`` row (migrations
0003_roles and 0013_link_role_groups). A user's roles are found by that code, never by the
group's name: a superuser may rename a group in the admin and everyone keeps their role, and a
group without a ``Role`` grants nothing, whatever its name. ``role_group(code)`` is the group to
add a user to.

* **HR 编辑** edits departments, positions and everything under them, sees drafts and archived
  sheets, manages employees and reaches the admin. ``EditorScope`` rows limit an HR editor to
  department subtrees (a project company's HR edits only its part of the tree); an HR editor
  with no scope edits everything.
* **部门经理** sees every published position, and the drafts (and archived sheets) of the
  departments of the positions they hold now, sub-departments included.
* **员工** — and every other logged-in user — sees published positions only.
* **审计员** reads the audit trail (``can_view_audit``) and otherwise only what an 员工 reads:
  it changes nothing and does not reach the admin.
* A superuser may do everything.

Views, templates (which buttons show) and the admin all ask the functions below; the querysets
``visible_positions_q(user)`` / ``editable_positions_q(user)`` use the same rules. The admin's
model permissions (``positions.change_department``) are answered by ``has_admin_permission``,
for the ModelAdmins and, through ``positions.backends.PermissionsBackend``, for
``user.has_perm``: permissions stored in the database grant nothing.

The rules are computed once per request and user (``access(user)``), never kept across
requests (a withdrawn role applies at the next one): the roles come with the signed-in user
(``with_roles``, read by the authentication backend; one query for any other user), an HR
editor's scopes are one query, and the positions held one more, made only when something asks
(a manager's drafts, 我的职位 in the navigation bar) — a stored PDF for an employee never does.
The reads every request makes run SQL compiled once per process (``jobdesc.prepared``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from jobdesc.prepared import PreparedQuery
from positions.models import (
    Acknowledgement,
    Assignment,
    Department,
    EditorScope,
    Employee,
    Manual,
    Position,
    Role,
    WorkflowEvent,
)
from positions.org import DepartmentIndex, department_index

# Role codes (``Role.code``); the groups' names are for people to read and may change.
HR_EDITOR: str = Role.Code.HR_EDITOR.value  # "hr_editor"
MANAGER: str = Role.Code.MANAGER.value  # "manager"
EMPLOYEE: str = Role.Code.EMPLOYEE.value  # "employee"
AUDITOR: str = Role.Code.AUDITOR.value  # "auditor"
ROLES = (HR_EDITOR, MANAGER, EMPLOYEE, AUDITOR)


def role_group(code: str) -> Group:
    """The group that grants the role ``code`` (``HR_EDITOR`` …), whatever it is named now.

    Add users to it to grant the role: ``user.groups.add(role_group(HR_EDITOR))``.
    """
    try:
        return Group.objects.get(role__code=code)
    except Group.DoesNotExist:
        raise Group.DoesNotExist(
            f"No group holds the role {code!r}; migration 0013_link_role_groups links them."
        ) from None


# None in these fields means "every department".
AllOr = frozenset[int] | None


@dataclass(frozen=True)
class Access:
    """What one user may do, resolved to department ids."""

    authenticated: bool
    superuser: bool
    roles: frozenset[str]  # role codes (HR_EDITOR …)
    edit_departments: AllOr  # departments whose positions the user edits (HR 编辑)
    draft_departments: AllOr  # departments whose unpublished positions the user sees
    # The positions the user holds now (position → its department), read when first asked
    # (a manager's drafts need them at once; a stored PDF for an employee never does).
    load_held: Callable[[], dict[int, int]] = field(default=dict, repr=False, compare=False)

    @cached_property
    def held(self) -> dict[int, int]:
        """The positions the user holds now, each with its department."""
        return self.load_held()

    @property
    def held_positions(self) -> frozenset[int]:
        return frozenset(self.held)

    @property
    def is_hr_editor(self) -> bool:
        return self.superuser or HR_EDITOR in self.roles

    @property
    def is_manager(self) -> bool:
        return MANAGER in self.roles

    @property
    def is_auditor(self) -> bool:
        return AUDITOR in self.roles


NO_ACCESS = Access(False, False, frozenset(), frozenset(), frozenset())


def _subtrees(roots: set[int]) -> frozenset[int]:
    """The departments and every department below them (one query)."""
    if not roots:
        return frozenset()
    index = department_index()
    found: set[int] = set()
    for pk in roots:
        found |= index.subtree_ids(pk)
    return frozenset(found)


def _role_flag(code: str) -> str:
    return f"_jobdesc_role_{code}"


def with_roles(users: QuerySet[User]) -> QuerySet[User]:
    """``users`` with their role codes read in the same query (one ``EXISTS`` per role), so
    that ``access(user)`` needs no query of its own for them. The authentication backend loads
    the signed-in user this way on every request (``positions.backends``)."""
    return users.annotate(
        **{
            _role_flag(code): Exists(Role.objects.filter(code=code, group__user=OuterRef("pk")))
            for code in ROLES
        }
    )


# The signed-in user with their roles, the positions a user holds now and an HR editor's
# scopes: read on every request, so compiled once per process (``jobdesc.prepared``: the same
# SQL as the QuerySet, without compiling it each time).
_SIGNED_IN_USER = PreparedQuery(lambda pk: with_roles(User.objects.filter(pk=pk)), [int])
_HELD_POSITIONS = PreparedQuery(
    lambda user_id: (
        Assignment.objects.current()
        .filter(employee__user_id=user_id, employee__left_on__isnull=True)
        .values_list("position_id", "position__department_id")
    ),
    [int],
)
_EDITOR_SCOPES = PreparedQuery(
    lambda user_id: EditorScope.objects.filter(user_id=user_id).values_list("department_id"),
    [int],
)


def signed_in_user(pk: int) -> User | None:
    """The user ``pk`` loaded ``with_roles`` (the authentication backend's ``get_user``: one
    query, its SQL compiled once per process), None when there is none."""
    found = _SIGNED_IN_USER.objects(int(pk))
    return found[0] if found else None


def _roles(user: User) -> frozenset[str]:
    """The user's role codes: from ``with_roles``' columns when the user was loaded with them,
    else one query."""
    flags = [getattr(user, _role_flag(code), None) for code in ROLES]  # request.user is lazy
    if None not in flags:
        return frozenset(code for code, held in zip(ROLES, flags, strict=True) if held)
    return frozenset(user.groups.filter(role__code__in=ROLES).values_list("role__code", flat=True))


def _compute_access(user: User) -> Access:
    roles = _roles(user)
    user_id = user.pk

    def load_held() -> dict[int, int]:
        return dict(_HELD_POSITIONS.rows(user_id))

    if user.is_superuser:
        edit: AllOr = None
    elif HR_EDITOR in roles:
        scopes = {department_id for (department_id,) in _EDITOR_SCOPES.rows(user.pk)}
        edit = _subtrees(scopes) if scopes else None
    else:
        edit = frozenset()
    held: dict[int, int] | None = None
    if edit is None:
        drafts: AllOr = None
    elif MANAGER in roles:
        held = load_held()
        drafts = edit | _subtrees(set(held.values()))
    else:
        drafts = edit
    rules = Access(
        authenticated=True,
        superuser=user.is_superuser,
        roles=roles,
        edit_departments=edit,
        draft_departments=drafts,
        load_held=load_held,
    )
    if held is not None:
        rules.__dict__["held"] = held  # read already: the cached_property's value
    return rules


def access(user: User | AnonymousUser) -> Access:
    """The user's access, computed once and kept on the user object for this request."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_jobdesc_access", None)
    if cached is None:
        cached = _compute_access(user)
        user._jobdesc_access = cached
    return cached


def forget_access(user: User) -> None:
    """Drop the cached access (after changing the user's roles, scopes or assignments); the
    roles read with the user (``with_roles``) are dropped too, so the next ``access`` asks the
    database again."""
    for name in ("_jobdesc_access", *(_role_flag(code) for code in ROLES)):
        with suppress(AttributeError):  # delattr: request.user is a lazy proxy
            delattr(user, name)


def _within(departments: AllOr, department_id: int | None) -> bool:
    return departments is None or department_id in departments


def _department_q(departments: AllOr, lookup: str = "department_id") -> Q:
    if departments is None:
        return Q()
    return Q(**{f"{lookup}__in": departments})


# --- positions -------------------------------------------------------------------------------


def in_force_q(prefix: str = "") -> Q:
    """Positions with a version in force: published at least once and not archived."""
    return Q(**{f"{prefix}current_version__isnull": False}) & ~Q(
        **{f"{prefix}status": Position.Status.ARCHIVED}
    )


def working_copy_q(user: User | AnonymousUser) -> Q:
    """Positions whose working copy (drafts included) the user reads instead of the version."""
    rules = access(user)
    if not rules.authenticated or rules.draft_departments == frozenset():
        return Q(pk__in=[])
    return _department_q(rules.draft_departments)


def visible_positions_q(user: User | AnonymousUser) -> Q:
    """Positions with a version in force, plus those whose working copy the user reads."""
    rules = access(user)
    if not rules.authenticated:
        return Q(pk__in=[])
    if rules.draft_departments is None:
        return Q()
    if not rules.draft_departments:
        return in_force_q()
    return in_force_q() | working_copy_q(user)


def editable_positions_q(user: User | AnonymousUser) -> Q:
    rules = access(user)
    if not rules.is_hr_editor:
        return Q(pk__in=[])
    return _department_q(rules.edit_departments)


def reads_working_copy(user: User | AnonymousUser, position: Position) -> bool:
    """Whether the user reads the position's working copy (HR, its managers) or its version.

    Everyone else reads the latest published version, whatever the working copy says.
    """
    rules = access(user)
    return rules.authenticated and _within(rules.draft_departments, position.department_id)


def prints_working_copy(user: User | AnonymousUser, position: Position) -> bool:
    """Whether the position's PDF (no version asked for) prints the working copy for the user.

    People with draft rights print the draft (打印草稿) while one is pending — or nothing is
    published yet; with no draft pending they print the version in force, like everyone (its
    stored copy, no render).
    """
    if not reads_working_copy(user, position):
        return False
    return position.current_version_id is None or position.status != Position.Status.PUBLISHED


def reads_working_copy_in(user: User | AnonymousUser, department_id: int) -> bool:
    """``reads_working_copy`` for a position of ``department_id``, without loading it.

    For code that walks thousands of positions as plain rows (the org chart's structure).
    """
    rules = access(user)
    return rules.authenticated and _within(rules.draft_departments, department_id)


def can_view_position(user: User | AnonymousUser, position: Position) -> bool:
    rules = access(user)
    if not rules.authenticated:
        return False
    if position.current_version_id is not None and position.status != Position.Status.ARCHIVED:
        return True
    return reads_working_copy(user, position)


def reads_every_working_copy(user: User | AnonymousUser) -> bool:
    """``reads_working_copy_in`` for every department at once: HR over the whole organisation
    (and superusers). Pages that count or walk every position ask this once instead of once
    per department."""
    rules = access(user)
    return rules.authenticated and rules.draft_departments is None


def can_see_drafts(user: User | AnonymousUser) -> bool:
    """Whether the user sees any unpublished position at all (status filters, badges)."""
    rules = access(user)
    return rules.draft_departments is None or bool(rules.draft_departments)


def can_edit_position(user: User | AnonymousUser, position: Position) -> bool:
    rules = access(user)
    return rules.is_hr_editor and _within(rules.edit_departments, position.department_id)


def can_create_positions(user: User | AnonymousUser) -> bool:
    rules = access(user)
    return rules.is_hr_editor and rules.edit_departments != frozenset()


def sheet_write_refusal(
    user: User | AnonymousUser, *, stored: Position | None, department: Department | None
) -> str | None:
    """Why the user may not write this sheet's content; None when they may.

    Asked by the one writer (``services.sheets``) for every write, before (``stored``: the
    position as stored, None for a new one) and after (``department``: where it is written to).
    The message never names a position the user may not read.
    """
    rules = access(user)
    if not rules.is_hr_editor:
        return "只有 HR 编辑可以修改职位说明书。"
    if stored is not None and not can_edit_position(user, stored):
        if can_view_position(user, stored):
            return f"职位“{stored.title}”不在您负责的部门范围内，不能修改。"
        return "该职位不存在或您无权修改。"
    if department is not None and not _within(rules.edit_departments, department.pk):
        return f"部门“{department.name}”不在您负责的范围内，不能把职位放入该部门。"
    return None


def can_print_position(user: User | AnonymousUser, position: Position) -> bool:
    return can_view_position(user, position)


# --- Excel import / export --------------------------------------------------------------------


def can_import_positions(user: User | AnonymousUser) -> bool:
    """Importing positions from Excel: HR editors (a scoped one only into their departments —
    the importer checks each row with ``can_edit_position`` / ``can_edit_department``)."""
    return can_create_positions(user)


def in_force_import_refusal(user: User | AnonymousUser) -> str | None:
    """Why the user may not import files as versions already in force (作为已生效版本导入);
    None when they may.

    A historical file becomes a published V1 without the 审核/审批 steps, for every reader at
    once: only an HR editor whose reach is the whole company (unscoped) or a superuser — a
    scoped editor imports drafts and sends them through the workflow.
    """
    rules = access(user)
    if not rules.is_hr_editor:
        return "只有 HR 编辑可以导入职位说明书。"
    if rules.edit_departments is not None:
        return "只有不限部门范围的 HR 编辑可以作为已生效版本导入；请导入为草稿后提交审核。"
    return None


def may_import_as_in_force(user: User | AnonymousUser) -> bool:
    """``in_force_import_refusal`` as a yes/no (the preview's 作为已生效版本导入 button)."""
    return in_force_import_refusal(user) is None


def can_export_positions(user: User | AnonymousUser) -> bool:
    """Exporting positions to Excel: HR editors and 部门经理, each what they may read
    (the export follows ``reads_working_copy``: everyone else's positions as the version in
    force). Employees read sheets one by one (PDF) instead."""
    rules = access(user)
    return rules.authenticated and (rules.is_hr_editor or rules.is_manager)


def can_import_roster(user: User | AnonymousUser) -> bool:
    """Importing the 花名册: HR editors who manage employees (scoped ones: rows in scope)."""
    return can_manage_employees(user)


def can_start_import_job(user: User | AnonymousUser, kind: str) -> bool:
    """Starting an import job (``ImportJob.Kind``): Word and Excel positions as the Excel
    import, the 花名册 as the roster import."""
    if kind == "roster":
        return can_import_roster(user)
    return can_import_positions(user)


def can_use_import_job(user: User | AnonymousUser, job) -> bool:
    """An import job's progress, preview, confirmation and cancelling: only the person who
    uploaded the files, while they may still start that kind of import (another HR editor
    never sees someone else's files, as with the staged uploads)."""
    return (
        user.is_authenticated
        and job.requested_by_id == user.pk
        and can_start_import_job(user, job.kind)
    )


def can_use_transfer_page(user: User | AnonymousUser) -> bool:
    """The 导入/导出 page: anyone who may export or import something there."""
    return can_export_positions(user) or can_import_positions(user) or can_import_roster(user)


def can_view_acknowledgements(user: User | AnonymousUser, position: Position) -> bool:
    """Who has confirmed each version (员工确认): HR in scope and the department's managers —
    the people who read the position's working copy."""
    return reads_working_copy(user, position)


def can_view_receipt(user: User | AnonymousUser, acknowledgement: Acknowledgement) -> bool:
    """A 签收单: the holder's own, and every one of a version whose 员工确认 the user sees."""
    rules = access(user)
    if not rules.authenticated:
        return False
    if acknowledgement.employee.user_id == user.pk:
        return True
    return can_view_acknowledgements(user, acknowledgement.version.position)


# --- departments -----------------------------------------------------------------------------


def editable_departments_q(user: User | AnonymousUser) -> Q:
    rules = access(user)
    if not rules.is_hr_editor:
        return Q(pk__in=[])
    return _department_q(rules.edit_departments, lookup="pk")


def can_edit_department(user: User | AnonymousUser, department: Department) -> bool:
    rules = access(user)
    return rules.is_hr_editor and _within(rules.edit_departments, department.pk)


def reviewer_setting_refusal(user: User | AnonymousUser, department: Department) -> str | None:
    """Why the user may not choose who reviews the department's sheets (``reviewer_role``);
    None when they may: HR editors whose scope covers the department, as for its other fields.
    """
    if not access(user).is_hr_editor:
        return "只有 HR 编辑可以设置职位说明书的审核人。"
    if not can_edit_department(user, department):
        return f"部门“{department.name}”不在您负责的范围内，不能设置其审核人。"
    return None


def layout_setting_refusal(user: User | AnonymousUser, department: Department) -> str | None:
    """Why the user may not choose the department's print layout (``sheet_layout``); None when
    they may: HR editors whose scope covers the department, as for its other fields."""
    if not access(user).is_hr_editor:
        return "只有 HR 编辑可以设置部门的打印版式。"
    if not can_edit_department(user, department):
        return f"部门“{department.name}”不在您负责的范围内，不能设置其打印版式。"
    return None


# --- people ----------------------------------------------------------------------------------


def can_manage_employees(user: User | AnonymousUser) -> bool:
    return access(user).is_hr_editor


def managed_employees_q(user: User | AnonymousUser) -> Q:
    """Employees an HR editor manages.

    An unscoped HR editor manages everyone. A scoped one manages the employees whose latest
    assignment (the current one, or for leavers the last one) lies in their departments, and
    people who never held a position. Each employee matches once (no join duplicates).
    """
    rules = access(user)
    if not rules.is_hr_editor:
        return Q(pk__in=[])
    if rules.edit_departments is None:
        return Q()
    latest_department = Subquery(
        Assignment.objects.filter(employee=OuterRef("pk"))
        .order_by("-start_date", "-pk")
        .values("position__department_id")[:1]
    )
    in_scope = Employee.objects.annotate(latest_department=latest_department).filter(
        latest_department__in=rules.edit_departments
    )
    never_assigned = ~Q(Exists(Assignment.objects.filter(employee=OuterRef("pk"))))
    return Q(pk__in=in_scope.values("pk")) | never_assigned


def can_manage_employee(user: User | AnonymousUser, employee: Employee) -> bool:
    if not can_manage_employees(user):
        return False
    return Employee.objects.filter(managed_employees_q(user), pk=employee.pk).exists()


def can_view_employee_details(user: User | AnonymousUser, employee: Employee) -> bool:
    """工号, 入职日期 and assignment history: HR managing the employee, and the employee."""
    if not user.is_authenticated:
        return False
    return employee.user_id == user.pk or can_manage_employee(user, employee)


# --- the audit trail -------------------------------------------------------------------------


def can_view_audit(user: User | AnonymousUser) -> bool:
    """The audit trail (审计日志: its pages and its xlsx): 审计员 and superusers.

    Nobody changes or deletes an event, the 审计员 included; only ``prune_audit_events`` removes
    events older than the retention period.
    """
    rules = access(user)
    return rules.authenticated and (rules.superuser or rules.is_auditor)


# --- the admin -------------------------------------------------------------------------------


def can_use_admin(user: User | AnonymousUser) -> bool:
    rules = access(user)
    return rules.authenticated and rules.is_hr_editor


def can_grant_roles(user: User | AnonymousUser) -> bool:
    """Roles (group membership), superuser and staff flags, and the groups themselves: a
    superuser only. Nobody else ever sees or changes them, not even for their own account."""
    rules = access(user)
    return rules.authenticated and rules.superuser


def directory_may_sign_in(account: User) -> bool:
    """Whether the company directory (LDAP / AD) may sign a person in to ``account``: never a
    superuser's (local sign-in only: the directory must not hand out everything), never an
    account deactivated in jobdesc (离职). The directory is trusted for the roles its groups map
    (LDAP_GROUP_ROLE_MAP), granted and removed at each sign-in."""
    return account.is_active and not account.is_superuser


def managed_accounts_q(user: User | AnonymousUser) -> Q:
    """Login accounts (``auth.User``) an HR editor manages in the admin: edits the name, e-mail
    and active flag, and sets the password.

    * A superuser manages every account; nobody else ever manages a superuser's account.
    * An account with an employee record: when the HR editor manages the employee
      (``managed_employees_q``).
    * An account without an employee record and without any role: a new account waiting to be
      hired (HR creates it, then adds the employee). Every HR editor manages these.
    * Any other account without an employee record (service accounts, HR editors without a
      record, roles granted before hiring): superusers only.
    * An account holding the HR 编辑 role: only unscoped HR editors, so that a scoped editor
      cannot take over (set the password of) an editor who reaches further.
    """
    rules = access(user)
    if not rules.is_hr_editor:
        return Q(pk__in=[])
    if rules.superuser:
        return Q()
    employees = Employee.objects.filter(managed_employees_q(user)).values("user_id")
    has_employee = Exists(Employee.objects.filter(user_id=OuterRef("pk")))
    has_role = Exists(User.groups.through.objects.filter(user_id=OuterRef("pk")))
    managed = Q(pk__in=employees) | (~Q(has_employee) & ~Q(has_role))
    q = Q(is_superuser=False) & managed
    if rules.edit_departments is not None:
        is_hr_editor = User.groups.through.objects.filter(
            user_id=OuterRef("pk"), group__role__code=HR_EDITOR
        )
        q &= ~Q(Exists(is_hr_editor))
    return q


def can_manage_account(user: User | AnonymousUser, account: User) -> bool:
    if not can_manage_employees(user):
        return False
    return User.objects.filter(managed_accounts_q(user), pk=account.pk).exists()


# The admin asks for ``app_label.action_model`` permissions (``positions.change_position``);
# these rules answer them, for the ModelAdmins and, through ``positions.backends``, for
# ``user.has_perm``. Model permissions stored in the database grant nothing.

ADMIN_ACTIONS = ("view", "add", "change", "delete")
SHEET_MODELS = ("position", "duty", "qualification", "relationship", "indicator")


def _position_of(obj) -> Position:
    return obj if isinstance(obj, Position) else obj.position


def _sheet_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """Sheets are read in the admin, never written: the editor (/positions/<id>/edit/) is the
    one place that changes a sheet, with its lock, workflow and history. For superusers too."""
    if action != "view" or not can_use_admin(user):
        return False
    return obj is None or can_view_position(user, _position_of(obj))


def _department_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    if not can_use_admin(user):
        return False
    if action == "view":
        return True
    if obj is None:
        return access(user).edit_departments != frozenset()
    return action != "add" and can_edit_department(user, obj)


def _version_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    if action != "view" or not can_use_admin(user):
        return False
    return obj is None or can_view_position(user, obj.position)


def _acknowledgement_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    if action != "view" or not can_use_admin(user):
        return False
    return obj is None or can_view_acknowledgements(user, obj.version.position)


def _employee_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    if action == "delete":
        return can_delete_history(user)
    if not can_manage_employees(user):
        return False
    return obj is None or (action != "add" and can_manage_employee(user, obj))


def _assignment_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """Assignments come from hiring, 调岗 and 离职; the admin corrects them (HR in scope)."""
    if action == "add":
        return False
    if action == "delete":
        return can_delete_history(user)
    if not can_manage_employees(user):
        return False
    return obj is None or can_manage_employee(user, obj.employee)


def _editor_scope_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    return is_company_wide_editor(user)


def _account_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    if action == "delete":
        return can_grant_roles(user)
    if not can_manage_employees(user):
        return False
    return obj is None or (action != "add" and can_manage_account(user, obj))


def _superuser_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    return can_grant_roles(user)


def _audit_event_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """The audit trail is append-only: read in the admin (by whoever reaches it and may read
    the trail), never added, changed or deleted there — not even by a superuser."""
    return action == "view" and can_use_admin(user) and can_view_audit(user)


def _api_token_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """API tokens in the admin: a superuser issues them for integration accounts, reads and
    revokes them (an action); nobody deletes one (who held which token stays on record)."""
    return action != "delete" and can_issue_integration_tokens(user)


def _chat_robot_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """Group-chat robots (notifications): set up by superusers and HR editors."""
    return can_use_admin(user) and access(user).is_hr_editor


def _finding_note_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """组织诊断 notes: made on the report page, never added in the admin; read, corrected and
    deleted (the finding opens again) by HR editors whose scope covers the finding."""
    if action == "add" or not can_use_admin(user):
        return False
    return obj is None or can_mark_findings(user, obj.department_id)


MANUAL_MODELS = (
    "manual",
    "mattercategory",
    "matter",
    "band",
    "body",
    "grant",
    "manualversion",
    "manualversionrow",
)


def _manual_rule(user: User | AnonymousUser, action: str, obj) -> bool:
    """The 权责手册 in the admin: read by those who reach the admin (HR editors, who read its
    working copy), never written there — for superusers too. Its one writer is
    ``positions.services.manual.write_manual`` (the grid, the Excel import), with its lock,
    checks, workflow and versions."""
    return action == "view" and can_use_admin(user) and reads_manual_working_copy(user)


ADMIN_RULES = {
    **{("positions", model): _sheet_rule for model in SHEET_MODELS},
    **{("positions", model): _manual_rule for model in MANUAL_MODELS},
    ("positions", "department"): _department_rule,
    ("positions", "version"): _version_rule,
    ("positions", "acknowledgement"): _acknowledgement_rule,
    ("positions", "employee"): _employee_rule,
    ("positions", "assignment"): _assignment_rule,
    ("positions", "editorscope"): _editor_scope_rule,
    ("auth", "user"): _account_rule,
    ("audit", "auditevent"): _audit_event_rule,
    ("api", "apitoken"): _api_token_rule,
    ("notifications", "chatrobot"): _chat_robot_rule,
    ("diagnosis", "findingnote"): _finding_note_rule,
}


def has_admin_permission(user: User | AnonymousUser, perm: str, obj=None) -> bool:
    """Whether the user holds the model permission ``perm`` (``"positions.view_position"``),
    for ``obj`` when given. Models without a rule here (groups, permissions, other apps'
    models) are for superusers only; an unknown action is refused to everyone."""
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    if action not in ADMIN_ACTIONS or not access(user).authenticated:
        return False
    rule = ADMIN_RULES.get((app_label, model), _superuser_rule)
    return rule(user, action, obj)


def has_admin_module_permission(user: User | AnonymousUser, app_label: str) -> bool:
    """Whether the app shows on the admin index: when the user may view one of its models."""
    return any(
        has_admin_permission(user, f"{label}.view_{model}")
        for label, model in ADMIN_RULES
        if label == app_label
    ) or can_grant_roles(user)


class Abilities:
    """What the navigation and buttons may offer the user; each answer computed when asked.

    Templates get one as ``can`` (positions.context_processors.abilities):
    ``{% if can.create_positions %}``.
    """

    def __init__(self, user: User | AnonymousUser) -> None:
        self._user = user

    @property
    def create_positions(self) -> bool:
        return can_create_positions(self._user)

    @property
    def view_manual(self) -> bool:
        return can_view_manual(self._user)

    @property
    def edit_departments(self) -> bool:
        return can_create_positions(self._user)

    @property
    def manage_employees(self) -> bool:
        return can_manage_employees(self._user)

    @property
    def use_admin(self) -> bool:
        return can_use_admin(self._user)

    @property
    def see_drafts(self) -> bool:
        return can_see_drafts(self._user)

    @property
    def my_position(self) -> bool:
        return holds_position(self._user)

    @property
    def workflow_queue(self) -> bool:
        return has_workflow_queue(self._user)

    @cached_property
    def workflow_queue_count(self) -> int:
        return workflow_queue_count(self._user)

    @property
    def import_in_force(self) -> bool:
        return may_import_as_in_force(self._user)

    @property
    def batch_workflow(self) -> bool:
        return batch_workflow_refusal(self._user) is None

    @property
    def import_export(self) -> bool:
        return can_use_transfer_page(self._user)

    @property
    def import_positions(self) -> bool:
        return can_import_positions(self._user)

    @property
    def export_positions(self) -> bool:
        return can_export_positions(self._user)

    @property
    def edit_company(self) -> bool:
        return is_company_wide_editor(self._user)

    @property
    def view_audit(self) -> bool:
        return can_view_audit(self._user)

    @property
    def diagnosis(self) -> bool:
        return can_view_any_diagnosis(self._user)

    @property
    def view_notification_log(self) -> bool:
        return can_view_notification_log(self._user)


def is_company_wide_editor(user: User | AnonymousUser) -> bool:
    """Unscoped HR editors and superusers: they alone change what concerns every department —
    公司信息 (name, logo, 文件编号 prefix, printed on every sheet) and HR editors' scopes (a
    scoped HR editor must not widen their own reach by adding an EditorScope row)."""
    rules = access(user)
    return rules.is_hr_editor and rules.edit_departments is None


def can_delete_history(user: User | AnonymousUser) -> bool:
    """Employee records and assignments are history: only a superuser may erase them.

    HR ends an employment with 离职 (which keeps the record) instead of deleting it.
    """
    rules = access(user)
    return rules.authenticated and rules.superuser


# --- change history --------------------------------------------------------------------------


def can_view_history(user: User | AnonymousUser, position: Position) -> bool:
    """A position's 历史记录: those who see this position's drafts.

    The history shows every earlier state, drafts in progress and withdrawn wording included,
    so it is for the people who may see the position's unpublished content: HR editors whose
    scope covers the position (they edit it), and 部门经理 of its department subtree, who review
    the drafts and benefit from seeing what changed. Employees, managers of other departments
    and HR editors outside their scope read only the published sheet. Restoring a version is an
    edit: ``can_edit_position``.
    """
    rules = access(user)
    return rules.authenticated and _within(rules.draft_departments, position.department_id)


# --- the 编制 → 审核 → 审批 workflow ---------------------------------------------------------
#
# * **Submit** (草稿 → 待审核): an HR editor whose scope covers the position.
# * **Review** (待审核 → 待审批): when the department's ``reviewer_role`` is HR 编辑, an HR
#   editor whose scope covers the position; when it is 部门经理, a 部门经理 holding a position in
#   exactly that department (not a sub-department: the reviewer knows the job first hand, and
#   the level above approves). A superuser may review any department.
# * **Approve** (待审批 → 已生效): a 部门经理 holding a position in the department or in a
#   department above it, or a superuser.
# * **Reject** (back to 草稿, with a comment): whoever may review (at 待审核) or approve
#   (at 待审批).
# * Separation of duties, for everyone including superusers: the preparer (the submitter) may
#   neither review nor approve, and the reviewer may not also approve.


def _held_departments(user: User | AnonymousUser) -> frozenset[int]:
    """Departments of the positions the user holds now (cached with the user's access)."""
    return frozenset(access(user).held.values())


def _department_and_ancestors(department: Department) -> set[int]:
    return {department.pk, *(d.pk for d in department.ancestors())}


def review_refusal(user: User | AnonymousUser, position: Position) -> str | None:
    """Why the user may not review (or reject at review) this position; None when they may."""
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if position.prepared_by_id is not None and position.prepared_by_id == user.pk:
        return "编制人不能审核自己编制的职位说明书。"
    if rules.superuser:
        return None
    department = position.department
    if department.reviewer_role == Department.ReviewerRole.MANAGER:
        if rules.is_manager and department.pk in _held_departments(user):
            return None
        return f"“{department.name}”的职位说明书由本部门的部门经理审核。"
    if can_edit_position(user, position):
        return None
    return f"“{department.name}”的职位说明书由负责该部门的 HR 编辑审核。"


def approval_refusal(user: User | AnonymousUser, position: Position) -> str | None:
    """Why the user may not approve (or reject at approval) this position; None when they may."""
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if position.prepared_by_id is not None and position.prepared_by_id == user.pk:
        return "编制人不能审批自己编制的职位说明书。"
    if position.reviewed_by_id is not None and position.reviewed_by_id == user.pk:
        return "审核人不能同时审批同一份职位说明书。"
    if rules.superuser:
        return None
    if rules.is_manager and _held_departments(user) & _department_and_ancestors(
        position.department
    ):
        return None
    return f"“{position.department.name}”的职位说明书由本部门或上级部门的部门经理审批。"


def can_submit(user: User | AnonymousUser, position: Position) -> bool:
    return position.status == Position.Status.DRAFT and can_edit_position(user, position)


def can_review(user: User | AnonymousUser, position: Position) -> bool:
    return position.status == Position.Status.SUBMITTED and review_refusal(user, position) is None


def can_approve(user: User | AnonymousUser, position: Position) -> bool:
    return position.status == Position.Status.REVIEWED and approval_refusal(user, position) is None


def can_reject(user: User | AnonymousUser, position: Position) -> bool:
    return can_review(user, position) or can_approve(user, position)


def can_view_workflow(user: User | AnonymousUser, position: Position) -> bool:
    """The 流程/审批 page: those who see the position's drafts (as for the history), and anyone
    who may act on it now."""
    return can_view_history(user, position) or can_reject(user, position)


def awaiting_review_q(user: User | AnonymousUser) -> Q:
    """待审核 positions the user may review (the 待办 queue; same rules as ``can_review``)."""
    rules = access(user)
    if not rules.authenticated:
        return Q(pk__in=[])
    if rules.superuser:
        scope = Q()
    else:
        scope = Q(pk__in=[])
        if rules.is_hr_editor:
            scope |= Q(department__reviewer_role=Department.ReviewerRole.HR_EDITOR) & (
                _department_q(rules.edit_departments)
            )
        held = _held_departments(user)
        if rules.is_manager and held:
            scope |= Q(department__reviewer_role=Department.ReviewerRole.MANAGER) & Q(
                department_id__in=held
            )
    return Q(status=Position.Status.SUBMITTED) & scope & ~Q(prepared_by=user.pk)


def awaiting_approval_q(user: User | AnonymousUser) -> Q:
    """待审批 positions the user may approve (the 待办 queue; same rules as ``can_approve``)."""
    rules = access(user)
    if not rules.authenticated:
        return Q(pk__in=[])
    if rules.superuser:
        scope = Q()
    elif rules.is_manager and _held_departments(user):
        scope = Q(department_id__in=_subtrees(set(_held_departments(user))))
    else:
        return Q(pk__in=[])
    return (
        Q(status=Position.Status.REVIEWED)
        & scope
        & ~Q(prepared_by=user.pk)
        & ~Q(reviewed_by=user.pk)
    )


# The workflow's own steps; a 审批记录 also holds go-live entries (原文件签核, 历史文件导入),
# which say nothing about whose turn it is.
STEP_ACTIONS = (
    WorkflowEvent.Action.SUBMIT,
    WorkflowEvent.Action.REVIEW,
    WorkflowEvent.Action.APPROVE,
    WorkflowEvent.Action.REJECT,
)


def returned_drafts_q(user: User | AnonymousUser) -> Q:
    """草稿 the user prepared that came back (their last workflow step was a 退回): the HR
    editor's to fix and submit again (the 待办 queue)."""
    if not access(user).is_hr_editor:
        return Q(pk__in=[])
    latest = (
        WorkflowEvent.objects.filter(position=OuterRef("position"), action__in=STEP_ACTIONS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    rejected_last = WorkflowEvent.objects.filter(
        action=WorkflowEvent.Action.REJECT, pk=Subquery(latest)
    ).values("position_id")
    return Q(status=Position.Status.DRAFT, prepared_by=user.pk, pk__in=rejected_last)


def _manager_departments() -> dict[int, set[int]]:
    """Department → the active 部门经理 holding a position in it now (one query)."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = (
        Assignment.objects.current()
        .filter(
            employee__left_on__isnull=True,
            employee__user__is_active=True,
            employee__user__groups__role__code=MANAGER,
        )
        .values_list("position__department_id", "employee__user_id")
    )
    for department_id, user_id in rows:
        found[department_id].add(user_id)
    return found


def _hr_editor_reach(index: DepartmentIndex) -> dict[int, AllOr]:
    """Active HR editor → the departments they edit (None: all), as ``access`` computes it
    (two queries; subtrees from the index already loaded)."""
    editors = list(
        User.objects.filter(is_active=True, groups__role__code=HR_EDITOR)
        .values_list("pk", flat=True)
        .distinct()
    )
    scopes: dict[int, set[int]] = defaultdict(set)
    for user_id, department_id in EditorScope.objects.filter(user_id__in=editors).values_list(
        "user_id", "department_id"
    ):
        scopes[user_id] |= index.subtree_ids(department_id)
    return {pk: (frozenset(scopes[pk]) if pk in scopes else None) for pk in editors}


def next_actors(positions: Iterable[Position]) -> dict[int, tuple[User, ...]]:
    """Who may take each position's next step, by the role rules of ``review_refusal`` and
    ``approval_refusal``: at 待审核 the department's reviewers (its 部门经理 or the HR editors
    covering it, as ``reviewer_role`` says), at 待审批 the 部门经理 of the department and the
    departments above it; never the preparer, nor at 待审批 the reviewer. Superusers, who may
    act anywhere, are nobody's designated reviewer and are not listed. Positions in any other
    state get ().

    At most five queries, however many positions (for the 待办 tables)."""
    positions = list(positions)
    result: dict[int, tuple[User, ...]] = {p.pk: () for p in positions}
    waiting = [
        p for p in positions if p.status in (Position.Status.SUBMITTED, Position.Status.REVIEWED)
    ]
    if not waiting:
        return result
    index = department_index()
    managers = _manager_departments()

    def reviewed_by_hr(position: Position) -> bool:
        department = index.by_id.get(position.department_id)
        return (
            position.status == Position.Status.SUBMITTED
            and department is not None
            and department.reviewer_role == Department.ReviewerRole.HR_EDITOR
        )

    editors = _hr_editor_reach(index) if any(map(reviewed_by_hr, waiting)) else {}
    chosen: dict[int, set[int]] = {}
    for position in waiting:
        department_id = position.department_id
        if position.status == Position.Status.REVIEWED:
            above = {department_id, *(d.pk for d in index.ancestors(department_id))}
            ids = set().union(*(managers.get(pk, set()) for pk in above))
            ids.discard(position.reviewed_by_id)
        elif reviewed_by_hr(position):
            ids = {pk for pk, reach in editors.items() if _within(reach, department_id)}
        else:
            ids = set(managers.get(department_id, set()))
        ids.discard(position.prepared_by_id)
        chosen[position.pk] = ids
    users = User.objects.in_bulk(set().union(*chosen.values()))
    for pk, ids in chosen.items():
        people = [users[i] for i in ids if i in users]
        result[pk] = tuple(sorted(people, key=lambda u: (u.get_full_name() or u.username, u.pk)))
    return result


def has_workflow_queue(user: User | AnonymousUser) -> bool:
    """Whether the user takes part in the workflow at all (the 待办 link in the navigation)."""
    rules = access(user)
    return rules.authenticated and (rules.is_hr_editor or rules.is_manager)


def batch_workflow_refusal(user: User | AnonymousUser) -> str | None:
    """Why the user may not use the batch 提交/审核/审批 form at all; None when they may.

    Only the door: every selected sheet is then checked on its own by the step it takes
    (``can_edit_position`` to submit, ``review_refusal``, ``approval_refusal``)."""
    if not has_workflow_queue(user):
        return "您不参与职位说明书的审核与审批，不能批量办理。"
    return None


def workflow_queue_count(user: User | AnonymousUser) -> int:
    """How many positions wait for the user: to review, to approve, or returned to them."""
    if not has_workflow_queue(user):
        return 0
    return Position.objects.filter(
        awaiting_review_q(user) | awaiting_approval_q(user) | returned_drafts_q(user)
    ).count()


def holds_position(user: User | AnonymousUser) -> bool:
    """Whether the user holds a position now (我的职位 in the navigation bar)."""
    return bool(access(user).held_positions)


def can_see_overdue_reviews(user: User | AnonymousUser) -> bool:
    """The 复核到期 list: HR editors, for the positions they edit."""
    return can_create_positions(user)


# --- department books (职位说明书汇编) --------------------------------------------------------
#
# A book prints the versions in force, which every signed-in user reads, so every signed-in
# user may ask for books of any department or any positions they can see. Working copies are
# never printed in a book (a book is shared by everyone who asks for the same versions).


def can_request_books(user: User | AnonymousUser) -> bool:
    return access(user).authenticated


def can_view_book(user: User | AnonymousUser, job) -> bool:
    """A book's page and PDF: whoever may read every position it prints.

    A book made before one of its positions was archived stays readable only for those who
    still see that position (HR, its managers).
    """
    if not access(user).authenticated:
        return False
    visible = Position.objects.filter(visible_positions_q(user)).values("pk")
    hidden = Position.objects.filter(versions__pk__in=job.version_ids).exclude(pk__in=visible)
    return not hidden.exists()


# --- the REST API ------------------------------------------------------------------------------
#
# The API answers every read and write with the rules above (``visible_positions_q``,
# ``reads_working_copy``, ``sheet_write_refusal``, the workflow refusals, ``managed_employees_q``):
# a caller reads and changes through it exactly what the pages let them. Only the tokens are
# the API's own.


def can_use_api(user: User | AnonymousUser) -> bool:
    """Every active account may call the API (and sees what its roles let it see)."""
    return access(user).authenticated


def can_manage_own_api_tokens(user: User | AnonymousUser) -> bool:
    """The API 令牌 page: every signed-in person creates and revokes their own tokens."""
    return access(user).authenticated


def can_revoke_api_token(user: User | AnonymousUser, owner_id: int) -> bool:
    """A token's owner revokes it; a superuser revokes anyone's (in the admin)."""
    rules = access(user)
    return rules.authenticated and (owner_id == user.pk or rules.superuser)


def can_issue_integration_tokens(user: User | AnonymousUser) -> bool:
    """Tokens for other accounts (integration accounts: an HRIS, 北森, SAP …): superusers only,
    in the admin. Nobody else ever holds a key for an account that is not theirs."""
    return can_grant_roles(user)


def can_read_employees_api(user: User | AnonymousUser) -> bool:
    """The API's employee list: HR editors, each the employees they manage (as 员工 page)."""
    return can_manage_employees(user)


# --- notifications and webhooks -----------------------------------------------------------------


def can_set_notification_preferences(user: User | AnonymousUser) -> bool:
    """Everyone signed in chooses their own channels (通知设置)."""
    return access(user).authenticated


def can_view_notification_log(user: User | AnonymousUser) -> bool:
    """The message log (通知记录) is HR's: who was told what, and what failed."""
    return access(user).is_hr_editor


def can_manage_webhooks(user: User | AnonymousUser) -> bool:
    """Webhook subscriptions and their deliveries (重新发送) are for superusers only."""
    return access(user).superuser


# --- 组织诊断 (the diagnosis app) ----------------------------------------------------------------
#
# The report of a department subtree shows findings about every sheet in it, drafts included:
# HR editors whose scope covers the department read it and mark findings 「已知悉/不适用」;
# managers read the report of the departments they head (where they read the working copies),
# read-only. The whole organisation's report is the unscoped HR editors'.


def can_view_diagnosis(user: User | AnonymousUser, department: Department | None) -> bool:
    rules = access(user)
    if not rules.authenticated:
        return False
    if department is None:
        return rules.is_hr_editor and rules.edit_departments is None
    if rules.is_hr_editor and _within(rules.edit_departments, department.pk):
        return True
    return rules.is_manager and _within(rules.draft_departments, department.pk)


def can_view_any_diagnosis(user: User | AnonymousUser) -> bool:
    """The 组织诊断 entry: HR editors with a scope, managers of a department."""
    rules = access(user)
    if rules.is_hr_editor and rules.edit_departments != frozenset():
        return True
    return rules.is_manager and rules.draft_departments != frozenset()


def can_run_diagnosis_job(user: User | AnonymousUser, department: Department | None) -> bool:
    """A large scope's report runs as a job: HR editors whose scope covers it."""
    rules = access(user)
    if not rules.is_hr_editor:
        return False
    if department is None:
        return rules.edit_departments is None
    return _within(rules.edit_departments, department.pk)


def can_mark_findings(user: User | AnonymousUser, department_id: int) -> bool:
    """Mark a finding 「已知悉/不适用」 (or take the mark back): HR editors whose scope covers
    the department of the finding's first position."""
    rules = access(user)
    return rules.is_hr_editor and _within(rules.edit_departments, department_id)


def may_mark_findings(user: User | AnonymousUser) -> bool:
    """Whether the user marks any findings at all (HR editors with a scope that is not empty)."""
    return can_create_positions(user)


# --- 权责手册 (the authority matrix) -----------------------------------------------------------
#
# * **View** the version in force: everyone signed in.
# * **Working copy** (drafts): HR editors, and whoever may review or approve the manual now.
# * **Edit**: HR editors; the columns they write are the positions of their EditorScope
#   departments (``scope``): an unscoped HR editor writes the whole matrix, a scoped one only a
#   department subtree inside their scope. Rows (categories, matters, bands) are shared.
# * **Submit** (草稿 → 待审核): an HR editor. **Review** (待审核 → 待审批): an unscoped HR editor
#   (the manual concerns every department). **Approve** (待审批 → 已生效): a 部门经理 holding a
#   position directly in a 集团公司/项目公司 (总经理, 副总经理), or a superuser.
#   **Reject**: whoever may do the step.
# * Separation of duties as for the sheets: the preparer neither reviews nor approves, the
#   reviewer does not approve — superusers included.


def can_view_manual(user: User | AnonymousUser) -> bool:
    return access(user).authenticated


def _company_leader(user: User | AnonymousUser) -> bool:
    """A 部门经理 holding a position directly in a 集团公司 or 项目公司 (总经理, 副总经理 …)."""
    rules = access(user)
    if not rules.is_manager:
        return False
    held = _held_departments(user)
    companies = (Department.Kind.GROUP, Department.Kind.COMPANY)
    return bool(held) and Department.objects.filter(pk__in=held, kind__in=companies).exists()


def manual_edit_refusal(
    user: User | AnonymousUser, *, scope: Department | None = None
) -> str | None:
    """Why the user may not write the manual's columns of ``scope`` (None: all); None: may."""
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if not rules.is_hr_editor:
        return "只有 HR 编辑可以编辑权责手册。"
    if rules.edit_departments is None:
        return None
    if scope is None:
        return "您的编辑范围限于部分部门：请选择您负责的部门后编辑其权责。"
    if scope.pk not in rules.edit_departments:
        return f"您无权编辑“{scope.name}”的权责。"
    return None


def can_edit_manual(user: User | AnonymousUser, *, scope: Department | None = None) -> bool:
    return manual_edit_refusal(user, scope=scope) is None


def can_edit_manual_somewhere(user: User | AnonymousUser) -> bool:
    rules = access(user)
    return rules.is_hr_editor and rules.edit_departments != frozenset()


def manual_submit_refusal(user: User | AnonymousUser, manual: Manual) -> str | None:
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if not rules.is_hr_editor:
        return "只有 HR 编辑可以提交权责手册审核。"
    return None


def manual_review_refusal(user: User | AnonymousUser, manual: Manual) -> str | None:
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if manual.prepared_by_id is not None and manual.prepared_by_id == user.pk:
        return "编制人不能审核自己编制的权责手册。"
    if rules.superuser or (rules.is_hr_editor and rules.edit_departments is None):
        return None
    return "权责手册由负责全公司的 HR 编辑审核。"


def manual_approval_refusal(user: User | AnonymousUser, manual: Manual) -> str | None:
    rules = access(user)
    if not rules.authenticated:
        return "请先登录。"
    if manual.prepared_by_id is not None and manual.prepared_by_id == user.pk:
        return "编制人不能审批自己编制的权责手册。"
    if manual.reviewed_by_id is not None and manual.reviewed_by_id == user.pk:
        return "审核人不能同时审批同一份权责手册。"
    if rules.superuser or _company_leader(user):
        return None
    return "权责手册由公司领导（集团公司或项目公司的部门经理）审批。"


def can_submit_manual(user: User | AnonymousUser, manual: Manual) -> bool:
    return manual.status == Manual.Status.DRAFT and manual_submit_refusal(user, manual) is None


def can_review_manual(user: User | AnonymousUser, manual: Manual) -> bool:
    return manual.status == Manual.Status.SUBMITTED and manual_review_refusal(user, manual) is None


def can_approve_manual(user: User | AnonymousUser, manual: Manual) -> bool:
    return manual.status == Manual.Status.REVIEWED and manual_approval_refusal(user, manual) is None


def can_reject_manual(user: User | AnonymousUser, manual: Manual) -> bool:
    return can_review_manual(user, manual) or can_approve_manual(user, manual)


def reads_manual_working_copy(user: User | AnonymousUser) -> bool:
    """HR editors, and whoever may review or approve the manual, read its working copy."""
    rules = access(user)
    if not rules.authenticated:
        return False
    return rules.is_hr_editor or _company_leader(user)
