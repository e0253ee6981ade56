"""Login accounts and roles in the admin: HR editors manage their employees' accounts, only
superusers grant roles, and nobody reaches a superuser's account or its password.

The attacks of issue #12 are replayed as the browser would send them; each test checks that
nothing changed.
"""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from positions import permissions
from positions.models import Department, Employee
from positions.permissions import EMPLOYEE, HR_EDITOR, MANAGER, role_group
from positions.tests.factories import (
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
    published_together,
)

pytestmark = pytest.mark.django_db

PASSWORD = "jobdesc-pass-123"  # UserFactory's
USERS = reverse("admin:auth_user_changelist")


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def listed_usernames(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<th class="field-username"><a [^>]*>([^<]+)</a>', html)


def user_url(user: User, view: str = "change") -> str:
    name = "password_change" if view == "password" else view
    return reverse(f"admin:auth_user_{name}", args=[user.pk])


def flags(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.is_superuser,
        user.is_staff,
        sorted(user.groups.values_list("role__code", flat=True)),  # the roles held
        user.user_permissions.count(),
    )


@pytest.fixture
def org(departments):
    """销售部 and 财务部 (both under 福州公司), a scoped and an unscoped HR editor, a superuser."""
    with published_together():
        manager = PositionFactory(
            title="销售经理", code="FZ-XS-001", department=departments["sales"]
        )
        accountant = PositionFactory(
            title="会计", code="FZ-CW-001", department=departments["finance"]
        )
    zhang = EmployeeFactory(user=UserFactory(username="zhangsan"), name="张三", position=manager)
    li = EmployeeFactory(user=UserFactory(username="lisi"), name="李四", position=accountant)
    sales_hr = UserFactory(username="hr-sales")
    sales_hr.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=sales_hr, department=departments["sales"])
    chief_hr = UserFactory(username="hr-chief")
    chief_hr.groups.add(role_group(HR_EDITOR))
    root = UserFactory(username="admin", is_superuser=True, is_staff=True)
    newcomer = UserFactory(username="newcomer")  # no employee record, no role: to be hired
    return {
        **departments,
        "zhang": zhang.user,
        "li": li.user,
        "sales_hr": sales_hr,
        "chief_hr": chief_hr,
        "admin": root,
        "newcomer": newcomer,
    }


def change_data(user: User, **extra) -> dict:
    """The managed-account change form as posted back, plus whatever an attacker adds."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        **extra,
    }


def escalation(hr_group: Group) -> dict:
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str(hr_group.pk)],
        "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
    }


# --- what an HR editor sees ------------------------------------------------------------------


def test_account_list_scoped_hr_sees_its_employees_and_new_accounts_only(client, org):
    client.force_login(org["sales_hr"])

    response = client.get(USERS)

    assert response.status_code == 200
    assert sorted(listed_usernames(response)) == ["newcomer", "zhangsan"]
    assert "超级用户状态" not in text(response.content.decode())
    assert "is_superuser" not in response.content.decode()
    assert "groups__id__exact" not in response.content.decode()


def test_account_list_unscoped_hr_never_sees_superusers_or_role_holders_without_record(client, org):
    client.force_login(org["chief_hr"])

    names = sorted(listed_usernames(client.get(USERS)))

    # admin is a superuser; hr-sales and hr-chief hold a role and have no employee record.
    assert names == ["lisi", "newcomer", "zhangsan"]


def test_account_list_superuser_sees_every_account(client, org):
    client.force_login(org["admin"])

    names = sorted(listed_usernames(client.get(USERS)))

    assert names == ["admin", "hr-chief", "hr-sales", "lisi", "newcomer", "zhangsan"]


def test_account_change_form_for_hr_has_no_flags_roles_or_permissions(client, org):
    client.force_login(org["sales_hr"])

    html = client.get(user_url(org["zhang"])).content.decode()

    assert 'name="first_name"' in html and 'name="is_active"' in html
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in html


# --- the attacks, refused with nothing changed ----------------------------------------------


def test_scoped_hr_cannot_make_itself_superuser(client, org):
    hr = org["sales_hr"]
    client.force_login(hr)
    before = flags(hr)
    data = change_data(hr, **escalation(role_group(HR_EDITOR)))

    response = client.post(user_url(hr), data)

    assert response.status_code == 404
    assert flags(hr) == before == (False, False, [HR_EDITOR], 0)
    assert client.get(user_url(hr, "password")).status_code == 404


def test_scoped_hr_flags_posted_for_a_managed_account_are_ignored(client, org):
    zhang = org["zhang"]
    client.force_login(org["sales_hr"])
    before = flags(zhang)

    response = client.post(
        user_url(zhang),
        change_data(zhang, first_name="张叁", **escalation(role_group(HR_EDITOR))),
    )

    assert response.status_code == 302
    assert flags(zhang) == before == (False, False, [], 0)
    assert zhang.first_name == "张叁"  # the fields HR may change are saved


def test_scoped_hr_cannot_change_the_superusers_password(client, org):
    root = org["admin"]
    client.force_login(org["sales_hr"])
    password_hash = root.password

    opened = client.get(user_url(root, "password"))
    posted = client.post(
        user_url(root, "password"),
        {"password1": "Xin-mima-2025!", "password2": "Xin-mima-2025!", "usable_password": "true"},
    )
    changed = client.post(user_url(root), change_data(root, is_superuser="", is_active=""))

    assert (opened.status_code, posted.status_code, changed.status_code) == (404, 404, 404)
    root.refresh_from_db()
    assert root.password == password_hash and root.check_password(PASSWORD)
    assert (root.is_superuser, root.is_active) == (True, True)


def test_unscoped_hr_cannot_reach_the_superusers_account_either(client, org):
    root = org["admin"]
    client.force_login(org["chief_hr"])

    for view in ("change", "password", "delete", "history"):
        assert client.get(user_url(root, view)).status_code == 404, view
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_scoped_hr_cannot_add_itself_to_a_group(client, org):
    hr = org["sales_hr"]
    client.force_login(hr)
    groups_before = list(Group.objects.order_by("pk").values_list("name", flat=True))
    manager_group = role_group(MANAGER)

    refused = [
        client.get(reverse("admin:auth_group_changelist")).status_code,
        client.post(reverse("admin:auth_group_add"), {"name": "超级组"}).status_code,
        client.post(
            reverse("admin:auth_group_change", args=[manager_group.pk]), {"name": "改名"}
        ).status_code,
        client.post(user_url(hr), change_data(hr, groups=[str(manager_group.pk)])).status_code,
    ]

    assert refused == [403, 403, 403, 404]
    assert list(Group.objects.order_by("pk").values_list("name", flat=True)) == groups_before
    assert flags(hr) == (False, False, [HR_EDITOR], 0)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:auth_group_changelist") not in index


def test_scoped_hr_cannot_edit_an_account_outside_its_scope(client, org):
    li, chief = org["li"], org["chief_hr"]
    client.force_login(org["sales_hr"])

    responses = [
        client.post(user_url(li), change_data(li, first_name="改名", is_active="")),
        client.post(
            user_url(li, "password"),
            {"password1": "Xin-mima-2025!", "password2": "Xin-mima-2025!"},
        ),
        client.post(user_url(chief, "password"), {"password1": "x1", "password2": "x1"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    li.refresh_from_db()
    chief.refresh_from_db()
    assert (li.first_name, li.is_active, li.check_password(PASSWORD)) == ("", True, True)
    assert chief.check_password(PASSWORD)


def test_scoped_hr_cannot_take_over_an_account_by_linking_it_to_an_employee(client, org):
    """Hiring links an account to a record; only accounts HR manages may be linked."""
    client.force_login(org["sales_hr"])
    position = PositionFactory(title="置业顾问", department=org["sales"])
    before = Employee.objects.count()

    response = client.post(
        reverse("admin:positions_employee_add"),
        {
            "user": org["chief_hr"].pk,
            "name": "冒名",
            "employee_no": "E9999",
            "hired_on": "2025-02-10",
            "position": position.pk,
        },
    )

    assert response.status_code == 200
    assert "只能选择您管理的登录账号。" in text(response.content.decode())
    assert Employee.objects.count() == before


def test_hr_user_with_db_permissions_gets_exactly_what_permissions_module_says(client, org):
    """Model permissions stored on the group or the user grant nothing by themselves."""
    hr = org["sales_hr"]
    hr_group = role_group(HR_EDITOR)
    for role in (HR_EDITOR, MANAGER, EMPLOYEE):
        assert role_group(role).permissions.count() == 0  # migration 0011
    stored = Permission.objects.filter(
        codename__in=["change_group", "add_group", "change_position", "delete_user"]
    )
    hr_group.permissions.set(stored)
    hr.user_permissions.set(stored)
    hr = User.objects.get(pk=hr.pk)  # no cached permissions

    asked = {
        perm: hr.has_perm(perm)
        for perm in (
            "auth.change_group",
            "auth.add_group",
            "auth.delete_user",
            "auth.view_user",
            "positions.change_position",
            "positions.view_position",
            "positions.change_department",
            "positions.add_editorscope",
            "axes.view_accessattempt",
        )
    }

    assert asked == {
        "auth.change_group": False,
        "auth.add_group": False,
        "auth.delete_user": False,
        "auth.view_user": True,
        "positions.change_position": False,  # sheets are changed in the editor only
        "positions.view_position": True,
        "positions.change_department": True,  # within its scope
        "positions.add_editorscope": False,  # scoped: cannot widen its own reach
        "axes.view_accessattempt": False,
    }
    assert hr.get_all_permissions() == set()
    sales = Department.objects.get(name="销售部")
    finance = Department.objects.get(name="财务部")
    assert hr.has_perm("positions.change_department", sales)
    assert not hr.has_perm("positions.change_department", finance)
    assert permissions.can_edit_department(hr, sales)
    client.force_login(hr)
    assert client.post(reverse("admin:auth_group_add"), {"name": "超级组"}).status_code == 403
    assert not Group.objects.filter(name="超级组").exists()


# --- what HR and superusers may do ------------------------------------------------------------


def test_scoped_hr_sets_the_password_of_an_account_it_manages(client, org):
    zhang = org["zhang"]
    client.force_login(org["sales_hr"])

    response = client.post(
        user_url(zhang, "password"),
        {"password1": "Xin-mima-2025!", "password2": "Xin-mima-2025!", "usable_password": "true"},
    )

    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.check_password("Xin-mima-2025!")


def test_hr_adds_an_account_without_flags_or_roles(client, org):
    client.force_login(org["sales_hr"])

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "wangwu",
            "password1": "Xin-mima-2025!",
            "password2": "Xin-mima-2025!",
            "usable_password": "true",
            "is_superuser": "on",
            "groups": [str(role_group(HR_EDITOR).pk)],
        },
    )

    assert response.status_code == 302
    assert flags(User.objects.get(username="wangwu")) == (False, False, [], 0)


def test_superuser_grants_a_role_in_the_admin(client, org):
    newcomer = org["newcomer"]
    manager_group = role_group(MANAGER)
    client.force_login(org["admin"])
    form = client.get(user_url(newcomer)).content.decode()
    assert 'name="groups"' in form and 'name="is_superuser"' in form

    response = client.post(
        user_url(newcomer),
        change_data(
            newcomer,
            date_joined_0="2025-01-01",
            date_joined_1="08:00:00",
            groups=[str(manager_group.pk)],
        ),
    )

    assert response.status_code == 302, text(response.content.decode())[:1500]
    assert flags(newcomer) == (False, False, [MANAGER], 0)
