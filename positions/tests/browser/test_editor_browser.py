"""The HR editor in real Chromium: create and reorder, two editors at once, a validation error."""

import re

import pytest

from people.services import demo
from positions.models import Duty, Position
from positions.tests.browser.seeding import load_once, seed_demo_with_revisions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUTY_ROWS = "[data-rows='duties'] > [data-row]"


@pytest.fixture
def seeded(transactional_db):
    # As in test_sheet_browser: the role groups must be recreated after each flush.
    load_once("demo+revisions", seed_demo_with_revisions)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/me/$"))


def save(page) -> None:
    page.get_by_role("button", name="保存").first.click()


def task_values(page) -> list[str]:
    return [box.input_value() for box in page.locator("textarea[name$='-tasks']").all()]


def test_editor_creates_position_with_reordered_duties(seeded, live_server, page, screenshot):
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/")
    page.get_by_role("link", name="新增职位").click()
    page.locator("#id_title").fill("案场主管")
    page.locator("#id_code").fill("FZ-XS-060")
    page.get_by_label("查找部门").fill("销售部")
    page.locator("[data-picker-results] button", has_text="销售部").first.click()
    rows = page.locator(DUTY_ROWS)
    rows.nth(0).locator("textarea[name$='-tasks']").fill("第一项：组织案场接待；")
    page.get_by_role("button", name="添加职责").click()
    rows.nth(1).locator("textarea[name$='-tasks']").fill("第二项：检查案场秩序；")
    page.get_by_role("button", name="添加职责").click()
    rows.nth(2).locator("textarea[name$='-tasks']").fill("第三项：汇总来访数据；")

    rows.nth(2).get_by_role("button", name="上移").click()  # the third duty becomes second

    assert task_values(page) == [
        "第一项：组织案场接待；",
        "第三项：汇总来访数据；",
        "第二项：检查案场秩序；",
    ]
    assert [r.locator("input[name$='-rank']").input_value() for r in rows.all()] == ["1", "2", "3"]
    screenshot("editor-new-reordered")
    save(page)
    page.wait_for_url(re.compile(r"/positions/\d+/$"))

    sheet = page.locator(".jd-sheet").inner_text()
    assert "案场主管" in sheet
    first, third, second = (sheet.index(f"{n}项") for n in ("第一", "第三", "第二"))
    assert first < third < second
    assert "已新建职位“案场主管”（草稿）。" in page.locator(".alert-success").inner_text()


def test_editor_concurrent_edits_show_conflict_and_lose_nothing(
    seeded, live_server, browser, page, screenshot
):
    manager = Position.objects.get(code="FZ-XS-001")
    edit_url = f"{live_server.url}/positions/{manager.pk}/edit/"
    other_context = browser.new_context(locale="zh-CN")
    other = other_context.new_page()
    other.set_default_timeout(15_000)
    log_in(page, live_server, "hr")
    log_in(other, live_server, "admin")
    page.goto(edit_url)
    other.goto(edit_url)

    other.locator("textarea[name$='-tasks']").nth(0).fill("对方的修改：重新制定销售计划；")
    save(other)
    other.wait_for_url(re.compile(r"/positions/\d+/$"))
    page.locator("textarea[name$='-tasks']").nth(1).fill("我的修改：跟踪回款进度；")
    save(page)

    conflict = page.locator("#editor-conflict")
    assert "此职位已被他人修改" in conflict.inner_text()
    assert "对方所做的修改" in conflict.inner_text()  # compared with where I started
    assert "对方的修改：重新制定销售计划；" in conflict.inner_text()  # theirs is shown
    assert "我的修改：跟踪回款进度；" in task_values(page)  # mine is still in the form
    stored = list(Duty.objects.filter(position=manager).values_list("tasks", flat=True))
    assert "对方的修改：重新制定销售计划；" in stored  # theirs is stored
    assert not any("我的修改" in tasks for tasks in stored)
    screenshot("editor-conflict")

    # merge: take their text into my form and save again — both are kept
    page.locator("textarea[name$='-tasks']").nth(0).fill("对方的修改：重新制定销售计划；")
    save(page)
    page.wait_for_url(re.compile(r"/positions/\d+/$"))
    sheet = page.locator(".jd-sheet").inner_text()
    assert "对方的修改：重新制定销售计划；" in sheet and "我的修改：跟踪回款进度；" in sheet
    other_context.close()


def test_editor_duplicate_code_keeps_typed_duties(seeded, live_server, page, screenshot):
    manager = Position.objects.get(code="FZ-XS-001")
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/{manager.pk}/")
    page.get_by_role("link", name="编辑").click()
    page.locator("#id_code").fill("FZ-XS-101")  # 售楼员's
    page.locator("textarea[name$='-tasks']").nth(0).fill("改写的第一项任务；")
    page.get_by_role("button", name="添加职责").click()
    page.locator(DUTY_ROWS).last.locator("textarea[name$='-tasks']").fill("新增的职责任务；")
    page.locator(DUTY_ROWS).last.locator("input[name$='-title']").fill("新增职责")
    save(page)

    error = page.locator("#id_code").locator("xpath=..").inner_text()
    assert "职位编号“FZ-XS-101”已被“售楼员”使用。" in error
    assert "保存未成功" in page.locator("#editor-errors").inner_text()
    values = task_values(page)
    assert "改写的第一项任务；" in values and "新增的职责任务；" in values
    assert page.locator("input[value='新增职责']").count() == 1
    assert page.locator("#id_code").input_value() == "FZ-XS-101"
    manager.refresh_from_db()
    assert manager.code == "FZ-XS-001"
    screenshot("editor-validation-error")


def test_editor_picker_searches_what_was_typed_before_the_script_ran(seeded, live_server, page):
    # A slow connection: the user types into 查找部门 before editor.js has arrived.
    page.route(
        "**/js/editor*.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/new/")
    src = page.locator("script[src*='js/editor']").get_attribute("src")
    page.get_by_label("查找部门").fill("销售部")
    page.wait_for_timeout(400)  # longer than the picker's 200 ms pause: nothing was listening
    assert page.locator("[data-picker-results] button").count() == 0

    page.unroute("**/js/editor*.js")
    page.add_script_tag(url=src)  # the script arrives late

    page.locator("[data-picker-results] button", has_text="销售部").first.click()
    assert "销售部" in page.locator("[data-picker-chips]").first.inner_text()
