"""The sheet page and the PDF download, as a logged-in user sees them."""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from positions.models import Position
from positions.permissions import HR_EDITOR, role_group
from positions.services import sheets
from positions.services.sheets import SheetContent
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)
from positions.tests.text import compact, pdf_text

pytestmark = pytest.mark.django_db


def visible_text(response) -> str:
    """The page's text as a reader sees it (tags removed)."""
    return strip_tags(response.content.decode())


def sheet_url(position: Position) -> str:
    return reverse("positions:position-sheet", kwargs={"pk": position.pk})


def pdf_url(position: Position) -> str:
    return reverse("positions:position-pdf", kwargs={"pk": position.pk})


def test_position_sheet_shows_every_section(hr_client):
    position = FullPositionFactory(code="FZ-XS-001")

    response = hr_client.get(sheet_url(position))

    assert response.status_code == 200
    page = visible_text(response)
    for expected in (
        "销售经理职位说明书",
        "FZ-XS-001",
        "销售部",
        "福州公司",
        "副总经理",
        "售楼员、收款文员",
        "营销策划专员",
        "5–8",
        "福州市",
        "设岗目的",
        "组织完成项目销售目标，确保销售工作顺利进行。",
        "职位概要",
        "负责制定并执行销售计划，管理销售团队，完成公司下达的销售任务。",
        "工作内容与主要职责",
        "销售业务管理",
        "销售服务管理",
        "销售计划1",
        "根据公司年度目标制定销售计划第1项；",
        "组织落实并跟踪执行情况；",
        "全责",
        "部分",
        "计划完成率",
        "主要责任",
        "保证销售计划按时完成；",
        "工作权限",
        "优惠申请权",
        "提议",
        "任职资格",
        "大学本科",
        "营销、经济管理类专业",
        "地产法规及政策",
        "具有变革意识",
        "办公室及售楼处，偶尔出差。",
        "工作关系",
        "内部工作关系",
        "财务部",
        "外部工作关系",
        "客户",
        "行政管理关系",
        "营销总监",
        "关键指标",
        "服务及时性",
        "客户投诉 24 小时内响应",
        "编制",
        "李鸿飞",
        "2024-03-01",
        "王审核",
        "陈审批",
        "任职者签字",
        "下载 PDF",
        "打印",
        "返回列表",
    ):
        assert expected in page, expected


def test_position_sheet_sections_appear_in_paper_order(hr_client):
    page = visible_text(hr_client.get(sheet_url(FullPositionFactory())))

    headings = [
        "设岗目的",
        "职位概要",
        "工作内容与主要职责",
        "主要责任",
        "工作权限",
        "任职资格",
        "工作关系",
        "关键指标",
        "任职者签字",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)


def test_position_sheet_breadcrumb_links_departments(hr_client):
    position = FullPositionFactory()
    department = position.department

    page = hr_client.get(sheet_url(position)).content.decode()

    assert reverse("positions:department-detail", kwargs={"pk": department.pk}) in page
    assert reverse("positions:department-detail", kwargs={"pk": department.parent.pk}) in page
    assert reverse("positions:position-pdf", kwargs={"pk": position.pk}) in page


def test_position_sheet_without_code_and_empty_sections_renders(hr_client):
    position = PositionFactory(title="销管专员", code="", summary="")

    response = hr_client.get(sheet_url(position))

    assert response.status_code == 200
    page = visible_text(response)
    assert "销管专员职位说明书" in page
    for absent in ("职位概要", "工作内容与主要职责", "主要责任", "工作权限", "关键指标"):
        assert absent not in page, absent
    assert "任职者签字" in page


def test_position_sheet_archived_shows_badge(hr_client):
    position = PositionFactory(status=Position.Status.ARCHIVED)

    page = visible_text(hr_client.get(sheet_url(position)))

    assert "已归档" in page
    assert "此职位已归档" in page


def test_position_sheet_escapes_user_text(hr_client):
    position = PositionFactory(summary='<script>alert("x")</script>')

    page = hr_client.get(sheet_url(position)).content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_position_sheet_logged_out_redirects_to_login(client):
    position = PositionFactory()

    response = client.get(sheet_url(position))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_position_pdf_logged_out_redirects_to_login(client):
    response = client.get(pdf_url(PositionFactory()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_position_sheet_unknown_pk_is_404(hr_client):
    assert (
        hr_client.get(reverse("positions:position-sheet", kwargs={"pk": 999999})).status_code == 404
    )
    assert (
        hr_client.get(reverse("positions:position-pdf", kwargs={"pk": 999999})).status_code == 404
    )


def test_position_sheet_query_count_flat_in_duties(hr_client, django_assert_num_queries):
    small = FullPositionFactory(duties=2)
    large = FullPositionFactory(duties=40)
    hr_client.get(sheet_url(small))  # warm-up: session and user caches like any later request

    # session, user with roles, access (2: scopes, positions held), the position with its
    # joins, 6 prefetched sections, holders, its published versions, the navigation's 待办
    # count, the print layout (the department's and 公司信息's setting in one query)
    with django_assert_num_queries(15):
        small_page = hr_client.get(sheet_url(small))
    with django_assert_num_queries(15):
        large_page = hr_client.get(sheet_url(large))

    assert small_page.content.decode().count('id="duty-') == 2
    assert large_page.content.decode().count('id="duty-') == 40


def test_position_sheet_reader_query_count_flat_in_duties(
    user_client, django_assert_max_num_queries
):
    small = FullPositionFactory(duties=2)
    large = FullPositionFactory(duties=40)
    for position in (small, large):  # warm-up: session and user caches, the rendered versions
        user_client.get(sheet_url(position))

    # session, user, access (2), the position with its version in force, its published
    # versions, the layout settings with the company identity and the 手册 version (one
    # query), holders; the page body of a published version comes from the cache.
    with django_assert_max_num_queries(8):
        small_page = user_client.get(sheet_url(small))
    with django_assert_max_num_queries(8):
        large_page = user_client.get(sheet_url(large))

    assert small_page.content.decode().count('id="duty-') == 2
    assert large_page.content.decode().count('id="duty-') == 40


def test_position_pdf_download_headers_with_code(hr_client):
    # A draft is pending: HR prints the working copy, named without a version.
    position = PositionFactory(title="售楼员", code="FZ-XS-101", status=Position.Status.DRAFT)

    response = hr_client.get(pdf_url(position))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "FZ-XS-101-售楼员.pdf"
    )
    assert response.content.startswith(b"%PDF-")


def test_position_pdf_download_headers_without_code(hr_client):
    position = PositionFactory(title="营销策划专员", code="", status=Position.Status.DRAFT)

    response = hr_client.get(pdf_url(position))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%90%A5%E9%94%80%E7%AD%96%E5%88%92%E4%B8%93%E5%91%98.pdf"
    )


def test_position_sheet_seed_sales_manager_shows_its_content(seed, hr_client):
    manager = Position.objects.get(code="FZ-XS-001")
    response = hr_client.get(sheet_url(manager))
    assert response.status_code == 200
    text = " ".join(visible_text(response).split())
    for expected in [
        # header block
        "销售经理职位说明书",
        "FZ-XS-001",
        "销售部",
        "副总经理",
        "售楼员",
        "收款文员",
        "福州市",
        # 职位概要
        "负责公司自营项目的售楼处管理，配合营销策划完成销售工作，达成全年预定的销售目标",
        # duties, in their order, with a task line
        "销售计划",
        "销售管理",
        "部门管理",
        "根据公司确定的楼盘销售任务及目标分解指标制定具体执行方案并组织实施",
        "总经理交办的其他工作",
        # qualification
        "本科",
        "地产法规及政策",
        "具有变革意识",
        # sign-off
        "李鸿飞",
        "郑长胜",
        "2006-08-16",
        "任职者签字",
    ]:
        assert expected in text, expected
    assert text.index("销售计划") < text.index("销售管理") < text.index("部门管理")
    assert "同上" not in text


def test_position_pdf_missing_cjk_font_answers_with_chinese_error_page(hr_client, settings):
    settings.CJK_FONT_FAMILY = "No Such CJK Font 无此字体"
    position = PositionFactory(title="销售经理", code="FZ-XS-001")
    response = hr_client.get(pdf_url(position))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = visible_text(response)
    assert "暂时无法生成 PDF" in text
    assert "服务器未安装中文字体“No Such CJK Font 无此字体”" in text
    assert "apt-get install fonts-noto-cjk" in text


def test_position_sheet_edit_button_only_for_editors_in_scope(client, hr_user):

    sales, marketing = DepartmentFactory(name="销售部"), DepartmentFactory(name="营销策划部")
    in_scope = PositionFactory(title="售楼员", department=sales)
    outside = PositionFactory(title="营销策划专员", department=marketing)
    scoped = UserFactory(username="hr-sales")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=sales)
    edit_link = 'href="{}"'

    client.force_login(scoped)
    page = client.get(sheet_url(in_scope)).content.decode()
    assert edit_link.format(reverse("positions:position-edit", args=[in_scope.pk])) in page
    page = client.get(sheet_url(outside)).content.decode()
    assert "编辑</a>" not in page

    client.force_login(UserFactory(username="plain"))
    assert "编辑</a>" not in client.get(sheet_url(in_scope)).content.decode()


def test_position_sheet_shows_holders_and_filled_over_planned(hr_client):
    position = PositionFactory(title="售楼员", headcount=3)
    EmployeeFactory(name="林员工", position=position)
    EmployeeFactory(name="吴新人", position=position)
    vacant = PositionFactory(title="收款文员", headcount=1)
    text = " ".join(visible_text(hr_client.get(sheet_url(position))).split())
    assert "在岗/编制 2/3" in text
    assert "任职者：林员工、吴新人" in text
    text = " ".join(visible_text(hr_client.get(sheet_url(vacant))).split())
    assert "在岗/编制 0/1 任职者：空缺" in text


def _link(html: str, element_id: str) -> tuple[str, str]:
    """(href, visible text) of the page's link with this id."""
    match = re.search(rf'<a [^>]*id="{element_id}"[^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    assert match, f"no #{element_id} link"
    return unescape(match.group(1)), strip_tags(match.group(2)).strip()


def _pending_draft(summary: str) -> Position:
    """A published sheet (V1) whose working copy has been edited since: a draft is pending."""
    position = FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=3)
    content = SheetContent(fields={"summary": summary})
    sheets.write_sheet(user=None, position=position, content=content, comment="改职位概要")
    position.refresh_from_db()
    assert position.status == Position.Status.DRAFT and position.current_version_id
    return position


def test_position_sheet_pending_draft_offers_print_draft_beside_the_version_in_force(hr_client):
    position = _pending_draft("草稿中的新职位概要：统筹区域销售。")

    html = hr_client.get(sheet_url(position)).content.decode()

    draft_href, draft_label = _link(html, "draft-pdf-button")
    pdf_href, pdf_label = _link(html, "pdf-button")
    assert draft_label == "打印草稿"
    assert pdf_label == "下载 PDF"
    assert draft_href == pdf_url(position)
    assert pdf_href == reverse("positions:version-pdf", kwargs={"pk": position.pk, "number": 1})
    draft = hr_client.get(draft_href)
    in_force = hr_client.get(pdf_href)
    draft_text = compact(pdf_text(draft.content))
    in_force_text = compact(pdf_text(in_force.content))
    assert "草稿中的新职位概要：统筹区域销售。" in draft_text
    assert "草稿" in draft_text  # the watermark
    assert "草稿中的新职位概要" not in in_force_text
    assert "负责制定并执行销售计划" in in_force_text
    assert in_force["Content-Disposition"].endswith("-V1.pdf")


def test_position_sheet_pending_draft_keeps_the_layout_on_both_pdf_links(hr_client):
    position = _pending_draft("草稿中的新职位概要。")

    html = hr_client.get(f"{sheet_url(position)}?layout=b").content.decode()

    assert _link(html, "draft-pdf-button")[0] == f"{pdf_url(position)}?layout=b"
    assert _link(html, "pdf-button")[0].endswith("/versions/1/pdf/?layout=b")


def test_position_sheet_without_pending_draft_offers_no_print_draft(hr_client):
    position = FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=3)

    html = hr_client.get(sheet_url(position)).content.decode()

    assert "打印草稿" not in html
    assert _link(html, "pdf-button") == (pdf_url(position), "下载 PDF")


def test_position_sheet_never_published_prints_only_the_draft(hr_client):
    position = PositionFactory(title="销管专员", status=Position.Status.DRAFT)

    html = hr_client.get(sheet_url(position)).content.decode()

    assert position.current_version_id is None
    assert _link(html, "draft-pdf-button") == (pdf_url(position), "打印草稿")
    assert 'id="pdf-button"' not in html


def test_position_sheet_reader_never_gets_print_draft(user_client):
    position = _pending_draft("草稿中的新职位概要。")

    html = user_client.get(sheet_url(position)).content.decode()

    assert "打印草稿" not in html
    assert _link(html, "pdf-button")[0].endswith("/versions/1/pdf/")
    assert user_client.get(pdf_url(position)).status_code == 200
