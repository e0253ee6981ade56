"""Spreadsheet cells the site writes: text that a spreadsheet could run stays text.

The rule (OWASP "CSV/formula injection"): a string cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is written as a text cell (``data_type = "s"``) marked
``quotePrefix`` — what Excel and WPS store when a user types ``'=…``. The value is unchanged:
the user sees exactly the text (``=HYPERLINK(…)`` as written, no added apostrophe), a re-import
reads the same string back, and editing the cell in Excel does not turn it into a formula.

The workbooks written here carry no formulas of their own, so ``xlsx_bytes`` applies the rule
to every cell of every worksheet on the way out: no string cell can bypass it.
"""

from __future__ import annotations

import io

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell: Cell) -> Cell:
    """The cell, made a text cell if its string value could be read as a formula."""
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook saved as xlsx bytes, every worksheet cell passed through ``as_text``."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                as_text(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
