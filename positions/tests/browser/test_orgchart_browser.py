"""The org chart in real Chromium: open it from the navigation, collapse and expand a branch."""

import pytest
from playwright.sync_api import expect

from people.services import demo
from positions.tests.browser.seeding import load_once, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    # Role groups come from a data migration that each transactional flush wipes.
    load_once("demo", seed_demo)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def titles(page) -> list[str]:
    """The titles drawn in the chart, as the SVG lists them."""
    return page.locator("[data-oc-chart] text.oc-title").evaluate_all(
        "elements => elements.map(e => e.childNodes[0].nodeValue)"
    )


def test_orgchart_branch_collapses_and_expands_in_place(seeded, live_server, page, screenshot):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, "manager")
    page.locator("#nav-org-chart").click()
    chart = page.locator("[data-oc-chart] svg.oc-svg")
    assert "销售经理" in chart.inner_html()
    screenshot("orgchart-organisation")
    # In a window narrower than the chart (the seed's is 1,252 px wide), the canvas scrolls,
    # the page does not.
    page.set_viewport_size({"width": 1100, "height": 900})
    canvas = page.locator(".oc-canvas")
    assert canvas.evaluate("c => c.scrollWidth > c.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1100
    # Printed, it shrinks to the width of the page.
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.clientWidth")
    assert chart.bounding_box()["width"] <= width
    screenshot("orgchart-organisation-print")
    page.emulate_media(media="screen")

    page.locator(".oc-departments").get_by_role("link", name="销售部").click()
    page.wait_for_url("**/org/departments/**")
    assert {"销售经理", "售楼员", "收款文员", "案场经理", "置业顾问"} <= set(titles(page))
    # 副总经理 sits outside 销售部: drawn above 销售经理 as an outside box.
    outside = page.locator(".oc-outside text.oc-title").evaluate_all(
        "elements => elements.map(e => e.childNodes[0].nodeValue)"
    )
    assert outside == ["副总经理"]
    screenshot("orgchart-department")

    page.get_by_label("销售经理：收起直接下属").click()
    # Locator assertions, not wait_for_function: the CSP (no 'unsafe-eval') refuses the
    # string predicates Playwright evaluates in the page.
    expect(page.locator("[data-oc-chart]")).not_to_contain_text("售楼员")
    assert "售楼员" not in titles(page) and "置业顾问" in titles(page)
    assert "collapse=" in page.url  # the browser address keeps the state (and works without JS)
    assert page.get_by_label("销售经理：展开 2 个直接下属").count() == 1

    page.get_by_label("销售经理：展开 2 个直接下属").click()
    expect(page.locator("[data-oc-chart]")).to_contain_text("售楼员")
    assert {"售楼员", "收款文员"} <= set(titles(page))
    assert "collapse=" not in page.url

    # On a phone the chart scrolls inside its frame; the page itself stays phone-wide.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("orgchart-phone", full_page=False)
    page.set_viewport_size({"width": 1440, "height": 900})

    # A box opens its sheet.
    page.locator(".oc-node", has_text="售楼员").locator("a.oc-link").click()
    page.wait_for_url("**/positions/*/")
    assert "售楼员" in page.locator("h1, .jd-title").first.inner_text()
