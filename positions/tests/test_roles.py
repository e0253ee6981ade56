"""Roles are ``Role`` rows with a stable code, each linked to the group that grants it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from positions import permissions
from positions.models import Role
from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

link_migration = importlib.import_module("positions.migrations.0013_link_role_groups")
auditor_migration = importlib.import_module("positions.migrations.0015_auditor_role")

AS_MIGRATED = {
    "hr_editor": "HR 编辑",
    "manager": "部门经理",
    "employee": "员工",
    "auditor": "审计员",
}


def role_names() -> dict[str, str]:
    return dict(Role.objects.values_list("code", "group__name"))


def test_roles_exist_with_their_groups_after_migrate():
    assert role_names() == AS_MIGRATED
    assert {code: permissions.role_group(code).name for code in permissions.ROLES} == AS_MIGRATED


def test_role_link_migration_reverses_and_links_the_same_groups_again():
    groups = {code: permissions.role_group(code).pk for code in permissions.ROLES}

    link_migration.unlink_role_groups(apps, None)
    assert not Role.objects.exists()
    assert set(Group.objects.values_list("name", flat=True)) >= set(AS_MIGRATED.values())

    link_migration.link_role_groups(apps, None)
    auditor_migration.create_auditor_role(apps, None)
    assert {code: permissions.role_group(code).pk for code in permissions.ROLES} == groups


def test_auditor_role_migration_reverses_and_keeps_a_group_with_members():
    member = UserFactory(username="audit-member")
    member.groups.add(permissions.role_group(permissions.AUDITOR))

    auditor_migration.remove_auditor_role(apps, None)
    assert not Role.objects.filter(code=permissions.AUDITOR).exists()
    assert member.groups.filter(name="审计员").exists()  # nobody's membership is lost
    assert not permissions.access(member).is_auditor

    auditor_migration.create_auditor_role(apps, None)
    assert permissions.role_group(permissions.AUDITOR).user_set.get() == member


def test_role_group_of_an_unknown_code_is_refused():
    with pytest.raises(Group.DoesNotExist, match="0013_link_role_groups"):
        permissions.role_group("director")


def test_access_reads_every_role_in_one_query(django_assert_num_queries):
    user = UserFactory(username="many-groups")
    user.groups.add(
        permissions.role_group(permissions.MANAGER),
        permissions.role_group(permissions.EMPLOYEE),
        Group.objects.create(name="读书会"),
    )

    with django_assert_num_queries(2):  # the roles, the positions held
        rules = permissions.access(user)

    assert rules.roles == {permissions.MANAGER, permissions.EMPLOYEE}


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_admin_group_list_shows_each_groups_role_to_superuser(superuser_client):
    hr_group = permissions.role_group(permissions.HR_EDITOR)
    hr_group.name = "人力资源编辑"
    hr_group.save()
    Group.objects.create(name="HR 编辑")

    page = superuser_client.get(reverse("admin:auth_group_changelist")).content.decode()

    assert '<td class="field-role_label">HR 编辑</td>' in page
    assert '<td class="field-role_label">—（不授予任何权限）</td>' in page
    form = superuser_client.get(reverse("admin:auth_group_change", args=[hr_group.pk]))
    assert "成员的角色不受影响" in form.content.decode()


def test_admin_role_group_cannot_be_deleted(superuser_client):
    group = permissions.role_group(permissions.MANAGER)
    url = reverse("admin:auth_group_delete", args=[group.pk])

    response = superuser_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert "受保护" in response.content.decode()
    assert permissions.role_group(permissions.MANAGER) == group
