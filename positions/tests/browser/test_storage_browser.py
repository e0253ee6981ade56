"""The object store is down: HR's upload and the company logo say so; no error 500 anywhere."""

import pytest

from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)
from transfer.services import excel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "文件存储暂时不可用，请稍后再试"


def test_storage_down_upload_and_preview_say_so(
    seeded,  # noqa: F811
    s3_unreachable,
    live_server,
    page,
    screenshot,
    tmp_path,
):
    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/transfer/")
    workbook = tmp_path / "职位.xlsx"
    workbook.write_bytes(excel.template_workbook())
    page.locator("#id_positions-file").set_input_files(str(workbook))
    page.locator("#position-import-card").get_by_role("button", name="上传并预览").click()

    assert MESSAGE in page.locator("#position-import-card").inner_text()
    screenshot("storage-unavailable-upload")

    response = page.goto(f"{live_server.url}/transfer/positions/import/{'a' * 32}/")
    assert response.status == 503
    assert MESSAGE in page.get_by_test_id("error-reason").inner_text()
    screenshot("storage-unavailable-page")
