"""The sheet as a Word document (.docx), for the people who must edit in Word.

``render_docx`` reads only the sheet context (``positions.sheet.Sheet``), like the PDF, and lays
it out in the same bordered tables: the header block, 设岗目的, 职位概要, the duties (group
headings as merged rows, the header row repeated on every page), 主要责任, 工作权限, 任职资格,
工作关系, 关键指标 and the 编制 / 审核 / 审批 sign-off. The footer repeats 职位编号 · 版本 ·
生效日期 · 状态 and the page number.

Fonts are the ones every Chinese office PC has: 宋体 (SimSun) for text and 微软雅黑 (Microsoft
YaHei) for the title and section headings, set as ``w:eastAsia`` in ``w:rFonts`` (Latin text:
Times New Roman / the heading font); section headings are numbered 一、二、 as the PDF numbers
them (审批与确认 is not numbered there either), and the page header has the company on the
left and the 文件编号 on a right tab stop at the right margin.

The Word importer (the ``transfer.services.word_import`` package) reads these documents back:
section titles are plain paragraphs before their table and the sign-off boxes hold ``标签：值``
lines.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from positions.layouts import STANDARD, Layout, PrintedSheet, printed_sheet
from positions.models import CompanyProfile
from positions.sheet import Sheet
from printing.services.company import company_profile, sniff_logo_type

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The primary East-Asian fonts (installed on every Chinese Windows and Office) and their
# English names, declared in the font table so Word finds them under either name.
TEXT_FONT = "宋体"
HEADING_FONT = "微软雅黑"
LATIN_TEXT_FONT = "Times New Roman"
FONT_ALT_NAMES = {TEXT_FONT: "SimSun", HEADING_FONT: "Microsoft YaHei"}
CHINESE_NUMERALS = "一二三四五六七八九十"
LABEL_SHADE = "F2F2F2"
GROUP_SHADE = "E7EEF7"


def docx_filename(sheet: Sheet) -> tuple[str, str]:
    """(UTF-8 filename, ASCII fallback) of the sheet's .docx — the PDF's names, other suffix."""
    return (
        sheet.filename.removesuffix(".pdf") + ".docx",
        sheet.ascii_filename.removesuffix(".pdf") + ".docx",
    )


def _set_east_asian_font(rpr_owner, east_asian: str, latin: str) -> None:
    """Set the East-Asian and Latin fonts on an element holding (or getting) ``w:rPr``."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (section numbers)."""
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    tens, units = divmod(number, 10)
    return (
        (CHINESE_NUMERALS[tens - 1] if tens > 1 else "")
        + "十"
        + (CHINESE_NUMERALS[units - 1] if units else "")
    )


def _set_document_defaults(document, east_asian: str, latin: str) -> None:
    """Explicit fonts and Chinese language in docDefaults (the template names theme fonts,
    which would win over the Normal style's CJK font in Word)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _register_fonts(document) -> None:
    """Declare the Chinese fonts in the font table, each with its English name as alt name."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable") and not rel.is_external:
            part = rel.target_part
            blob = part.blob.decode("utf-8")
            for family, alt in FONT_ALT_NAMES.items():
                if f'w:name="{family}"' in blob:
                    continue
                entry = (
                    f'<w:font w:name="{family}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                    '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
                )
                blob = blob.replace("</w:fonts>", entry + "</w:fonts>")
            part._blob = blob.encode("utf-8")
            return


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _write(cell: _Cell, lines, *, bold: bool = False, center: bool = False) -> None:
    """Put one paragraph per line into the cell (its first, empty paragraph is reused)."""
    lines = [line for line in lines] or [""]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        if bold:
            run.bold = True


def _label(cell: _Cell, text: str) -> None:
    _write(cell, [text], bold=True)
    _shade(cell, LABEL_SHADE)


def _table(document, rows: int, cols: int, widths: list[float]) -> Table:
    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Word lays a fixed table out by its grid; LibreOffice and others read the cell widths.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    return table


def _heading(document, text: str, *, numbered: bool = True) -> None:
    """A section heading, numbered 一、二、 in the order the sections appear (as the PDF)."""
    if numbered:
        count = getattr(document, "_jobdesc_sections", 0) + 1
        document._jobdesc_sections = count
        text = f"{chinese_numeral(count)}、{text}"
    paragraph = document.add_paragraph(style="Sheet Section")
    paragraph.add_run(text)


def _add_page_field(paragraph) -> None:
    """A PAGE field: Word fills in the page number."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    number = OxmlElement("w:t")
    number.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, number, end):
        run._r.append(element)


def footer_text(sheet: Sheet) -> str:
    """职位编号 · 版本 · 生效日期 · 状态, leaving out what the sheet does not have."""
    parts = []
    if sheet.code:
        parts.append(f"职位编号 {sheet.code}")
    if sheet.version_label:
        parts.append(f"版本 {sheet.version_label}")
    if sheet.effective_date:
        parts.append(f"生效日期 {sheet.effective_date}")
    parts.append("已生效" if sheet.is_published else sheet.status_label)
    return " · ".join(parts)


def _setup(document, sheet: Sheet) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_east_asian_font(normal.element, TEXT_FONT, LATIN_TEXT_FONT)
    _set_document_defaults(document, TEXT_FONT, LATIN_TEXT_FONT)
    normal.paragraph_format.space_after = Pt(0)
    heading = document.styles.add_style("Sheet Section", 1)  # 1: paragraph style
    heading.base_style = normal
    heading.font.bold = True
    heading.font.size = Pt(12)
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.space_after = Pt(4)
    heading.paragraph_format.keep_with_next = True
    _set_east_asian_font(heading.element, HEADING_FONT, HEADING_FONT)
    title = document.styles.add_style("Sheet Title", 1)
    title.base_style = normal
    title.font.bold = True
    title.font.size = Pt(18)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_east_asian_font(title.element, HEADING_FONT, HEADING_FONT)
    # The Header style's own tab stops (centre 8.25 cm, right 16.5 cm) would catch the tab
    # before the 文件编号: the header paragraph sets the one right tab stop it needs.
    document.styles["Header"].paragraph_format.tab_stops.clear_all()
    _register_fonts(document)
    document.core_properties.title = f"{sheet.title}职位说明书"
    document.core_properties.subject = "职位说明书"
    document.core_properties.keywords = sheet.code
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run(footer_text(sheet) + " · 第 ")
    run.font.size = Pt(8)
    _add_page_field(footer)
    footer.add_run(" 页").font.size = Pt(8)


def _logo_bytes(company: CompanyProfile) -> bytes | None:
    """The company logo when Word can show it (PNG or JPEG), else None."""
    if not company.logo:
        return None
    try:
        with company.logo.storage.open(company.logo.name, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if sniff_logo_type(data) in ("png", "jpeg") else None


def _page_header(document, sheet: Sheet, company: CompanyProfile) -> None:
    """Company (logo, name) left and 文件编号 right on every page, as the PDF prints them."""
    section = document.sections[0]
    paragraph = section.header.paragraphs[0]
    width = section.page_width - section.left_margin - section.right_margin
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    logo = _logo_bytes(company)
    if logo is not None:
        try:
            paragraph.add_run().add_picture(io.BytesIO(logo), height=Cm(0.7))
            paragraph.add_run(" ")
        except Exception:  # a logo python-docx cannot read: the name alone
            pass
    name = paragraph.add_run(company.name)
    name.bold = True
    name.font.size = Pt(9)
    number = f"文件编号 {company.document_number(sheet.code, sheet.position_id)}"
    if sheet.version_label and sheet.is_published:
        number += f" · {sheet.version_label}"
    right = paragraph.add_run(f"\t{number}")
    right.font.size = Pt(9)


def _masthead(document, sheet: Sheet) -> None:
    title = document.add_paragraph(style="Sheet Title")
    title.add_run(f"{sheet.title}职位说明书")
    sub = [ref.name for ref in sheet.department_path]
    if sheet.code:
        sub.append(sheet.code)
    status = "" if sheet.is_published else f"【{sheet.status_label}】"
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub_run = subtitle.add_run(" · ".join(sub) + (f"  {status}" if status else ""))
    sub_run.font.size = Pt(9)
    sub_run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _header_table(document, sheet: Sheet) -> None:
    fields = list(sheet.header)
    rows = (len(fields) + 1) // 2 + (1 if sheet.related_positions else 0)
    table = _table(document, rows, 4, [2.6, 5.9, 2.6, 5.9])
    for index, field in enumerate(fields):
        row = table.rows[index // 2]
        col = (index % 2) * 2
        _label(row.cells[col], field.label)
        _write(row.cells[col + 1], [field.value])
    if sheet.related_positions:
        row = table.rows[-1]
        _label(row.cells[0], "相关职位")
        merged = row.cells[1].merge(row.cells[3])
        _write(merged, ["、".join(sheet.related_positions)])


def _box(document, title: str, lines) -> None:
    _heading(document, title)
    table = _table(document, 1, 1, [17.0])
    _write(table.rows[0].cells[0], list(lines))


def _duties(document, sheet: Sheet) -> None:
    duties = sheet.duties
    if not duties.groups:
        return
    _heading(document, "工作内容与主要职责")
    columns: list[tuple[str, float]] = [("重要性", 1.6)]
    if duties.show_title:
        columns.append(("主要职责", 3.2))
    columns.append(("工作内容", 0.0))
    if duties.show_responsibility:
        columns.append(("负责程度", 1.8))
    if duties.show_assessment:
        columns.append(("考核要点", 3.6))
    rest = 17.0 - sum(width for _, width in columns)
    widths = [width or rest for _, width in columns]
    table = _table(document, 1, len(columns), widths)
    header = table.rows[0]
    _repeat_header(header)
    for cell, (label, _) in zip(header.cells, columns, strict=True):
        _write(cell, [label], bold=True, center=True)
        _shade(cell, LABEL_SHADE)
    for group in duties.groups:
        if group.heading:
            row = table.add_row()
            _cant_split(row)
            merged = row.cells[0].merge(row.cells[-1])
            _write(merged, [group.heading], bold=True)
            _shade(merged, GROUP_SHADE)
        for duty in group.duties:
            row = table.add_row()
            _cant_split(row)
            values: list[tuple[list[str], bool]] = [([str(duty.number)], True)]
            if duties.show_title:
                title = duty.title + (f"（{duty.kind_note}）" if duty.kind_note else "")
                values.append(([title], False))
            values.append((list(duty.tasks), False))
            if duties.show_responsibility:
                values.append(([duty.responsibility_label], True))
            if duties.show_assessment:
                values.append((list(duty.assessment), False))
            for cell, (lines, center) in zip(row.cells, values, strict=True):
                _write(cell, lines, center=center)
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)


def _numbered_table(document, title: str, headers: tuple[str, ...], rows, widths) -> None:
    _heading(document, title)
    table = _table(document, 1, len(headers), widths)
    _repeat_header(table.rows[0])
    for cell, label in zip(table.rows[0].cells, headers, strict=True):
        _write(cell, [label], bold=True, center=True)
        _shade(cell, LABEL_SHADE)
    for number, values in enumerate(rows, start=1):
        row = table.add_row()
        _write(row.cells[0], [str(number)], center=True)
        for cell, lines in zip(row.cells[1:], values, strict=True):
            _write(cell, lines)
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _label_rows(document, title: str, rows) -> None:
    _heading(document, title)
    table = _table(document, len(rows), 2, [3.0, 14.0])
    for row, (label, lines) in zip(table.rows, rows, strict=True):
        _label(row.cells[0], label)
        _write(row.cells[1], list(lines))


def _relationships(document, sheet: Sheet) -> None:
    if not sheet.relationships:
        return
    _heading(document, "工作关系")
    widths = [3.0, 5.0, 9.0]
    table = _table(document, 1, 3, widths)
    headers = ("关系类型", "部门 / 单位 / 职位", "联系内容")
    for cell, label in zip(table.rows[0].cells, headers, strict=True):
        _write(cell, [label], bold=True, center=True)
        _shade(cell, LABEL_SHADE)
    for group in sheet.relationships:
        first = None
        for item in group.items:
            row = table.add_row()
            if first is None:
                first = row.cells[0]
                _label(first, group.label)
            else:
                first = first.merge(row.cells[0])
            _write(row.cells[1], [item.party])
            _write(row.cells[2], [item.purpose])
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)


def _sign_off(document, sheet: Sheet) -> None:
    _heading(document, "审批与确认", numbered=False)
    table = _table(document, 2, 3, [5.67, 5.67, 5.66])
    for cell, box in zip(table.rows[0].cells, sheet.sign_offs, strict=True):
        _write(cell, [f"{box.label}：{box.name}", f"日期：{box.date}"])
    signer = table.rows[1].cells[0].merge(table.rows[1].cells[1])
    _write(signer, ["任职者签字："])
    _write(table.rows[1].cells[2], ["日期："])
    if sheet.next_review:
        document.add_paragraph(f"下次复核日期：{sheet.next_review}")


# --- company form layouts (positions.layouts) -------------------------------------------------


def _form_grid(document, printed: PrintedSheet) -> None:
    if printed.grid_label:
        _heading(document, printed.grid_label)
    pairs = printed.grid_columns // 2
    label_width = 2.4
    value_width = (17.0 - pairs * label_width) / pairs
    table = _table(document, len(printed.grid), pairs * 2, [label_width, value_width] * pairs)
    for row, cells in zip(table.rows, printed.grid, strict=True):
        for index, cell in enumerate(cells):
            if not cell.label:  # the padding of a short last row
                continue
            _label(row.cells[index * 2], cell.label)
            _write(row.cells[index * 2 + 1], [cell.value])


def _form_relations(document, label: str, diagram) -> None:
    """职位关系 as a bordered table: 直属上司 above 本职位 and its 相关职位, 直接下属 below."""
    rows = [("直属上司", diagram.row("直属上司")), ("本职位", diagram.row("本职位"))]
    rows += [("相关职位", diagram.row("相关职位")), ("直接下属", diagram.row("直接下属"))]
    _label_rows(document, label, [(name, ["、".join(titles)]) for name, titles in rows if titles])


def _form_duties(document, label: str, table, columns) -> None:
    _heading(document, label)
    fixed = {"rank": 1.4, "title": 3.0, "responsibility": 1.8, "assessment": 3.6}
    rest = 17.0 - sum(fixed.get(column.key, 0.0) for column in columns)
    widths = [fixed.get(column.key, rest) for column in columns]
    out = _table(document, 1, len(columns), widths)
    _repeat_header(out.rows[0])
    for cell, column in zip(out.rows[0].cells, columns, strict=True):
        _write(cell, [column.label], bold=True, center=True)
        _shade(cell, LABEL_SHADE)
    for group in table.groups:
        if group.heading:
            row = out.add_row()
            _cant_split(row)
            merged = row.cells[0].merge(row.cells[-1])
            _write(merged, [group.heading], bold=True)
            _shade(merged, GROUP_SHADE)
        for duty in group.duties:
            row = out.add_row()
            _cant_split(row)
            values = {
                "rank": ([str(duty.number)], True),
                "title": (
                    [duty.title + (f"（{duty.kind_note}）" if duty.kind_note else "")],
                    False,
                ),
                "tasks": (list(duty.tasks), False),
                "responsibility": ([duty.responsibility_label], True),
                "assessment": (list(duty.assessment), False),
            }
            for cell, column, width in zip(row.cells, columns, widths, strict=True):
                lines, center = values[column.key]
                _write(cell, lines, center=center)
                cell.width = Cm(width)


def _form_relationships(document, label: str, groups) -> None:
    _heading(document, label)
    widths = [4.0, 5.0, 8.0]
    table = _table(document, 1, 3, widths)
    for cell, text in zip(
        table.rows[0].cells, ("关系类型", "部门 / 单位 / 职位", "联系内容"), strict=True
    ):
        _write(cell, [text], bold=True, center=True)
        _shade(cell, LABEL_SHADE)
    for group in groups:
        first = None
        for item in group.items:
            row = table.add_row()
            if first is None:
                first = row.cells[0]
                _label(first, group.label)
            else:
                first = first.merge(row.cells[0])
            _write(row.cells[1], [item.party])
            _write(row.cells[2], [item.purpose])


def _form_sign_off(document, printed: PrintedSheet, boxes) -> None:
    _heading(document, "审批与确认", numbered=False)
    width = round(17.0 / len(boxes), 2)
    table = _table(document, 1, len(boxes), [width] * len(boxes))
    date_label = printed.layout.signoff_date_label
    for cell, box in zip(table.rows[0].cells, boxes, strict=True):
        _write(cell, [f"{box.label}：{box.name}", f"{date_label}：{box.date}"])


def _form(document, sheet: Sheet, printed: PrintedSheet) -> None:
    """The sheet in a company form layout: its title, grid and sections in the form's order."""
    title = document.add_paragraph(style="Sheet Title")
    title.add_run(f"{sheet.title}{printed.heading}")
    if not sheet.is_published:
        note = document.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.add_run(f"【{sheet.status_label}】").font.size = Pt(9)
    _form_grid(document, printed)
    for section in printed.sections:
        kind, label, content = section.kind, section.label, section.content
        if kind == "text":
            _box(document, label, content)
        elif kind == "list":
            _box(document, label, [f"{n}. {line}" for n, line in enumerate(content, 1)])
        elif kind == "diagram":
            _form_relations(document, label, content)
        elif kind == "duties":
            _form_duties(document, label, content["table"], content["columns"])
        elif kind == "authorities":
            _numbered_table(
                document,
                label,
                ("序号", "权限", "权限级别"),
                [([a.name], [a.level_label]) for a in content],
                [1.6, 11.4, 4.0],
            )
        elif kind == "rows":
            _label_rows(document, label, [(row.label, row.lines) for row in content])
        elif kind == "relationships":
            _form_relationships(document, label, content)
        elif kind == "indicators":
            _numbered_table(
                document,
                label,
                ("序号", "指标", "说明"),
                [([i.name], i.description.splitlines() or [""]) for i in content],
                [1.6, 5.0, 10.4],
            )
        elif kind == "signoff":
            _form_sign_off(document, printed, content)
    if sheet.next_review:
        document.add_paragraph(f"下次复核日期：{sheet.next_review}")


def render_docx(
    sheet: Sheet, *, company: CompanyProfile | None = None, layout: Layout | None = None
) -> bytes:
    """The sheet as .docx bytes (A4 portrait, CJK font, bordered tables like the PDF).

    ``company`` (公司信息: name, logo, 文件编号 prefix) defaults to the stored profile;
    ``layout`` (``positions.layouts``) defaults to the standard layout below.
    """
    document = Document()
    _setup(document, sheet)
    _page_header(document, sheet, company if company is not None else company_profile())
    if layout is not None and layout.key != STANDARD:
        _form(document, sheet, printed_sheet(sheet, layout))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    _masthead(document, sheet)
    _header_table(document, sheet)
    if sheet.purpose:
        _box(document, "设岗目的", sheet.purpose)
    if sheet.summary:
        _box(document, "职位概要", sheet.summary)
    _duties(document, sheet)
    if sheet.commitments:
        _box(document, "主要责任", [f"{n}. {line}" for n, line in enumerate(sheet.commitments, 1)])
    if sheet.authorities:
        _numbered_table(
            document,
            "工作权限",
            ("序号", "权限", "权限级别"),
            [([a.name], [a.level_label]) for a in sheet.authorities],
            [1.6, 11.4, 4.0],
        )
    if sheet.qualifications:
        _label_rows(document, "任职资格", [(row.label, row.lines) for row in sheet.qualifications])
    _relationships(document, sheet)
    if sheet.indicators:
        _numbered_table(
            document,
            "关键指标",
            ("序号", "指标", "说明"),
            [([i.name], i.description.splitlines() or [""]) for i in sheet.indicators],
            [1.6, 5.0, 10.4],
        )
    _sign_off(document, sheet)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
