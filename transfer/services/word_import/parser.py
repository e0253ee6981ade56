"""Parsing one 职位说明书 .docx into a ``ParsedSheet`` (texts as written, not yet resolved).

The parser is driven by what a cell or a paragraph means, not by where it sits: every label
goes through the one vocabulary (``vocabulary.LABELS``, ``SECTIONS``, ``COLUMNS``), so the
seed's three layouts (``../shared/design/sheet-layouts.md``), the common public templates and
our own export are read by the same rules:

* headers, footers, text boxes and content controls are read as well as the body;
* tables are read row by row on their grid (merged and unmerged cells alike): a row of
  label | value | label | value gives each value to the label before it (a sign-off row
  编制：| name | 时间：| date gives the date to 编制); a row with one cell, or one filled cell, is a
  section title or — in a duty table — a group heading (重点工作 | | );
* column tables are recognised by their header row, combined headers (工作内容/工作任务) and
  English headers included; columns the vocabulary does not know are listed, not dropped;
* paragraphs: section titles numbered as Chinese documents number them (一、 （一） 1.), 标签：值
  and 「-标签: 值」 lines (several on a line, separated by full-width spaces), duties as numbered
  paragraphs or Word auto-numbering, 「关键指标：A、B、C」;
* an unknown heading ends the current section: what follows it is listed, never appended to
  the section before.

Nothing is dropped silently: after parsing, every ``w:t`` of the document that was neither
placed in a field nor listed is added to ``ParsedSheet.unrecognised`` with its location.
A file in which fewer than three of 职位名称, 部门或上级, 工作职责 and 任职资格 are found is
refused as 「不像职位说明书」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transfer.services.word_import.reader import (
    MC_FALLBACK,
    W_P,
    W_T,
    W_TC,
    W_TXBX,
    Block,
    Cell,
    WordImportError,
    cell_paragraphs,
    header_footer_parts,
    is_auto_numbered,
    is_bold,
    iter_blocks,
    numbered_styles,
    open_docx,
    paragraph_text,
    style_id,
    table_rows,
)
from transfer.services.word_import.vocabulary import (
    AUTHORITY_LEVELS,
    DUTY_KINDS,
    QUALIFICATION_KEYS,
    RELATIONSHIP_LABELS,
    RESPONSIBILITY,
    SIGN_OFF_KEYS,
    clean_value,
    column_key,
    is_serial_header,
    label_key,
    looks_numbered_heading,
    normalise_label,
    section_key,
    strip_numbering,
)

_TITLE_LINE = re.compile(
    r"^(?P<title>.{1,40}?)(?:职位|岗位|职务)说明书(?:[(（].{0,20}[)）])?$"
    r"|^(?:职位|岗位)说明书[:：(（](?P<title2>.{1,40}?)[)）]?$"
)
_KIND_NOTE = re.compile(r"[（(](重点工作|一般工作)[)）]$")
_SUB_ITEM = re.compile(
    r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|[①-⑳]|\d{1,2}\.\d{1,2}|[a-z][.)）]|[-•·●◆▪])"
)
_TOP_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.．、)）](?!\d)|[一二三四五六七八九十]{1,3}\s*[、.．])")
_SENTENCE = re.compile(r"[。；;，,]")
_PAGE = re.compile(
    r"^(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|page\s*\d+.*)$", re.I
)
_STATUS_WORDS = (
    "草稿",
    "待审核",
    "待审批",
    "已生效",
    "已归档",
    "【草稿】",
    "【待审核】",
    "【待审批】",
)
_SPLIT_LIST = re.compile(r"[、，,；;]")
_PAIR_GAP = re.compile(r"[\u3000\t]+|\s{2,}")
_ITEM_VERBS = ("负责", "完成", "协助", "参与", "组织", "制定", "根据", "配合", "做好", "承担")
# A 职位说明书 has a few hundred paragraphs; a file with more is not one (and would take long).
MAX_PARAGRAPHS = 5000
_HEADING_STYLES = re.compile(r"^(?:heading|标题|title)\s*\d*$", re.I)


@dataclass
class ParsedDuty:
    tasks: list[str]
    title: str = ""
    group: str = ""
    kind: str = ""
    responsibility: str = ""
    assessment: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unrecognised:
    """Text the parser could not place, and where it stands in the file."""

    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.text}（{self.where}）" if self.where else self.text


SIGN_OFF_ROLES = (
    ("prepared", "编制", "prepared_by", "prepared_at"),
    ("reviewed", "审核", "reviewed_by", "reviewed_at"),
    ("approved", "审批", "approved_by", "approved_at"),
)


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
    # The file's own 编制/审核/审批 names and dates (prepared_by, prepared_at, …): shown in the
    # preview and recorded as 「原文件签核」, never written as the draft's sign-off.
    original_signoff: dict[str, str] = field(default_factory=dict)
    # Read and shown, but not fields of our sheet.
    company: str = ""  # 单位 / the company in our export's page header
    document_number: str = ""  # 说明书编号 / 文件编号
    holder: str = ""  # 任职人姓名
    indirect_reports: str = ""  # 间接下属
    version: str = ""  # 版本 (our export's footer)
    effective_date: str = ""  # 生效日期 (our export's footer)
    department_path: list[str] = field(default_factory=list)  # our export's masthead
    unrecognised: list[Unrecognised] = field(default_factory=list)
    extra_sheets: list[str] = field(default_factory=list)  # other titles / codes in the file
    duplicate_titles: list[str] = field(default_factory=list)  # the same title twice

    @property
    def position_title(self) -> str:
        return self.title or self.heading_title

    @property
    def sign_offs(self) -> dict[str, str]:
        """The file's sign-off (the name ``original_signoff`` had before)."""
        return self.original_signoff

    @property
    def unrecognised_texts(self) -> list[str]:
        return [item.text for item in self.unrecognised]

    @property
    def original_signoff_rows(self) -> list[tuple[str, str, str, str]]:
        """(role, 编制/审核/审批, name, date text) of every step the file names."""
        return [
            (role, label, self.original_signoff.get(name, ""), self.original_signoff.get(date, ""))
            for role, label, name, date in SIGN_OFF_ROLES
            if self.original_signoff.get(name) or self.original_signoff.get(date)
        ]

    def found(self) -> list[str]:
        """Which of the four marks of a 职位说明书 the file has."""
        marks = []
        if self.position_title:
            marks.append("职位名称")
        if self.department or self.superior:
            marks.append("部门或上级")
        if self.duties:
            marks.append("工作职责")
        if self.qualifications:
            marks.append("任职资格")
        return marks

    def sign_off(self, key: str, value: str, label: str) -> None:
        """The file's 编制/审核/审批 name or date; a second, different one is listed."""
        if not value:
            return
        current = self.original_signoff.get(key)
        if current is None:
            self.original_signoff[key] = value
        elif [int(n) for n in re.findall(r"\d+", current)] != [
            int(n) for n in re.findall(r"\d+", value)
        ] or (not re.search(r"\d", value) and current != value):
            where = f"签核（与前文的“{current}”不同）"
            item = Unrecognised(f"{normalise_label(label) or label}：{value}", where)
            if item not in self.unrecognised:
                self.unrecognised.append(item)

    def set_field(self, key: str, value: str, label: str = "", role: str = "") -> bool:
        """Record a label's value; False when the key is not a field of the sheet."""
        value = clean_value(value)
        one_line = value.replace("\n", " ")
        if key in ("title", "code"):
            current = getattr(self, key)
            if one_line and not current:
                setattr(self, key, one_line)
            elif one_line and one_line != current:
                self.extra_sheets.append(one_line)  # a second sheet in the same file
            elif one_line and key == "title":
                self.duplicate_titles.append(one_line)  # a second edition of the same sheet
            return True
        if key in ("department", "superior", "grade", "headcount", "location", "company"):
            if one_line and not getattr(self, key):
                setattr(self, key, one_line)
            return True
        if key in ("document_number", "holder", "version", "effective_date"):
            if one_line:
                setattr(self, key, one_line)
            return True
        if key in ("direct_reports", "related", "indirect_reports"):
            if value:
                setattr(self, key, value.replace("\n", "、"))
            return True
        if key in ("purpose", "summary"):
            getattr(self, key).extend(line for line in value.split("\n") if line)
            return True
        if key in QUALIFICATION_KEYS:
            if value:
                self.qualifications.setdefault(key, []).extend(value.split("\n"))
            return True
        if key == "other_labelled":
            if value:
                name = normalise_label(label) or label
                self.qualifications.setdefault("other_requirements", []).append(
                    f"{name}：{one_line}"
                )
            return True
        if key == "prepared_by" and re.fullmatch(r"\d{1,4}\s*(?:人|名)?", one_line):
            key = "headcount"  # 「编制 | 2人」 in a header grid: the headcount, not a signature
            if not self.headcount:
                self.headcount = one_line
            return True
        if key == "date":
            key = {"reviewed_by": "reviewed_at", "approved_by": "approved_at"}.get(
                role, "prepared_at"
            )
        if key in SIGN_OFF_KEYS or key in ("prepared_at", "reviewed_at", "approved_at"):
            self.sign_off(key, one_line, label)
            return True
        return key in ("self", "holder_sign", "next_review")


class _Parser:
    def __init__(self, filename: str, styles: set[str]) -> None:
        self.sheet = ParsedSheet(filename=filename)
        self.styles = styles
        self.section = ""
        self.unknown_heading = ""
        self.columns: dict[int, str] = {}  # grid index → column key of the current column table
        self.table_kind = ""
        self.group = ""
        self.group_kind = ""
        self.tables = 0
        self.content_seen = False  # a table or a field before: a later title line is a 2nd sheet
        self.accounted: set[object] = set()  # w:p and w:tc placed in a field or listed
        self.where: dict[object, str] = {}  # w:tc → 「表格 2 第 3 行」
        self.duty_open = False  # the last duty may take sub-items (（1） … under 1.)
        self.unknown_columns: dict[int, str] = {}
        self.column_names: dict[int, str] = {}
        self.section_from_paragraph = False  # the section's title was a paragraph
        self.own_sign_off = False  # our export's 审批与确认 section

    # -- bookkeeping

    def took(self, *elements) -> None:
        for element in elements:
            if element is not None:
                self.accounted.add(element)

    def unrecognised(self, text: str, where: str, element=None) -> None:
        self.took(element)
        text = clean_value(text).replace("\n", " ")
        if not text:
            return
        if self.unknown_heading and self.section == "unknown" and where.startswith("正文"):
            where = f"「{self.unknown_heading}」下"
        item = Unrecognised(text[:200], where)
        if item not in self.sheet.unrecognised:
            self.sheet.unrecognised.append(item)

    def enter_section(self, section: str) -> None:
        self.section = section
        self.columns = {}
        self.table_kind = ""
        self.group = ""
        self.group_kind = ""
        self.duty_open = False
        if section != "unknown":
            self.unknown_heading = ""

    # -- 标签：值 text

    def split_pairs(self, text: str) -> list[tuple[str, str]] | None:
        """``标签：值`` pairs of one line (several a line, 「-标签: 值」 bullets, labels and values
        separated by full-width spaces); None when the line holds no pair."""
        line = text.strip()
        if re.match(r"^[-－—•·●◆▪*]", line):
            line = strip_numbering(line)
        if re.search(r"[:：]", line):
            parts = re.split(r"[:：]", line)
            pairs: list[tuple[str, str]] = []
            label = parts[0]
            for index, part in enumerate(parts[1:], start=1):
                if index < len(parts) - 1:
                    pieces = re.split(r"([\s\u3000]+)", part.strip())
                    if len(pieces) >= 3:
                        value, next_label = "".join(pieces[:-2]), pieces[-1]
                    else:
                        value, next_label = "", part
                else:
                    value, next_label = part, ""
                pairs.append((label.strip(), value.strip()))
                label = next_label
            return pairs
        tokens = [token for token in _PAIR_GAP.split(line) if token.strip()]
        if len(tokens) >= 2 and len(tokens) % 2 == 0:
            pairs = list(zip(tokens[::2], tokens[1::2], strict=True))
            if all(label_key(label) for label, _ in pairs):
                return pairs
        return None

    def inline_pairs(self, text: str, where: str, element=None) -> bool:
        """``标签：值`` text (one pair a line, or several on a line); True when it was placed."""
        lines = [line for line in text.replace("\r", "\n").split("\n") if line.strip()]
        if not lines:
            return False
        head = re.fullmatch(r"\s*(.+?)\s*[:：]\s*", lines[0])
        labelled_below = any(
            (pairs := self.split_pairs(line)) and label_key(pairs[0][0]) for line in lines[1:]
        )
        if (
            head
            and len(lines) > 1
            and not labelled_below
            and (label_key(head.group(1)) or self.inline_section(head.group(1)))
        ):
            # 「职位名称：」 over its value in the lines below (one cell or paragraph).
            value = "\n".join(text.replace("\r", "\n").split("\n")[1:])
            return self.place_pairs([(head.group(1), value)], where, element)
        parsed = [self.split_pairs(line) for line in lines]
        if any(pairs is None for pairs in parsed):
            return False
        known = [
            (label, value)
            for pairs in parsed
            for label, value in pairs
            if label_key(label)
            or self.inline_section(label)
            or RELATIONSHIP_LABELS.get(normalise_label(label))
        ]
        all_pairs = [pair for pairs in parsed for pair in pairs]
        if not known:
            return False
        if len(known) < len(all_pairs) and len(all_pairs) == 1:
            return False
        return self.place_pairs(all_pairs, where, element)

    def place_pairs(self, all_pairs: list[tuple[str, str]], where: str, element=None) -> bool:
        role = ""
        for label, value in all_pairs:
            key = label_key(label)
            if key in SIGN_OFF_KEYS:
                role = key
            if key is not None:
                self.sheet.set_field(key, value, label=label, role=role)
                continue
            kind = RELATIONSHIP_LABELS.get(normalise_label(label))
            if kind:
                self.relationship_parties(kind, value)
                continue
            section = self.inline_section(label)
            if section:
                self.enter_section(section)
                self.section_lines(value.split("\n"), where, numbered=False)
                continue
            self.unrecognised(f"{label}：{value}", where)
        self.took(element)
        return True

    @staticmethod
    def inline_section(label: str) -> str | None:
        """「关键指标：A、B、C」, 「职位概要：…」: a section title used as a label."""
        section = section_key(label)
        return section if section not in (None, "basic", "signoff", "scope") else None

    def relationship_parties(self, kind: str, text: str, purpose: str = "") -> None:
        for party in _SPLIT_LIST.split(clean_value(text).replace("\n", "、")):
            party = strip_numbering(party).strip()
            if party:
                self.sheet.relationships.append((kind, party, purpose))

    # -- text under a section title

    def section_lines(self, lines: list[str], where: str, *, numbered: bool, element=None) -> bool:
        """Text under a section title; True when it belonged there (and was placed)."""
        lines = [line for line in (clean_value(line) for line in lines) if line]
        if not lines:
            self.took(element)
            return True
        section = self.section
        sheet = self.sheet
        if section in ("purpose", "summary"):
            getattr(sheet, section).extend(lines)
        elif section == "environment":
            sheet.qualifications.setdefault("work_environment", []).extend(lines)
        elif section == "other":
            sheet.qualifications.setdefault("other_requirements", []).extend(lines)
        elif section == "commitments":
            sheet.commitments.extend(strip_numbering(line) for line in lines)
        elif section == "indicators" and not self.columns:
            for line in lines:
                line = strip_numbering(line)
                name, colon, description = re.split(r"([:：])", f"{line}:", maxsplit=1)
                description = description.removesuffix(":")
                if colon and description and len(name) <= 30:
                    sheet.indicators.append((name.strip(), description.strip()))
                    continue
                for item in _SPLIT_LIST.split(line):
                    if item.strip():
                        sheet.indicators.append((item.strip().rstrip("。"), ""))
        elif section == "authorities":
            for line in lines:
                sheet.authorities.append(self.authority_text(strip_numbering(line)))
        elif section == "duties":
            listed = numbered or all(_TOP_ITEM.match(x) or _SUB_ITEM.match(x) for x in lines)
            in_cell = element is not None and element.tag == W_TC
            if not (listed or self.section_from_paragraph or in_cell):
                return False  # 「营销策划部经理」 under a duty table: an org diagram, not a duty
            for line in lines:
                self.duty_line(line, numbered=numbered)
        elif section == "qualifications":
            for line in lines:
                sheet.qualifications.setdefault("background", []).append(strip_numbering(line))
        else:
            return False
        self.took(element)
        return True

    @staticmethod
    def authority_text(text: str) -> tuple[str, str]:
        """「合同审批权（审批）」 / 「合同审批权：审批」 → (name, level label)."""
        text = text.strip().rstrip("；;。")
        match = re.match(r"^(.+?)\s*(?:[（(]([^）)]+)[)）]|[:：]\s*(\S+))$", text)
        if match:
            level = normalise_label(match.group(2) or match.group(3) or "")
            if level in AUTHORITY_LEVELS:
                return match.group(1).strip(), level
        return text, ""

    def duty_line(self, line: str, *, numbered: bool) -> None:
        text = line.strip()
        if normalise_label(text) in DUTY_KINDS:
            self.group_kind, self.group = DUTY_KINDS[normalise_label(text)], ""
            self.duty_open = False
            return
        sub = bool(_SUB_ITEM.match(text))
        if sub and self.duty_open and self.sheet.duties:
            self.sheet.duties[-1].tasks.append(strip_numbering(text))
            return
        body = strip_numbering(text) if (numbered or _TOP_ITEM.match(text) or sub) else text
        self.sheet.duties.append(ParsedDuty(tasks=[body], group=self.group, kind=self.group_kind))
        self.duty_open = True

    # -- paragraphs

    def is_heading(self, element, text: str) -> bool:
        short = len(strip_numbering(text)) <= 20 and not _SENTENCE.search(text)
        if not short or re.search(r"[:：]", text.strip()[:-1]):
            return False
        if looks_numbered_heading(text) or _HEADING_STYLES.match(style_id(element)):
            return True
        return is_bold(element) and self.section != "duties"

    def paragraph(self, block: Block) -> None:
        element = block.element
        text = paragraph_text(element)
        if not text.strip():
            return
        where = block.where
        compact = re.sub(r"\s+", "", text)
        section = section_key(text)
        if section:
            self.enter_section(section)
            self.section_from_paragraph = True
            self.own_sign_off = self.own_sign_off or compact == "审批与确认"
            self.took(element)
            return
        match = title_line(text)
        if match:
            title = match
            if self.sheet.heading_title and self.content_seen and where == "正文":
                if title == self.sheet.heading_title:
                    self.sheet.duplicate_titles.append(title)
                else:
                    self.sheet.extra_sheets.append(title)
            elif not self.sheet.heading_title:
                self.sheet.heading_title = title
            self.took(element)
            return
        if (
            compact in ("职位说明书", "岗位说明书", "职务说明书")
            or compact.lower() == "jobdescription"
        ):
            self.took(element)
            return
        if where == "正文" and not self.tables and " · " in text and not self.content_seen:
            # Our export's masthead: 公司 · 部门 · 职位编号  【草稿】
            parts = [p.strip() for p in re.sub(r"【.*?】", "", text).split(" · ") if p.strip()]
            self.sheet.department_path = parts
            self.took(element)
            return
        numbered = is_auto_numbered(element, self.styles)
        if self.section == "duties" and not numbered and self.group_heading_text(text, element):
            self.took(element)
            return
        if not numbered and self.is_heading(element, text) and not self.split_pairs(text):
            self.enter_section("unknown")
            self.unknown_heading = ""
            self.unrecognised(text, f"{where}·未知标题，其后内容不归入上一节", element)
            self.unknown_heading = clean_value(strip_numbering(text))
            return
        if self.inline_pairs(text, where, element):
            self.content_seen = True
            return
        if self.section_lines([text], where, numbered=numbered, element=element):
            self.content_seen = True
            return
        self.unrecognised(text, where, element)

    def group_heading_text(self, text: str, element) -> bool:
        """A heading inside the duties: 重点工作, （一）销售业务管理, a bold short line."""
        stripped = clean_value(strip_numbering(text))
        if normalise_label(stripped) in DUTY_KINDS:
            self.group_kind, self.group = DUTY_KINDS[normalise_label(stripped)], ""
            self.duty_open = False
            return True
        sub_heading = re.match(r"^\s*[（(][一二三四五六七八九十]{1,3}[)）]", text)
        if (
            (sub_heading or is_bold(element))
            and len(stripped) <= 20
            and not _SENTENCE.search(stripped)
        ):
            self.group = stripped.rstrip(":：")
            self.duty_open = False
            return True
        return False

    # -- headers and footers

    def header_footer(self, root, where: str) -> None:
        for block in iter_blocks(root, where):
            if block.kind == "tbl":
                self.table(block.element, where)
                continue
            element = block.element
            text = paragraph_text(element)
            if not text.strip():
                continue
            pieces = [p.strip() for p in re.split(r"\t| · |·|\|", text) if p.strip()]
            unknown = []
            for index, piece in enumerate(pieces):
                if not self.meta_piece(piece, where):
                    unknown.append((index, piece))
            if len(unknown) == 1 and unknown[0][0] == 0 and len(pieces) > 1 and where == "页眉":
                self.sheet.company = self.sheet.company or unknown[0][1]  # company ⇥ 文件编号
                unknown = []
            for _, piece in unknown:
                self.unrecognised(piece, where)
            self.took(element)

    def meta_piece(self, piece: str, where: str) -> bool:
        compact = re.sub(r"\s+", "", piece)
        if _PAGE.match(piece.strip()) or compact in _STATUS_WORDS:
            return True
        if re.fullmatch(r"V\d{1,4}", compact):
            self.sheet.version = compact
            return True
        match = title_line(piece)
        if match:
            self.sheet.heading_title = self.sheet.heading_title or match
            return True
        pairs = self.split_pairs(piece)
        if pairs and all(label_key(label) for label, _ in pairs):
            for label, value in pairs:
                self.sheet.set_field(label_key(label), value, label=label)
            return True
        found = re.match(r"^(\S+?)\s+(.+)$", piece)
        if found and label_key(found.group(1)):
            key = label_key(found.group(1))
            if key == "code" and self.sheet.code and found.group(2).strip() != self.sheet.code:
                return False
            self.sheet.set_field(key, found.group(2), label=found.group(1))
            return True
        return False

    # -- tables

    def table(self, tbl, where: str = "正文") -> None:
        self.tables += 1
        self.section_from_paragraph = False
        number = self.tables
        self.columns = {}
        self.table_kind = ""
        self.group = ""
        self.group_kind = ""
        self.unknown_columns: dict[int, str] = {}
        for index, row in enumerate(table_rows(tbl), start=1):
            location = f"{where}表格 {number} 第 {index} 行"
            for cell in row:
                self.where.setdefault(cell.element, location)
            self.row(row, location)
            # A cell holding tables (a layout grid): its paragraphs and tables read in order
            # after the row, then the outer table carries on.
            for cell in row:
                if cell.continued or not cell.nested:
                    continue
                for block in iter_blocks(cell.element, where):
                    saved = (
                        self.columns,
                        self.table_kind,
                        self.group,
                        self.group_kind,
                        self.unknown_columns,
                        self.column_names,
                    )
                    if block.kind == "tbl":
                        self.table(block.element, where)
                    else:
                        self.paragraph(block)
                    (
                        self.columns,
                        self.table_kind,
                        self.group,
                        self.group_kind,
                        self.unknown_columns,
                        self.column_names,
                    ) = saved
        self.content_seen = True

    def row(self, cells: list[Cell], where: str) -> None:
        fresh = [cell for cell in cells if not cell.continued and not cell.nested]
        filled = [cell for cell in fresh if cell.text.strip()]
        if not filled:
            return
        if len(filled) == 1:
            only = filled[0]
            section = section_key(only.text)
            if (
                section
                and (len(fresh) == 1 or not label_key(only.text))
                and (not self.columns or len(fresh) == 1 or section != self.table_kind)
            ):
                self.enter_section(section)
                self.took(only.element)
                return
            if self.table_kind == "duties" and self.duty_group_row(only, fresh):
                return
            if len(fresh) == 1 and self.heading_cell(only):
                # 「五、晋升通道」 across the table: an unknown heading ends the section before it.
                self.enter_section("unknown")
                self.unknown_heading = ""
                self.unrecognised(
                    only.text, f"{where}·未知标题，其后内容不归入上一节", only.element
                )
                self.unknown_heading = clean_value(strip_numbering(only.text))
                return
        if self.column_header(fresh, where):
            return
        if self.columns:
            self.column_row(cells, where)
            return
        self.label_row(fresh, where)

    def heading_cell(self, cell: Cell) -> bool:
        """A one-cell row that reads as a heading: numbered 一、/（一） or all bold, short."""
        text = cell.text.strip()
        if "\n" in text or len(strip_numbering(text)) > 20 or _SENTENCE.search(text):
            return False
        if label_key(text) or re.search(r"[:：]", text) or title_line(text):
            return False
        paragraphs = [p for p in cell_paragraphs(cell.element) if paragraph_text(p).strip()]
        return looks_numbered_heading(text) or all(is_bold(p) for p in paragraphs)

    def duty_group_row(self, only: Cell, fresh: list[Cell]) -> bool:
        """「重点工作 | | 」, a merged 销售业务管理 row: a group heading, not a duty."""
        text = clean_value(only.text).replace("\n", " ")
        key = normalise_label(strip_numbering(text))
        column = self.columns.get(only.first_col, "")
        is_group = (
            key in DUTY_KINDS
            or len(fresh) == 1
            or only.span > 1
            or column in ("rank", "serial")
            or (
                len(text) <= 12
                and not _TOP_ITEM.match(text)
                and not _SENTENCE.search(text)
                and not text.startswith(_ITEM_VERBS)
            )
        )
        if not is_group:
            return False
        if key in DUTY_KINDS:
            self.group_kind, self.group = DUTY_KINDS[key], ""
        else:
            self.group = strip_numbering(text).rstrip(":：")
            if self.group in DUTY_KINDS:
                self.group_kind, self.group = DUTY_KINDS[self.group], ""
        self.took(only.element)
        return True

    def column_header(self, cells: list[Cell], where: str) -> bool:
        kinds: dict[int, tuple[str, str]] = {}
        serial: list[int] = []
        unknown: dict[int, str] = {}
        for cell in cells:
            if not cell.text.strip():
                continue
            found = column_key(cell.text)
            if found:
                kinds[cell.first_col] = found
            elif is_serial_header(cell.text):
                serial.append(cell.first_col)
            else:
                unknown[cell.first_col] = clean_value(cell.text).replace("\n", " ")
        table_kinds = {kind for kind, _ in kinds.values()}
        if not kinds or len(table_kinds) != 1:
            return False
        (kind,) = table_kinds
        keys = {key for _, key in kinds.values()}
        if kind == "duties" and not keys & {"tasks", "title"}:
            return False
        if len(kinds) + len(serial) < 2 or len(unknown) > len(kinds):
            return False
        if kind == "authorities" and self.section != "authorities" and "level" not in keys:
            return False
        self.table_kind = kind
        self.columns = {index: key for index, (_, key) in kinds.items()}
        if kind == "duties" and "tasks" not in keys:
            # Only 主要职责: that column holds the tasks.
            self.columns = {i: ("tasks" if k == "title" else k) for i, k in self.columns.items()}
        for index in serial:
            self.columns[index] = "serial"
        self.unknown_columns = unknown
        self.column_names = {c.first_col: clean_value(c.text).replace("\n", " ") for c in cells}
        for index in unknown:
            self.columns[index] = "unknown"
        for cell in cells:
            if cell.first_col in unknown:
                self.unrecognised(cell.text, f"{where}（未识别的列）", cell.element)
            else:
                self.took(cell.element)
        if kind != "relationship_columns":
            self.section = kind
        else:
            self.section = "relationships"
        self.group = ""
        self.group_kind = ""
        return True

    def column_values(self, cells: list[Cell]) -> dict[str, tuple[str, Cell | None]]:
        values: dict[str, tuple[str, Cell | None]] = {}
        for index, key in self.columns.items():
            cell = next((c for c in cells if c.covers(index)), None)
            if cell is None or key in values:
                continue
            if cell.continued and key not in ("group", "kind"):
                values[key] = ("", None)
                continue
            values[key] = (cell.text, cell)
        return values

    def column_row(self, cells: list[Cell], where: str) -> None:
        values = self.column_values(cells)
        for key, (text, cell) in values.items():
            if cell is None or cell.continued:
                continue
            if key in ("unknown", "note"):
                if text.strip():
                    name = self.column_names.get(cell.first_col, "")
                    self.unrecognised(f"{name}：{text}" if name else text, where, cell.element)
            else:
                self.took(cell.element)
        # Cells outside every known column.
        for cell in cells:
            if (
                not cell.continued
                and cell.text.strip()
                and not any(cell.covers(index) for index in self.columns)
            ):
                self.unrecognised(cell.text, where, cell.element)

        def text(key: str) -> str:
            return values.get(key, ("", None))[0]

        if self.table_kind == "duties":
            self.duty_row(values)
        elif self.table_kind == "authorities":
            name = clean_value(text("name")).replace("\n", " ")
            level = normalise_label(text("level"))
            if name:
                self.sheet.authorities.append((name, level))
        elif self.table_kind == "indicators":
            name = clean_value(text("name")).replace("\n", " ")
            if name:
                self.sheet.indicators.append((name, clean_value(text("description"))))
        elif self.table_kind == "relationships":
            kind_text = normalise_label(text("kind"))
            kind = RELATIONSHIP_LABELS.get(kind_text) or (column_key(kind_text) or ("", ""))[1]
            party = clean_value(text("party")).replace("\n", " ")
            purpose = clean_value(text("purpose"))
            if kind and party:
                self.sheet.relationships.append((kind, party, purpose))
            elif party or purpose:
                self.unrecognised(f"{kind_text} {party} {purpose}", where)
        elif self.table_kind == "relationship_columns":
            for index, kind in self.columns.items():
                if kind in ("unknown", "serial"):
                    continue
                cell = next((c for c in cells if c.covers(index) and not c.continued), None)
                if cell is None:
                    continue
                for party in re.split(r"[\n、，,；;]", clean_value(cell.text)):
                    party = strip_numbering(party).strip()
                    for name in party.split():
                        self.sheet.relationships.append((kind, name, ""))

    def duty_row(self, values: dict[str, tuple[str, Cell | None]]) -> None:
        tasks_text = values.get("tasks", ("", None))[0]
        rank_text = values.get("rank", values.get("serial", ("", None)))[0]
        group_text, group_cell = values.get("group", ("", None))
        if group_cell is not None and group_text.strip():
            self.group = clean_value(group_text).replace("\n", " ")
        elif "group" in values and group_cell is None:
            self.group = ""
        title = clean_value(values.get("title", ("", None))[0]).replace("\n", " ")
        kind = self.group_kind
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
        numbered = [line for line in lines if _TOP_ITEM.match(line)]
        if not rank_text.strip() and not title and len(lines) > 1 and len(numbered) == len(lines):
            # 「1. … 2. …」 in one cell, without a 重要性 column: one duty per numbered item.
            for line in lines:
                self.sheet.duties.append(
                    ParsedDuty(
                        tasks=[strip_numbering(line)],
                        group=group,
                        kind=kind,
                        responsibility=responsibility,
                    )
                )
            if assessment:
                self.sheet.duties[-1].assessment = assessment
            return
        if len(lines) == 1 and not rank_text.strip():
            lines = [strip_numbering(lines[0])]
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

    def label_row(self, cells: list[Cell], where: str) -> None:
        if self.section == "authorities" and self.authority_row(cells):
            return
        index = 0
        role = ""
        while index < len(cells):
            cell = cells[index]
            text = cell.text
            following = cells[index + 1] if index + 1 < len(cells) else None
            if not text.strip():
                index += 1
                continue
            key = cell_label_key(text)
            if key is None and self.inline_pairs(text, where, cell.element):
                index += 1
                continue
            if key is not None:
                if key in SIGN_OFF_KEYS:
                    role = key
                self.took(cell.element)
                if (
                    following is not None
                    and cell_label_key(following.text) is None
                    and not self.section_title_cell(following)
                ):
                    # A label and its value (which may be empty).
                    self.took(following.element)
                    self.sheet.set_field(key, following.text, label=text, role=role)
                    self.content_seen = True
                    index += 2
                    continue
                index += 1
                continue
            section = section_key(text)
            if section:
                self.enter_section(section)
                self.took(cell.element)
                if following is not None and cell_label_key(following.text) is None:
                    # 「工作职责 | 1. … 2. …」: the section's content in the next cell.
                    self.cell_content(following, where)
                    index += 2
                    continue
                index += 1
                continue
            kind = RELATIONSHIP_LABELS.get(normalise_label(text))
            if kind:
                self.took(cell.element)
                rest = [c for c in cells[index + 1 :] if c.text.strip()]
                if rest:
                    self.took(*(c.element for c in rest[:2]))
                    purpose = clean_value(rest[1].text) if len(rest) > 1 else ""
                    self.relationship_parties(kind, rest[0].text, purpose)
                    for extra in rest[2:]:
                        self.unrecognised(extra.text, where, extra.element)
                return
            self.cell_content(cell, where)
            index += 1

    def section_title_cell(self, cell: Cell) -> bool:
        return bool(cell.text.strip()) and section_key(cell.text) is not None

    def cell_content(self, cell: Cell, where: str) -> None:
        """A cell's paragraphs as text under the current section, else listed."""
        title = title_line(cell.text)
        if title:
            self.sheet.heading_title = self.sheet.heading_title or title
            self.took(cell.element)
            return
        paragraphs = cell_paragraphs(cell.element)
        numbered = any(is_auto_numbered(p, self.styles) for p in paragraphs)
        if self.section == "duties" and numbered:
            for paragraph in paragraphs:
                text = paragraph_text(paragraph)
                if text.strip():
                    self.duty_line(text, numbered=is_auto_numbered(paragraph, self.styles))
            self.took(cell.element)
            return
        if self.section_lines(cell.text.split("\n"), where, numbered=False, element=cell.element):
            return
        self.unrecognised(cell.text, where, cell.element)

    def authority_row(self, cells: list[Cell]) -> bool:
        """「优惠申请权 | 执行」 under 工作权限 (no header row): name and level label."""
        texts = [clean_value(c.text).replace("\n", " ") for c in cells if c.text.strip()]
        texts = [t for t in texts if not t.isdigit()]  # a 序号 column
        if len(texts) < 2 or normalise_label(texts[-1]) not in AUTHORITY_LEVELS:
            return False
        self.sheet.authorities.append((texts[0], normalise_label(texts[-1])))
        self.took(*(c.element for c in cells))
        return True

    # -- nothing silent

    def sweep(self, roots: list[tuple[str, object]]) -> None:
        """List every text the parse neither placed nor listed, with its location."""
        for where, root in roots:
            listed: set[object] = set()
            for node in root.iter(W_T):
                if not (node.text or "").strip():
                    continue
                paragraph = tc = None
                in_box = skip = False
                parent = node.getparent()
                while parent is not None and parent is not root:
                    if parent.tag == MC_FALLBACK:
                        skip = True  # the VML copy of a text box read through its DrawingML
                        break
                    if not in_box:
                        if parent.tag == W_P and paragraph is None:
                            paragraph = parent
                        elif parent.tag == W_TC and tc is None:
                            tc = parent
                        elif parent.tag == W_TXBX:
                            in_box = True  # the cell or paragraph around the box is not its own
                    parent = parent.getparent()
                if skip or paragraph is None or paragraph in listed:
                    continue
                if paragraph in self.accounted or (tc is not None and tc in self.accounted):
                    continue
                listed.add(paragraph)
                location = "文本框" if in_box else self.where.get(tc, where)
                self.unrecognised(paragraph_text(paragraph), location)


def title_line(text: str) -> str:
    """「XX职位说明书(补充)」, 「XX岗位说明书 Job Description」 → XX; "" for anything else."""
    compact = re.sub(r"\s+", "", text)
    if re.search(r"[\u3400-\u9fff]", compact):
        compact = re.sub(r"[A-Za-z]+", "", compact)
    match = _TITLE_LINE.match(compact)
    return clean_value(match.group("title") or match.group("title2")) if match else ""


def cell_label_key(text: str) -> str | None:
    """A label cell's key; a label written in two lines (职位名称 / Job Title) included."""
    key = label_key(text)
    if key is not None or "\n" not in text.strip():
        return key
    keys = {label_key(line) for line in text.split("\n") if line.strip()}
    return keys.pop() if len(keys) == 1 else None


def parse_docx(data: bytes, filename: str = "") -> ParsedSheet:
    """Read one 职位说明书 .docx. Raises WordImportError for files that are not one."""
    document = open_docx(data)
    paragraphs = sum(1 for _ in document.element.body.iter(W_P))
    if paragraphs > MAX_PARAGRAPHS:
        raise WordImportError(
            f"文件有 {paragraphs} 段，超过 {MAX_PARAGRAPHS} 段，不像一份职位说明书。"
            "请每个文件只放一份职位说明书后再上传。"
        )
    parser = _Parser(filename, numbered_styles(document))
    parts = list(header_footer_parts(document))
    for where, root in parts:
        if where == "页眉":
            parser.header_footer(root, where)
    body = document.element.body
    for block in iter_blocks(body):
        if block.kind == "tbl":
            parser.table(block.element, block.where)
        else:
            parser.paragraph(block)
    for where, root in parts:
        if where == "页脚":
            parser.header_footer(root, where)
    parser.sweep([("正文", body), *parts])
    sheet = parser.sheet
    sheet.duplicate_titles = list(dict.fromkeys(sheet.duplicate_titles))
    found = sheet.found()
    own_export = parser.own_sign_off and bool(sheet.department_path) and bool(sheet.title)
    if len(found) < 3 and not own_export:
        have = "、".join(found) or "其中任何一项"
        raise WordImportError(
            f"不像职位说明书：只找到{have}；职位名称、部门或上级、工作职责、任职资格四项中"
            "至少要有三项。请确认上传的是职位说明书。"
        )
    return sheet
