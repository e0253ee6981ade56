"""A person prints a department book: the job page follows the queue and offers the PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from people.services import demo
from positions.models import BookJob, Department
from positions.tests.browser.seeding import load_once, seed_demo
from printing.services import company
from printing.tests.book_helpers import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    load_once("demo", seed_demo)
    company.forget_company_profile()


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_book_printed_from_the_department_page(seeded, live_server, page, screenshot):
    sales = Department.objects.get(name="销售部")
    log_in(page, live_server, "employee")
    page.goto(f"{live_server.url}/departments/{sales.pk}/")
    # Hold the page's status polls while the worker runs in this thread (one database).
    page.route("**/status/", lambda route: route.abort())
    page.get_by_role("button", name="打印汇编").click()

    assert page.locator("#book-status-label").inner_text() == "排队中"
    assert "销售部 · 职位说明书汇编" in page.locator("h1").inner_text()
    screenshot("book-queued")

    run_worker()
    assert BookJob.objects.get().status == BookJob.Status.DONE
    page.unroute("**/status/")
    # book.js polls again, sees the job finished and reloads: the download appears.
    page.get_by_role("link", name="下载 PDF").wait_for(timeout=30_000)
    assert page.locator("#book-status-label").inner_text() == "已完成"
    assert page.locator("#book-progress-bar").inner_text() == "100%"
    screenshot("book-done")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("销售部-职位说明书汇编-")
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "职位说明书汇编" in text
    assert "销售经理职位说明书" in text and "售楼员职位说明书" in text
