"""Signing in with the company directory, against a real slapd (people/tests/slapd.py).

The directory (people/tests/directory/tree.ldif): 张三 zhangsan (工号 LD1001, HR group), 李四
lisi (LD1002, managers group), 王五 wangwu (LD1003, the roster's account), 赵六 zhaoliu
(LD1004, disabled in AD), 孙七 sunqi (no 工号); every password is ``PASSWORD``.
"""

import datetime

import ldap
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.urls import reverse

from audit.models import AuditEvent
from people.services.people import hire_employee
from people.services.roster import apply_roster_plan, plan_roster_import
from people.tests.slapd import LOCKOUT_THRESHOLD, PASSWORD
from positions import permissions
from positions.models import Position, Role
from positions.tests.factories import PositionFactory, UserFactory
from positions.tests.text import page_text
from transfer.tests.excel_helpers import roster_book

pytestmark = [pytest.mark.ldap, pytest.mark.django_db]

ME = reverse("positions:my-position")
WRONG = "请输入一个正确的用户名和密码"  # Django's Chinese "please enter a correct username …"
LOCKED = "该账号因连续 5 次登录失败已被锁定，请 30 分钟后再试，或联系人力资源部解锁。"
UNREACHABLE = "无法连接公司目录，请稍后再试或联系 IT"
LOCAL_PASSWORD = "jobdesc-pass-123"  # UserFactory's


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_as(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def roles(user: User) -> set[str]:
    return set(Role.objects.filter(group__user=user).values_list("code", flat=True))


# --- signing in -------------------------------------------------------------------------------


def test_directory_sign_in_creates_the_account_named_by_the_employee_no(client, ldap_directory):
    response = sign_in(client, "zhangsan")

    assert response.status_code == 302
    assert response["Location"] == ME
    account = signed_in_as(client)
    assert (account.username, account.first_name, account.email) == (
        "LD1001",
        "张三",
        "zhangsan@example.com",
    )
    assert not account.has_usable_password()  # the directory holds the password
    page = page_text(client.get(ME))
    assert "您尚未分配职位" in page
    assert "您的账号（LD1001）尚未关联员工档案" in page


def test_directory_sign_in_again_uses_the_same_account(client, ldap_directory):
    sign_in(client, "zhangsan")
    client.logout()

    sign_in(client, "ZhangSan")

    assert signed_in_as(client).username == "LD1001"
    assert User.objects.filter(username__startswith="LD").count() == 1


def test_directory_group_grants_its_role(client, ldap_directory):
    sign_in(client, "zhangsan")

    assert roles(signed_in_as(client)) == {permissions.HR_EDITOR}
    # HR 编辑 reaches the admin.
    assert "jobdesc 管理后台" in page_text(client.get(reverse("admin:index")))


def test_directory_role_change_is_in_the_audit_trail(client, ldap_directory):
    sign_in(client, "zhangsan")
    account = signed_in_as(client)
    auditor = UserFactory(username="auditor")
    auditor.groups.add(permissions.role_group(permissions.AUDITOR))
    client.force_login(auditor)

    page = page_text(client.get(reverse("positions:audit-user", args=[account.pk])))

    assert "角色变更" in page
    assert "授予角色：HR 编辑" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGE)
    assert (event.user, event.object_id) == (account, str(account.pk))


def test_directory_without_mapped_group_grants_no_role(client, ldap_directory):
    sign_in(client, "wangwu")

    assert roles(signed_in_as(client)) == set()
    assert "您没有访问管理后台的权限" in page_text(client.get(reverse("admin:index")))


@pytest.fixture
def lisi_leaves_the_managers_group(ldap_directory):
    """Takes 李四 out of the directory's managers group; puts him back after the test."""
    group = ldap_directory.dn("cn=jobdesc-managers,ou=groups")
    member = ldap_directory.dn("cn=lisi,ou=users").encode()
    nobody = ldap_directory.dn("cn=wangwu,ou=users").encode()  # groupOfNames needs a member

    def leave():
        ldap_directory.modify(group, [(ldap.MOD_ADD, "member", [nobody])])
        ldap_directory.modify(group, [(ldap.MOD_DELETE, "member", [member])])

    yield leave
    ldap_directory.modify(group, [(ldap.MOD_REPLACE, "member", [member])])  # as in tree.ldif


def test_directory_group_removed_removes_the_role_at_next_sign_in(
    client, ldap_directory, lisi_leaves_the_managers_group
):
    sign_in(client, "lisi")
    account = signed_in_as(client)
    assert roles(account) == {permissions.MANAGER}
    client.logout()

    lisi_leaves_the_managers_group()
    sign_in(client, "lisi")

    assert signed_in_as(client) == account
    assert roles(account) == set()


def test_directory_leaves_roles_no_group_maps(client, ldap_directory):
    account = UserFactory(username="LD1002")
    account.groups.add(permissions.role_group(permissions.AUDITOR))

    sign_in(client, "lisi")

    assert signed_in_as(client) == account
    assert roles(account) == {permissions.AUDITOR, permissions.MANAGER}


# --- adopting the roster's account ------------------------------------------------------------


@pytest.fixture
def roster_wangwu(db):
    """What the 花名册 import made of 王五: account LD1003 (no password), 员工, employee."""
    account = User(username="LD1003", first_name="王五")
    account.set_unusable_password()
    account.save()
    account.groups.add(permissions.role_group(permissions.EMPLOYEE))
    position = PositionFactory(title="招商专员", status=Position.Status.DRAFT)
    hire_employee(
        user=account,
        name="王五",
        employee_no="LD1003",
        hired_on=datetime.date(2024, 3, 1),
        position=position,
    )
    return account


def test_directory_first_sign_in_adopts_the_roster_account(client, ldap_directory, roster_wangwu):
    accounts_before = User.objects.count()

    sign_in(client, "wangwu")

    assert signed_in_as(client) == roster_wangwu
    assert User.objects.count() == accounts_before
    page = page_text(client.get(ME))
    assert "您当前任职「招商专员」" in page


def test_directory_adopts_the_employee_account_whatever_its_username(client, ldap_directory):
    account = UserFactory(username="wang.wu", first_name="王五")
    hire_employee(
        user=account,
        name="王五",
        employee_no="LD1003",
        hired_on=datetime.date(2024, 3, 1),
        position=PositionFactory(title="招商专员", status=Position.Status.DRAFT),
    )

    sign_in(client, "wangwu")

    assert signed_in_as(client) == account
    account.refresh_from_db()
    # Adopted: from now on the directory's password, not the local one.
    assert not account.has_usable_password()
    assert not User.objects.filter(username="LD1003").exists()


def test_directory_account_is_the_one_the_roster_hires_later(client, ldap_directory, hr_user):
    sign_in(client, "zhangsan")
    account = signed_in_as(client)
    client.logout()
    PositionFactory(code="FZ-ZS-001", title="招商经理", status=Position.Status.DRAFT)

    plan = plan_roster_import(
        roster_book([["张三", "LD1001", "FZ-ZS-001", datetime.date(2026, 3, 2)]]), hr_user
    )
    apply_roster_plan(plan, hr_user)
    sign_in(client, "zhangsan")

    assert signed_in_as(client) == account
    # 张三 is an HR editor (directory group): the draft's sheet is shown.
    assert "我的职位 招商经理 FZ-ZS-001" in page_text(client.get(ME))


def test_directory_never_takes_over_a_superuser(client, ldap_directory):
    UserFactory(username="LD1001", is_superuser=True, is_staff=True)

    response = sign_in(client, "zhangsan")

    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


def test_directory_never_signs_in_to_a_deactivated_account(client, ldap_directory):
    UserFactory(username="LD1001", is_active=False)

    response = sign_in(client, "zhangsan")

    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


# --- refused ----------------------------------------------------------------------------------


def test_directory_disabled_account_cannot_sign_in(client, ldap_directory):
    response = sign_in(client, "zhaoliu")

    assert response.status_code == 200
    assert WRONG in page_text(response)
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="LD1004").exists()


def test_directory_entry_without_employee_no_cannot_sign_in(client, ldap_directory):
    response = sign_in(client, "sunqi")

    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


@pytest.mark.parametrize("username", ["*", "zhang*", "zhangsan)(cn=*", "zhangsan\\00"])
def test_directory_filter_characters_in_the_name_find_nobody(client, ldap_directory, username):
    response = sign_in(client, username)

    assert WRONG in page_text(response)
    assert signed_in_as(client) is None


def test_directory_empty_password_is_refused_before_the_directory(client, ldap_directory):
    response = sign_in(client, "zhangsan", "")

    assert "该字段是必填项。" in page_text(response)
    assert signed_in_as(client) is None


def test_directory_off_unless_configured(client, directory_server):
    response = sign_in(client, "zhangsan")

    assert WRONG in page_text(response)
    assert not User.objects.filter(username="LD1001").exists()


def test_directory_local_accounts_keep_signing_in(client, ldap_directory):
    local = UserFactory(username="admin", is_superuser=True, is_staff=True)

    sign_in(client, "admin", LOCAL_PASSWORD)

    assert signed_in_as(client) == local


# --- wrong passwords: django-axes locks before the directory would ----------------------------


def test_directory_wrong_password_counts_for_axes(client, ldap_directory):
    responses = [sign_in(client, "zhangsan", "wrong-password") for _ in range(6)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    assert WRONG in page_text(responses[0])
    assert LOCKED in page_text(responses[-1])
    # Locked: even the right password waits for the lock to end.
    assert sign_in(client, "zhangsan").status_code == 429
    assert signed_in_as(client) is None

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=31))
    sign_in(client, "zhangsan")

    assert signed_in_as(client).username == "LD1001"


# --- the directory does not answer ------------------------------------------------------------


@pytest.fixture
def directory_stopped(ldap_directory):
    yield ldap_directory.stop
    if ldap_directory.process is None:
        ldap_directory.start()


@pytest.fixture
def directory_hung(ldap_directory):
    yield ldap_directory.freeze
    ldap_directory.thaw()


def test_directory_stopped_mid_test_says_so_and_local_accounts_sign_in(
    client, ldap_directory, directory_stopped
):
    local = UserFactory(username="admin", is_superuser=True, is_staff=True)
    sign_in(client, "zhangsan")
    assert signed_in_as(client).username == "LD1001"
    client.logout()

    directory_stopped()
    response = sign_in(client, "zhangsan")

    assert response.status_code == 200
    assert UNREACHABLE in page_text(response)
    assert WRONG not in page_text(response)
    assert signed_in_as(client) is None
    sign_in(client, "admin", LOCAL_PASSWORD)
    assert signed_in_as(client) == local


def test_directory_outage_never_locks_people_out(client, ldap_directory, directory_stopped):
    directory_stopped()

    responses = [sign_in(client, "zhangsan") for _ in range(7)]

    assert {r.status_code for r in responses} == {200}
    assert UNREACHABLE in page_text(responses[-1])
    assert not AccessAttempt.objects.exists()
    ldap_directory.start()
    sign_in(client, "zhangsan")
    assert signed_in_as(client).username == "LD1001"


def test_directory_hung_says_so_after_the_timeout(client, ldap_directory, directory_hung):
    directory_hung()

    response = sign_in(client, "zhangsan")

    assert UNREACHABLE in page_text(response)
    assert signed_in_as(client) is None


def test_directory_locks_an_account_after_its_threshold(ldap_directory):
    """The test directory locks as AD does: six wrong passwords, then even the right one fails."""
    zhouba = ldap_directory.dn("cn=zhouba,ou=users")
    for _ in range(LOCKOUT_THRESHOLD):
        with pytest.raises(ldap.INVALID_CREDENTIALS):
            ldap_directory.bind(zhouba, "wrong-password")

    assert ldap_directory.locked_out(zhouba)
    with pytest.raises(ldap.INVALID_CREDENTIALS):
        ldap_directory.bind(zhouba, PASSWORD)


def test_directory_wrong_passwords_never_lock_the_directory_account(client, ldap_directory):
    zhangsan = ldap_directory.dn("cn=zhangsan,ou=users")

    # axes locks after 5 (below the directory's 6); twenty more attempts never reach it, however
    # the name is spelt (the directory finds them all).
    spellings = ["zhangsan", "ZhangSan", " zhangsan", "ZHANGSAN ", "Zhangsan"]
    responses = [sign_in(client, spellings[i % 5], "wrong-password") for i in range(25)]

    assert [r.status_code for r in responses[:5]] == [200, 200, 200, 200, 429]
    assert {r.status_code for r in responses[5:]} == {429}
    assert not ldap_directory.locked_out(zhangsan)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=31))
    sign_in(client, "zhangsan")
    assert signed_in_as(client).username == "LD1001"
