"""HR exports the positions, edits the workbook, imports it back — in real Chromium."""

import pytest

from positions.models import Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)
from transfer.tests.excel_helpers import open_bytes, save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_exports_edits_and_imports_back(
    seeded,  # noqa: F811
    live_server,
    page,
    screenshot,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/positions/?department=")
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    workbook = open_bytes(exported.read_bytes())
    workbook["职位"]["B2"] = "总经理（新）"
    workbook["职位"].cell(row=3, column=3, value="不存在的部门")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(save(workbook))

    page.get_by_role("link", name="导入", exact=True).click()
    screenshot("transfer-page")
    page.locator("#id_positions-file").set_input_files(str(bad))
    page.locator("#position-import-card").get_by_role("button", name="上传并预览").click()
    problems = page.locator("#import-problems")
    assert "未知的部门“不存在的部门”" in problems.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    screenshot("transfer-preview-problems")
    page.get_by_role("button", name="放弃此文件").click()

    workbook["职位"].cell(row=3, column=3, value=workbook["职位"]["C4"].value)
    good = tmp_path / "good.xlsx"
    good.write_bytes(save(workbook))
    page.locator("#id_positions-file").set_input_files(str(good))
    page.locator("#position-import-card").get_by_role("button", name="上传并预览").click()
    assert "更新" in page.locator("#import-plan").inner_text()
    screenshot("transfer-preview")
    page.get_by_role("button", name="确认导入").click()
    assert "已导入" in page.content()
    assert Position.objects.filter(title="总经理（新）", status=Position.Status.DRAFT).exists()
