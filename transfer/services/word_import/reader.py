"""Opening a .docx and walking it: body blocks in order, a table row's cells without repeats.

python-docx returns a merged cell once per grid column and row it covers; ``unique_cells``
de-duplicates them by their XML element.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph


class WordImportError(Exception):
    """A file that cannot be read as a 职位说明书; the message is Chinese and shown as is."""


def iter_blocks(document) -> Iterator[object]:
    """Paragraphs and tables of the body, in document order."""

    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(element, document)
        elif tag == "tbl":
            yield Table(element, document)


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


@dataclass
class Cell:
    text: str
    first_col: int  # grid index of the cell's first column in this row
    element: object


def unique_cells(row) -> list[Cell]:
    """The row's cells, a merged cell once (python-docx repeats it per grid column)."""
    cells: list[Cell] = []
    seen: list[object] = []  # the elements themselves: an lxml proxy's id() is reused
    for index, cell in enumerate(row.cells):
        if any(cell._tc is other for other in seen):
            continue
        seen.append(cell._tc)
        cells.append(Cell(text=cell_text(cell), first_col=index, element=cell._tc))
    return cells


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
