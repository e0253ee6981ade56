"""HR uploads a .zip of Word sheets: progress bar → preview (只看有变化) → confirm → done."""

import io
import zipfile

import pytest

from positions.models import ImportJob, Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)
from printing.tests.book_helpers import run_worker
from transfer.tests import word_helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_zip_of_word_sheets_goes_from_progress_to_preview_to_imported(
    seeded,  # noqa: F811
    live_server,
    page,
    screenshot,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "说明书.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("售楼员.docx", word_helpers.layout_a())
        bundle.writestr("空白.docx", "职位名称：售楼员".encode())
        bundle.writestr("~$售楼员.docx", b"lock")
    archive.write_bytes(buffer.getvalue())

    log_in(page, live_server, "hr")
    page.goto(f"{live_server.url}/transfer/")
    page.locator("#import-job-link").click()
    page.get_by_label("文件（可多选，也可上传 .zip 压缩包）").set_input_files(str(archive))
    # Hold the page's status polls while the worker runs in this thread (one database).
    page.route("**/status/", lambda route: route.abort())
    page.get_by_role("button", name="上传并解析").click()

    assert page.locator("#import-job-state").inner_text() == "排队中"
    screenshot("import-job-queued")
    run_worker()
    page.unroute("**/status/")
    # import_job.js polls, sees parsing finished and reloads: the preview appears.
    page.locator("#import-job-items").wait_for(timeout=30_000)
    assert page.locator("#import-job-state").inner_text() == "待确认"
    assert page.locator("#import-job-bar").inner_text() == "100%"
    items = page.locator("#import-job-items")
    assert "售楼员.docx" in items.inner_text() and "空白.docx" in items.inner_text()
    assert "~$售楼员.docx" in page.locator("#import-job-skipped").inner_text()
    screenshot("import-job-preview")
    # A file that cannot be imported blocks the confirmation: no button until it is gone.
    assert page.get_by_role("button", name="确认导入").count() == 0

    # 只看有变化: the refused file (no change) leaves the list, the update stays.
    page.get_by_role("link", name="只看有变化（1）").click()
    assert "空白.docx" not in page.locator("#import-job-items").inner_text()
    assert "售楼员.docx" in page.locator("#import-job-items").inner_text()
    page.get_by_role("link", name="全部（2）").click()
    assert "空白.docx" in page.locator("#import-job-items").inner_text()

    page.get_by_role("button", name="取消导入").click()
    assert ImportJob.objects.get().status == ImportJob.Status.CANCELLED

    # Again, with the good file only: confirm, the worker writes, the page says so.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("售楼员.docx", word_helpers.layout_a())
    archive.write_bytes(buffer.getvalue())
    page.get_by_label("文件（可多选，也可上传 .zip 压缩包）").set_input_files(str(archive))
    page.route("**/status/", lambda route: route.abort())
    page.get_by_role("button", name="上传并解析").click()
    run_worker()
    page.reload()
    page.get_by_role("button", name="确认导入").click()
    assert page.locator("#import-job-state").inner_text() == "等待导入"
    run_worker()
    page.unroute("**/status/")
    page.locator("#import-job-result").wait_for(timeout=30_000)
    assert "已从 Word 导入 1 份职位说明书" in page.locator("#import-job-result").inner_text()
    screenshot("import-job-done")
    assert Position.objects.get(code="FZ-XS-101").status == Position.Status.DRAFT
