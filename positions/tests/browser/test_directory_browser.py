"""林员工 signs in with the company directory (a real slapd) and lands on 我的职位 — in Chromium.

The directory's linyg carries 工号 FZ0004, the demo employee's: the first sign-in adopts the
account `employee`, so the page shows that employee's position, 售楼员.
"""

import pytest
from django.contrib.auth.models import User

from people.tests.slapd import PASSWORD
from positions.tests.browser.test_sheet_browser import seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.ldap, pytest.mark.django_db(transaction=True)]


def test_directory_account_lands_on_my_position(
    seeded,  # noqa: F811
    ldap_directory,
    live_server,
    page,
    screenshot,
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("linyg")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")

    assert page.url == f"{live_server.url}/me/"
    assert "售楼员" in page.locator(".jd-sheet .jd-title").inner_text()
    assert "FZ0004" in page.get_by_text("工号").locator("xpath=..").inner_text()
    assert "陈经理" in page.get_by_test_id("my-superior").inner_text()
    screenshot("directory-sign-in-my-position")
    # The demo account was adopted, not doubled.
    assert not User.objects.filter(username="FZ0004").exists()


def test_directory_down_shows_the_message_on_the_login_page(
    seeded,  # noqa: F811
    ldap_directory,
    live_server,
    page,
    screenshot,
):
    ldap_directory.stop()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill("linyg")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

        alert = page.get_by_role("alert")
        assert alert.inner_text().strip() == "无法连接公司目录，请稍后再试或联系 IT"
        screenshot("directory-unreachable-login")
    finally:
        ldap_directory.start()
