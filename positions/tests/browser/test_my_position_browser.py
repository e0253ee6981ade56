"""An employee logs in and lands on 我的职位 — in real Chromium."""

import pytest

from people.services import demo
from positions.tests.browser.test_sheet_browser import seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    """Open the login page itself (no ?next=), as someone starting their day does."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")


def test_employee_lands_on_my_position(seeded, live_server, page, screenshot):  # noqa: F811
    log_in(page, live_server, "employee")

    assert page.url == f"{live_server.url}/me/"
    sheet = page.locator(".jd-sheet")
    assert "售楼员" in sheet.locator(".jd-title").inner_text()
    superior = page.get_by_test_id("my-superior")
    assert "销售经理" in superior.inner_text()
    assert "陈经理" in superior.inner_text()
    assert page.get_by_role("link", name="下载 PDF").is_visible()
    screenshot("my-position-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("my-position-phone")

    superior.get_by_role("link", name="销售经理").click()
    assert "销售经理" in page.locator(".jd-sheet .jd-title").inner_text()


def test_user_menu_changes_password_and_logs_out(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "manager")

    page.get_by_role("button", name="陈经理").click()
    page.get_by_role("link", name="修改密码").click()
    page.locator("#id_old_password").fill(demo.DEMO_PASSWORD)
    page.locator("#id_new_password1").fill("Xin-mima-2025!")
    page.locator("#id_new_password2").fill("Xin-mima-2025!")
    page.get_by_role("button", name="确认修改").click()
    assert "您的密码已修改成功" in page.content()

    page.get_by_role("button", name="陈经理").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    assert "您已安全退出登录。" in page.content()


def test_employee_acknowledges_the_version_in_force(seeded, live_server, page, screenshot):  # noqa: F811
    log_in(page, live_server, "employee")

    banner = page.locator("#acknowledge-banner")
    assert "售楼员" not in banner.inner_text()  # the banner names the version, not the title
    assert "V1 已生效" in banner.inner_text()
    screenshot("my-position-acknowledge-banner")
    page.get_by_role("button", name="我已阅读并确认").click()

    assert "已确认阅读 售楼员 V1 职位说明书" in page.locator(".alert-success").first.inner_text()
    assert page.locator("#acknowledge-banner").count() == 0
    assert "确认阅读 V1" in page.locator("#acknowledged-note").inner_text()
