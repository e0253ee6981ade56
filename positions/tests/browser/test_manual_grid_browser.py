"""The 权责手册 grid editor in real Chromium: keyboard editing, a new band, saving, the checks."""

import pytest

from positions.models import Band, Body, Grant, Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_edits_the_matrix_with_the_keyboard_and_saves(
    seeded,  # noqa: F811
    live_server,
    page,
    screenshot,
):
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/rights/grid/")
    page.wait_for_selector("td.grid-cell")
    headers = page.locator("thead th.grid-column .grid-column-label").all_inner_texts()
    col = headers.index("营销总监")
    first = page.locator(f'td[data-row="0"][data-col="{col}"]')  # 优惠申请 折扣 ≥ 99%: empty
    assert first.inner_text() == ""
    first.click()
    page.keyboard.press("s")  # 审核
    assert first.inner_text() == "审核"
    page.keyboard.press("s")  # s again: 审批 (two levels share the letter)
    assert first.inner_text() == "审批"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("5")  # 执行 on 98% ≤ 折扣 < 99%
    assert page.locator(f'td[data-row="1"][data-col="{col}"]').inner_text() == "执行"
    page.keyboard.press("Delete")
    assert page.locator(f'td[data-row="1"][data-col="{col}"]').inner_text() == ""
    page.keyboard.press("Enter")  # a new band below, its condition focused
    page.keyboard.type("折扣 = 100%")
    assert "有未保存的修改" in page.locator("[data-grid-status]").inner_text()
    screenshot("manual-grid-editing", full_page=False)
    page.get_by_role("button", name="保存").click()
    page.locator("[data-grid-status]", has_text="已保存").wait_for()
    position = Position.objects.get(title="营销总监")
    band = Band.objects.get(matter__name="优惠申请", condition="折扣 ≥ 99%")
    assert Grant.objects.get(band=band, position=position).level == "approve"
    assert Band.objects.filter(matter__name="优惠申请", condition="折扣 = 100%").exists()
    # The checks: the new band has neither 审批 nor 执行; its link outlines the row.
    check = page.locator("[data-grid-checks] a", has_text="“优惠申请（折扣 = 100%）”没有审批。")
    check.click()
    assert page.locator("tr.grid-flagged .grid-condition").input_value() == "折扣 = 100%"
    screenshot("manual-grid-checks", full_page=False)
    assert blocked == []  # no inline script or style: the CSP holds


def test_hr_adds_a_category_a_matter_and_a_body_then_deletes_a_band(
    seeded,  # noqa: F811
    live_server,
    page,
):
    answers = iter(["人事管理", "招聘录用", "股东会"])

    def answer(dialog):
        if dialog.type == "prompt":
            dialog.accept(next(answers))
        else:
            dialog.accept()

    page.on("dialog", answer)
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/rights/grid/")
    page.wait_for_selector("td.grid-cell")
    page.get_by_role("button", name="添加类别").click()
    page.locator("tr.grid-category", has_text="人事管理").get_by_role(
        "button", name="+事项"
    ).click()
    page.get_by_role("button", name="添加机构").click()
    assert "股东会" in page.locator("thead").inner_text()
    bands = Band.objects.filter(matter__name="价格调整").count()
    first_band = page.get_by_label("价格调整 档位/条件").first
    first_band.locator("xpath=ancestor::tr").get_by_role("button", name="删除").click()
    page.get_by_role("button", name="保存").click()
    page.locator("[data-grid-status]", has_text="已保存").wait_for()
    assert Band.objects.filter(matter__category__name="人事管理", matter__name="招聘录用").exists()
    assert Body.objects.filter(name="股东会").exists()
    assert Band.objects.filter(matter__name="价格调整").count() == bands - 1
