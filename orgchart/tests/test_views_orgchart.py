"""The org chart pages and their SVG and PDF downloads."""

from __future__ import annotations

import io
import random
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from orgchart.layout import overlaps
from positions.models import Department, Position
from positions.tests.factories import DepartmentFactory, EmployeeFactory, PositionFactory
from positions.tests.text import pdf_text
from printing import pdf

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def manager(seed) -> Position:
    return Position.objects.get(code="FZ-XS-001")


def chart_url(name: str, position: Position | None = None, **kwargs) -> str:
    if position is not None:
        kwargs["pk"] = position.pk
    return reverse(f"positions:{name}", kwargs=kwargs)


def svg_titles(content: bytes) -> list[str]:
    root = ET.fromstring(content)
    return [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "oc-title"]


# --- pages -----------------------------------------------------------------------------------


def test_org_chart_page_shows_the_chart_and_the_department_tree(seed, user_client):
    response = user_client.get(chart_url("org-chart"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "销售经理" in page and "营销策划部总经理" in page
    assert "部门架构" in page
    sales = Department.objects.get(name="销售部")
    assert chart_url("department-chart", pk=sales.pk) in page
    assert 'href="/static/js/orgchart.js"' in page or "js/orgchart.js" in page


def test_department_chart_page_marks_its_department_in_the_department_tree(manager, user_client):
    sales = manager.department
    odd = DepartmentFactory(name="<研发>&部", parent=sales.parent)
    html = user_client.get(chart_url("department-chart", pk=sales.pk)).content.decode()
    sales_url = chart_url("department-chart", pk=sales.pk)
    marked = html.split(f'href="{sales_url}" aria-current="page"', 1)
    assert len(marked) == 2  # the current department, and only it, is the current page
    assert 'active"' in marked[0].rsplit("<a ", 1)[1]
    total = Position.objects.filter(department=sales).exclude(current_version=None).count()
    assert f'title="销售部：本部门 {total} 个职位，含下级部门共 {total} 个"' in marked[1]
    assert f'<span class="badge rounded-pill ms-auto oc-dept-count">{total}</span>' in marked[1]
    assert "&lt;研发&gt;&amp;部" in html and "<研发>" not in html
    odd_url = chart_url("department-chart", pk=odd.pk)
    assert f'href="{odd_url}" aria-current' not in html and f'href="{odd_url}"' in html


def test_position_chart_page_links_each_box_to_its_sheet(manager, user_client):
    clerk = Position.objects.get(code="FZ-XS-101")
    EmployeeFactory(name="林员工", position=clerk)
    page = user_client.get(chart_url("position-chart", manager)).content.decode()
    assert "销售经理 · 架构图" in page
    assert f'href="{clerk.get_absolute_url()}"' in page
    assert "林员工" in page and "空缺" in page
    assert chart_url("position-chart", pk=manager.reports_to_id) in page  # 上级职位的架构图


def test_department_chart_page_marks_the_outside_superior(manager, user_client):
    page = user_client.get(chart_url("department-chart", pk=manager.department_id))
    assert page.status_code == 200
    html = page.content.decode()
    assert "oc-outside" in html and "部门外上级" in html


def test_chart_page_expands_and_collapses_through_the_query_string(manager, user_client):
    deputy = manager.reports_to
    general = deputy.reports_to
    url = chart_url("position-chart", general)
    assert "售楼员" not in user_client.get(url).content.decode()  # three levels by default
    opened = user_client.get(f"{url}?expand={manager.pk}").content.decode()
    assert "售楼员" in opened
    closed = user_client.get(f"{url}?collapse={deputy.pk}").content.decode()
    assert "销售经理" not in closed
    assert f"?expand={manager.pk}" in user_client.get(url).content.decode()  # the +N link


def test_chart_partial_request_gets_only_the_chart_card(manager, user_client):
    response = user_client.get(chart_url("position-chart", manager), HTTP_X_ORGCHART_PARTIAL="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "部门架构" not in html
    assert 'id="oc-chart"' in html and "售楼员" in html
    assert "X-Orgchart-Partial" in response["Vary"]


# --- downloads -------------------------------------------------------------------------------


def test_svg_download_is_valid_xml_with_the_titles(manager, user_client):
    response = user_client.get(chart_url("position-chart-svg", manager))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "销售经理-架构图.svg" in unquote(response["Content-Disposition"])
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert set(svg_titles(response.content)) == {"副总经理", "销售经理", "售楼员", "收款文员"}
    links = {a.get("href") for a in root.iter(f"{SVG}a")}
    assert f"http://testserver{manager.get_absolute_url()}" in links


def test_org_and_department_svg_downloads_hold_their_positions(manager, user_client):
    org = user_client.get(chart_url("org-chart-svg") + "?depth=20")
    assert len(svg_titles(org.content)) == 19
    department = user_client.get(chart_url("department-chart-svg", pk=manager.department_id))
    assert "副总经理" in svg_titles(department.content)  # the outside superior


def test_pdf_download_holds_the_chart_text(manager, user_client):
    response = user_client.get(chart_url("position-chart-pdf", manager))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "销售经理-架构图.pdf" in unquote(response["Content-Disposition"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("销售经理", "售楼员", "收款文员", "副总经理", "FZ-XS-001"):
        assert expected in text


def test_generated_200_position_chart_has_no_overlapping_boxes(hr_client):
    rng = random.Random(200)
    company = DepartmentFactory(name="测试公司", kind=Department.Kind.COMPANY)
    departments = [DepartmentFactory(name=f"部门{i}", parent=company) for i in range(5)]
    positions: list[Position] = []
    for index in range(200):
        superior = None
        if index >= 2:  # two tops, a few wide fan-outs, some deep chains
            pool = range(min(index, 6)) if rng.random() < 0.45 else range(max(0, index - 15), index)
            superior = positions[rng.choice(pool)]
        positions.append(
            PositionFactory(
                title=f"岗位{index:03d}" + "专员" * rng.randrange(0, 8),
                department=rng.choice(departments),
                reports_to=superior,
                status=Position.Status.DRAFT,
            )
        )
    response = hr_client.get(chart_url("department-chart-svg", pk=company.pk) + "?depth=20")
    root = ET.fromstring(response.content)
    boxes = [
        tuple(float(rect.get(name)) for name in ("x", "y", "width", "height"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "oc-card"
    ]
    assert len(boxes) == 200
    assert overlaps(boxes) == []
    assert float(root.get("width")) >= max(x + w for x, _y, w, _h in boxes)


# --- permissions and bad input ---------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(manager, client):
    for url in (
        chart_url("org-chart"),
        chart_url("position-chart", manager),
        chart_url("position-chart-svg", manager),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_employee_gets_404_for_a_draft_only_position(manager, client, user, hr_user):
    draft = PositionFactory(
        title="案场主管", department=manager.department, reports_to=manager, status="draft"
    )
    client.force_login(user)
    for name in ("position-chart", "position-chart-svg", "position-chart-pdf"):
        response = client.get(chart_url(name, draft))
        assert response.status_code == 404
        assert "案场主管" not in response.content.decode(errors="ignore")
    assert "案场主管" not in client.get(chart_url("position-chart", manager)).content.decode()
    client.force_login(hr_user)
    assert client.get(chart_url("position-chart", draft)).status_code == 200


def test_unknown_position_or_department_is_404(seed, user_client):
    assert user_client.get(chart_url("position-chart", pk=999_999)).status_code == 404
    assert user_client.get(chart_url("department-chart", pk=999_999)).status_code == 404
    assert user_client.get(chart_url("department-chart-pdf", pk=999_999)).status_code == 404


def test_depth_that_is_not_a_number_is_400_with_a_chinese_message(manager, user_client):
    for name in ("position-chart", "position-chart-svg"):
        response = user_client.get(chart_url(name, manager) + "?depth=abc")
        assert response.status_code == 400
        assert "展开层级“abc”无效，请填写 1 到 20 之间的整数。" in response.content.decode()


def test_depth_out_of_range_is_clamped(manager, user_client):
    deep = user_client.get(chart_url("org-chart") + "?depth=999")
    assert deep.status_code == 200
    assert deep.context["chart"].state.depth == 20
    shallow = user_client.get(chart_url("org-chart") + "?depth=-3")
    assert shallow.context["chart"].state.depth == 1
    junk = user_client.get(chart_url("org-chart") + "?expand=x,1;2&collapse=,,")
    assert junk.status_code == 200


def test_chart_page_query_count_does_not_grow_with_the_chart(hr_client):
    counts = []
    for size in (20, 200):
        company = DepartmentFactory(name=f"公司{size}", kind=Department.Kind.COMPANY)
        positions: list[Position] = []
        for index in range(size):
            superior = positions[index // 4] if index else None  # four reports each
            positions.append(
                PositionFactory(department=company, reports_to=superior, status="draft")
            )
            if index % 2:
                EmployeeFactory(position=positions[-1])
        url = chart_url("department-chart", pk=company.pk) + "?depth=20"
        with CaptureQueriesContext(connection) as queries:
            response = hr_client.get(url)
        assert response.context["chart"].shown_count == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- limits ----------------------------------------------------------------------------------


TOO_LARGE = "架构图过大，请选择部门或减少展开层级"


def test_chart_of_more_than_2000_boxes_is_400_without_rendering(hr_client):
    # A flat organisation: 2,001 draft positions without a superior, all drawn at the top level
    # (opening branches stops at 1,500 boxes, the top level does not).
    company = DepartmentFactory(name="大公司", kind=Department.Kind.COMPANY)
    Position.objects.bulk_create(
        PositionFactory.build(department=company, status=Position.Status.DRAFT, code=f"DA-{n:04d}")
        for n in range(2001)
    )
    rendered = pdf.render_count()

    for name in ("department-chart-pdf", "department-chart-svg", "department-chart"):
        response = hr_client.get(chart_url(name, pk=company.pk) + "?depth=1")

        assert response.status_code == 400
        page = response.content.decode()
        assert TOO_LARGE in page
        assert "本图 2001 个方框，上限 2000 个" in page
        assert response["Content-Type"].startswith("text/html")
    assert pdf.render_count() == rendered  # refused before layout: nothing rendered


def test_chart_over_the_box_setting_opens_again_with_fewer_levels(settings, hr_client):
    settings.ORGCHART_MAX_BOXES = 30
    company = DepartmentFactory(name="测试公司", kind=Department.Kind.COMPANY)
    top = PositionFactory(title="总经理", department=company, status="draft")
    for index in range(40):
        PositionFactory(title=f"专员{index}", department=company, reports_to=top, status="draft")
    url = chart_url("department-chart-pdf", pk=company.pk)

    expanded = hr_client.get(f"{url}?expand={top.pk}")
    folded = hr_client.get(f"{url}?depth=1")

    assert expanded.status_code == 400
    assert TOO_LARGE in expanded.content.decode()
    assert folded.status_code == 200
    assert "总经理" in pdf_text(folded.content)


@pytest.mark.parametrize("bad", ["²", "٣", "9" * 40], ids=["superscript", "arabic-indic", "huge"])
def test_expand_ignores_what_is_not_an_id(manager, user_client, bad):
    general = manager.reports_to.reports_to
    url = chart_url("position-chart", general)
    response = user_client.get(url, {"expand": f"{bad},{manager.pk}", "collapse": bad})
    assert response.status_code == 200
    assert "售楼员" in response.content.decode()  # the good id still opens its box
    assert user_client.get(chart_url("org-chart"), {"expand": bad}).status_code == 200
