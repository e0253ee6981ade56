"""A person logs in, finds 销售经理, reads the sheet and downloads its PDF — in real Chromium."""

import io

import pytest
from pypdf import PdfReader

from people.services import demo
from positions.tests.browser.seeding import load_once, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    # The role groups come from a data migration, and each transactional test's flush wipes
    # them for the tests after it (serialized_rollback cannot help: Playwright's event loop
    # gives this thread other connection objects than the ones serialized at set-up).
    load_once("demo", seed_demo)


def log_in(page, live_server, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/")
    # Everything needs a login: the first page is the login form.
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_sheet_found_read_and_printed_as_pdf(seeded, live_server, page, screenshot):
    log_in(page, live_server, "manager")
    page.get_by_role("searchbox", name="搜索职位").fill("销售经理")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="销售经理", exact=True).first.click()

    sheet = page.locator(".jd-sheet")
    assert "销售经理" in sheet.locator("h1, .jd-title").first.inner_text()
    text = sheet.inner_text()
    for expected in ("FZ-XS-001", "销售部", "副总经理", "售楼员", "收款文员", "销售计划", "李鸿飞"):
        assert expected in text
    screenshot("sheet-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    # On a phone the sheet is still readable: nothing wider than the screen but scroll areas.
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390
    screenshot("sheet-phone")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    # No draft is pending: the manager prints the version in force (its stored copy).
    assert download.suggested_filename == "FZ-XS-001-销售经理-V1.pdf"
    pdf = PdfReader(io.BytesIO(download.path().read_bytes()))
    pdf_text = "".join(p.extract_text() for p in pdf.pages)
    assert "销售经理" in pdf_text
    assert "FZ-XS-001" in pdf_text


def test_login_wrong_password_shows_chinese_error_and_keeps_username(seeded, live_server, page):
    log_in(page, live_server, "manager", password="wrong-password")
    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.locator(".alert-danger").inner_text()
    assert page.get_by_label("用户名").input_value() == "manager"


def test_sheet_with_a_pending_draft_prints_the_draft_beside_the_version(
    seeded, live_server, page, screenshot
):
    from positions.models import Position  # noqa: PLC0415
    from positions.services import sheets  # noqa: PLC0415

    position = Position.objects.get(code="FZ-XS-001")
    sheets.write_sheet(
        user=None,
        position=position,
        content=sheets.SheetContent(fields={"summary": "草稿：统筹福州项目的销售与回款。"}),
        comment="改职位概要",
    )
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}{position.get_absolute_url()}")
    screenshot("sheet-pending-draft", full_page=False)

    with page.expect_download() as draft_info:
        page.get_by_role("link", name="打印草稿", exact=True).click()
    with page.expect_download() as in_force_info:
        page.get_by_role("link", name="下载 PDF", exact=True).click()

    draft, in_force = draft_info.value, in_force_info.value
    assert draft.suggested_filename == "FZ-XS-001-销售经理.pdf"
    assert in_force.suggested_filename == "FZ-XS-001-销售经理-V1.pdf"
    texts = [
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(d.path().read_bytes())).pages)
        for d in (draft, in_force)
    ]
    assert "草稿：统筹福州项目的销售与回款。" in "".join(texts[0].split())
    assert "统筹福州项目" not in "".join(texts[1].split())
