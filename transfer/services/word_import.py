"""Existing 职位说明书 in Word (.docx) → parsed sheets → 草稿 positions.

``parse_docx`` reads the document body in order (paragraphs and tables) and recognises the
common layouts (the seed's three, see ``../shared/design/sheet-layouts.md``) and our own export:

* label/value tables — a label in any cell, its value in the next cell, several pairs a row;
  ``标签：值`` written inside one cell or paragraph; spaced labels (制 定 者);
* section titles as paragraphs or as a row with one (merged) cell (设岗目的, 任职资格 …);
* column tables recognised by their header row: duties (重要性 | 主要职责 | 工作内容 | 负责程度 |
  考核要点, with group heading rows such as 重点工作 / 一般工作 or a 职责概述 column), 工作权限,
  关键指标 and 工作关系 (as rows, or one column per kind of relationship);
* merged cells: python-docx returns a merged cell once per grid column and row it covers, so
  cells are de-duplicated by their XML element.

Labels are recognised by meaning through ``LABELS`` — the ONE table of label variants. Whatever
is not understood is listed in ``ParsedSheet.unrecognised`` for the preview.

``resolve_import`` turns a parsed sheet into what would be written (department, superior, the
existing position an import updates) with Chinese problems; ``import_sheets`` writes all the
files of one confirmation in one transaction, as drafts: a new position, or a new working copy
of an existing one (same 职位编号) whose published version stays in force.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import secrets
import shutil
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from positions import permissions
from positions.models import (
    Authority,
    Department,
    Duty,
    Position,
    Qualification,
    Relationship,
)
from positions.services.sheets import SheetContent, SheetWrite, write_sheets
from transfer.services.legacy import convert_legacy
from transfer.services.uploads import FileKind, UploadError, UploadLike, validate_upload


class WordImportError(Exception):
    """A file that cannot be read as a 职位说明书; the message is Chinese and shown as is."""


# --- the labels ------------------------------------------------------------------------------

# Canonical key → the label's variants, written as normalise_label() leaves them.
LABELS: dict[str, tuple[str, ...]] = {
    # header fields
    "title": ("职位名称", "岗位名称", "职务名称"),
    "code": ("职位编号", "职位代码", "岗位编号", "岗位代码", "职位编码", "岗位编码"),
    "department": ("所在部门", "所属部门", "部门名称", "部门"),
    "superior": ("直接上级", "直属上级", "直属上司", "直接上司", "汇报对象"),
    "direct_reports": ("直接下属", "下属职位"),
    "related": ("相关职位",),
    "grade": ("职位等级", "岗位职等", "岗位等级", "职位职等", "职等", "职级"),
    "headcount": ("职位编制", "岗位编制", "编制人数"),
    "location": ("工作地点", "工作地"),
    "purpose": ("设岗目的", "职位使命", "岗位使命", "岗位目的"),
    "summary": ("职位概要", "职位概要描述", "岗位概要", "工作概要", "职责概述"),
    "self": ("本职位",),
    # sign-off
    "prepared_by": ("制定者", "编制", "编制人", "编写人", "编写者", "填写人"),
    "reviewed_by": ("审核者", "审核", "审核人"),
    "approved_by": ("审批", "审批人", "审批者", "批准", "批准人"),
    "prepared_at": ("填写日期", "编制日期", "制定日期"),
    "date": ("日期", "时间", "签字日期"),
    "holder_sign": ("任职者签字", "任职者", "员工签字"),
    "next_review": ("下次复核日期",),
    # 任职资格 rows (model field names)
    "education": ("学历", "最低学历", "学历要求", "教育程度", "教育背景"),
    "major": ("专业", "专业要求"),
    "experience": ("工作经验", "经验"),
    "background": ("资历",),
    "knowledge": ("专业知识", "知识结构", "知识"),
    "skills": ("能力", "技能", "能力要求"),
    "competencies": ("能力素质", "素质"),
    "qualities": ("品质意识", "品质", "意识", "个性品质"),
    "certificates": ("资格证书", "证书"),
    "work_environment": ("工作环境",),
    "other_requirements": ("其他要求",),
}
QUALIFICATION_KEYS = (
    "education",
    "major",
    "experience",
    "background",
    "knowledge",
    "skills",
    "competencies",
    "qualities",
    "certificates",
    "work_environment",
    "other_requirements",
)
QUALIFICATION_LABELS = {
    "education": "学历",
    "major": "专业",
    "experience": "工作经验",
    "background": "资历",
    "knowledge": "专业知识",
    "skills": "能力",
    "competencies": "能力素质",
    "qualities": "品质 / 意识",
    "certificates": "资格证书",
    "work_environment": "工作环境",
    "other_requirements": "其他要求",
}
SIGN_OFF_KEYS = ("prepared_by", "reviewed_by", "approved_by")

# Section titles (a paragraph, or a table row with one merged cell) → section key.
SECTIONS: dict[str, tuple[str, ...]] = {
    "basic": ("基本情况", "岗位基本信息", "基本信息"),
    "purpose": LABELS["purpose"],
    "summary": ("职位概要", "职位概要描述", "岗位概要", "工作概要"),
    "duties": (
        "工作内容与主要职责",
        "工作职责",
        "工作职责及内容",
        "工作职责和工作内容",
        "岗位职责",
        "主要职责",
    ),
    "commitments": ("主要责任",),
    "authorities": ("工作权限", "权限"),
    "qualifications": ("任职资格", "基本任职资格", "任职条件"),
    "relationships": ("工作关系", "主要工作关系", "职位关系", "工作联系"),
    "indicators": ("关键指标", "关键业绩指标", "KPI"),
    "signoff": ("审批与确认", "签核"),
}
TEXT_SECTIONS = ("purpose", "summary", "commitments")

# Column headers of column tables → (table kind, column key).
COLUMNS: dict[str, tuple[str, str]] = {
    "重要性": ("duties", "rank"),
    "主要职责": ("duties", "title"),
    "职责名称": ("duties", "title"),
    "职责": ("duties", "title"),
    "工作内容": ("duties", "tasks"),
    "工作任务": ("duties", "tasks"),
    "职责描述": ("duties", "tasks"),
    "工作职责和工作内容": ("duties", "tasks"),
    "工作职责及内容": ("duties", "tasks"),
    "具体内容": ("duties", "tasks"),
    "负责程度": ("duties", "responsibility"),
    "责任程度": ("duties", "responsibility"),
    "考核要点": ("duties", "assessment"),
    "考核标准": ("duties", "assessment"),
    "职责概述": ("duties", "group"),
    "职责分类": ("duties", "group"),
    "工作类别": ("duties", "group"),
    "类别": ("duties", "group"),
    "权限": ("authorities", "name"),
    "权限名称": ("authorities", "name"),
    "权限级别": ("authorities", "level"),
    "权限等级": ("authorities", "level"),
    "指标": ("indicators", "name"),
    "指标名称": ("indicators", "name"),
    "说明": ("indicators", "description"),
    "指标说明": ("indicators", "description"),
    "关系类型": ("relationships", "kind"),
    "部门单位职位": ("relationships", "party"),
    "对象": ("relationships", "party"),
    "联系内容": ("relationships", "purpose"),
    "内部工作关系": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "内部工作关系部门及职位": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "外部工作关系": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "外部工作关系单位": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "行政管理关系": ("relationship_columns", Relationship.Kind.ADMINISTRATIVE.value),
}
SERIAL_HEADERS = ("序号", "编号", "序")

RESPONSIBILITY = {
    "全责": Duty.Responsibility.FULL,
    "负责": Duty.Responsibility.FULL,
    "部分": Duty.Responsibility.PARTIAL,
    "部分负责": Duty.Responsibility.PARTIAL,
    "协助": Duty.Responsibility.ASSIST,
}
DUTY_KINDS = {label: value for value, label in Duty.Kind.choices}
AUTHORITY_LEVELS = {label: value for value, label in Authority.Level.choices}
RELATIONSHIP_KINDS = {label: value for value, label in Relationship.Kind.choices}
EDUCATION = (
    ("博士", Qualification.Education.DOCTOR),
    ("硕士", Qualification.Education.MASTER),
    ("研究生", Qualification.Education.MASTER),
    ("本科", Qualification.Education.BACHELOR),
    ("大专", Qualification.Education.COLLEGE),
    ("专科", Qualification.Education.COLLEGE),
    ("高中", Qualification.Education.HIGH_SCHOOL),
    ("中专", Qualification.Education.HIGH_SCHOOL),
)

_LABEL_NOISE = re.compile(r"[\s\u3000:：/／*＊()（）\[\]【】]+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[ \t\u3000]+(?=[\u3400-\u9fff])")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)）]\s*")
_TITLE_LINE = re.compile(r"^(?P<title>.+?)(?:职位|岗位)说明书(?:[(（].*[)）])?$")
_KIND_NOTE = re.compile(r"[（(](重点工作|一般工作)[)）]$")
_LABEL_INDEX = {variant: key for key, variants in LABELS.items() for variant in variants}
_SECTION_INDEX = {variant: key for key, variants in SECTIONS.items() for variant in variants}


def normalise_label(text: str) -> str:
    """A label as the tables above spell it: no whitespace, colons, slashes or brackets."""
    return _LABEL_NOISE.sub("", text)


def clean_value(text: str) -> str:
    """A value with its lines stripped and the spaces Word wrapping left between CJK removed."""
    lines = [_CJK_GAP.sub("", line.strip()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def label_key(text: str) -> str | None:
    """The canonical key of a label cell; None for anything else (values, 标签：值 text)."""
    text = text.strip().rstrip(":：").strip()
    if not text or "\n" in text or ":" in text or "：" in text:
        return None
    return _LABEL_INDEX.get(normalise_label(text))


def section_key(text: str) -> str | None:
    return _SECTION_INDEX.get(normalise_label(text)) if text.strip() else None


# --- the parsed sheet ----------------------------------------------------------------------


@dataclass
class ParsedDuty:
    tasks: list[str]
    title: str = ""
    group: str = ""
    kind: str = ""
    responsibility: str = ""
    assessment: list[str] = field(default_factory=list)


@dataclass
class ParsedSheet:
    """What a 职位说明书 file says, in the sheet's terms (texts as written, not yet resolved)."""

    filename: str = ""
    title: str = ""
    heading_title: str = ""  # from 「XX职位说明书」 when no 职位名称 label is present
    code: str = ""
    department: str = ""
    superior: str = ""
    direct_reports: str = ""
    related: str = ""
    grade: str = ""
    headcount: str = ""
    location: str = ""
    purpose: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    duties: list[ParsedDuty] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    authorities: list[tuple[str, str]] = field(default_factory=list)  # (name, level label)
    qualifications: dict[str, list[str]] = field(default_factory=dict)  # field → lines
    relationships: list[tuple[str, str, str]] = field(default_factory=list)  # kind, party, purpose
    indicators: list[tuple[str, str]] = field(default_factory=list)
    sign_offs: dict[str, str] = field(default_factory=dict)  # prepared_by/…/prepared_at → text
    unrecognised: list[str] = field(default_factory=list)
    extra_sheets: list[str] = field(default_factory=list)  # other titles / codes in the file

    @property
    def position_title(self) -> str:
        return self.title or self.heading_title

    def set_field(self, key: str, value: str) -> bool:
        """Record a label's value; False when the key is not a field of the sheet."""
        value = clean_value(value)
        if key in ("title", "code", "department", "superior", "grade", "headcount", "location"):
            value = value.replace("\n", " ")
            if value and not getattr(self, key):
                setattr(self, key, value)
            elif value and key in ("title", "code") and value != getattr(self, key):
                self.extra_sheets.append(value)  # a second sheet in the same file
            return True
        if key in ("direct_reports", "related"):
            if value:
                setattr(self, key, value)
            return True
        if key in ("purpose", "summary"):
            getattr(self, key).extend(line for line in value.split("\n") if line)
            return True
        if key in QUALIFICATION_KEYS:
            if value:
                self.qualifications.setdefault(key, []).extend(value.split("\n"))
            return True
        if key in (*SIGN_OFF_KEYS, "prepared_at"):
            if value:
                self.sign_offs[key] = value.replace("\n", " ")
            return True
        return key in ("self", "holder_sign", "next_review", "date")


# --- reading the document ------------------------------------------------------------------


def _iter_blocks(document) -> Iterator[object]:
    """Paragraphs and tables of the body, in document order."""

    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(element, document)
        elif tag == "tbl":
            yield Table(element, document)


def _cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


@dataclass
class _Cell:
    text: str
    first_col: int  # grid index of the cell's first column in this row
    element: object


def _unique_cells(row) -> list[_Cell]:
    """The row's cells, a merged cell once (python-docx repeats it per grid column)."""
    cells: list[_Cell] = []
    seen: list[object] = []  # the elements themselves: an lxml proxy's id() is reused
    for index, cell in enumerate(row.cells):
        if any(cell._tc is other for other in seen):
            continue
        seen.append(cell._tc)
        cells.append(_Cell(text=_cell_text(cell), first_col=index, element=cell._tc))
    return cells


class _Parser:
    def __init__(self, filename: str) -> None:
        self.sheet = ParsedSheet(filename=filename)
        self.section = ""
        self.columns: dict[int, str] = {}  # grid index → column key of the current column table
        self.table_kind = ""
        self.group = ""
        self.relationship_row_kind = ""
        # Vertically merged cells come back in every row they cover: read them once.
        self.seen_cells: set[object] = set()
        self.tables = 0

    # -- helpers

    def unrecognised(self, text: str) -> None:
        text = clean_value(text).replace("\n", " ")
        if text and text not in self.sheet.unrecognised:
            self.sheet.unrecognised.append(text[:120])

    def inline_pairs(self, text: str) -> bool:
        """``标签：值`` pairs (one a line, or several on a line); True if all were labels."""
        pieces = [line for line in text.replace("\r", "\n").split("\n") if line.strip()]
        if not pieces or not any(re.search(r"[:：]", piece) for piece in pieces):
            return False
        pairs: list[tuple[str, str]] = []
        for piece in pieces:
            parts = re.split(r"[:：]", piece)
            if len(parts) < 2:
                return False
            # 「职位名称：售楼员 所在部门：销售部」: a value ends where the next label starts.
            label = parts[0]
            for index, part in enumerate(parts[1:], start=1):
                if index < len(parts) - 1:
                    value, _, next_label = part.strip().rpartition(" ")
                    if not value:
                        value, next_label = "", part
                else:
                    value, next_label = part, ""
                pairs.append((label, value))
                label = next_label
        if not all(label_key(label) for label, _ in pairs):
            return False
        role = ""
        for label, value in pairs:
            key = label_key(label)
            if key in SIGN_OFF_KEYS:
                role = key
            if key == "date":
                if value.strip():
                    date_key = {"reviewed_by": "reviewed_at", "approved_by": "approved_at"}.get(
                        role, "prepared_at"
                    )
                    self.sheet.sign_offs[date_key] = clean_value(value)
                continue
            self.sheet.set_field(key, value)
        return True

    def section_text(self, text: str) -> bool:
        """Text under a section title (设岗目的 …); True when it belonged there."""
        lines = clean_value(text).split("\n")
        lines = [line for line in lines if line]
        if not lines:
            return True
        if self.section in ("purpose", "summary"):
            getattr(self.sheet, self.section).extend(lines)
            return True
        if self.section == "commitments":
            self.sheet.commitments.extend(_NUMBERING.sub("", line) for line in lines)
            return True
        if self.section == "indicators" and not self.columns:
            for line in lines:
                for name in re.split(r"[、，,；;]", _NUMBERING.sub("", line)):
                    if name.strip():
                        self.sheet.indicators.append((name.strip(), ""))
            return True
        return False

    # -- paragraphs

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        section = section_key(text)
        if section:
            self.enter_section(section)
            return
        match = _TITLE_LINE.match(re.sub(r"\s+", "", text))
        if match and not self.tables:
            self.sheet.heading_title = clean_value(match.group("title"))
            return
        if self.inline_pairs(text):
            return
        if self.section_text(text):
            return
        self.unrecognised(text)

    def enter_section(self, section: str) -> None:
        self.section = section
        self.columns = {}
        self.table_kind = ""
        self.group = ""

    # -- tables

    def table(self, table) -> None:
        self.tables += 1
        self.columns = {}
        self.table_kind = ""
        self.group = ""
        for row in table.rows:
            self.row(row)
            # A table inside a cell (a layout grid around the real tables): read it after the
            # row, then carry on with the outer table's columns.
            for cell in _unique_cells(row):
                for nested in cell.element.iterchildren(qn("w:tbl")):
                    saved = (self.columns, self.table_kind, self.group)
                    self.table(Table(nested, table))
                    self.columns, self.table_kind, self.group = saved

    def row(self, row) -> None:
        cells = _unique_cells(row)
        fresh = [cell for cell in cells if cell.element not in self.seen_cells]
        filled = [cell for cell in cells if cell.text.strip()]
        if not filled:
            return
        if (len(filled) == 1 and len(cells) == 1) or (len(filled) == 1 and not self.columns):
            only = filled[0].text
            section = section_key(only)
            if section and (len(cells) == 1 or not label_key(only)):
                self.enter_section(section)
                self.seen_cells.add(filled[0].element)
                return
            if self.table_kind == "duties" and len(cells) == 1:
                self.group = clean_value(only).replace("\n", " ")
                return
        header = self.column_header(cells)
        if header:
            return
        if self.columns:
            self.column_row(row, cells)
            return
        self.label_row(fresh)

    def column_header(self, cells: list[_Cell]) -> bool:
        kinds: dict[int, tuple[str, str]] = {}
        serial = False
        for cell in cells:
            name = normalise_label(cell.text)
            if name in COLUMNS:
                kinds[cell.first_col] = COLUMNS[name]
            elif name in SERIAL_HEADERS:
                serial = True
            elif name:
                return False
        table_kinds = {kind for kind, _ in kinds.values()}
        if not kinds or len(table_kinds) != 1:
            return False
        (kind,) = table_kinds
        keys = {key for _, key in kinds.values()}
        if kind == "duties" and not keys & {"tasks", "title"}:
            return False
        if len(kinds) + serial < 2:
            return False
        self.table_kind = kind
        self.columns = {index: key for index, (_, key) in kinds.items()}
        if kind == "duties" and "tasks" not in keys:
            # Only 主要职责: that column holds the tasks.
            self.columns = {i: ("tasks" if k == "title" else k) for i, k in self.columns.items()}
        if serial:
            for cell in cells:
                if normalise_label(cell.text) in SERIAL_HEADERS:
                    self.columns[cell.first_col] = "serial"
        if kind in ("duties", "authorities", "indicators", "relationships"):
            self.section = kind if kind != "relationships" else "relationships"
        else:
            self.section = "relationships"
        return True

    def column_values(self, row) -> dict[str, tuple[str, object]]:
        values: dict[str, tuple[str, object]] = {}
        cells = row.cells
        for index, key in self.columns.items():
            if index < len(cells):
                cell = cells[index]
                if key not in values:
                    values[key] = (_cell_text(cell), cell._tc)
        return values

    def column_row(self, row, cells: list[_Cell]) -> None:
        values = self.column_values(row)
        if self.table_kind == "duties":
            self.duty_row(values, cells)
        elif self.table_kind == "authorities":
            name = clean_value(values.get("name", ("", None))[0]).replace("\n", " ")
            level = normalise_label(values.get("level", ("", None))[0])
            if name:
                self.sheet.authorities.append((name, level))
        elif self.table_kind == "indicators":
            name = clean_value(values.get("name", ("", None))[0]).replace("\n", " ")
            description = clean_value(values.get("description", ("", None))[0])
            if name:
                self.sheet.indicators.append((name, description))
        elif self.table_kind == "relationships":
            kind_text = normalise_label(values.get("kind", ("", None))[0])
            kind = RELATIONSHIP_KINDS.get(kind_text) or COLUMNS.get(kind_text, ("", ""))[1]
            party = clean_value(values.get("party", ("", None))[0]).replace("\n", " ")
            purpose = clean_value(values.get("purpose", ("", None))[0])
            if kind and party:
                self.sheet.relationships.append((kind, party, purpose))
            elif party or purpose:
                self.unrecognised(f"{kind_text} {party} {purpose}")
        elif self.table_kind == "relationship_columns":
            for index, kind in self.columns.items():
                if index >= len(row.cells):
                    continue
                text = clean_value(_cell_text(row.cells[index]))
                for party in re.split(r"[\n、，,；;]", text):
                    party = re.sub(r"\s+", " ", _NUMBERING.sub("", party)).strip()
                    if party:
                        for name in party.split(" "):
                            self.sheet.relationships.append((kind, name, ""))

    def duty_row(self, values: dict[str, tuple[str, object]], cells: list[_Cell]) -> None:
        tasks_text, _ = values.get("tasks", ("", None))
        rank_text, _ = values.get("rank", values.get("serial", ("", None)))
        distinct = {c for _, c in values.values() if c is not None}
        if len(distinct) == 1 or (not tasks_text.strip() and len(cells) == 1):
            # One cell across the row: a group heading (重点工作 / 一般工作 / 销售业务管理 …).
            self.group = clean_value(tasks_text or rank_text).replace("\n", " ")
            return
        group_text, group_cell = values.get("group", ("", None))
        if group_cell is not None and group_text.strip():
            self.group = clean_value(group_text).replace("\n", " ")
        elif group_cell is not None:
            self.group = ""
        title = clean_value(values.get("title", ("", None))[0]).replace("\n", " ")
        kind = ""
        note = _KIND_NOTE.search(title)
        if note:
            kind = DUTY_KINDS[note.group(1)]
            title = title[: note.start()].strip()
        group = self.group
        if group in DUTY_KINDS:
            kind, group = DUTY_KINDS[group], ""
        responsibility = RESPONSIBILITY.get(
            normalise_label(values.get("responsibility", ("", None))[0]), ""
        )
        assessment = [
            line
            for line in clean_value(values.get("assessment", ("", None))[0]).split("\n")
            if line
        ]
        lines = [line for line in clean_value(tasks_text).split("\n") if line]
        if not lines and not title:
            return
        numbered = [line for line in lines if _NUMBERING.match(line)]
        if not rank_text.strip() and len(lines) > 1 and len(numbered) == len(lines):
            # 「1. … 2. …」 in one cell, without a 重要性 column: one duty per numbered item.
            for line in lines:
                self.sheet.duties.append(
                    ParsedDuty(
                        tasks=[_NUMBERING.sub("", line)],
                        group=group,
                        kind=kind,
                        responsibility=responsibility,
                    )
                )
            if assessment:
                self.sheet.duties[-1].assessment = assessment
            return
        if len(lines) == 1 and not rank_text.strip():
            lines = [_NUMBERING.sub("", lines[0])]
        self.sheet.duties.append(
            ParsedDuty(
                tasks=lines or [title],
                title=title if lines else "",
                group=group,
                kind=kind,
                responsibility=responsibility,
                assessment=assessment,
            )
        )

    def label_row(self, cells: list[_Cell]) -> None:
        if self.section == "authorities" and self.authority_row(cells):
            return
        index = 0
        while index < len(cells):
            cell = cells[index]
            text = cell.text
            self.seen_cells.add(cell.element)
            following = cells[index + 1] if index + 1 < len(cells) else None
            if not text.strip():
                index += 1
                continue
            key = label_key(text)
            if key is None and self.inline_pairs(text):
                index += 1
                continue
            if key is not None and following is not None and not label_key(following.text):
                # A label and its value (which may be empty).
                self.seen_cells.add(following.element)
                if key == "date":
                    self.inline_pairs(f"日期：{following.text}")
                else:
                    self.sheet.set_field(key, following.text)
                index += 2
                continue
            section = section_key(text)
            if section:
                self.enter_section(section)
                if following is not None and not label_key(following.text):
                    # 「工作职责 | 1. … 2. …」: the section's content in the next cell.
                    self.seen_cells.add(following.element)
                    self.section_value(following.text)
                    index += 2
                    continue
            elif key is None and (kind := RELATIONSHIP_KINDS.get(normalise_label(text))):
                rest = cells[index + 1 :]
                for other in rest:
                    self.seen_cells.add(other.element)
                parties = [clean_value(c.text).replace("\n", " ") for c in rest]
                if parties and parties[0]:
                    purpose = parties[1] if len(parties) > 1 else ""
                    self.sheet.relationships.append((kind, parties[0], purpose))
                return
            elif key is None and not self.section_text(text):
                self.unrecognised(text)
            index += 1

    def authority_row(self, cells: list[_Cell]) -> bool:
        """「优惠申请权 | 执行」 under 工作权限 (no header row): name and level label."""
        texts = [clean_value(c.text).replace("\n", " ") for c in cells if c.text.strip()]
        texts = [t for t in texts if not t.isdigit()]  # a 序号 column
        if len(texts) < 2 or normalise_label(texts[-1]) not in AUTHORITY_LEVELS:
            return False
        self.sheet.authorities.append((texts[0], normalise_label(texts[-1])))
        return True

    def section_value(self, text: str) -> None:
        """A section's content written in the cell beside its title."""
        if self.section == "duties":
            lines = [line for line in clean_value(text).split("\n") if line]
            for line in lines:
                self.sheet.duties.append(ParsedDuty(tasks=[_NUMBERING.sub("", line)]))
        elif not self.section_text(text):
            self.unrecognised(text)


def _open_docx(data: bytes):
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


def parse_docx(data: bytes, filename: str = "") -> ParsedSheet:
    """Read one 职位说明书 .docx. Raises WordImportError for files that are not one."""
    document = _open_docx(data)
    parser = _Parser(filename)
    for block in _iter_blocks(document):
        if hasattr(block, "rows"):
            parser.table(block)
        else:
            parser.paragraph(block.text)
    sheet = parser.sheet
    if not parser.tables:
        raise WordImportError("文档中没有表格，无法识别为职位说明书。")
    if not sheet.position_title and not sheet.duties:
        raise WordImportError("文档中没有找到职位名称或工作职责，无法识别为职位说明书。")
    # Our own export repeats department path and code under the title: not content.
    sheet.unrecognised = [
        text
        for text in sheet.unrecognised
        if not (" · " in text and (sheet.code in text or sheet.department in text))
    ]
    return sheet


# --- resolving: what would be written ------------------------------------------------------


@dataclass
class WordImportPlan:
    """One parsed file, resolved against the database, with the problems that block it."""

    parsed: ParsedSheet
    department: Department | None = None
    superior: Position | None = None
    existing: Position | None = None  # the position this file updates (same 职位编号)
    related: list[Position] = field(default_factory=list)
    grade_min: int | None = None
    grade_max: int | None = None
    headcount: int | None = None
    dates: dict[str, datetime.date | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # block the import
    warnings: list[str] = field(default_factory=list)  # imported anyway

    @property
    def ok(self) -> bool:
        return not self.problems

    # What the preview shows, with the sheet's Chinese labels.

    @property
    def duty_rows(self) -> list[dict]:
        labels = dict(Duty.Responsibility.choices)
        kinds = dict(Duty.Kind.choices)
        return [
            {
                "group": duty.group or kinds.get(duty.kind, ""),
                "title": duty.title,
                "tasks": duty.tasks,
                "responsibility": labels.get(duty.responsibility, ""),
                "assessment": duty.assessment,
            }
            for duty in self.parsed.duties
        ]

    @property
    def qualification_rows(self) -> list[tuple[str, list[str]]]:
        return [
            (QUALIFICATION_LABELS[key], self.parsed.qualifications[key])
            for key in QUALIFICATION_KEYS
            if self.parsed.qualifications.get(key)
        ]

    @property
    def relationship_rows(self) -> list[tuple[str, str, str]]:
        labels = dict(Relationship.Kind.choices)
        rows = self.parsed.relationships
        return [(labels[kind], party, purpose) for kind, party, purpose in rows]

    @property
    def sign_off_rows(self) -> list[tuple[str, str, datetime.date | None]]:
        names = self.parsed.sign_offs
        return [
            ("编制", names.get("prepared_by", ""), self.dates.get("prepared_at")),
            ("审核", names.get("reviewed_by", ""), self.dates.get("reviewed_at")),
            ("审批", names.get("approved_by", ""), self.dates.get("approved_at")),
        ]


def parse_date(text: str) -> datetime.date | None:
    match = re.search(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})", text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _grade(text: str) -> tuple[int | None, int | None] | None:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not text.strip():
        return None, None
    if len(numbers) == 1:
        return numbers[0], numbers[0]
    if len(numbers) == 2 and numbers[0] <= numbers[1]:
        return numbers[0], numbers[1]
    return None


def _find_department(text: str) -> tuple[Department | None, str]:
    name = text.replace(" ", "").split("/")[-1].strip()
    if not name:
        return None, "文件中没有所在部门，请选择所在部门。"
    found = list(Department.objects.filter(code=name)) or list(Department.objects.filter(name=name))
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, f"有多个名为“{name}”的部门，请选择所在部门。"
    return None, f"部门“{name}”不存在，请选择所在部门。"


def _find_superior(text: str, exclude_code: str) -> tuple[Position | None, str]:
    name = text.strip()
    if not name:
        return None, ""
    active = Position.objects.exclude(status=Position.Status.ARCHIVED)
    by_code = active.filter(code=name).first()
    if by_code is not None:
        return by_code, ""
    found = list(active.filter(title=name).exclude(code=exclude_code or None)[:2])
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, f"有多个名为“{name}”的职位，直接上级未设置，请导入后在编辑页选择。"
    return None, f"直接上级“{name}”不存在，导入后请在编辑页选择。"


def resolve_import(
    user: AbstractBaseUser,
    parsed: ParsedSheet,
    *,
    department: Department | None = None,
    taken_codes: set[str] | None = None,
) -> WordImportPlan:
    """What importing ``parsed`` would write, with its problems (Chinese)."""
    plan = WordImportPlan(parsed=parsed)
    title = parsed.position_title
    if not title:
        plan.problems.append("文件中没有找到职位名称。")
    elif len(title) > Position._meta.get_field("title").max_length:
        plan.problems.append(f"职位名称“{title[:20]}…”过长（最多 100 字）。")
    if parsed.extra_sheets:
        others = "、".join(dict.fromkeys(parsed.extra_sheets))
        plan.problems.append(
            f"文件中还有另一份职位说明书（{others}）。每个文件只能放一份，请拆分后分别上传。"
        )
    code = parsed.code.strip()
    if code:
        if taken_codes is not None:
            if code in taken_codes:
                plan.problems.append(f"职位编号“{code}”在本次上传的文件中出现了不止一次。")
            taken_codes.add(code)
        plan.existing = Position.objects.filter(code=code).first()
        if plan.existing is not None:
            if not permissions.can_edit_position(user, plan.existing):
                owner = (
                    f"“{plan.existing.title}”"
                    if permissions.can_view_position(user, plan.existing)
                    else "其他职位"
                )
                plan.problems.append(f"职位编号“{code}”已被{owner}使用，您无权修改该职位。")
            elif plan.existing.status == Position.Status.ARCHIVED:
                plan.problems.append(f"职位编号“{code}”属于已归档的职位“{plan.existing.title}”。")
    if department is not None:
        plan.department = department
    elif plan.existing is not None and parsed.department.replace(" ", "") in (
        "",
        plan.existing.department.name,
        plan.existing.department.code,
    ):
        plan.department = plan.existing.department
    else:
        plan.department, problem = _find_department(parsed.department)
        if problem:
            plan.problems.append(problem)
    if plan.existing is None and not code and title and plan.department is not None:
        # No 职位编号: the same title in the same department is the same position.
        same = list(
            Position.objects.exclude(status=Position.Status.ARCHIVED).filter(
                code="", title=title, department=plan.department
            )[:2]
        )
        if len(same) == 1 and permissions.can_edit_position(user, same[0]):
            plan.existing = same[0]
    if plan.department is not None and not permissions.can_edit_department(user, plan.department):
        plan.problems.append(f"您无权在“{plan.department.name}”中新建或修改职位，请选择其他部门。")
        plan.department = None
    current = plan.existing.reports_to if plan.existing is not None else None
    if current is not None and parsed.superior.strip() in (current.title, current.code):
        plan.superior, warning = current, ""  # unchanged, even where the title is not unique
    else:
        plan.superior, warning = _find_superior(parsed.superior, code)
    if warning:
        plan.warnings.append(warning)
    grade = _grade(parsed.grade)
    if grade is None:
        plan.warnings.append(f"职位等级“{parsed.grade}”无法识别，未导入。")
    else:
        plan.grade_min, plan.grade_max = grade
    if parsed.headcount:
        numbers = re.findall(r"\d+", parsed.headcount)
        if numbers:
            plan.headcount = int(numbers[0])
        else:
            plan.warnings.append(f"职位编制“{parsed.headcount}”无法识别，未导入。")
    for key in ("prepared_at", "reviewed_at", "approved_at"):
        text = parsed.sign_offs.get(key, "")
        plan.dates[key] = parse_date(text) if text else None
        if text and plan.dates[key] is None:
            plan.warnings.append(f"日期“{text}”无法识别，未导入。")
    for key in ("prepared_by", "reviewed_by", "approved_by"):
        if len(parsed.sign_offs.get(key, "")) > 50:
            plan.problems.append(f"签核人“{parsed.sign_offs[key][:20]}…”过长（最多 50 字）。")
    for duty in parsed.duties:
        if len(duty.title) > 100 or len(duty.group) > 50:
            plan.problems.append(f"职责“{(duty.title or duty.group)[:20]}…”的名称过长。")
    named = [("工作权限", name) for name, _level in parsed.authorities] + [
        ("工作关系", party) for _kind, party, _purpose in parsed.relationships
    ]
    named += [("关键指标", name) for name, _description in parsed.indicators]
    for where, text in named:
        if len(text) > 100:
            plan.problems.append(f"{where}“{text[:20]}…”过长（最多 100 字），请在文件中缩短。")
    for name, level_label in parsed.authorities:
        if level_label not in AUTHORITY_LEVELS:
            levels = "、".join(AUTHORITY_LEVELS)
            plan.warnings.append(
                f"工作权限“{name}”的级别“{level_label}”无法识别（可用：{levels}），未导入。"
            )
    related = [t for t in re.split(r"[、，,；;\n]", parsed.related) if t.strip()]
    for title in related:
        found = list(
            Position.objects.exclude(status=Position.Status.ARCHIVED).filter(title=title.strip())[
                :2
            ]
        )
        if len(found) == 1:
            plan.related.append(found[0])
        else:
            plan.warnings.append(f"相关职位“{title.strip()}”未找到，未导入。")
    if not parsed.duties:
        plan.warnings.append("文件中没有识别到工作职责。")
    return plan


# --- writing --------------------------------------------------------------------------------


def _education(text: str) -> str:
    for word, value in EDUCATION:
        if word in text:
            return value
    return ""


def _experience_years(text: str) -> int | None:
    match = re.search(r"(\d{1,2})\s*年", text)
    return int(match.group(1)) if match else None


def _plan_write(plan: WordImportPlan) -> SheetWrite:
    """What the writer writes for one file: the sheet as a 草稿, without the file's sign-off
    (编制/审核/审批 happen in jobdesc: a paper signature does not approve the draft)."""
    parsed = plan.parsed
    qualifications = {key: "\n".join(lines) for key, lines in parsed.qualifications.items()}
    fields = {
        "title": parsed.position_title,
        "code": parsed.code.strip(),
        "department_id": plan.department.pk,
        "reports_to_id": plan.superior.pk if plan.superior is not None else None,
        "grade_min": plan.grade_min,
        "grade_max": plan.grade_max,
        "headcount": plan.headcount,
        "location": parsed.location,
        "purpose": "\n".join(parsed.purpose),
        "summary": "\n".join(parsed.summary),
        "commitments": "\n".join(parsed.commitments),
        "work_environment": qualifications.pop("work_environment", ""),
        "other_requirements": qualifications.pop("other_requirements", ""),
    }
    duties = [
        {
            "group": duty.group,
            "kind": duty.kind,
            "title": duty.title,
            "tasks": "\n".join(duty.tasks),
            "responsibility": duty.responsibility,
            "assessment": "\n".join(duty.assessment),
        }
        for duty in parsed.duties
    ]
    authorities = [
        {"name": name, "level": AUTHORITY_LEVELS[label]}
        for name, label in parsed.authorities
        if label in AUTHORITY_LEVELS  # resolve_import warned about the others
    ]
    relationships = [
        {"kind": kind, "party": party, "purpose": purpose}
        for kind, party, purpose in parsed.relationships
    ]
    indicators = [
        {"name": name, "description": description} for name, description in parsed.indicators
    ]
    qualification = []
    if qualifications:
        education_text = qualifications.pop("education", "")
        qualification = [
            {
                "education": _education(education_text),
                "education_note": education_text,
                "experience_years": _experience_years(qualifications.get("experience", "")),
                **qualifications,
            }
        ]
    existing = plan.existing
    return SheetWrite(
        position=existing,
        content=SheetContent(
            fields=fields,
            related_positions=[p.pk for p in plan.related],
            sections={
                "duties": duties,
                "authorities": authorities,
                "relationships": relationships,
                "indicators": indicators,
                "qualification": qualification,
            },
            reuse_rows=True,
        ),
        expected_lock_version=existing.lock_version if existing is not None else None,
        label=parsed.filename,
    )


def import_sheets(user: AbstractBaseUser, plans: list[WordImportPlan]) -> list[Position]:
    """Write every plan as a draft through the one writer, all or nothing.

    ``ValidationError`` (each message named by its file) if any is blocked; nothing is
    written then.
    """
    problems = [f"{p.parsed.filename}：{problem}" for p in plans for problem in p.problems]
    if problems:
        raise ValidationError(problems)
    return write_sheets(
        user=user, writes=[_plan_write(plan) for plan in plans], comment="从 Word 文件导入"
    )


# --- uploads: checked, converted, parsed, kept until confirmed -------------------------------

STAGING_FOLDER = "word-imports"
STAGING_HOURS = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def read_upload(upload: UploadLike) -> tuple[str, bytes, ParsedSheet]:
    """(name, .docx bytes, parsed sheet) of one uploaded file; ``WordImportError`` if refused.

    The file's type is decided by its content (``transfer.services.uploads``); a legacy .doc is
    converted with LibreOffice where installed.
    """
    name = Path(getattr(upload, "name", "") or "upload.docx").name
    try:
        checked = validate_upload(upload, accept={FileKind.DOCX, FileKind.DOC})
        data = checked.data
        if checked.kind is FileKind.DOC:
            data = convert_legacy(data, "docx")
            name = str(Path(name).with_suffix(".docx"))
    except UploadError as error:
        raise WordImportError(error.message) from error
    except zlib.error as error:  # a damaged deflate stream, met while checking the CRCs
        raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。") from error
    return name, data, parse_docx(data, name)


def _staging_root(user: AbstractBaseUser) -> Path:
    return Path(settings.MEDIA_ROOT) / STAGING_FOLDER / str(user.pk)


def _forget_old_uploads(root: Path) -> None:
    limit = time.time() - STAGING_HOURS * 3600
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def stage_files(user: AbstractBaseUser, files: list[tuple[str, bytes]]) -> str:
    """Keep checked uploads until the user confirms the preview; returns the token."""
    root = _staging_root(user)
    _forget_old_uploads(root)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    names = []
    for index, (name, data) in enumerate(files):
        (folder / f"{index}.docx").write_bytes(data)
        names.append(name)
    (folder / "files.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return token


def staged_files(user: AbstractBaseUser, token: str) -> list[tuple[str, bytes]] | None:
    """The files staged under ``token`` by this user, or None (unknown, expired, someone else's)."""
    if not _TOKEN.match(token):
        return None
    folder = _staging_root(user) / token
    try:
        names = json.loads((folder / "files.json").read_text(encoding="utf-8"))
        return [(name, (folder / f"{index}.docx").read_bytes()) for index, name in enumerate(names)]
    except (OSError, ValueError):
        return None


def discard_staged(user: AbstractBaseUser, token: str) -> None:
    if _TOKEN.match(token):
        shutil.rmtree(_staging_root(user) / token, ignore_errors=True)
