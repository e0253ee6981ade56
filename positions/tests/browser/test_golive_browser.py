"""Go-live in the browser: HR imports a folder of paper-signed Word sheets as the versions in
force, then the list shows every one 已生效 V1; then a batch 提交/审核/审批 from the list and 待办.

The files go up as one .zip to 批量导入 (the import job): parsed and written by the worker
(run here in the test's thread), confirmed 作为已生效版本导入 on the job's preview. COUNT is more
than one page of the list (50), so the count and the first page of badges are the list's own;
the go-live of 300 sheets at once, and how long it takes, is bench/golive.py's (`make bench`).
"""

import pytest
from django.urls import reverse

from people.services import demo
from positions.models import Department, Position, Version, WorkflowEvent
from positions.services import seed
from positions.tests import golive_helpers
from positions.tests.browser.test_sheet_browser import log_in
from positions.tests.factories import PositionFactory, create_role_groups
from printing.tests.book_helpers import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The worker's parse and write cost about 0.3 s of CPU per file: 51 files, not 300, keep the
# suite fast and still fill more than one page of the list (50 a page).
COUNT = 51


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    create_role_groups()
    seed.load_seed()
    demo.ensure_demo_accounts()


def upload_zip(page, live_server, paths, tmp_path, screenshot) -> None:
    """Upload the files as one .zip to 批量导入 (the import job); the worker parses them, HR
    confirms 作为已生效版本导入 on the preview and the worker writes them."""
    # The worker parses and writes the files in this thread: on a loaded 2-core machine that
    # can take a minute, not the usual 15 s.
    page.set_default_timeout(300_000)
    page.set_default_navigation_timeout(300_000)
    archive = golive_helpers.zip_of(paths, tmp_path / "上线文件.zip")
    page.goto(live_server.url + reverse("positions:import-job-create"))
    page.get_by_label("文件（可多选，也可上传 .zip 压缩包）").set_input_files(str(archive))
    # Hold the page's status polls while the worker runs in this thread (one database).
    page.route("**/status/", lambda route: route.abort())
    page.get_by_role("button", name="上传并解析").click()
    run_worker()
    page.reload()
    items = page.inner_text("#import-job-items")
    assert f"{golive_helpers.title(1)}.docx" in items
    assert f"{golive_helpers.title(len(paths))}.docx" in items
    screenshot("golive-preview", full_page=False)
    page.get_by_role("button", name="作为已生效版本导入").click()
    run_worker()
    page.unroute("**/status/")
    page.locator("#import-job-result").wait_for()
    assert f"已将 {len(paths)} 份职位说明书作为已生效版本导入" in page.inner_text(
        "#import-job-result"
    )


def test_hr_imports_a_zip_of_word_files_as_historical_v1s_and_the_list_shows_them_in_force(
    seeded, live_server, page, screenshot, tmp_path
):
    paths = golive_helpers.write_files(tmp_path / "files", COUNT)
    log_in(page, live_server, "hr")

    upload_zip(page, live_server, paths, tmp_path, screenshot)

    page.goto(live_server.url + reverse("positions:position-list") + "?q=上线岗位")
    assert f"共 {COUNT} 个职位符合条件" in page.inner_text("#result-count")
    badges = page.locator(".position-table .status-badge").all_inner_texts()
    assert len(badges) == 50 and {b.strip() for b in badges} == {"已生效 V1"}
    screenshot("golive-list")
    imported = Version.objects.filter(title__startswith="上线岗位")
    assert imported.filter(number=1, is_historical=True).count() == COUNT
    assert set(
        imported.values_list("prepared_by_name", "reviewed_by_name", "approved_by_name")
    ) == {("李鸿飞", "郑长胜", "赵总")}
    assert WorkflowEvent.objects.filter(action="historical_import").count() == COUNT

    first = Position.objects.get(code=golive_helpers.code(1))
    page.goto(live_server.url + reverse("positions:position-workflow", kwargs={"pk": first.pk}))
    records = page.inner_text("#workflow-events")
    for line in ("历史文件导入", "编制：李鸿飞，2006-08-16", "审批：赵总，2006-08-28"):
        assert line in records
    screenshot("golive-records")


def test_batch_submit_from_the_list_then_review_and_approve_from_the_queue(
    seeded, live_server, page, screenshot
):
    sales = Department.objects.get(code="FZ-XS")
    drafts = [
        PositionFactory(
            title=f"批量岗位{n}", code=f"FZ-XS-3{n:02d}", department=sales, status="draft"
        )
        for n in range(1, 4)
    ]
    log_in(page, live_server, "hr")
    page.goto(live_server.url + reverse("positions:position-list") + "?q=批量岗位")
    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量提交审核").click()
    assert "提交审核：成功 3 份，未办理 0 份。" in page.inner_text("#batch-summary")
    screenshot("golive-batch-submitted")

    page.context.clear_cookies()
    log_in(page, live_server, "manager")
    page.goto(live_server.url + reverse("positions:workflow-queue"))
    page.locator("#queue-review").get_by_label("全选").check()
    screenshot("golive-batch-queue")
    page.get_by_label("意见（退回时必填）").fill("同意")
    page.get_by_role("button", name="批量审核通过").click()
    assert "审核通过：成功 3 份，未办理 0 份。" in page.inner_text("#batch-summary")

    # 陈经理 reviewed them: approving them too is refused, sheet by sheet, saying why.
    page.goto(live_server.url + reverse("positions:position-list") + "?q=批量岗位")
    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量审批通过…").click()
    page.get_by_role("button", name="确认审批通过并生效").click()
    assert "审批通过：成功 0 份，未办理 3 份。" in page.inner_text("#batch-summary")
    assert "审核人不能同时审批同一份职位说明书。" in page.inner_text("#batch-refused")

    page.context.clear_cookies()
    log_in(page, live_server, "director")
    page.goto(live_server.url + reverse("positions:workflow-queue"))
    page.locator("#queue-approve").get_by_label("全选").check()
    page.get_by_role("button", name="批量审批通过…").click()
    assert "下列 3 份职位说明书的新版本立即生效" in page.inner_text("#batch-confirm-note")
    screenshot("golive-batch-confirm")
    page.get_by_role("button", name="确认审批通过并生效").click()
    assert "审批通过：成功 3 份，未办理 0 份。" in page.inner_text("#batch-summary")
    screenshot("golive-batch-approved")
    published = Position.objects.filter(pk__in=[p.pk for p in drafts], status="published")
    assert published.count() == 3
