"""The demo organisation for the workflow tests: seed, demo accounts and a 销售部 draft."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from people.services import demo
from positions import permissions
from positions.models import Department, Position, Version
from positions.tests.factories import EditorScopeFactory, EmployeeFactory, UserFactory


@dataclass
class Demo:
    hr: object  # 王人事, HR 编辑 (unscoped)
    manager: object  # 陈经理, 销售经理 in 销售部
    director: object  # 赵总, 副总经理 in 福州项目公司
    employee: object  # 林员工
    admin: object  # superuser
    sales: Department
    draft: Position  # 销售部's 售楼员, turned back into a 草稿 without sign-off


def demo_world(settings) -> Demo:
    """Needs the seed organisation (the ``seed`` fixture)."""
    settings.DEBUG = True
    demo.ensure_demo_accounts()
    sales = Department.objects.get(code="FZ-XS")  # reviewed by its 部门经理 (the demo's setting)
    # 售楼员 becomes a sheet never published: no version in force, a draft only.
    Position.objects.filter(code="FZ-XS-101").update(
        current_version=None,
        status=Position.Status.DRAFT,
        prepared_by_name="",
        prepared_at=None,
        reviewed_by_name="",
        reviewed_at=None,
        approved_by_name="",
        approved_at=None,
    )
    Version.objects.filter(position__code="FZ-XS-101").delete()
    users = {u.username: u for u in get_user_model().objects.all()}
    return Demo(
        hr=users["hr"],
        manager=users["manager"],
        director=users["director"],
        employee=users["employee"],
        admin=users["admin"],
        sales=sales,
        draft=Position.objects.get(code="FZ-XS-101"),
    )


def second_hr(username: str = "hr2", scope: Department | None = None):
    user = UserFactory(username=username, first_name="李人事")
    user.groups.add(permissions.role_group(permissions.HR_EDITOR))
    if scope is not None:
        EditorScopeFactory(user=user, department=scope)
    return user


def marketing_manager():
    """周经理, 部门经理 holding 营销策划经理 in 营销策划部 (another department)."""
    user = UserFactory(username="manager-other", first_name="周经理")
    user.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=user, name="周经理", position=Position.objects.get(title="营销策划经理"))
    return user
