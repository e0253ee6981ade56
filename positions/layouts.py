"""Print layouts: the same sheet (``positions.sheet.Sheet``) laid out as a company's own form.

A layout is data: a key, a name, the heading the form prints, and its sections in the form's
own order, each with the form's own label and the template partial that draws it. The page,
the PDF, the Word export and books all print ``printed_sheet(sheet, layout)`` — a view of the
one sheet context, never a second data path. Adding a layout is one more ``Layout`` in
``LAYOUTS`` (and, when it needs a section kind not drawn yet, one more ``_layout_*.html``).

Which layout a sheet prints in: a one-off choice when printing (``?layout=a``), else its
department's own setting (``Department.sheet_layout``), else 公司信息's
(``CompanyProfile.sheet_layout``), else ``standard``. See ``resolve_layout``.

The three forms come from the seed document (``shared/design/sheet-layouts.md``):

* ``a`` — 「职位说明书(补充)」: a 3×3 header grid, 职位概要描述, 职位关系, the 重要性 table.
* ``b`` — the MK card: 职位代码 / 职位等级 / 直属上级, 设岗目的, 工作职责, 基本任职资格.
* ``c`` — the full form: 基本情况, 职位使命, 工作职责及内容 (重点工作 / 一般工作), 主要工作关系,
  任职资格, 关键指标, and 编制/审核/审批 with 时间.

Every layout prints every section that has content (sections a form does not have come after
its own under our labels), so switching layouts never hides data and our Word export of any
layout imports back unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# Models import this module for their choices, so it imports neither models nor the sheet
# (a higher layer); ``Sheet`` below is ``positions.sheet.Sheet``.
Sheet = Any

STANDARD = "standard"

# Template partials, one a kind of section (templates/positions/_layout_<kind>.html).
_T = "positions/_layout_{}.html"


@dataclass(frozen=True)
class Column:
    key: str  # rank / title / tasks / responsibility / assessment
    label: str


@dataclass(frozen=True)
class Section:
    kind: str  # grid / text / diagram / duties / rows / relationships / ...
    label: str  # the form's own heading ("" for none)
    source: str = ""  # which part of the sheet: summary / purpose / ... (kind-specific)

    @property
    def template(self) -> str:
        return _T.format(self.kind)


@dataclass(frozen=True)
class Layout:
    key: str
    name: str  # shown in choices
    heading: str  # printed after the title: 职位说明书(补充) …
    grid: tuple[tuple[str, ...], ...]  # header grid rows of field keys
    sections: tuple[Section, ...]
    labels: dict[str, str] = field(default_factory=dict)  # field / row label overrides
    columns: tuple[Column, ...] = ()  # duty table columns
    relationship_labels: dict[str, str] = field(default_factory=dict)
    signoff_date_label: str = "日期"
    grid_label: str = ""  # a caption above the grid (基本情况), "" for none

    def label(self, key: str) -> str:
        return self.labels.get(key, FIELD_LABELS.get(key, key))

    def fingerprint(self) -> str:
        """A hash of the layout's data (labels, order): part of a stored PDF's name."""
        data = json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()[:12]

    @property
    def templates(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(section.template for section in self.sections))


# Our own labels for the header fields (``Sheet.header``) and the extra fields a form prints.
FIELD_LABELS = {
    "title": "职位名称",
    "code": "职位编号",
    "department": "所在部门",
    "superior": "直接上级",
    "reports": "直接下属",
    "grade": "职位等级",
    "headcount": "职位编制",
    "location": "工作地点",
    "prepared": "制定者",
    "reviewed": "审核者",
    "filled": "填写日期",
}
_HEADER_KEYS = (
    "title",
    "code",
    "department",
    "superior",
    "reports",
    "grade",
    "headcount",
    "location",
)

# The sections every layout prints after its own when they have content, under our labels.
_TRAILING = (
    Section("list", "主要责任", "commitments"),
    Section("authorities", "工作权限"),
    Section("rows", "任职资格"),
    Section("relationships", "工作关系"),
    Section("indicators", "关键指标"),
)

_FULL_COLUMNS = (
    Column("rank", "重要性"),
    Column("title", "主要职责"),
    Column("tasks", "工作内容"),
    Column("responsibility", "负责程度"),
    Column("assessment", "考核要点"),
)


def _with_trailing(*sections: Section) -> tuple[Section, ...]:
    """The form's sections, then every trailing section the form does not have itself."""
    own = {(s.kind, s.source) for s in sections}
    return (*sections, *(s for s in _TRAILING if (s.kind, s.source) not in own))


LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout(
            key=STANDARD,
            name="标准版式",
            heading="职位说明书",
            grid=(
                ("title", "code"),
                ("department", "superior"),
                ("reports", "grade"),
                ("headcount", "location"),
            ),
            sections=(
                *_with_trailing(
                    Section("text", "设岗目的", "purpose"),
                    Section("text", "职位概要", "summary"),
                    Section("duties", "工作内容与主要职责"),
                ),
                Section("signoff", ""),
            ),
            columns=_FULL_COLUMNS,
        ),
        Layout(
            key="a",
            name="版式 A：职位说明书(补充)",
            heading="职位说明书(补充)",
            grid=(
                ("title", "department", "superior"),
                ("code", "location", "prepared"),
                ("grade", "filled", "reviewed"),
            ),
            sections=(
                *_with_trailing(
                    Section("text", "职位概要描述", "summary"),
                    Section("text", "设岗目的", "purpose"),
                    Section("diagram", "职位关系"),
                    Section("duties", "工作内容与主要职责"),
                    Section("authorities", "工作权限"),
                    Section("rows", "任职资格"),
                ),
                Section("signoff", "审批"),
            ),
            labels={"prepared": "制 定 者", "reviewed": "审 核 者", "品质 / 意识": "意识"},
            columns=_FULL_COLUMNS,
        ),
        Layout(
            key="b",
            name="版式 B：职位说明卡(职位代码/职位等级)",
            heading="职位说明书",
            grid=(("title", "code", "grade", "superior"),),
            sections=(
                *_with_trailing(
                    Section("text", "设岗目的", "purpose"),
                    Section("text", "职责概述", "summary"),
                    Section("duties", "工作职责"),
                    Section("diagram", "职位关系"),
                    Section("rows", "基本任职资格"),
                ),
                Section("signoff", ""),
            ),
            labels={"code": "职位代码", "superior": "直属上级", "学历": "最低学历"},
            columns=(
                Column("rank", "序号"),
                Column("title", "职责"),
                Column("tasks", "工作内容"),
                Column("responsibility", "负责程度"),
                Column("assessment", "考核要点"),
            ),
        ),
        Layout(
            key="c",
            name="版式 C：完整职位说明书(编制/审核/审批)",
            heading="职位说明书",
            grid=(
                ("title", "code"),
                ("department", "headcount"),
                ("superior", "reports"),
                ("grade", "location"),
            ),
            sections=(
                *_with_trailing(
                    Section("text", "职位使命", "purpose"),
                    Section("text", "职位概要", "summary"),
                    Section("duties", "工作职责及内容"),
                    Section("list", "主要责任", "commitments"),
                    Section("relationships", "主要工作关系"),
                    Section("rows", "任职资格"),
                    Section("indicators", "关键指标"),
                ),
                Section("signoff", ""),
            ),
            labels={
                "department": "所属部门",
                "grade": "岗位职等",
                "专业知识": "知识结构",
                "品质 / 意识": "品质",
            },
            columns=(
                Column("rank", "序号"),
                Column("title", "主要职责"),
                Column("tasks", "职责描述"),
                Column("responsibility", "负责程度"),
                Column("assessment", "考核要点"),
            ),
            relationship_labels={
                "internal": "内部工作关系部门及职位",
                "external": "外部工作关系单位",
                "administrative": "行政管理关系",
            },
            signoff_date_label="时间",
            grid_label="基本情况",
        ),
    )
}

LAYOUT_CHOICES = tuple((layout.key, layout.name) for layout in LAYOUTS.values())
# A department's choice: "" follows 公司信息.
DEPARTMENT_LAYOUT_CHOICES = (("", "沿用公司设置"), *LAYOUT_CHOICES)

LAYOUT_UNKNOWN = "没有这种打印版式：{key}。请从 {keys} 中选择。"


class UnknownLayout(ValueError):
    """A layout key that is not in ``LAYOUTS``; the message is Chinese, shown to the user."""


def get_layout(key: str) -> Layout:
    """The layout of a key; ``UnknownLayout`` (Chinese message) for any other."""
    try:
        return LAYOUTS[key]
    except KeyError:
        keys = "、".join(LAYOUTS)
        raise UnknownLayout(LAYOUT_UNKNOWN.format(key=key[:20], keys=keys)) from None


def resolve_layout(*, one_off: str = "", department: str = "", company: str = "") -> Layout:
    """The layout a sheet prints in: a one-off choice, else the department's, else the
    company's, else standard. Only the one-off key is checked (``UnknownLayout``); a stored
    setting no longer in ``LAYOUTS`` falls back to the next."""
    if one_off:
        return get_layout(one_off)
    for key in (department, company):
        if key in LAYOUTS:
            return LAYOUTS[key]
    return LAYOUTS[STANDARD]


# --- the sheet as a layout prints it -------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    label: str
    value: str


@dataclass(frozen=True)
class Box:
    """One box of the 职位关系 diagram (SVG user units)."""

    x: int
    y: int
    width: int
    height: int
    text: str
    caption: str  # 直属上司 / 本职位 / 直接下属 / 相关职位
    own: bool = False

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def text_y(self) -> int:
        return self.y + self.height // 2 + 5

    @property
    def caption_y(self) -> int:
        return self.y - 4

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]

    @property
    def superior(self) -> Box | None:
        return next((b for b in self.boxes if b.caption == "直属上司"), None)

    def row(self, caption: str) -> tuple[str, ...]:
        return tuple(b.text for b in self.boxes if b.caption == caption)


@dataclass(frozen=True)
class PrintedSection:
    kind: str
    label: str
    template: str
    content: Any  # kind-specific: paragraphs, rows, diagram …


@dataclass(frozen=True)
class PrintedSheet:
    layout: Layout
    heading: str
    grid_label: str
    grid: tuple[tuple[GridCell, ...], ...]
    grid_columns: int
    sections: tuple[PrintedSection, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label the form prints, in order (headings and grid labels)."""
        found = [self.grid_label] if self.grid_label else []
        found += [cell.label for row in self.grid for cell in row if cell.label]
        found += [section.label for section in self.sections if section.label]
        return tuple(found)


_BOX_W, _BOX_H, _GAP = 120, 30, 14
_MAX_ROW = 5  # boxes a row; more are summed up in the last box ("… 等 N 个")


def _clip(text: str, limit: int = 9) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_titles(titles: tuple[str, ...]) -> tuple[str, ...]:
    if len(titles) <= _MAX_ROW:
        return titles
    return (*titles[: _MAX_ROW - 1], f"等 {len(titles) - _MAX_ROW + 1} 个职位")


def relation_diagram(sheet: Sheet) -> Diagram:
    """The 职位关系 diagram: 直属上司 above, 本职位 with 相关职位 beside it, 直接下属 below."""
    related = _row_titles(sheet.related_positions)
    reports = _row_titles(sheet.direct_reports)
    middle = 1 + len(related)
    columns = max(middle, len(reports), 1)
    width = columns * (_BOX_W + _GAP) + _GAP
    boxes: list[Box] = []
    lines: list[Line] = []
    y = 22

    def row_x(count: int) -> int:
        return (width - (count * (_BOX_W + _GAP) - _GAP)) // 2

    x = row_x(middle)
    superior = None
    if sheet.superior:  # straight above 本职位
        superior = Box(x, y, _BOX_W, _BOX_H, _clip(sheet.superior), "直属上司")
        boxes.append(superior)
        y += _BOX_H + 40
    own = Box(x, y, _BOX_W, _BOX_H, _clip(sheet.title), "本职位", own=True)
    boxes.append(own)
    for index, title in enumerate(related, start=1):
        peer = Box(x + index * (_BOX_W + _GAP), y, _BOX_W, _BOX_H, _clip(title), "相关职位")
        boxes.append(peer)
    if related:
        lines.append(
            Line(
                own.x + own.width,
                own.y + _BOX_H // 2,
                own.x + own.width + _GAP,
                own.y + _BOX_H // 2,
            )
        )
    if superior is not None:
        lines.append(Line(superior.cx, superior.bottom, own.cx, own.y))
    y += _BOX_H
    if reports:
        y += 40
        rx = row_x(len(reports))
        bus = y - 20
        lines.append(Line(own.cx, own.bottom, own.cx, bus))
        children = [
            Box(rx + i * (_BOX_W + _GAP), y, _BOX_W, _BOX_H, _clip(t), "直接下属")
            for i, t in enumerate(reports)
        ]
        if len(children) > 1:
            lines.append(Line(children[0].cx, bus, children[-1].cx, bus))
        for child in children:
            lines.append(Line(child.cx, bus, child.cx, child.y))
        boxes += children
        y += _BOX_H
    return Diagram(width=width, height=y + 8, boxes=tuple(boxes), lines=tuple(lines))


def _field_values(sheet: Sheet) -> dict[str, str]:
    values = {key: field.value for key, field in zip(_HEADER_KEYS, sheet.header, strict=False)}
    prepared, reviewed, _approved = sheet.sign_offs
    values["prepared"] = prepared.name
    values["reviewed"] = reviewed.name
    values["filled"] = prepared.date or sheet.effective_date
    return values


def _content(section: Section, sheet: Sheet, layout: Layout) -> Any:
    """What a section prints; falsy when it has nothing (the section is left out)."""
    kind = section.kind
    if kind == "text":
        return getattr(sheet, section.source)
    if kind == "list":
        return getattr(sheet, section.source)
    if kind == "diagram":
        if not (sheet.superior or sheet.direct_reports or sheet.related_positions):
            return None
        return relation_diagram(sheet)
    if kind == "duties":
        table = sheet.duties
        if not table.groups:
            return None
        shown = {
            "rank": True,
            "tasks": True,
            "title": table.show_title,
            "responsibility": table.show_responsibility,
            "assessment": table.show_assessment,
        }
        return {"table": table, "columns": tuple(c for c in layout.columns if shown[c.key])}
    if kind == "authorities":
        return sheet.authorities
    if kind == "rows":
        return tuple(
            dataclasses.replace(row, label=layout.labels.get(row.label, row.label))
            for row in sheet.qualifications
        )
    if kind == "relationships":
        return tuple(
            dataclasses.replace(
                group, label=layout.relationship_labels.get(group.kind, group.label)
            )
            for group in sheet.relationships
        )
    if kind == "indicators":
        return sheet.indicators
    if kind == "signoff":
        if layout.key == "a":  # 制定者 / 审核者 are in the grid: only 审批 is left
            approved = sheet.sign_offs[2]
            return (approved,) if approved.name or approved.date else None
        return sheet.sign_offs
    raise ValueError(f"unknown section kind {kind!r}")


def printed_sheet(sheet: Sheet, layout: Layout) -> PrintedSheet:
    """The sheet as ``layout`` prints it: its grid and its non-empty sections in order."""
    values = _field_values(sheet)
    rows = [list(row) for row in layout.grid]
    # Header fields the form has no box for are added in extra rows when they have a value, so
    # no layout hides data (直接下属 is in the 职位关系 diagram when the layout draws one).
    shown = {key for row in rows for key in row}
    if any(section.kind == "diagram" for section in layout.sections):
        shown.add("reports")
    extra = [key for key in _HEADER_KEYS if key not in shown and values.get(key)]
    width = max(len(row) for row in rows)
    rows += [extra[start : start + width] for start in range(0, len(extra), width)]
    grid = tuple(
        tuple(GridCell(layout.label(key), values.get(key, "")) for key in row)
        + (GridCell("", ""),) * (width - len(row))
        for row in rows
    )
    sections = []
    for section in layout.sections:
        content = _content(section, sheet, layout)
        if content:
            sections.append(PrintedSection(section.kind, section.label, section.template, content))
    return PrintedSheet(
        layout=layout,
        heading=layout.heading,
        grid_label=layout.grid_label,
        grid=grid,
        grid_columns=width * 2,
        sections=tuple(sections),
    )
