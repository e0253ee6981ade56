"""A small organisation and 权责手册 for the grid, Excel and PDF tests (their own, not the seed)."""

from __future__ import annotations

import datetime

from positions import permissions
from positions.services import manual as manual_service
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)


def hr(username: str = "hr-m", scope=None, name: str = "李人事"):
    user = UserFactory(username=username, first_name=name)
    user.groups.add(permissions.role_group(permissions.HR_EDITOR))
    if scope is not None:
        EditorScopeFactory(user=user, department=scope)
    return user


def employee(position, username: str = "staff"):
    user = UserFactory(username=username, first_name="林员工")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    EmployeeFactory(user=user, name="林员工", position=position)
    return user


def leader(position, username: str = "boss"):
    user = UserFactory(username=username, first_name="赵总")
    user.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=user, name="赵总", position=position)
    return user


def build_org() -> dict:
    company = DepartmentFactory(name="项目公司", code="C", kind="company")
    sales = DepartmentFactory(name="销售部", code="C-S", parent=company)
    finance = DepartmentFactory(name="财务部", code="C-F", parent=company)
    return {
        "company": company,
        "sales": sales,
        "finance": finance,
        "gm": PositionFactory(title="总经理", department=company, grade_min=9, grade_max=10),
        "manager": PositionFactory(title="销售经理", department=sales, grade_min=6, grade_max=7),
        "clerk": PositionFactory(title="售楼员", department=sales, grade_min=2, grade_max=3),
        "cashier": PositionFactory(title="出纳", department=finance),
    }


def key(position) -> str:
    return f"p{position.pk}"


def marketing_document(org: dict) -> dict:
    """营销管理 → 优惠申请 in two bands and 认购 in one, with the 董事会 as a body."""
    gm, manager, clerk = key(org["gm"]), key(org["manager"]), key(org["clerk"])
    return {
        "title": "权责手册",
        "doc_no": "HXJT-QZ-2026-01",
        "columns": [{"key": "b董事会", "kind": "body", "label": "董事会"}],
        "categories": [
            {
                "name": "营销管理",
                "matters": [
                    {
                        "name": "优惠申请",
                        "note": "",
                        "bands": [
                            {
                                "condition": "折扣 ≤ 98%",
                                "cells": {clerk: "propose", manager: "approve", gm: "inform"},
                            },
                            {
                                "condition": "折扣 < 98%",
                                "cells": {
                                    clerk: "propose",
                                    manager: "review",
                                    gm: "approve",
                                    "b董事会": "inform",
                                },
                            },
                        ],
                    },
                    {
                        "name": "认购",
                        "note": "签订认购书",
                        "bands": [
                            {"condition": "", "cells": {clerk: "execute", manager: "approve"}}
                        ],
                    },
                ],
            }
        ],
    }


def write(user, document: dict, *, scope=None):
    lock = manual_service.get_manual().lock_version
    return manual_service.write_manual(
        user=user, document=document, lock_version=lock, scope=scope, source="测试"
    )


def publish(org: dict, document: dict | None = None):
    """Write, submit, review and approve: V1 in force (effective 2026-12-01)."""
    preparer, reviewer = hr("hr-prep", name="王人事"), hr("hr-rev", name="陈审核")
    approver = leader(org["gm"])
    write(preparer, document or marketing_document(org))
    manual_service.submit(user=preparer)
    manual_service.review(user=reviewer)
    version = manual_service.approve(user=approver)
    version.effective_date = datetime.date(2026, 12, 1)
    version.save(update_fields=["effective_date"])
    return version
