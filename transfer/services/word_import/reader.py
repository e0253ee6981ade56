"""Opening a .docx and walking its XML: blocks in order, a paragraph's text, a table's grid.

Everything a reader sees is walked, not only the body python-docx exposes: content controls
(``w:sdt``) around paragraphs, rows and cells, text boxes (``w:txbxContent``, read once: Word
writes a text box twice, as DrawingML and as a VML fallback), nested tables, headers and footers.
A table is read as a grid: a cell spanning columns (``w:gridSpan``) is one cell, a cell merged
down (``w:vMerge``) is the cell where the merge starts, so merged and unmerged layouts read alike.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

W_P = qn("w:p")
W_TBL = qn("w:tbl")
W_TR = qn("w:tr")
W_TC = qn("w:tc")
W_SDT = qn("w:sdt")
W_SDT_CONTENT = qn("w:sdtContent")
W_T = qn("w:t")
W_TXBX = qn("w:txbxContent")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED = {W_TXBX, MC_FALLBACK, qn("w:delText"), qn("w:instrText")}
_BREAKS = {qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:tab"): "\t", qn("w:noBreakHyphen"): "-"}


class WordImportError(Exception):
    """A file that cannot be read as a 职位说明书; the message is Chinese and shown as is."""


def _content(element) -> Iterator[object]:
    """Children of a block container, content controls unwrapped."""
    for child in element.iterchildren():
        if child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from _content(content)
        else:
            yield child


def text_boxes(paragraph) -> list[object]:
    """The text boxes anchored in a paragraph (each once: the VML fallback is skipped)."""
    boxes = []
    for box in paragraph.iter(W_TXBX):
        parent = box.getparent()
        while parent is not None and parent is not paragraph:
            if parent.tag == MC_FALLBACK:
                break
            parent = parent.getparent()
        else:
            boxes.append(box)
    return boxes


@dataclass
class Block:
    kind: str  # "p" or "tbl"
    element: object
    where: str  # 正文 / 页眉 / 页脚 / 文本框


def iter_blocks(container, where: str = "正文") -> Iterator[Block]:
    """Paragraphs and tables of a body, header, footer or text box, in order; a text box
    anchored in a paragraph follows that paragraph."""
    for child in _content(container):
        if child.tag == W_P:
            yield Block("p", child, where)
            for box in text_boxes(child):
                yield from iter_blocks(box, "文本框")
        elif child.tag == W_TBL:
            yield Block("tbl", child, where)


def _walk_text(element, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == W_T:
            parts.append(child.text or "")
        elif tag in _BREAKS:
            parts.append(_BREAKS[tag])
        elif tag in (W_P, W_TBL):
            continue  # a nested block is read on its own
        else:
            _walk_text(child, parts)


def paragraph_text(paragraph) -> str:
    """A paragraph's text: its runs, hyperlinks, fields' results and inline content controls,
    without text boxes anchored in it (read as blocks of their own)."""
    parts: list[str] = []
    _walk_text(paragraph, parts)
    return "".join(parts)


def numbered_styles(document) -> set[str]:
    """Ids of paragraph styles that carry Word numbering (List Number and the like)."""
    found = set()
    for style in document.styles.element.iterchildren(qn("w:style")):
        ppr = style.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:numPr")) is not None:
            found.add(style.get(qn("w:styleId")))
    return found


def is_auto_numbered(paragraph, styles: set[str]) -> bool:
    """True when Word numbers the paragraph (``w:numPr``, directly or through its style)."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        return False
    numbering = ppr.find(qn("w:numPr"))
    if numbering is not None:
        num_id = numbering.find(qn("w:numId"))
        return num_id is None or num_id.get(qn("w:val")) != "0"
    style = ppr.find(qn("w:pStyle"))
    return style is not None and style.get(qn("w:val")) in styles


def style_id(paragraph) -> str:
    ppr = paragraph.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val"), "") if style is not None else ""


def is_bold(paragraph) -> bool:
    """Every run with text is bold (a heading typed as bold text)."""
    runs = [r for r in paragraph.iter(qn("w:r")) if r.find(W_T) is not None]
    if not runs:
        return False
    for run in runs:
        rpr = run.find(qn("w:rPr"))
        bold = rpr.find(qn("w:b")) if rpr is not None else None
        if bold is None or bold.get(qn("w:val")) in ("0", "false"):
            return False
    return True


@dataclass
class Cell:
    text: str
    first_col: int  # grid index of the cell's first column
    span: int
    element: object  # the w:tc where the cell starts (a vertical merge: its first row)
    continued: bool = False  # the lower part of a vertical merge (read in its first row)
    nested: bool = False  # holds tables: read as a container of blocks, not as one value

    def covers(self, col: int) -> bool:
        return self.first_col <= col < self.first_col + self.span


def cell_paragraphs(tc) -> list[object]:
    return [child for child in _content(tc) if child.tag == W_P]


def cell_text(tc) -> str:
    return "\n".join(paragraph_text(p) for p in cell_paragraphs(tc))


def nested_tables(tc) -> list[object]:
    return [child for child in _content(tc) if child.tag == W_TBL]


def _int(element, tag: str, default: int) -> int:
    found = element.find(tag) if element is not None else None
    try:
        return int(found.get(qn("w:val"))) if found is not None else default
    except (TypeError, ValueError):
        return default


def table_rows(tbl) -> list[list[Cell]]:
    """The table as rows of cells on the grid; vertical merges point to their first cell."""
    rows: list[list[Cell]] = []
    above: dict[int, Cell] = {}
    for tr in _content(tbl):
        if tr.tag != W_TR:
            continue
        col = _int(tr.find(qn("w:trPr")), qn("w:gridBefore"), 0)
        row: list[Cell] = []
        for tc in _content(tr):
            if tc.tag != W_TC:
                continue
            tc_pr = tc.find(qn("w:tcPr"))
            span = max(1, _int(tc_pr, qn("w:gridSpan"), 1))
            merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
                origin = above.get(col)
                if origin is not None:
                    cell = Cell(origin.text, col, span, origin.element, continued=True)
                else:
                    cell = Cell(cell_text(tc), col, span, tc, nested=bool(nested_tables(tc)))
            else:
                cell = Cell(cell_text(tc), col, span, tc, nested=bool(nested_tables(tc)))
            row.append(cell)
            for covered in range(col, col + span):
                above[covered] = cell if not cell.continued else above.get(covered, cell)
            col += span
        rows.append(row)
    return rows


def header_footer_parts(document) -> Iterator[tuple[str, object]]:
    """(页眉 or 页脚, root element) of every header and footer part, each once."""
    for part in document.part.package.iter_parts():
        content_type = part.content_type
        if content_type.endswith("header+xml"):
            yield "页眉", part.element
        elif content_type.endswith("footer+xml"):
            yield "页脚", part.element


def open_docx(data: bytes):
    """A python-docx Document, or WordImportError with the reason in Chinese."""

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise WordImportError(
            "文件是旧版 Word（.doc）格式或已加密，无法直接读取。请在 Word 中另存为 .docx 后再上传。"
        )
    if not data.startswith(b"PK"):
        raise WordImportError("文件不是 Word 文档（.docx）。请上传用 Word 保存的 .docx 文件。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise WordImportError(
                    "文件不是 Word 文档（.docx）：其中没有 Word 正文。请上传 .docx 文件。"
                )
            if archive.testzip() is not None:
                raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。")
        return Document(io.BytesIO(data))
    except WordImportError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。") from exc
    except Exception as exc:  # lxml errors in a damaged document.xml
        raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。") from exc
