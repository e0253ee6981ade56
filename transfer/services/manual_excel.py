"""The 权责手册 matrix as one Excel sheet: export, and import read back into the document shape.

One worksheet 「权责手册」, the layout people print and edit:

    row 1   title · 文号                                       (merged across)
    row 2   类别 | 事项 | 说明 | 档位/条件 | <column label> …
    row 3   (所属部门 / 机构 under each column)
    row 4   column keys (p12, b董事会) and the scope — hidden; matched first on import
    row 5…  one row per band; category and matter cells merged down their bands

Levels are written and read as their Chinese words (提议/审核/会签/审批/执行/知情); an empty cell
is no level. The import reads the same layout back into the one exchange format of the manual
(``{"columns": …, "categories": …}``) and lists every problem with its cell in Chinese
(「第 7 行 F 列：“审定”不是权限级别」); it writes nothing — the preview compares the document with
the working copy and the confirmation goes through the manual's one writer.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from positions.models import ManualLevel

SHEET = "权责手册"
FIXED = ("类别", "事项", "说明", "档位/条件")
FIRST_DATA_ROW = 5
KEY_ROW = 4
SCOPE_PREFIX = "scope:"
LEVEL_WORDS = {label: value for value, label in ManualLevel.choices}
LEVEL_LABELS = dict(ManualLevel.choices)
# The writer's own limits (≤ 2,000 bands, ≤ 500 columns) plus a margin for blank rows.
MAX_ROWS = 2_000
MAX_COLUMNS = 500
MAX_ERRORS = 200

_THIN = Side(style="thin", color="9AA5B1")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).replace("\u3000", " ").strip()


# --- export -----------------------------------------------------------------------------------


def manual_workbook(document: dict, *, scope_id: int | None = None) -> bytes:
    """The document (a whole or scoped working copy, or a version) as one xlsx sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    columns = document.get("columns", [])
    width = len(FIXED) + len(columns)

    title = document.get("title") or "权责手册"
    if document.get("doc_no"):
        title = f"{title}（文号 {document['doc_no']}）"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 4))

    for index, name in enumerate(FIXED, start=1):
        cell = sheet.cell(row=2, column=index, value=name)
        sheet.merge_cells(start_row=2, start_column=index, end_row=3, end_column=index)
    for index, column in enumerate(columns, start=len(FIXED) + 1):
        sheet.cell(row=2, column=index, value=column["label"])
        below = column.get("department", "") if column["kind"] == "position" else "机构"
        sheet.cell(row=3, column=index, value=below)
        sheet.cell(row=KEY_ROW, column=index, value=column["key"])
    sheet.cell(row=KEY_ROW, column=1, value=f"{SCOPE_PREFIX}{scope_id or ''}")
    for row in (2, 3):
        for index in range(1, width + 1):
            cell = sheet.cell(row=row, column=index)
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
            cell.alignment = _CENTER
            cell.border = _BORDER
    sheet.row_dimensions[KEY_ROW].hidden = True

    row = FIRST_DATA_ROW
    for category in document.get("categories", []):
        category_start = row
        for matter in category.get("matters", []):
            matter_start = row
            for band in matter.get("bands", []) or [{"condition": "", "cells": {}}]:
                sheet.cell(row=row, column=1, value=category["name"])
                sheet.cell(row=row, column=2, value=matter["name"])
                sheet.cell(row=row, column=3, value=matter.get("note", ""))
                sheet.cell(row=row, column=4, value=band.get("condition", ""))
                cells = band.get("cells", {})
                for index, column in enumerate(columns, start=len(FIXED) + 1):
                    level = cells.get(column["key"])
                    if level:
                        sheet.cell(row=row, column=index, value=LEVEL_LABELS.get(level, level))
                for index in range(1, width + 1):
                    cell = sheet.cell(row=row, column=index)
                    cell.border = _BORDER
                    cell.alignment = _CENTER if index > len(FIXED) else _WRAP
                row += 1
            if row - 1 > matter_start:
                for col in (2, 3):
                    sheet.merge_cells(
                        start_row=matter_start, start_column=col, end_row=row - 1, end_column=col
                    )
        if row - 1 > category_start:
            sheet.merge_cells(
                start_row=category_start, start_column=1, end_row=row - 1, end_column=1
            )

    for index, letter_width in enumerate((12, 18, 18, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = letter_width
    for index in range(len(FIXED) + 1, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 9
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=len(FIXED) + 1)

    notes = workbook.create_sheet("说明")
    notes.append(["权限级别", "含义"])
    for value, label in ManualLevel.choices:
        notes.append([label, value])
    notes.append([])
    notes.append(["填写说明：每格填一个权限级别（提议/审核/会签/审批/执行/知情），不适用留空。"])
    notes.append(["类别、事项可合并单元格或逐行重复；同一事项的多行为不同档位（金额或条件）。"])
    notes.append(["第 4 行（隐藏）为列的编号，请勿修改；列按编号识别，增删列请在系统中操作。"])

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- import -----------------------------------------------------------------------------------


@dataclass
class ManualImport:
    """A workbook read back: the document it holds (rows and the columns it names) and every
    problem with its cell. ``ok`` only when there is none."""

    document: dict
    scope_id: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_ref(row: int, column: int) -> str:
    return f"第 {row} 行 {get_column_letter(column)} 列"


def _column_for(
    key: str, label: str, department: str, known: dict[str, dict], by_label: dict
) -> dict | None:
    if key and key in known:
        return known[key]
    candidates = by_label.get((label, department)) or []
    if len(candidates) == 1:
        return candidates[0]
    return None


def read_manual_workbook(data: bytes, *, base: dict) -> ManualImport:
    """Read a workbook of ``manual_workbook``'s layout; ``base`` is the working document the
    columns are matched against (by the hidden key row, else by label and department)."""
    result = ManualImport(document={"columns": [], "categories": []})
    errors = result.errors
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        errors.append("无法读取该 Excel 文件，请用本系统导出的权责手册模板填写后再上传。")
        return result
    if SHEET not in workbook.sheetnames:
        errors.append(f"文件中没有名为“{SHEET}”的工作表，请使用本系统导出的权责手册。")
        return result
    sheet = workbook[SHEET]
    if sheet.max_row > MAX_ROWS + FIRST_DATA_ROW + 100:
        errors.append(f"行数过多（{sheet.max_row} 行），权责手册最多 {MAX_ROWS} 个档位。")
        return result
    if sheet.max_column > MAX_COLUMNS + len(FIXED):
        errors.append(f"列数过多（{sheet.max_column} 列），权责手册最多 {MAX_COLUMNS} 列。")
        return result

    # Merged cells keep their value in the top-left cell only: spread it over the range.
    values: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(row=merged.min_row, column=merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                values[(row, col)] = top_left
    grid = [
        [values.get((r, c), cell) for c, cell in enumerate(row_values, start=1)]
        for r, row_values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]

    def at(row: int, col: int) -> str:
        if row - 1 >= len(grid) or col - 1 >= len(grid[row - 1]):
            return ""
        return _text(grid[row - 1][col - 1])

    header = [at(2, col) for col in range(1, len(FIXED) + 1)]
    if tuple(header) != FIXED:
        errors.append(
            "第 2 行的表头应为“类别、事项、说明、档位/条件”，后接各职位/机构列；"
            "请使用本系统导出的权责手册。"
        )
        return result

    scope_text = at(KEY_ROW, 1)
    if scope_text.startswith(SCOPE_PREFIX) and scope_text[len(SCOPE_PREFIX) :].isdigit():
        result.scope_id = int(scope_text[len(SCOPE_PREFIX) :])

    known = {column["key"]: column for column in base.get("columns", [])}
    by_label: dict[tuple[str, str], list[dict]] = {}
    for column in base.get("columns", []):
        department = column.get("department", "") if column["kind"] == "position" else "机构"
        by_label.setdefault((column["label"], department), []).append(column)

    width = max((len(row) for row in grid), default=0)
    columns: list[tuple[int, dict]] = []
    seen: set[str] = set()
    for col in range(len(FIXED) + 1, width + 1):
        label = at(2, col)
        key = at(KEY_ROW, col)
        if not label and not key:
            continue
        column = _column_for(key, label, at(3, col), known, by_label)
        if column is None:
            errors.append(
                f"{_cell_ref(2, col)}：找不到列“{label or key}”"
                "（职位或机构不在权责手册中，或不在导出时的部门范围内）。"
            )
            continue
        if column["key"] in seen:
            errors.append(f"{_cell_ref(2, col)}：列“{label}”重复。")
            continue
        seen.add(column["key"])
        columns.append((col, column))
    result.document["columns"] = [column for _, column in columns]

    categories: list[dict] = []
    category_names: dict[str, dict] = {}
    band_count = 0
    last_category = last_matter = ""
    for row in range(FIRST_DATA_ROW, len(grid) + 1):
        fixed = [at(row, col) for col in range(1, len(FIXED) + 1)]
        levels = [(col, column, at(row, col)) for col, column in columns]
        if not any(fixed) and not any(level for _, _, level in levels):
            continue
        category_name = fixed[0] or last_category
        matter_name = fixed[1] or (last_matter if not fixed[0] else "")
        if not category_name:
            errors.append(f"{_cell_ref(row, 1)}：缺少类别。")
            continue
        if not matter_name:
            errors.append(f"{_cell_ref(row, 2)}：缺少事项。")
            continue
        last_category, last_matter = category_name, matter_name
        category = category_names.get(category_name)
        if category is None:
            category = {"name": category_name, "matters": []}
            category_names[category_name] = category
            categories.append(category)
        matter = next((m for m in category["matters"] if m["name"] == matter_name), None)
        if matter is None:
            matter = {"name": matter_name, "note": fixed[2], "bands": []}
            category["matters"].append(matter)
        if any(band["condition"] == fixed[3] for band in matter["bands"]):
            shown = f"档位“{fixed[3]}”" if fixed[3] else "不分档的一行"
            errors.append(f"{_cell_ref(row, 4)}：事项“{matter_name}”的{shown}重复。")
            continue
        cells = {}
        for col, column, word in levels:
            if not word:
                continue
            level = LEVEL_WORDS.get(word)
            if level is None:
                errors.append(
                    f"{_cell_ref(row, col)}：“{word}”不是权限级别"
                    "（应为 提议、审核、会签、审批、执行、知情 之一，或留空）。"
                )
                continue
            cells[column["key"]] = level
        matter["bands"].append({"condition": fixed[3], "cells": cells})
        band_count += 1
        if band_count > MAX_ROWS:
            errors.append(f"档位过多：权责手册最多 {MAX_ROWS} 个档位。")
            break
        if len(errors) >= MAX_ERRORS:
            errors.append(f"问题过多，只列出前 {MAX_ERRORS} 条。")
            break
    result.document["categories"] = categories
    if not categories and not errors:
        errors.append("文件中没有任何事项（从第 5 行起每行一个档位）。")
    return result


# --- the preview's comparison -----------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    band: str  # 类别 / 事项 / 档位
    column: str  # label
    before: str  # Chinese word or ""
    after: str


@dataclass
class ManualDiff:
    added_bands: list[str] = field(default_factory=list)
    removed_bands: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added_bands or self.removed_bands or self.cells)


def band_label(category: str, matter: str, condition: str) -> str:
    label = f"{category} / {matter}"
    return f"{label}（{condition}）" if condition else label


def _bands(document: dict) -> dict[tuple[str, str, str], dict]:
    return {
        (category["name"], matter["name"], band.get("condition", "")): band
        for category in document.get("categories", [])
        for matter in category.get("matters", [])
        for band in matter.get("bands", [])
    }


def diff_documents(before: dict, after: dict) -> ManualDiff:
    """What importing ``after`` changes in ``before`` (rows, and the cells of after's columns)."""
    diff = ManualDiff()
    old, new = _bands(before), _bands(after)
    for key in new:
        if key not in old:
            diff.added_bands.append(band_label(*key))
    for key in old:
        if key not in new:
            diff.removed_bands.append(band_label(*key))
    for key, band in new.items():
        previous = old.get(key, {"cells": {}})
        for column in after.get("columns", []):
            was = previous["cells"].get(column["key"], "")
            now = band["cells"].get(column["key"], "")
            if was != now:
                diff.cells.append(
                    CellChange(
                        band=band_label(*key),
                        column=column["label"],
                        before=LEVEL_LABELS.get(was, was),
                        after=LEVEL_LABELS.get(now, now),
                    )
                )
    return diff
