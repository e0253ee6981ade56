"""Order and polish (issue #18, item 9), measured in real Chromium: what the layout draws.

The search hit's section label stays a one-line pill when its snippet wraps; the department
page's actions share one line; the org chart draws positions in their 排序 order.
"""

import re

import pytest
from django.urls import reverse

from positions.models import Department, Position
from positions.tests.browser.test_sheet_browser import log_in, seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not drawn"
    return found


def test_search_label_stays_a_pill_when_the_snippet_wraps(seeded, live_server, page, screenshot):  # noqa: F811
    log_in(page, live_server, "employee")
    page.goto(f"{live_server.url}{reverse('positions:search')}?q=销售")
    hits = page.locator(".search-hits li").filter(has=page.locator(".search-snippet"))
    longest = hits.evaluate_all(
        "lis => lis.map((li) => li.querySelector('.search-snippet').textContent.length)"
    )
    hit = hits.nth(longest.index(max(longest)))  # the longest snippet, to wrap on a phone
    label, snippet = hit.locator(".search-section"), hit.locator(".search-snippet")
    wide = box(label)
    line = float(snippet.evaluate("s => parseFloat(getComputedStyle(s).lineHeight)"))

    page.set_viewport_size({"width": 360, "height": 800})  # a phone: the snippet wraps
    narrow, text = box(label), box(snippet)
    screenshot("search-phone", full_page=False)

    assert text["height"] >= 2 * line  # the snippet really wraps (two lines or more)
    assert narrow["height"] == pytest.approx(wide["height"], abs=0.5)  # the pill does not stretch
    assert narrow["height"] < 1.6 * line  # one line of label text
    assert narrow["y"] == pytest.approx(text["y"], abs=line / 2)  # beside the snippet's first line
    radius = float(label.evaluate("l => parseFloat(getComputedStyle(l).borderTopLeftRadius)"))
    assert radius >= narrow["height"] / 2  # round ends: a pill, not a box
    assert label.evaluate("l => l.scrollWidth <= l.clientWidth")  # the label is not cut


def test_department_page_actions_share_one_line(seeded, live_server, page, screenshot):  # noqa: F811
    company = Department.objects.get(name="福州项目公司")  # has sub-departments: 含下级部门 shows
    log_in(page, live_server, "hr")  # HR sees 编辑部门 too
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{reverse('positions:department-detail', args=[company.pk])}")
    actions = page.locator(".department-actions")
    buttons = [
        actions.get_by_role("link", name="在职位列表中查看"),
        actions.get_by_role("link", name="编辑部门"),
        actions.get_by_role("button", name="打印汇编"),
    ]
    others = [actions.get_by_text("含下级部门"), actions.get_by_role("link", name="自选职位")]
    screenshot("department-actions", full_page=False)

    boxes = [box(b) for b in buttons]
    tops = {round(b["y"]) for b in boxes}
    heights = {round(b["height"]) for b in boxes}
    assert max(tops) - min(tops) <= 1, boxes  # one top line
    assert max(heights) - min(heights) <= 1, boxes  # one height
    middle = boxes[0]["y"] + boxes[0]["height"] / 2
    for other in others:  # the option and the link sit on the buttons' middle line
        found = box(other)
        assert found["y"] + found["height"] / 2 == pytest.approx(middle, abs=2), other
    baselines = actions.evaluate(
        """a => Array.from(a.querySelectorAll('.btn')).map((b) => {
             const probe = document.createElement('span');
             probe.style.cssText = 'display:inline-block;width:0;height:0;vertical-align:baseline';
             b.appendChild(probe);
             const y = probe.getBoundingClientRect().top;
             probe.remove();
             return Math.round(y);
           })"""
    )
    assert len(baselines) == 3 and max(baselines) - min(baselines) <= 1, baselines


def org_box(page, title: str) -> dict:
    node = page.locator(".oc-node").filter(
        has=page.locator("text.oc-title", has_text=re.compile(f"^{title}$"))
    )
    assert node.count() == 1, f"{title}: {node.count()} boxes"
    return box(node)


def test_orgchart_draws_positions_in_their_editable_order(seeded, live_server, page, screenshot):  # noqa: F811
    clerk = Position.objects.get(
        code="FZ-XS-101"
    )  # 售楼员; 收款文员 (排序 0) reports to 销售经理 too
    sales = clerk.department
    log_in(page, live_server, "hr")
    page.set_viewport_size({"width": 1440, "height": 900})
    chart = f"{live_server.url}{reverse('positions:department-chart', args=[sales.pk])}"
    page.goto(chart)
    assert org_box(page, "售楼员")["x"] < org_box(page, "收款文员")["x"]  # same 排序: by code

    page.goto(f"{live_server.url}{reverse('positions:position-edit', args=[clerk.pk])}")
    page.get_by_label("排序").fill("2")  # HR puts 售楼员 after its sibling
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_url(re.compile(r"/positions/\d+/$"))

    page.goto(chart)
    clerk_box, cashier = org_box(page, "售楼员"), org_box(page, "收款文员")
    assert cashier["x"] < clerk_box["x"]  # drawn left to right by 排序
    assert cashier["y"] == pytest.approx(clerk_box["y"], abs=1)  # siblings, one row
    screenshot("orgchart-sort-order")

    # The whole organisation: 总经理 (排序 1) heads the chart, 副总经理 (排序 2) below it; the
    # department page lists them in that order too.
    page.goto(f"{live_server.url}{reverse('positions:org-chart')}")
    assert org_box(page, "总经理")["y"] < org_box(page, "副总经理")["y"]
    top = Department.objects.get(name="福州项目公司")
    page.goto(f"{live_server.url}{reverse('positions:department-detail', args=[top.pk])}")
    titles = page.locator(".position-table tbody a.fw-medium").all_inner_texts()
    assert titles.index("总经理") < titles.index("副总经理")
