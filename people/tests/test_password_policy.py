"""The password policy on the password-change page: long enough (PASSWORD_MIN_LENGTH), not the
username or the 工号, not common, not only digits; the refusals in Chinese."""

import pytest
from django.urls import reverse

from positions.tests.factories import EmployeeFactory, UserFactory
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "jobdesc-pass-123"  # UserFactory's password
CHANGE = reverse("password_change")


@pytest.fixture
def wang(db):
    user = UserFactory(username="wangwu", first_name="王五")
    EmployeeFactory(user=user, name="王五", employee_no="FZ20240017")
    return user


@pytest.fixture
def wang_client(client, wang):
    client.force_login(wang)
    return client


def change_to(client, new: str):
    return client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


def assert_refused(response, user, message: str) -> None:
    assert response.status_code == 200
    assert message in page_text(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_page_states_the_policy(wang_client):
    page = page_text(wang_client.get(CHANGE))

    assert "你的密码必须包含至少 10 个字符。" in page
    assert "密码不能包含您的用户名或工号。" in page


def test_password_equal_to_the_employee_number_is_refused(wang_client, wang):
    assert_refused(change_to(wang_client, "FZ20240017"), wang, "密码不能包含您的工号。")


def test_password_containing_the_employee_number_in_any_case_is_refused(wang_client, wang):
    assert_refused(change_to(wang_client, "my-fz20240017!"), wang, "密码不能包含您的工号。")


def test_password_containing_the_username_is_refused(wang_client, wang):
    assert_refused(change_to(wang_client, "Hello-WangWu-88"), wang, "密码不能包含您的用户名。")


def test_password_shorter_than_the_minimum_is_refused(wang_client, wang):
    assert_refused(change_to(wang_client, "Qm7-xyz!k"), wang, "密码太短，至少需要 10 个字符。")


def test_password_common_or_all_digits_is_refused(wang_client, wang):
    assert_refused(change_to(wang_client, "password123"), wang, "这个密码太常见了。")
    assert_refused(change_to(wang_client, "4907318265"), wang, "密码只包含数字。")


def test_password_good_one_is_accepted(wang_client, wang):
    response = change_to(wang_client, "Qm7-xyz!k2")  # ten characters

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    wang.refresh_from_db()
    assert wang.check_password("Qm7-xyz!k2")


def test_password_account_without_employee_only_checks_the_username(client):
    admin = UserFactory(username="sysadmin")
    client.force_login(admin)

    response = change_to(client, "FZ20240017-ok")

    assert response.status_code == 302
