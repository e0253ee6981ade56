"""The demo accounts, holding positions of the seed organisation.

Demo accounts have a known password, so ``setup_demo`` (the only caller) refuses to run unless
``DEBUG`` is on. Their roles come from the role groups (``permissions.role_group``); each
person but ``admin`` has an employee record and holds a seed position, so that a draft can be
walked through 编制 → 审核 → 审批 by real people: 王人事 prepares, 陈经理 (销售经理) reviews
(销售部's reviewer is set to 部门经理 for it), 赵总 (副总经理, 陈经理's superior) approves, and
林员工 (售楼员) reads the result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from people.services.people import hire_employee, transfer_employee
from positions import permissions
from positions.models import (
    Department,
    Employee,
    Position,
)

# --- demo accounts -------------------------------------------------------------

DEMO_PASSWORD = "jobdesc-demo"


@dataclass(frozen=True)
class DemoPosition:
    """How a demo account's seed position is found: by 职位编号, else title and department."""

    title: str
    department_code: str
    code: str = ""

    def find(self) -> Position | None:
        positions = Position.objects.filter(department__code=self.department_code)
        if self.code:
            return positions.filter(code=self.code).first()
        return positions.filter(title=self.title).order_by("pk").first()

    def __str__(self) -> str:
        return f"{self.title}（{self.code}）" if self.code else self.title


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # as the command reports it: the role's name, or 超级管理员
    role_code: str = ""  # permissions.HR_EDITOR …; "" for the superuser
    employee_no: str = ""  # "" = no employee record
    hired_on: datetime.date | None = None
    position: DemoPosition | None = None
    is_superuser: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", "超级管理员", is_superuser=True),
    DemoAccount(
        "hr",
        "王人事",
        "HR 编辑",
        role_code=permissions.HR_EDITOR,
        employee_no="FZ0001",
        hired_on=datetime.date(2019, 7, 1),
        position=DemoPosition("人力行政经理", "FZ-RX"),
    ),
    DemoAccount(
        "director",
        "赵总",
        "部门经理",
        role_code=permissions.MANAGER,
        employee_no="FZ0002",
        hired_on=datetime.date(2018, 3, 1),
        position=DemoPosition("副总经理", "FZ"),
    ),
    DemoAccount(
        "manager",
        "陈经理",
        "部门经理",
        role_code=permissions.MANAGER,
        employee_no="FZ0003",
        hired_on=datetime.date(2020, 4, 15),
        position=DemoPosition("销售经理", "FZ-XS", code="FZ-XS-001"),
    ),
    DemoAccount(
        "employee",
        "林员工",
        "员工",
        role_code=permissions.EMPLOYEE,
        employee_no="FZ0004",
        hired_on=datetime.date(2023, 9, 1),
        position=DemoPosition("售楼员", "FZ-XS", code="FZ-XS-101"),
    ),
)


# Departments whose sheets the demo's 部门经理 review (the README's path: 陈经理 reviews
# 销售部's sheets). Every other department keeps the default, HR 编辑 — and the only demo HR
# editor prepares the sheets, so may not review them too.
DEMO_MANAGER_REVIEWED = ("FZ-XS",)


@dataclass(frozen=True)
class DemoResult:
    account: DemoAccount
    position: Position | None  # the position held now; None when the seed lacks it
    missing_position: bool  # the account names a position the database does not have


def _ensure_user(account: DemoAccount):
    user_model = get_user_model()
    user, _ = user_model.objects.update_or_create(
        username=account.username,
        defaults={
            # Chinese names are written family name first: keep the whole name in one
            # field so get_full_name() does not reorder it.
            "first_name": account.full_name,
            "last_name": "",
            "is_staff": account.is_superuser,
            "is_superuser": account.is_superuser,
            "is_active": True,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    user.user_permissions.clear()  # roles come from the groups
    user.groups.set([permissions.role_group(account.role_code)] if account.role_code else [])
    permissions.forget_access(user)
    return user


def _ensure_holding(user, account: DemoAccount, position: Position | None) -> Position | None:
    """The account's employee record, holding ``position`` now; returns the position held.

    A demo employee edited while trying things out is reset: back in service (离职 undone)
    and holding the demo position again, through a 调岗 so that the history is kept.
    """
    assert account.hired_on is not None
    employee = Employee.objects.filter(user=user).first()
    if employee is None:
        if position is None:
            Employee.objects.create(
                user=user,
                name=account.full_name,
                employee_no=account.employee_no,
                hired_on=account.hired_on,
            )
            return None
        hire_employee(
            user=user,
            name=account.full_name,
            employee_no=account.employee_no,
            hired_on=account.hired_on,
            position=position,
        )
        return position
    if employee.name != account.full_name or employee.left_on is not None:
        employee.name = account.full_name
        employee.left_on = None
        employee.save(update_fields=["name", "left_on"])
    current = employee.assignments.current().select_related("position").first()
    if position is None:
        return current.position if current is not None else None
    if current is not None and current.position_id == position.pk:
        return position
    today = timezone.localdate()
    if current is not None and current.start_date >= today:
        # Assigned today (or in the future) while trying things out: nothing to keep.
        current.position = position
        current.save(update_fields=["position"])
    elif current is None and not employee.assignments.exists():
        transfer_employee(employee=employee, position=position, effective_date=employee.hired_on)
    else:
        transfer_employee(employee=employee, position=position, effective_date=today)
    return position


@transaction.atomic
def ensure_demo_accounts() -> list[DemoResult]:
    """Create (or reset) the demo accounts listed in the README, with their roles and positions.

    Idempotent: a second run finds every account, employee record and assignment in place and
    creates nothing; it only resets passwords, names, roles and positions to the demo values,
    and 销售部's reviewer to its 部门经理 (``DEMO_MANAGER_REVIEWED``).
    """
    Department.objects.filter(code__in=DEMO_MANAGER_REVIEWED).update(
        reviewer_role=Department.ReviewerRole.MANAGER
    )
    results = []
    for account in DEMO_ACCOUNTS:
        user = _ensure_user(account)
        position = account.position.find() if account.position else None
        held = _ensure_holding(user, account, position) if account.employee_no else None
        results.append(
            DemoResult(
                account=account,
                position=held,
                missing_position=account.position is not None and position is None,
            )
        )
    return results
