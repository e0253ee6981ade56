"""Accessibility of the main pages of each role, checked by axe-core in real Chromium.

axe-core comes bundled with ``axe-playwright-python`` and is injected into the page: nothing is
downloaded. Only serious and critical violations fail a test; each is named with its targets.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from positions.models import Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
# The sheet's sections as printed (_sheet.html); a section without content is left out.
SECTIONS_IN_PRINT_ORDER = [
    "设岗目的",
    "职位概要",
    "工作内容与主要职责",
    "主要责任",
    "工作权限",
    "任职资格",
    "工作关系",
    "关键指标",
]


def serious_violations(page) -> list[str]:
    """axe's serious and critical violations on the page, as "rule: selector" lines."""
    results = AXE.run(page)
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def check_pages(page, live_server, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        # goto waits for the load event: every stylesheet, script, font and image is in. (No
        # page checked here fetches anything by itself afterwards; "networkidle" cost 0.5 s each.)
        page.goto(f"{live_server.url}{url}")
        if violations := serious_violations(page):
            found[url] = violations
    return found


def sheet_url(code: str) -> str:
    return reverse("positions:position-sheet", args=[Position.objects.get(code=code).pk])


def test_employee_pages_have_no_serious_violations(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "employee")
    urls = [
        reverse("positions:my-position"),
        sheet_url("FZ-XS-101"),
        reverse("positions:position-list"),
        reverse("positions:search") + "?q=销售",
    ]

    assert check_pages(page, live_server, urls) == {}


def test_manager_pages_have_no_serious_violations(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "manager")
    clerk = Position.objects.get(code="FZ-XS-101")
    urls = [
        reverse("positions:workflow-queue"),
        reverse("positions:position-workflow", args=[clerk.pk]),
        reverse("positions:org-chart"),
    ]

    assert check_pages(page, live_server, urls) == {}


def test_hr_pages_have_no_serious_violations(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "hr")
    clerk = Position.objects.get(code="FZ-XS-101")
    urls = [
        reverse("positions:position-edit", args=[clerk.pk]),
        reverse("positions:position-list"),  # with the batch 提交/审核/审批 form
        reverse("positions:import-export"),
        reverse("positions:employee-list"),
    ]

    assert check_pages(page, live_server, urls) == {}


def test_editor_labels_every_form_control(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "hr")
    clerk = Position.objects.get(code="FZ-XS-101")
    page.goto(f"{live_server.url}{reverse('positions:position-edit', args=[clerk.pk])}")

    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              'input:not([type=hidden]), select, textarea'))
            .filter((el) => el.offsetParent !== null)
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                            && !el.getAttribute('aria-labelledby') && !el.title)
            .map((el) => el.name || el.id)"""
    )

    assert unlabelled == []
    assert page.get_by_label("排序").input_value() == "0"


def test_sheet_outline_lists_sections_in_printed_order(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "employee")
    page.goto(f"{live_server.url}{sheet_url('FZ-XS-101')}")

    outline = page.locator(".jd-sheet").aria_snapshot()
    headings = re.findall(r'- heading "([^"]+)" \[level=2\]', outline)

    listed = [name for h in headings for name in SECTIONS_IN_PRINT_ORDER if name in h]
    assert listed == sorted(listed, key=SECTIONS_IN_PRINT_ORDER.index)
    assert {"职位概要", "工作内容与主要职责", "任职资格"} <= set(listed)


def test_sheet_tables_have_scoped_headers(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "employee")
    page.goto(f"{live_server.url}{sheet_url('FZ-XS-101')}")

    # The sign-off boxes are a layout table (role="presentation"); every data table has headers.
    tables = page.locator(".jd-sheet table:not([role=presentation])")
    assert tables.count() > 0
    for i in range(tables.count()):
        table = tables.nth(i)
        headers = table.locator("th")
        assert headers.count() > 0, f"table {i} has no <th>"
        scopes = headers.evaluate_all("(ths) => ths.map((th) => th.getAttribute('scope'))")
        assert all(scope in ("col", "row", "colgroup", "rowgroup") for scope in scopes), (i, scopes)


def test_favicon_link_returns_an_image(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "employee")

    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")

    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")


def test_book_page_whole_department_box_ticks_its_positions(seeded, live_server, page):  # noqa: F811
    log_in(page, live_server, "employee")
    page.goto(f"{live_server.url}{reverse('positions:book-create')}")
    whole = page.get_by_role("checkbox", name=re.compile("销售部.*全选本部门"))
    department = whole.get_attribute("value")
    sales = page.locator(f'input[name="positions"][data-department="{department}"]')

    whole.check()
    assert all(sales.nth(i).is_checked() for i in range(sales.count()))

    sales.first.uncheck()
    assert not whole.is_checked()
    assert whole.evaluate("(box) => box.indeterminate")
