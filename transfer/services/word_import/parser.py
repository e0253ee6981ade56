"""Parsing one 职位说明书 .docx into a ``ParsedSheet`` (texts as written, not yet resolved).

``parse_docx`` reads the document body in order (paragraphs and tables) and recognises the
common layouts (the seed's three, see ``../shared/design/sheet-layouts.md``) and our own export:

* label/value tables — a label in any cell, its value in the next cell, several pairs a row;
  ``标签：值`` written inside one cell or paragraph; spaced labels (制 定 者);
* section titles as paragraphs or as a row with one (merged) cell (设岗目的, 任职资格 …);
* column tables recognised by their header row: duties (重要性 | 主要职责 | 工作内容 | 负责程度 |
  考核要点, with group heading rows such as 重点工作 / 一般工作 or a 职责概述 column), 工作权限,
  关键指标 and 工作关系 (as rows, or one column per kind of relationship).

Whatever is not understood is listed in ``ParsedSheet.unrecognised`` for the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from docx.table import Table

from transfer.services.word_import.reader import (
    Cell,
    WordImportError,
    cell_text,
    iter_blocks,
    open_docx,
    unique_cells,
)
from transfer.services.word_import.vocabulary import (
    AUTHORITY_LEVELS,
    COLUMNS,
    DUTY_KINDS,
    QUALIFICATION_KEYS,
    RELATIONSHIP_KINDS,
    RESPONSIBILITY,
    SERIAL_HEADERS,
    SIGN_OFF_KEYS,
    clean_value,
    label_key,
    normalise_label,
    section_key,
)

_NUMBERING = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)）]\s*")
_TITLE_LINE = re.compile(r"^(?P<title>.+?)(?:职位|岗位)说明书(?:[(（].*[)）])?$")
_KIND_NOTE = re.compile(r"[（(](重点工作|一般工作)[)）]$")


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
            for cell in unique_cells(row):
                for nested in cell.element.iterchildren(qn("w:tbl")):
                    saved = (self.columns, self.table_kind, self.group)
                    self.table(Table(nested, table))
                    self.columns, self.table_kind, self.group = saved

    def row(self, row) -> None:
        cells = unique_cells(row)
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

    def column_header(self, cells: list[Cell]) -> bool:
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
                    values[key] = (cell_text(cell), cell._tc)
        return values

    def column_row(self, row, cells: list[Cell]) -> None:
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
                text = clean_value(cell_text(row.cells[index]))
                for party in re.split(r"[\n、，,；;]", text):
                    party = re.sub(r"\s+", " ", _NUMBERING.sub("", party)).strip()
                    if party:
                        for name in party.split(" "):
                            self.sheet.relationships.append((kind, name, ""))

    def duty_row(self, values: dict[str, tuple[str, object]], cells: list[Cell]) -> None:
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

    def label_row(self, cells: list[Cell]) -> None:
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

    def authority_row(self, cells: list[Cell]) -> bool:
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


def parse_docx(data: bytes, filename: str = "") -> ParsedSheet:
    """Read one 职位说明书 .docx. Raises WordImportError for files that are not one."""
    document = open_docx(data)
    parser = _Parser(filename)
    for block in iter_blocks(document):
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
