"""The main pages satisfy the Content-Security-Policy (django-csp, jobdesc/settings.py) in real
Chromium: no inline script or style is blocked, nothing else either.

Chromium reports each blocked resource twice: as a console error ("Refused to … because it
violates the following Content Security Policy directive …") and as a
`securitypolicyviolation` event, which a script added before any page script collects. Both
are asserted empty after the pages' scripts ran (the editor adds duties, the org chart swaps a
branch in place, the tree opens a department).
"""

import pytest
from django.urls import reverse

from positions.models import Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`, what = event.blockedURI || "inline";
  window.__cspViolations.push(`${event.violatedDirective} ${what} ${where}`);
});
"""


@pytest.fixture
def csp_page(page):
    """The page, with every CSP console error and violation event kept in ``page.csp``."""
    page.csp = []
    page.on(
        "console",
        lambda message: (
            page.csp.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


def events(page) -> list[str]:
    return [f"event: {text}" for text in page.evaluate("window.__cspViolations")]


def visit(page, live_server, url: str) -> list[str]:
    # goto returns at the "load" event: every resource of the page has been requested and its
    # scripts have run. None of these pages fetches anything by itself afterwards (the steps
    # that do, a picker search or a branch swap, wait for "networkidle" themselves); waiting
    # for it here cost 0.5 s per page.
    response = page.goto(f"{live_server.url}{url}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return events(page)


def sheet_url(code: str, name: str = "position-sheet") -> str:
    return reverse(f"positions:{name}", args=[Position.objects.get(code=code).pk])


def test_csp_reader_pages_have_no_violation(seeded, live_server, csp_page):  # noqa: F811
    page = csp_page
    log_in(page, live_server, "employee")
    found = events(page)
    for url in (
        reverse("positions:my-position"),
        sheet_url("FZ-XS-001"),
        reverse("positions:position-list") + "?q=销售",
        reverse("positions:search") + "?q=销售",
        reverse("positions:department-tree"),
    ):
        found += visit(page, live_server, url)
    page.locator("[data-tree-action=hide]").click()  # tree.js and Bootstrap's collapse
    page.locator("[data-tree-action=show]").click()

    assert found + events(page) == []
    assert page.csp == []


def test_csp_org_chart_swaps_branch_without_violation(seeded, live_server, csp_page):  # noqa: F811
    page = csp_page
    log_in(page, live_server, "manager")
    found = visit(page, live_server, reverse("positions:org-chart"))
    page.locator(".oc-departments").get_by_role("link", name="销售部").click()
    page.get_by_label("销售经理：收起直接下属").click()
    page.get_by_label("销售经理：展开 2 个直接下属").click()
    page.wait_for_load_state("networkidle")

    assert page.locator(".oc-node", has_text="售楼员").count() >= 1  # the branch is back
    assert found + events(page) == []
    assert page.csp == []


def test_csp_editor_and_hr_pages_have_no_violation(seeded, live_server, csp_page, screenshot):  # noqa: F811
    page = csp_page
    log_in(page, live_server, "hr")
    found = visit(page, live_server, sheet_url("FZ-XS-101", "position-edit"))
    page.get_by_role("button", name="添加职责").click()
    page.locator(".picker-query input").first.fill("销售")  # the picker's search
    page.wait_for_load_state("networkidle")
    found += events(page)
    screenshot("csp-editor")
    for url in (
        sheet_url("FZ-XS-101"),
        sheet_url("FZ-XS-101", "position-history"),
        sheet_url("FZ-XS-101", "position-workflow"),
        reverse("positions:import-export"),
        reverse("positions:employee-list"),
        reverse("positions:position-create"),
    ):
        found += visit(page, live_server, url)

    assert found == []
    assert page.csp == []


def test_csp_rights_pages_have_no_violation(seeded, live_server, csp_page, screenshot):  # noqa: F811
    """权责手册: the version in force, the working copy with its checks, the versions."""
    page = csp_page
    log_in(page, live_server, "hr")
    found = visit(page, live_server, reverse("rights:manual"))
    assert page.locator("#link-manual-grid").inner_text() == "表格编辑"
    screenshot("csp-rights-manual", full_page=False)
    found += visit(page, live_server, reverse("rights:working-copy"))
    assert page.locator("#link-manual-pdf").inner_text() == "A3 PDF（工作稿）"
    screenshot("csp-rights-working", full_page=False)
    found += visit(page, live_server, reverse("rights:version-list"))

    assert found == []
    assert page.csp == []


def test_csp_blocks_an_inline_script_and_the_test_sees_it(seeded, live_server, csp_page):  # noqa: F811
    """The listeners above do catch a violation: an inline script added to a page is refused."""
    page = csp_page
    log_in(page, live_server, "employee")
    visit(page, live_server, reverse("positions:my-position"))

    page.evaluate(
        """() => { const s = document.createElement("div");
                   s.innerHTML = '<img src="x" onerror="window.ran = true">';
                   document.body.append(s); }"""
    )
    for _ in range(100):  # (wait_for_function would be refused: no 'unsafe-eval')
        if page.evaluate("window.__cspViolations.length"):
            break
        page.wait_for_timeout(100)

    assert page.evaluate("window.ran") is None
    assert any(v.startswith("event: script-src-attr inline") for v in events(page))


def test_csp_admin_pages_have_no_violation(seeded, live_server, csp_page):  # noqa: F811
    page = csp_page
    log_in(page, live_server, "admin")
    found = []
    for url in (
        "/admin/",
        "/admin/positions/position/",
        "/admin/positions/department/",
        "/admin/positions/employee/",
        "/admin/auth/user/",
    ):
        found += visit(page, live_server, url)

    assert found == []
    assert page.csp == []
