"""Importing positions from an Excel workbook: parse → plan → (the user confirms) → apply.

``plan_position_import(data, user)`` reads the workbook (format: ``services.excel.WORKBOOK``),
checks every row and returns an ``ImportPlan``: per position 新建 / 更新 / 无变化, and every
problem by sheet, row and column in Chinese. Nothing is written. ``apply_plan(plan, user)``
writes a plan without problems in ONE transaction: all or nothing.

An update goes through the rules of ``services.editing.save_position``: the position becomes a
草稿 again (a 已生效 one starts its next version; ``current_version`` — what everyone else reads
— is untouched; 待审核/待审批 lose their sign-off), ``lock_version`` moves on, and one
django-reversion revision per position records it (comment 「Excel 导入」). A position whose
content equals the workbook's is 无变化 and not touched at all, so re-importing a file changes
nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from positions import permissions
from positions.ids import parse_id
from positions.models import (
    Department,
    Duty,
    Indicator,
    Matter,
    Position,
    Qualification,
    Relationship,
)
from positions.services.manual import AuthorityLine, write_position_authorities
from positions.services.sheet_diff import SheetChanges
from positions.services.sheets import SheetContent, SheetWrite, write_sheets
from transfer.services import excel
from transfer.services.excel import (
    CHOICE,
    DATE,
    INT,
    KEYS,
    POSITION_KEY,
    POSITIONS,
    SECTION_SHEETS,
    WORKBOOK,
    Column,
    PositionContent,
    SheetSpec,
)
from transfer.services.preview_diff import write_diffs

IMPORT_COMMENT = "Excel 导入"
MAX_SMALL_INT = 32767
SECTION_MODELS: dict[str, type[Model]] = {
    "duties": Duty,
    "authorities": Matter,  # 工作权限 go to the 权责手册: 事项 name length
    "qualification": Qualification,
    "relationships": Relationship,
    "indicators": Indicator,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; ``row`` is the worksheet row number (1 = headers)."""

    sheet: str
    row: int | None
    column: str
    message: str

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return " ".join(parts) or "文件"

    def __str__(self) -> str:
        return f"{self.location}：{self.message}"


@dataclass
class ParsedRow:
    number: int  # the worksheet row
    values: dict[str, Any]  # field → typed, normalised value


class ImportRefused(Exception):
    """``apply_plan`` was given a plan with problems (nothing was written)."""


# --- reading cells ----------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


# What openpyxl raises on a damaged package or sheet XML (an XML parse error is a SyntaxError).
_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    OSError,
    TypeError,
    SyntaxError,
)
UNREADABLE_MESSAGE = "文件已损坏或不是有效的 Excel 工作簿，无法读取。"
NO_RESULT_MESSAGE = "公式单元格没有计算结果，请粘贴为数值后再导入。"


@dataclass(frozen=True)
class SheetScan:
    """What streaming one worksheet found: too many rows, and where its formula cells are."""

    too_many_rows: bool
    formulas: frozenset[tuple[int, int]]  # (row, column) of every cell holding a formula


def scan_workbook(data: bytes, problems: list[Problem]) -> dict[str, SheetScan] | None:
    """Every worksheet streamed once in read-only mode, before anything is loaded whole.

    Rows are counted as they come and counting stops at the limit + 1
    (``settings.IMPORT_MAX_ROWS`` data rows below the header): a million-row file costs what a
    file just over the limit does. The ``<dimension>`` the file states is not trusted
    (``reset_dimensions``): a small one would hide rows, a huge one would invent empty ones.
    The same pass notes the formula cells, whose values are then read from what Excel or WPS
    cached in the file (``open_workbook`` loads with ``data_only=True``).
    """
    limit = settings.IMPORT_MAX_ROWS
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _UNREADABLE:
        problems.append(Problem("", None, "", UNREADABLE_MESSAGE))
        return None
    scans: dict[str, SheetScan] = {}
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()
            formulas: set[tuple[int, int]] = set()
            count = 0
            for row in worksheet.iter_rows():
                count += 1
                if count > limit + 1:
                    break
                formulas.update((c.row, c.column) for c in row if c.data_type == "f")
            scans[worksheet.title] = SheetScan(count > limit + 1, frozenset(formulas))
    except _UNREADABLE:
        problems.append(Problem("", None, "", UNREADABLE_MESSAGE))
        return None
    finally:
        workbook.close()
    return scans


def open_workbook(data: bytes, problems: list[Problem]) -> Workbook | None:
    """The whole workbook; a formula cell holds the value cached in the file (or None)."""
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except _UNREADABLE:
        problems.append(Problem("", None, "", UNREADABLE_MESSAGE))
        return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(column: Column, value: Any, problem: Any) -> Any:
    """The typed value of one cell; calls ``problem(message)`` and returns None when invalid."""
    if _is_blank(value):
        if column.required:
            problem(f"必填项“{column.header}”为空。")
        return None if column.kind in (INT, DATE) else ((), "")[column.kind != KEYS]
    if column.kind == INT:
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            number = parse_id(value)
        if number is None or number < 0 or number > MAX_SMALL_INT:
            problem(f"“{column.header}”应为 0 到 {MAX_SMALL_INT} 之间的整数，实际为“{value}”。")
            return None
        return number
    if column.kind == DATE:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        match = _DATE_TEXT.match(str(value))
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        problem(f"“{column.header}”应为日期，如 2024-03-01，实际为“{value}”。")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()[:10]
    text = excel.normal_text(value)
    if column.kind == KEYS:
        return tuple(dict.fromkeys(excel.split_keys(text)))
    if column.kind == CHOICE:
        chosen = column.choice_value(text)
        if chosen is None:
            options = "、".join(column.choice_labels())
            problem(f"“{text}”不是“{column.header}”下拉列表中的选项（可选：{options}）。")
            return ""
        return chosen
    return text


def read_sheet(
    worksheet: Worksheet,
    spec: SheetSpec,
    problems: list[Problem],
    formulas: frozenset[tuple[int, int]] = frozenset(),
) -> list[ParsedRow]:
    """The data rows of one worksheet (loaded by ``open_workbook``), typed; every problem found
    is appended to ``problems``. ``formulas``: the (row, column) of its formula cells — one
    without a cached result is a problem (openpyxl and some generators save none)."""
    name = spec.name
    found = len(problems)

    def header_of(column_index: int) -> str:
        value = worksheet.cell(row=1, column=column_index).value
        return excel.normal_text(value) or get_column_letter(column_index)

    if worksheet.max_row <= 1 and worksheet.max_column <= 1 and _is_blank(worksheet["A1"].value):
        problems.append(
            Problem(name, None, "", "工作表是空的：第 1 行应为列标题，请使用导入模板。")
        )
        return []
    for merged in sorted(worksheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        where = "标题行" if merged.min_row == 1 else "数据行"
        problems.append(
            Problem(
                name,
                merged.min_row,
                header_of(merged.min_col),
                f"{where}中有合并单元格 {merged.coord}，请取消合并后再导入。",
            )
        )
    headers: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index in range(1, worksheet.max_column + 1):
        cell = worksheet.cell(row=1, column=index)
        text = excel.normal_text(cell.value).rstrip("*＊").strip()
        letter = get_column_letter(index)
        if not text:
            has_data = any(
                not _is_blank(worksheet.cell(row=r, column=index).value)
                for r in range(2, worksheet.max_row + 1)
            )
            if has_data:
                problems.append(
                    Problem(name, 1, letter, f"第 {letter} 列有数据但没有列标题，请删除该列。")
                )
            continue
        column = spec.column(text)
        if column is None:
            problems.append(
                Problem(
                    name,
                    1,
                    text,
                    f"未知的列“{text}”（{letter} 列），请删除该列或使用导入模板中的列标题。",
                )
            )
            continue
        if text in seen:
            problems.append(Problem(name, 1, text, f"列“{text}”重复（{letter} 列）。"))
            continue
        seen[text] = index
        headers[index] = column
    for column in spec.columns:
        if column.header not in seen:
            problems.append(
                Problem(name, 1, column.header, f"缺少列“{column.header}”，请使用导入模板。")
            )
    if len(problems) > found:
        return []
    rows: list[ParsedRow] = []
    for number in range(2, worksheet.max_row + 1):
        cells = {index: worksheet.cell(row=number, column=index) for index in headers}
        if all(_is_blank(cell.value) for cell in cells.values()):
            continue
        values: dict[str, Any] = {}
        for index, column in headers.items():
            cell = cells[index]

            def problem(message: str, column: Column = column, number: int = number) -> None:
                problems.append(Problem(name, number, column.header, message))

            if (number, index) in formulas and cell.value is None:
                problem(NO_RESULT_MESSAGE)
                values[column.field] = None
                continue
            if cell.data_type == "e":
                problem(f"单元格 {cell.coordinate} 是错误值“{cell.value}”。")
                values[column.field] = None
                continue
            values[column.field] = _convert(column, cell.value, problem)
        rows.append(ParsedRow(number=number, values=values))
    return rows


def read_workbook_sheets(
    data: bytes, specs: tuple[SheetSpec, ...], allowed_extra: Iterable[str]
) -> tuple[dict[str, list[ParsedRow]], list[Problem]]:
    """Every sheet of ``specs`` parsed; missing or unknown worksheets are problems."""
    problems: list[Problem] = []
    scans = scan_workbook(data, problems)
    if scans is None:
        return {}, problems
    known = {spec.name for spec in specs} | set(allowed_extra)
    for name in scans:
        if name not in known:
            problems.append(
                Problem(name, None, "", f"未知的工作表“{name}”，请删除它或使用导入模板。")
            )
    for spec in specs:
        if spec.name not in scans:
            problems.append(Problem(spec.name, None, "", "缺少此工作表，请使用导入模板。"))
    limit = settings.IMPORT_MAX_ROWS
    for name, scan in scans.items():
        if scan.too_many_rows:
            problems.append(
                Problem(
                    name,
                    None,
                    "",
                    f"工作表超过上限 {limit} 行（不含标题行）；"
                    "请删除多余的行（含只有格式的空行）或分批导入。",
                )
            )
    if any(scan.too_many_rows for scan in scans.values()):
        return {}, problems  # never load a huge workbook whole
    workbook = open_workbook(data, problems)
    if workbook is None:
        return {}, problems
    parsed: dict[str, list[ParsedRow]] = {}
    for spec in specs:
        if spec.name in scans:
            parsed[spec.name] = read_sheet(
                workbook[spec.name], spec, problems, scans[spec.name].formulas
            )
    return parsed, problems


# --- the plan ---------------------------------------------------------------------------------


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    LABELS = {CREATE: "新建", UPDATE: "更新", UNCHANGED: "无变化"}


@dataclass
class PlannedPosition:
    key: str
    row: int
    content: PositionContent
    department: Department | None
    existing: Position | None
    action: str = Action.CREATE
    changes: list[str] = field(default_factory=list)  # what an update changes
    # 工作权限 as the position shows them now (the 权责手册 version in force), for updates
    current_authorities: list[dict[str, Any]] | None = None

    @property
    def action_label(self) -> str:
        return Action.LABELS[self.action]

    @property
    def title(self) -> str:
        return self.content.position.get("title", "")

    @property
    def duty_count(self) -> int:
        return len(self.content.duties)

    @property
    def becomes_draft(self) -> bool:
        return (
            self.action == Action.UPDATE
            and self.existing is not None
            and self.existing.status != Position.Status.DRAFT
        )


@dataclass
class ImportPlan:
    positions: list[PlannedPosition]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for p in self.positions if p.action == action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def has_changes(self) -> bool:
        return self.created + self.updated > 0

    def fingerprint(self) -> str:
        """Identifies what confirming would write (to detect changes since the preview)."""
        digest = hashlib.sha256()
        for planned in self.positions:
            stamp = planned.existing.lock_version if planned.existing else 0
            digest.update(repr((planned.key, planned.action, stamp)).encode())
            digest.update(repr(planned.content.comparable()).encode())
        for problem in self.problems:
            digest.update(str(problem).encode())
        return digest.hexdigest()[:32]


def _check_lengths(
    spec: SheetSpec, model: type[Model], row: ParsedRow, problems: list[Problem]
) -> None:
    for column in spec.columns:
        if column.kind != excel.TEXT or column is POSITION_KEY:
            continue
        try:
            model_field = model._meta.get_field(column.field)
        except FieldDoesNotExist:  # a column that is no model field (department …)
            continue
        limit = getattr(model_field, "max_length", None)
        value = row.values.get(column.field) or ""
        if limit and len(value) > limit:
            problems.append(
                Problem(
                    spec.name,
                    row.number,
                    column.header,
                    f"“{column.header}”最多 {limit} 个字符，现为 {len(value)} 个。",
                )
            )


class _Departments:
    def __init__(self) -> None:
        self.all = list(Department.objects.all())
        self.by_code = {d.code: d for d in self.all}
        self.by_name: dict[str, list[Department]] = {}
        for department in self.all:
            self.by_name.setdefault(department.name, []).append(department)

    def resolve(self, text: str) -> tuple[Department | None, str]:
        if text in self.by_code:
            return self.by_code[text], ""
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            paths = "、".join(f"{d.full_name}（{d.code}）" for d in named)
            return None, f"部门名称“{text}”不唯一（{paths}），请填写部门编号。"
        return None, f"未知的部门“{text}”：请填写已有部门的部门编号或名称（见“部门列表”）。"


def _existing_positions(keys: Iterable[str]) -> dict[str, Position]:
    keys = set(keys)
    codes = [k for k in keys if not k.startswith(excel.ID_PREFIX)]
    ids = [parse_id(k[1:]) for k in keys if k.startswith(excel.ID_PREFIX)]
    ids = [pk for pk in ids if pk is not None]
    found: dict[str, Position] = {}
    queryset = Position.objects.select_related("department", "current_version").defer(
        "current_version__sheet"
    )
    for position in queryset.filter(code__in=codes):
        found[position.code] = position
    for position in queryset.filter(pk__in=ids, code=""):
        found[f"{excel.ID_PREFIX}{position.pk}"] = position
    return found


def _reporting_graph(planned: dict[str, PlannedPosition]) -> dict[str, str]:
    """key → superior key over the planned state: stored links, replaced by the file's."""
    graph: dict[str, str] = {}
    rows = Position.objects.values_list("pk", "code", "reports_to__pk", "reports_to__code")
    for pk, code, superior_pk, superior_code in rows:
        if superior_pk is not None:
            key = code or f"{excel.ID_PREFIX}{pk}"
            graph[key] = superior_code or f"{excel.ID_PREFIX}{superior_pk}"
    for key, plan in planned.items():
        if plan.action == Action.UNCHANGED:
            continue  # not written: its stored links stay
        superior = plan.content.position.get("reports_to") or ""
        if superior:
            graph[key] = superior
        else:
            graph.pop(key, None)
    return graph


def _cycle(graph: dict[str, str], start: str) -> list[str]:
    chain = [start]
    node = graph.get(start)
    seen = {start}
    while node is not None:
        if node == start:
            return [*chain, start]
        if node in seen:
            return []
        seen.add(node)
        chain.append(node)
        node = graph.get(node)
    return []


def plan_position_import(data: bytes, user: AbstractBaseUser) -> ImportPlan:
    """Read a position workbook and decide what confirming it would do; writes nothing."""
    sheets, problems = read_workbook_sheets(data, WORKBOOK, excel.REFERENCE_SHEETS)
    position_rows = sheets.get(POSITIONS.name, [])
    if POSITIONS.name in sheets and not position_rows and not problems:
        problems.append(
            Problem(POSITIONS.name, None, "", "工作表“职位”没有数据行：请至少填写一个职位。")
        )
    departments = _Departments()
    planned: dict[str, PlannedPosition] = {}
    for row in position_rows:
        values = row.values
        key = values.get("code") or ""
        if not key:
            continue  # reported as a missing required field
        if key in planned:
            first = planned[key].row
            problems.append(
                Problem(
                    POSITIONS.name,
                    row.number,
                    "职位编号",
                    f"职位编号“{key}”重复：第 {first} 行已使用。",
                )
            )
            continue
        if key == excel.EXAMPLE_CODE:
            problems.append(
                Problem(
                    POSITIONS.name,
                    row.number,
                    "职位编号",
                    f"职位编号“{key}”是模板中的示例行，请删除示例行或改为实际的职位编号。",
                )
            )
        department = None
        if values.get("department"):
            department, message = departments.resolve(values["department"])
            if message:
                problems.append(Problem(POSITIONS.name, row.number, "所在部门", message))
        _check_lengths(POSITIONS, Position, row, problems)
        if len(key) > 30:
            problems.append(
                Problem(POSITIONS.name, row.number, "职位编号", "“职位编号”最多 30 个字符。")
            )
        low, high = values.get("grade_min"), values.get("grade_max")
        if low is not None and high is not None and low > high:
            problems.append(
                Problem(
                    POSITIONS.name,
                    row.number,
                    "职位等级（高）",
                    f"职位等级范围无效：最低等级 {low} 高于最高等级 {high}。",
                )
            )
        head = dict(values)
        head["department"] = department.code if department else values.get("department", "")
        planned[key] = PlannedPosition(
            key=key,
            row=row.number,
            content=PositionContent(position=head),
            department=department,
            existing=None,
        )
    # Sections, linked by 职位编号.
    models = dict(zip((s.key for s in SECTION_SHEETS), SECTION_MODELS.values(), strict=True))
    for spec in SECTION_SHEETS:
        for row in sheets.get(spec.name, []):
            key = row.values.pop("position", "") or ""
            if not key:
                continue
            if key not in planned:
                problems.append(
                    Problem(
                        spec.name,
                        row.number,
                        "职位编号",
                        f"职位编号“{key}”不在“职位”工作表中：请在“职位”工作表中加入该职位。",
                    )
                )
                continue
            _check_lengths(spec, models[spec.key], row, problems)
            target = planned[key].content.rows(spec)
            if spec.one_per_position and target:
                problems.append(
                    Problem(
                        spec.name,
                        row.number,
                        "职位编号",
                        f"职位“{key}”的任职资格只能有一行（另见第 {target[0]['_row']} 行）。",
                    )
                )
                continue
            target.append({**row.values, "_row": row.number})
    for plan in planned.values():
        content = plan.content
        content.duties.sort(
            key=lambda r: (r["rank"] if r.get("rank") is not None else MAX_SMALL_INT, r["_row"])
        )
        for number, duty in enumerate(content.duties, start=1):
            duty["rank"] = number
        for spec in SECTION_SHEETS:
            for section_row in content.rows(spec):
                section_row.pop("_row", None)
        content.qualification[:] = [
            q for q in content.qualification if not excel.qualification_is_blank(q)
        ]
    _resolve_existing(planned, problems, user)
    _check_links(planned, problems)
    problems.sort(key=_problem_order)
    return ImportPlan(positions=list(planned.values()), problems=problems)


def _problem_order(problem: Problem) -> tuple:
    sheets = [spec.name for spec in WORKBOOK]
    index = sheets.index(problem.sheet) if problem.sheet in sheets else -1
    return (index, problem.row or 0)


def _resolve_existing(
    planned: dict[str, PlannedPosition], problems: list[Problem], user: AbstractBaseUser
) -> None:
    existing = _existing_positions(planned)
    stored = {
        p.pk: p
        for p in excel.with_workbook(
            Position.objects.filter(pk__in=[p.pk for p in existing.values()])
        )
    }
    exported: dict[str, PositionContent] | None = None
    for key, plan in planned.items():
        position = existing.get(key)
        if position is None:
            if key.startswith(excel.ID_PREFIX):
                problems.append(
                    Problem(
                        POSITIONS.name,
                        plan.row,
                        "职位编号",
                        f"系统中没有编号为“{key}”的职位：“#数字”只用于导出的、尚无职位编号的职位；"
                        "新职位请填写职位编号。",
                    )
                )
            elif plan.department is not None and not permissions.can_edit_department(
                user, plan.department
            ):
                problems.append(
                    Problem(
                        POSITIONS.name,
                        plan.row,
                        "所在部门",
                        f"您无权在“{plan.department.name}”新建职位（超出您的编辑范围）。",
                    )
                )
            continue
        plan.existing = position
        if not permissions.can_edit_position(user, position):
            if exported is None:
                exported = {
                    c.key: c
                    for c in excel.contents_for(
                        user, Position.objects.filter(pk__in=[p.pk for p in existing.values()])
                    )
                }
            mine = exported.get(key)
            if mine is not None and mine.comparable() == plan.content.comparable():
                plan.action = Action.UNCHANGED
                continue
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "职位编号",
                    f"您无权修改职位“{position.title}”（{position.department.name}不在您的编辑范围内）。",
                )
            )
            continue
        current = excel.content_of_position(stored[position.pk])
        plan.current_authorities = current.authorities
        if current.comparable() == plan.content.comparable():
            plan.action = Action.UNCHANGED
            continue
        if position.status == Position.Status.ARCHIVED:
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "职位编号",
                    f"职位“{position.title}”已归档，不能通过导入修改。",
                )
            )
            continue
        if plan.department is not None and not permissions.can_edit_department(
            user, plan.department
        ):
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "所在部门",
                    f"您无权把职位调入“{plan.department.name}”（超出您的编辑范围）。",
                )
            )
        plan.action = Action.UPDATE
        plan.changes = plan.content.changed_parts(current)


def _check_links(planned: dict[str, PlannedPosition], problems: list[Problem]) -> None:
    """直接上级 and 相关职位 must name a position in the file or in the system; no cycles."""
    linked = {
        k
        for plan in planned.values()
        for k in (
            plan.content.position.get("reports_to"),
            *plan.content.position.get("related_positions", ()),
        )
        if k
    }
    known = set(planned) | set(_existing_positions(linked - set(planned)))
    for key, plan in planned.items():
        if plan.action == Action.UNCHANGED:
            continue
        head = plan.content.position
        superior = head.get("reports_to") or ""
        if superior and superior not in known:
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "直接上级",
                    f"未知的直接上级职位编号“{superior}”：它既不在本文件中，也不在系统中。",
                )
            )
        elif superior == key:
            problems.append(
                Problem(POSITIONS.name, plan.row, "直接上级", "职位不能以自身为直接上级。")
            )
        unknown = [k for k in head.get("related_positions", ()) if k not in known]
        if unknown:
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "相关职位",
                    f"未知的相关职位编号：{'、'.join(unknown)}。",
                )
            )
        if key in head.get("related_positions", ()):
            problems.append(Problem(POSITIONS.name, plan.row, "相关职位", "职位不能与自身相关。"))
        one_way = [
            k
            for k in head.get("related_positions", ())
            if k in planned
            and k != key
            and planned[k].action != Action.UNCHANGED
            and key not in planned[k].content.position.get("related_positions", ())
        ]
        if one_way:
            problems.append(
                Problem(
                    POSITIONS.name,
                    plan.row,
                    "相关职位",
                    f"相关职位是双向的：请在{'、'.join(one_way)}的“相关职位”中也填写“{key}”，"
                    "或从本行删除。",
                )
            )
    graph = _reporting_graph(planned)
    titles = {key: plan.title for key, plan in planned.items()}
    other = set(graph) | set(graph.values())
    for position in Position.objects.filter(code__in=[k for k in other if k not in titles]):
        titles.setdefault(position.code, position.title)
    for key, plan in planned.items():
        if plan.action == Action.UNCHANGED or plan.content.position.get("reports_to") == key:
            continue
        cycle = _cycle(graph, key)
        if cycle:
            names = " → ".join(f"{titles.get(k, k)}（{k}）" for k in cycle)
            problems.append(
                Problem(POSITIONS.name, plan.row, "直接上级", f"汇报关系形成循环：{names}。")
            )


# --- applying ---------------------------------------------------------------------------------


_NULLABLE = {"experience_years", "grade_min", "grade_max", "headcount"}


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workbook's rows as the writer's: an empty cell is "" except in number fields."""
    return [
        {
            name: ("" if value is None and name not in _NULLABLE else value)
            for name, value in values.items()
        }
        for values in rows
    ]


_TEXT_FIELDS = (
    "title",
    "location",
    "purpose",
    "summary",
    "commitments",
    "work_environment",
    "other_requirements",
)


def apply_plan(plan: ImportPlan, user: AbstractBaseUser) -> ImportPlan:
    """Write the plan (creates and updates) through the one writer, in one transaction.

    Refuses a plan with problems. A position changed since the preview (its ``lock_version``
    moved on) raises ``EditConflict`` and nothing is written.
    """
    if not plan.ok:
        raise ImportRefused("the plan has problems")
    with transaction.atomic():
        written = write_sheets(user=user, writes=plan_writes(plan), comment=IMPORT_COMMENT)
        write_plan_authorities(plan, written, user)
    return plan


def plan_authorities(plan: ImportPlan) -> dict[str, list[AuthorityLine]]:
    """{职位编号: its 工作权限 lines} of the positions whose 工作权限 the file changes (new
    positions with rows; updates whose rows differ from what the position shows now)."""
    changed = {}
    for planned in plan.positions:
        if planned.action == Action.UNCHANGED or planned.department is None:
            continue
        rows = planned.content.authorities
        if planned.action == Action.CREATE and not rows:
            continue
        if planned.action == Action.UPDATE and _comparable(rows) == _comparable(
            planned.current_authorities or []
        ):
            continue
        changed[planned.key] = [
            AuthorityLine(name=row.get("name") or "", level=row.get("level") or "") for row in rows
        ]
    return changed


def _comparable(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row.get("name") or "", row.get("level") or "") for row in rows]


def write_plan_authorities(
    plan: ImportPlan, written: list[Position], user: AbstractBaseUser | None
) -> None:
    """The file's 工作权限 into the 权责手册's working copy, through its one writer (in the
    caller's transaction: all or nothing with the sheets)."""
    lines = plan_authorities(plan)
    if not lines:
        return
    by_key = {position.code: position.pk for position in written if position.code}
    by_key |= {p.key: p.existing.pk for p in plan.positions if p.existing is not None}
    write_position_authorities(
        user=user,
        authorities={by_key[key]: rows for key, rows in lines.items() if key in by_key},
        source=IMPORT_COMMENT,
    )


def plan_writes(plan: ImportPlan) -> list[SheetWrite]:
    """What the writer is given for the plan's creates and updates (also what the preview
    compares, ``preview_diffs``)."""
    # A row without a department (a problem the preview lists) is never written, nor compared.
    writing = [
        p for p in plan.positions if p.action != Action.UNCHANGED and p.department is not None
    ]
    new_keys = {p.key for p in writing if p.action == Action.CREATE}
    links = {
        k
        for p in writing
        for k in (p.content.position.get("reports_to"), *p.content.position["related_positions"])
        if k and k not in new_keys
    }
    existing = _existing_positions(links)
    writes = []
    for planned in writing:
        head = planned.content.position
        fields = {name: head.get(name) or "" for name in _TEXT_FIELDS}
        fields |= {name: head.get(name) for name in ("grade_min", "grade_max", "headcount")}
        fields["department_id"] = planned.department.pk
        superior = head.get("reports_to") or ""
        fields["reports_to_id"] = existing[superior].pk if superior in existing else None
        related = head["related_positions"]
        content = planned.content
        creating = planned.action == Action.CREATE
        if creating:
            fields["code"] = planned.key
        writes.append(
            SheetWrite(
                position=None if creating else planned.existing,
                content=SheetContent(
                    fields=fields,
                    related_positions=[existing[k].pk for k in related if k in existing],
                    related_keys=[k for k in related if k in new_keys],
                    reports_to_key=superior if superior in new_keys else "",
                    sections={
                        "duties": _rows(content.duties),
                        "relationships": _rows(content.relationships),
                        "indicators": _rows(content.indicators),
                        "qualification": _rows(content.qualification[:1]),
                    },
                    reuse_rows=True,
                ),
                expected_lock_version=None if creating else planned.existing.lock_version,
                label=f"{POSITIONS.name}第 {planned.row} 行",
                comment=f"{IMPORT_COMMENT}：{'新建职位' if creating else '更新职位'}",
                key=planned.key,
            )
        )
    return writes


# --- what an update would change, as 版本比较 shows it --------------------------------------------


def preview_diffs(plan: ImportPlan, limit: int | None = None) -> dict[str, SheetChanges]:
    """{职位编号: the ordered diff} of the positions the plan updates (``preview_diff``).

    ``limit``: at most this many positions (a huge file's preview details the first ones;
    every position is still listed with its changes)."""
    updates = [p for p in plan.positions if p.action == Action.UPDATE and p.existing]
    if limit is not None:
        updates = updates[:limit]
    if not updates:
        return {}
    wanted = {p.existing.pk for p in updates}
    writes = [w for w in plan_writes(plan) if w.position is not None and w.position.pk in wanted]
    by_pk = write_diffs(writes, {p.key: p.title for p in plan.positions})
    return {p.key: by_pk[p.existing.pk] for p in updates if p.existing.pk in by_pk}


def data_row_count(data: bytes, stop: int) -> int:
    """The data rows (below each worksheet's header) of a workbook, counting up to ``stop``:
    the upload decides by it whether the import runs in the request or as a job."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE:
        return 0  # the importer reports it
    count = 0
    try:
        for worksheet in workbook.worksheets:
            if worksheet.title in excel.REFERENCE_SHEETS or worksheet.title.endswith("说明"):
                continue
            worksheet.reset_dimensions()
            for index, _row in enumerate(worksheet.iter_rows(values_only=True)):
                count += index > 0
                if count >= stop:
                    return count
    except _UNREADABLE:
        return count
    finally:
        workbook.close()
    return count
