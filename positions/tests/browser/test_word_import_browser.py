"""HR uploads two Word 职位说明书, checks the preview, picks a department and confirms."""

import pytest
from django.urls import reverse

from positions.models import Department, Position
from positions.tests.browser.seeding import load_once, seed_demo
from positions.tests.browser.test_sheet_browser import log_in
from transfer.tests import word_helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_once("demo", seed_demo)
    Position.objects.filter(code="MK105").update(code="MK105-OLD")


def test_word_files_uploaded_previewed_and_imported_as_drafts(
    seeded, live_server, page, screenshot, tmp_path
):
    files = []
    for name, data in (
        ("销售管理专员.docx", word_helpers.layout_c()),
        ("营销策划专员.docx", word_helpers.layout_b()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        files.append(str(path))
    log_in(page, live_server, "hr")
    page.goto(live_server.url + reverse("positions:word-import"))
    screenshot("word-import-upload")
    page.get_by_label("Word 文件（.docx，可多选）").set_input_files(files)
    page.get_by_role("button", name="上传并预览").click()

    page.wait_for_selector("#word-import-form")
    assert "文件中没有所在部门，请选择所在部门。" in page.inner_text("#word-file-1")
    assert "计划管理：参与拟订项目开发总体规划" in page.inner_text("#word-file-0")
    screenshot("word-import-preview")
    marketing = Department.objects.get(name="营销策划部")
    page.select_option("#department-1", str(marketing.pk))
    page.get_by_role("button", name="确认导入为草稿").click()

    page.wait_for_selector(".alert-success")
    assert "已从 Word 导入 2 份职位说明书" in page.inner_text(".alert-success")
    assert Position.objects.get(code="MK105").department == marketing
    assert Position.objects.get(code="YX-XG-01").status == Position.Status.DRAFT
