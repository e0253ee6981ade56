"""How a printed sheet is laid out: the stamp beside a long title, a page-tall duty below its
heading, the footer's numbers, and the one 文件编号 of a position without a 职位编号."""

from __future__ import annotations

import io

import pytest
import weasyprint
from openpyxl import load_workbook

from positions.models import Position
from positions.services import acknowledgements
from positions.sheet import build_sheet
from positions.tests.factories import DutyFactory, FullPositionFactory, PositionFactory
from positions.tests.text import compact, pdf_pages
from printing import pdf
from printing.services import company as company_service
from transfer.services import excel

pytestmark = pytest.mark.django_db

TITLE_40 = "区域营销中心高级客户关系管理及渠道拓展与品牌推广综合事务统筹协调专员岗位（福州）"


def laid_out(position: Position) -> weasyprint.Document:
    """The sheet's PDF layout (WeasyPrint boxes, positions in CSS px), before it is written."""
    html = weasyprint.HTML(
        string=pdf.sheet_html(build_sheet(position)),
        base_url=pdf.BASE_URL,
        url_fetcher=pdf.StaticFileFetcher(),
    )
    return html.render(stylesheets=[pdf.stylesheet(name) for name in pdf.PDF_STYLESHEETS])


def boxes(box, found=None):
    found = [] if found is None else found
    found.append(box)
    for child in getattr(box, "children", ()):
        boxes(child, found)
    return found


def classes(box) -> str:
    element = getattr(box, "element", None)
    return element.get("class", "") if element is not None else ""


def text_lines_of(page, css_class: str) -> list:
    """The line boxes inside the element of ``css_class`` on ``page``."""
    owners = [b for b in boxes(page._page_box) if css_class in classes(b).split()]
    return [b for owner in owners for b in boxes(owner) if type(b).__name__ == "LineBox"]


def rect(box) -> tuple[float, float, float, float]:
    return (box.position_x, box.position_y, box.position_x + box.width, box.position_y + box.height)


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_draft_stamp_never_covers_a_40_character_title():
    position = FullPositionFactory(title=TITLE_40, status=Position.Status.DRAFT, publish=False)
    first = laid_out(position).pages[0]

    title_lines = text_lines_of(first, "sheet-heading")
    stamp = next(b for b in boxes(first._page_box) if "sheet-stamp" in classes(b).split())
    assert len(TITLE_40) == 40 and len(title_lines) >= 2  # the title wraps
    # The stamp is rotated 8°: allow 3 px around its box for the turned corners.
    x0, y0, x1, y1 = rect(stamp)
    around = (x0 - 3, y0 - 3, x1 + 3, y1 + 3)
    for line in title_lines:
        text = [b for b in boxes(line) if type(b).__name__ == "TextBox"]
        assert text and not any(overlaps(around, rect(t)) for t in text), line


def test_a_duty_taller_than_a_page_starts_on_the_page_of_its_heading():
    position = FullPositionFactory(code="FZ-XS-102", duties=0)
    tasks = "\n".join(f"第{i}项工作任务：完成相关的日常事务处理" for i in range(1, 81))
    DutyFactory(position=position, rank=1, title="超长职责", tasks=tasks)

    pages = [compact(text) for text in pdf_pages(pdf.render_pdf(build_sheet(position)))]

    (heading_page,) = [page for page in pages if "工作内容与主要职责" in page]
    assert "第1项工作任务" in heading_page
    assert sum("第80项工作任务" in page for page in pages) == 1  # all of it printed, once


def footer(position: Position) -> str:
    """The first page's running footer: from its last 文件编号 on (the page's last line)."""
    page = compact(pdf_pages(pdf.render_pdf(build_sheet(position)))[0])
    return page[page.rindex("文件编号") :]


def test_footer_says_the_number_once_without_a_prefix():
    position = PositionFactory(title="售楼员", code="FZ-XS-101")

    footer_text = footer(position)

    assert footer_text.startswith("文件编号FZ-XS-101·版本V1·已生效")
    assert "职位编号" not in footer_text


def test_footer_names_both_numbers_with_a_prefix():
    company_service.save_company_profile(name="海峡地产", document_prefix="HX")
    position = PositionFactory(title="售楼员", code="FZ-XS-101")

    assert footer(position).startswith("文件编号HX-FZ-XS-101·职位编号FZ-XS-101·版本V1")


def test_position_without_a_code_prints_one_number_and_excel_keeps_its_import_key(hr_user):
    position = PositionFactory(title="收款文员", code="")
    number = f"P{position.pk:04d}"

    text = compact("".join(pdf_pages(pdf.render_pdf(build_sheet(position)))))
    report = acknowledgements.acknowledgement_report(position.current_version)
    ack_sheet = load_workbook(io.BytesIO(acknowledgements.acknowledgement_xlsx(report))).active
    contents = excel.contents_for(hr_user, Position.objects.filter(pk=position.pk))
    book = load_workbook(io.BytesIO(excel.position_workbook(contents)))

    assert f"文件编号{number}" in text and f"#{position.pk}" not in text
    assert ack_sheet["A1"].value == f"收款文员（{number}） V1 员工确认情况"
    keys = [row[0] for row in book["职位"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert f"#{position.pk}" in keys  # the workbook's import key stays
    assert number not in keys
