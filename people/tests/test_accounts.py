"""Accounts: login throttling (django-axes, by username), logout, password change."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from people.services import accounts
from positions.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "jobdesc-pass-123"  # UserFactory's password
OFFICE_NAT = "203.0.113.7"  # the one address a whole office reaches us from
LOCKED = "该账号因连续 5 次登录失败已被锁定，请 15 分钟后再试，或联系人力资源部解锁。"
WRONG = "请输入一个正确的"  # Django's Chinese "please enter a correct username and password"


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhangsan", first_name="张三")


@pytest.fixture
def li(db):
    return UserFactory(username="lisi", first_name="李四")


def attempt(client, username, password, *, address=OFFICE_NAT):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def fail(client, username, times):
    return [attempt(client, username, "wrong-password") for _ in range(times)]


def clock_moves_on(username, delta):
    """Time passes for axes: its attempts are compared with timezone.now() minus the cool-off."""
    AccessAttempt.objects.filter(username=username).update(attempt_time=F("attempt_time") - delta)


# --- throttling --------------------------------------------------------------------------------


def test_login_first_four_failures_show_the_ordinary_error(client, zhang):
    responses = fail(client, "zhangsan", 4)

    for response in responses:
        assert response.status_code == 200
        assert WRONG in response.content.decode()
        assert "已被锁定" not in response.content.decode()


def test_login_sixth_failure_is_locked_while_colleague_on_same_ip_logs_in(client, zhang, li):
    responses = fail(client, "zhangsan", 6)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    sixth = responses[-1].content.decode()
    assert LOCKED in sixth
    # Our login page again, with the username kept.
    assert 'name="username"' in sixth and 'value="zhangsan"' in sixth
    assert "请使用公司账号登录" in sixth

    # Same office, same NAT address: 李四 is not affected.
    response = attempt(client, "lisi", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("positions:my-position")
    assert logged_in_as(client) == str(li.pk)


def test_login_locked_username_refuses_correct_password_until_lock_expires(client, zhang):
    fail(client, "zhangsan", 5)

    response = attempt(client, "zhangsan", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert logged_in_as(client) is None

    # From a different address it is the same account, and just as locked.
    response = attempt(client, "zhangsan", PASSWORD, address="198.51.100.20")
    assert response.status_code == 429
    assert logged_in_as(client) is None

    clock_moves_on("zhangsan", datetime.timedelta(minutes=14))
    response = attempt(client, "zhangsan", PASSWORD)
    assert response.status_code == 429
    assert logged_in_as(client) is None

    clock_moves_on("zhangsan", datetime.timedelta(minutes=1, seconds=1))
    response = attempt(client, "zhangsan", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == str(zhang.pk)


def test_login_attempts_while_locked_do_not_extend_the_lock(client, zhang):
    fail(client, "zhangsan", 5)
    clock_moves_on("zhangsan", datetime.timedelta(minutes=10))

    fail(client, "zhangsan", 3)  # still locked; the clock must not restart
    clock_moves_on("zhangsan", datetime.timedelta(minutes=5, seconds=1))

    assert attempt(client, "zhangsan", PASSWORD).status_code == 302


def test_login_success_resets_the_failure_count(client, zhang):
    fail(client, "zhangsan", 4)
    assert attempt(client, "zhangsan", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    responses = fail(client, "zhangsan", 4)

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert attempt(client, "zhangsan", PASSWORD).status_code == 302


def test_login_lockout_message_names_the_configured_hr_contact(client, zhang, settings):
    settings.HR_CONTACT = "人力行政部 王人事（分机 8001）"

    response = fail(client, "zhangsan", 5)[-1]

    assert "或联系人力行政部 王人事（分机 8001）解锁。" in response.content.decode()


@pytest.mark.parametrize(
    ("cool_off", "expected"),
    [
        (datetime.timedelta(minutes=15), "请 15 分钟后再试，或联系人力资源部解锁。"),
        (datetime.timedelta(hours=1), "请 1 小时后再试，"),
        (datetime.timedelta(minutes=90), "请 1 小时 30 分钟后再试，"),
        (None, "已被锁定，请联系人力资源部解锁。"),
    ],
)
def test_lockout_message_names_the_wait(cool_off, expected):
    assert expected in accounts.lockout_message(failure_limit=5, cool_off=cool_off)


def test_login_page_lands_on_my_position(client, zhang):
    response = attempt(client, "zhangsan", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("positions:my-position")


# --- logout ------------------------------------------------------------------------------------


def test_logout_lands_on_login_page_with_message(client, zhang):
    client.force_login(zhang)

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    page = response.content.decode()
    assert "您已安全退出登录。" in page
    assert "请使用公司账号登录" in page
    assert logged_in_as(client) is None


def test_navbar_user_menu_offers_my_position_password_change_and_logout(client, zhang):
    client.force_login(zhang)

    page = client.get(reverse("positions:position-list")).content.decode()

    assert f'href="{reverse("password_change")}"' in page
    assert "修改密码" in page
    assert "我的职位" in page
    assert "退出登录" in page


# --- password change ---------------------------------------------------------------------------


def test_password_change_happy_path(client, zhang):
    client.force_login(zhang)
    new = "Xin-mima-2025!"

    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "您的密码已修改成功" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(new)
    assert logged_in_as(client) == str(zhang.pk)  # still signed in after the change


def test_password_change_wrong_old_password_shows_chinese_error_and_keeps_new_ones(client, zhang):
    client.force_login(zhang)
    new = "Xin-mima-2025!"

    response = client.post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": new, "new_password2": new},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "你的旧密码不正确" in page
    assert page.count(f'value="{new}"') == 2  # both new-password fields kept
    assert 'value="not-my-password"' not in page
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_password_change_rejected_new_password_is_not_sent_back(client, zhang):
    client.force_login(zhang)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-mima-2025!", "new_password2": "other"},
    )

    page = response.content.decode()
    assert "输入的两个密码不一致。" in page
    assert 'value="Xin-mima-2025!"' not in page


def test_password_change_anonymous_is_redirected_to_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
