"""The signed-in user of each request: loaded with their roles in one query, refused when
inactive, and a role withdrawn in the meantime applies at the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from positions import permissions
from positions.backends import PermissionsBackend
from positions.permissions import AUDITOR, EMPLOYEE, HR_EDITOR, MANAGER, role_group
from positions.tests.factories import EmployeeFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_POSITION = reverse("positions:position-create")


def test_backend_get_user_reads_the_roles_with_the_user(django_assert_num_queries):
    account = UserFactory(username="wangwu")
    account.groups.add(role_group(EMPLOYEE), role_group(AUDITOR))

    with django_assert_num_queries(1):
        user = PermissionsBackend().get_user(account.pk)
        rules = permissions.access(user)

    assert user == account
    assert rules.roles == {EMPLOYEE, AUDITOR}
    assert rules.is_auditor and not rules.is_hr_editor and not rules.is_manager


def test_backend_get_user_refuses_an_inactive_or_unknown_user():
    account = UserFactory(username="wangwu", is_active=False)

    assert PermissionsBackend().get_user(account.pk) is None
    assert PermissionsBackend().get_user(account.pk + 1000) is None


def test_backend_withdrawn_role_is_refused_at_the_next_request(client):
    account = UserFactory(username="wangwu")
    account.groups.add(role_group(HR_EDITOR))
    client.force_login(account)
    assert client.get(NEW_POSITION).status_code == 200

    account.groups.remove(role_group(HR_EDITOR))
    response = client.get(NEW_POSITION)

    assert response.status_code == 403


def test_backend_granted_role_applies_at_the_next_request(client):
    account = UserFactory(username="wangwu")
    client.force_login(account)
    assert client.get(NEW_POSITION).status_code == 403

    account.groups.add(role_group(HR_EDITOR))

    assert client.get(NEW_POSITION).status_code == 200


def test_backend_held_positions_are_read_only_when_asked(client):
    position = PositionFactory(title="售楼员")
    employee = EmployeeFactory(position=position)
    client.force_login(employee.user)
    request_user = PermissionsBackend().get_user(employee.user.pk)

    with CaptureQueriesContext(connection) as queries:
        rules = permissions.access(request_user)
    assert len(queries) == 0  # an employee's rules: the roles came with the user
    with CaptureQueriesContext(connection) as queries:
        assert rules.held_positions == {position.pk}
        assert permissions.holds_position(request_user)
    assert len(queries) == 1


def test_backend_manager_reads_drafts_of_the_department_held():
    position = PositionFactory(title="销售经理")
    employee = EmployeeFactory(position=position)
    employee.user.groups.add(role_group(MANAGER))
    draft = PositionFactory(title="售楼员", department=position.department, status="draft")
    user = PermissionsBackend().get_user(employee.user.pk)

    assert permissions.reads_working_copy(user, draft)
    assert permissions.access(user).held == {position.pk: position.department_id}
