"""HR sets a department's print layout on its page; its sheet then reads and prints in that
form — in real Chromium."""

import subprocess

import pytest

from people.services import demo
from positions.models import Position
from positions.services import seed
from positions.tests.factories import create_role_groups
from positions.tests.text import compact
from printing.services import company

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    create_role_groups()
    seed.load_seed()
    demo.ensure_demo_accounts()
    company.forget_company_profile()
    yield
    company.forget_company_profile()


def log_in(page, live_server, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_department_layout_set_by_hr_prints_its_sheets_in_that_form(
    seeded, live_server, page, screenshot
):
    planner = Position.objects.select_related("department").get(title="营销策划专员")
    log_in(page, live_server, "hr")

    page.goto(f"{live_server.url}{planner.department.get_absolute_url()}")
    layout_card = page.locator("#department-layout")
    assert "按公司信息中设置的版式打印" in compact(layout_card.inner_text())
    layout_card.get_by_label("打印版式").select_option("b")
    layout_card.get_by_role("button", name="保存").click()
    assert "已设置：“营销策划部”的职位说明书按版式 B" in page.locator("body").inner_text()

    page.goto(f"{live_server.url}{planner.get_absolute_url()}")
    sheet = page.locator(".jd-sheet")
    assert sheet.get_attribute("data-layout") == "b"
    text = compact(sheet.inner_text())
    assert text.index("职位代码") < text.index("设岗目的") < text.index("工作职责")
    assert "职位关系" in text
    assert page.locator(".sheet-relations").count() == 1  # the server-drawn SVG diagram
    screenshot("sheet-layout-b")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    pdf = download_info.value.path().read_bytes()
    printed = compact(
        subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    )
    assert "营销策划专员职位说明书" in printed
    assert printed.index("职位代码") < printed.index("设岗目的") < printed.index("工作职责")

    # A one-off choice on the sheet page overrides the department's layout.
    page.locator("#layout-select").select_option("c")
    page.get_by_role("button", name="换版式").click()
    assert page.locator(".jd-sheet").get_attribute("data-layout") == "c"
    assert "职位使命" in page.locator(".jd-sheet").inner_text()
