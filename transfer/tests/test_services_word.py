"""The sheet as .docx: the same content and table layout as the PDF, read back with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.core.files.base import ContentFile
from docx.oxml.ns import qn
from PIL import Image

from positions.models import CompanyProfile, Position
from positions.sheet import build_sheet
from positions.tests.factories import DutyFactory, PositionFactory
from transfer.services.word import docx_filename, footer_text, render_docx

pytestmark = pytest.mark.django_db


def read(data: bytes):
    return docx.Document(io.BytesIO(data))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def sales_manager(seed):
    return Position.objects.with_sheet().get(code="FZ-XS-001")


def test_render_docx_of_sales_manager_has_title_code_superior_duties_and_sign_off(sales_manager):
    sheet = build_sheet(sales_manager)

    document = read(render_docx(sheet))

    text = all_text(document)
    assert document.paragraphs[0].text == "销售经理职位说明书"
    header = document.tables[0]
    cells = [[cell.text for cell in row.cells] for row in header.rows]
    assert ["职位名称", "销售经理", "职位编号", "FZ-XS-001"] in cells
    assert ["所在部门", "销售部", "直接上级", "副总经理"] in cells
    for group in sheet.duties.groups:
        for duty in group.duties:
            assert duty.title in text
            for task in duty.tasks:
                assert task in text
    qualification_rows = {
        row.cells[0].text: row.cells[1].text.split("\n")
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 2
    }
    for row in sheet.qualifications:
        assert qualification_rows[row.label] == list(row.lines)
    assert "编制：李鸿飞" in text and "审核：郑长胜" in text
    assert "日期：2006-08-16" in text


def test_render_docx_is_a4_portrait_with_cjk_east_asian_font_and_page_footer(sales_manager):
    sheet = build_sheet(sales_manager)

    document = read(render_docx(sheet))

    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 2.0
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    footer = section.footer.paragraphs[0]
    assert footer.text == f"{footer_text(sheet)} · 第 1 页"
    assert footer.text.startswith("职位编号 FZ-XS-001 · 版本 V1 · ")
    assert "已生效" in footer.text
    if sheet.effective_date:
        assert f"生效日期 {sheet.effective_date}" in footer.text
    instructions = [node.text for node in footer._p.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]


def test_render_docx_duty_table_repeats_header_and_merges_group_headings(db, departments):
    position = PositionFactory(title="销售管理专员", code="YX-01", department=departments["sales"])
    for rank, group, tasks in ((1, "销售业务管理", "制定销售计划"), (2, "其他", "其他工作")):
        DutyFactory(
            position=position, rank=rank, group=group, tasks=tasks, title="", responsibility=""
        )
    sheet = build_sheet(Position.objects.with_sheet().get(pk=position.pk))

    document = read(render_docx(sheet))

    duties = next(t for t in document.tables if t.rows[0].cells[0].text == "重要性")
    header = duties.rows[0]
    assert [cell.text for cell in header.cells] == ["重要性", "工作内容"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    group_row = duties.rows[1]
    assert group_row.cells[0]._tc is group_row.cells[1]._tc  # one cell across the row
    assert group_row.cells[0].text == "销售业务管理"
    assert [c.text for c in duties.rows[2].cells] == ["1", "制定销售计划"]


def test_render_docx_marks_a_draft_in_its_footer(db, departments):
    position = PositionFactory(
        title="案场主管", code="FZ-XS-050", department=departments["sales"], status="draft"
    )
    sheet = build_sheet(Position.objects.with_sheet().get(pk=position.pk))

    document = read(render_docx(sheet))

    assert "草稿" in document.sections[0].footer.paragraphs[0].text
    assert "【草稿】" in document.paragraphs[1].text


def test_docx_filename_follows_the_pdf_name(sales_manager):
    sheet = build_sheet(sales_manager)

    assert docx_filename(sheet) == ("FZ-XS-001-销售经理.docx", "FZ-XS-001.docx")


def test_render_docx_page_header_names_the_company_and_document_number(sales_manager, settings):
    company = CompanyProfile(name="海峡地产集团", document_prefix="HX-JD")
    sheet = build_sheet(sales_manager)

    document = read(render_docx(sheet, company=company))

    header = document.sections[0].header.paragraphs[0].text
    assert header == "海峡地产集团\t文件编号 HX-JD-FZ-XS-001 · V1"


def test_render_docx_shows_a_png_logo_in_the_page_header(sales_manager, settings, tmp_path):

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, format="PNG")
    company = CompanyProfile(name="海峡地产集团")
    company.logo.save("logo.png", ContentFile(buffer.getvalue()), save=False)

    document = read(render_docx(build_sheet(sales_manager), company=company))

    header_part = document.sections[0].header.part
    images = [rel for rel in header_part.rels.values() if rel.reltype.endswith("/image")]
    assert len(images) == 1
    assert document.sections[0].header.paragraphs[0].text.startswith(" 海峡地产集团")


def _fonts(element) -> tuple[str, str]:
    fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))


def test_render_docx_uses_songti_for_text_and_yahei_for_headings(sales_manager):
    data = render_docx(build_sheet(sales_manager))
    document = read(data)

    assert _fonts(document.styles["Normal"].element) == ("宋体", "Times New Roman")
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert _fonts(defaults) == ("宋体", "Times New Roman")
    assert _fonts(document.styles["Sheet Section"].element)[0] == "微软雅黑"
    assert _fonts(document.styles["Sheet Title"].element)[0] == "微软雅黑"
    assert document.paragraphs[0].style.name == "Sheet Title"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        font_table = archive.read("word/fontTable.xml").decode()
    assert '<w:font w:name="宋体"><w:altName w:val="SimSun"/>' in font_table
    assert '<w:font w:name="微软雅黑"><w:altName w:val="Microsoft YaHei"/>' in font_table
    assert "Noto Sans CJK SC" not in font_table


def test_render_docx_numbers_section_headings_as_the_pdf(sales_manager):
    document = read(render_docx(build_sheet(sales_manager)))

    headings = [p.text for p in document.paragraphs if p.style.name == "Sheet Section"]

    # 工作权限: the seed's 权责手册 gives 销售经理 cells (fixtures/manual.json).
    assert headings == [
        "一、职位概要",
        "二、工作内容与主要职责",
        "三、工作权限",
        "四、任职资格",
        "审批与确认",
    ]


def test_render_docx_header_puts_the_document_number_at_the_right_margin(sales_manager):
    document = read(render_docx(build_sheet(sales_manager)))

    header = document.sections[0].header.paragraphs[0]
    tabs = header._p.pPr.find(qn("w:tabs")).findall(qn("w:tab"))
    assert [(t.get(qn("w:val")), round(int(t.get(qn("w:pos"))) / 567, 1)) for t in tabs] == [
        ("right", 17.0)
    ]
    # The Header style's centre tab would otherwise catch the tab before 文件编号.
    assert document.styles["Header"].element.pPr.find(qn("w:tabs")) is None
    assert header.text.count("\t") == 1
