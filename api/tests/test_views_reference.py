"""Departments, the org tree and employees through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.tests.helpers import ApiClient
from audit.models import AuditEvent
from positions import permissions
from positions.models import Department, Position
from positions.tests.factories import EmployeeFactory, UserFactory


@pytest.fixture(autouse=True)
def unthrottled(settings):
    settings.API_THROTTLE_RATE = "100000/min"


def test_department_list_is_the_tree_in_preorder(user, seed):
    rows = ApiClient(user).get(reverse("api:department-list")).json()
    assert len(rows) == Department.objects.count()
    assert rows[0]["parent_id"] is None and rows[0]["depth"] == 0
    seen: set[int] = set()
    for row in rows:  # every department comes after its parent
        assert row["parent_id"] is None or row["parent_id"] in seen
        seen.add(row["id"])


def test_org_tree_follows_the_reporting_lines_readers_see(user, seed):
    body = ApiClient(user).get(reverse("api:org-tree"), {"page_size": 200}).json()
    nodes = {node["id"]: node for node in body["results"]}
    clerk = Position.objects.get(code="FZ-XS-101")
    assert nodes[clerk.pk]["superior_id"] == clerk.current_version.reports_to_id
    assert all(n["superior_id"] is None or n["superior_id"] in nodes for n in nodes.values())


def test_employee_list_is_for_hr_and_audited(seed, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    EmployeeFactory(name="林员工", employee_no="FZ0004", position=clerk)
    body = ApiClient(hr_user).get(reverse("api:employee-list"), {"q": "FZ0004"}).json()
    assert [(e["name"], e["position"]["title"]) for e in body["results"]] == [("林员工", "售楼员")]
    event = AuditEvent.objects.get(action="api_export")
    assert event.user == hr_user and event.details["count"] == 1


def test_employee_list_refused_to_employees_in_chinese(user, db):
    response = ApiClient(user).get(reverse("api:employee-list"))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有 HR 编辑可以查看员工列表。"


def test_employee_list_bad_department_is_a_chinese_400(hr_user, seed):
    response = ApiClient(hr_user).get(reverse("api:employee-list"), {"department": "abc"})
    assert response.status_code == 400
    assert response.json()["detail"] == "所选部门不存在，请从列表中重新选择。"


def test_employee_detail_is_open_to_the_employee_themself(seed):
    user = UserFactory(username="lin")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    employee = EmployeeFactory(
        user=user, name="林员工", position=Position.objects.get(code="FZ-XS-101")
    )
    body = ApiClient(user).get(reverse("api:employee-detail", kwargs={"pk": employee.pk})).json()
    assert body["name"] == "林员工"
    assert [a["position_title"] for a in body["assignments"]] == ["售楼员"]
