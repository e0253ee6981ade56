"""The Excel (xlsx) workbook format of positions — the ONE column spec.

The import template, the export and the importer all use ``WORKBOOK`` below: which sheets, which
columns (Chinese headers), which model field each column fills and which drop-down it offers.
Workbooks are written and read with openpyxl (multi-sheet workbooks with drop-downs are direct
in it; django-import-export would add a per-model resource layer we do not need).

A position's content is a ``PositionContent``: plain, normalised values per sheet — what a
workbook row says, and what a position (or a published version) says in the same terms. The
importer compares two contents to decide 无变化, the exporter writes one per position.

**Keys.** Rows of every sheet are linked by 职位编号. A position without a 职位编号 (common in
old data) is written as ``#<系统编号>`` (its id), so exporting and re-importing it still
round-trips; new positions need a real 职位编号.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet, TextChoices
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from positions.ids import position_number
from positions.models import (
    Department,
    Duty,
    ManualLevel,
    ManualVersionRow,
    Position,
    Qualification,
    Relationship,
    Version,
)
from positions.org import department_index
from positions.permissions import reads_working_copy
from positions.sheet import Sheet, build_sheet, manual_authorities
from positions.spreadsheet import xlsx_bytes

TEXT = "text"
INT = "int"
CHOICE = "choice"
KEYS = "keys"  # several 职位编号 in one cell
DATE = "date"

# How many data rows the template's drop-downs cover.
VALIDATION_ROWS = 2000
EXAMPLE_CODE = "示例-001"
ID_PREFIX = "#"
KEY_SEPARATORS = re.compile(r"[、,，;；\s]+")


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese column header
    field: str  # model field (or "position" for the linking 职位编号 of section sheets)
    kind: str = TEXT
    required: bool = False
    choices: type[TextChoices] | None = None
    width: int = 14
    help: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # extra accepted spellings → value

    def choice_labels(self) -> list[str]:
        return [str(label) for label in self.choices.labels] if self.choices else []

    def choice_value(self, text: str) -> str | None:
        """The stored value for a label (or the value itself, or an alias); None if unknown."""
        if self.choices is None:
            return text
        for value, label in self.choices.choices:
            if text in (str(label), value):
                return value
        return dict(self.aliases).get(text)

    def choice_label(self, value: str) -> str:
        if not value or self.choices is None:
            return value
        return str(dict(self.choices.choices).get(value, value))


@dataclass(frozen=True)
class SheetSpec:
    name: str  # the worksheet title
    key: str  # PositionContent attribute
    columns: tuple[Column, ...]
    one_per_position: bool = False
    help: str = ""

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)


POSITION_KEY = Column(
    "职位编号",
    "position",
    required=True,
    width=14,
    help="对应“职位”工作表中的职位编号。",
)

POSITIONS = SheetSpec(
    "职位",
    "position",
    (
        Column(
            "职位编号",
            "code",
            required=True,
            width=14,
            help="唯一标识职位，用于关联其他工作表；已存在的编号为更新，新编号为新建。"
            f"“#数字”表示系统中尚无职位编号的职位（如 #2，打印的文件编号为"
            f" {position_number('', 2)}），请勿改动。",
        ),
        Column("职位名称", "title", required=True, width=18),
        Column("所在部门", "department", required=True, width=16, help="填写部门编号或部门名称。"),
        Column("直接上级", "reports_to", width=14, help="填写直接上级的职位编号；最高职位留空。"),
        Column("职位等级（低）", "grade_min", INT, width=10),
        Column("职位等级（高）", "grade_max", INT, width=10),
        Column("职位编制", "headcount", INT, width=10, help="编制人数，整数。"),
        Column("工作地点", "location", width=14),
        Column("设岗目的", "purpose", width=36),
        Column("职位概要", "summary", width=36),
        Column("主要责任", "commitments", width=36, help="每行一条（单元格内按 Alt+Enter 换行）。"),
        Column("工作环境", "work_environment", width=24),
        Column("其他要求", "other_requirements", width=24),
        Column(
            "相关职位", "related_positions", KEYS, width=18, help="填写职位编号，多个用顿号分隔。"
        ),
    ),
    help="每行一个职位。",
)

DUTIES = SheetSpec(
    "工作职责",
    "duties",
    (
        POSITION_KEY,
        Column("重要性", "rank", INT, width=8, help="1 为最重要；决定职责的排列顺序。"),
        Column("职责分组", "group", width=16, help="如“销售业务管理”。"),
        Column(
            "工作类别",
            "kind",
            CHOICE,
            choices=Duty.Kind,
            width=12,
            aliases=(("重点", Duty.Kind.KEY), ("一般", Duty.Kind.GENERAL)),
        ),
        Column("主要职责", "title", width=20),
        Column("工作内容", "tasks", required=True, width=48, help="每行一项工作任务。"),
        Column("负责程度", "responsibility", CHOICE, choices=Duty.Responsibility, width=10),
        Column("考核要点", "assessment", width=30),
    ),
    help="每行一项职责，同一职位的职责按“重要性”排列。",
)

AUTHORITIES = SheetSpec(
    "工作权限",
    "authorities",
    (
        POSITION_KEY,
        Column("权限", "name", required=True, width=36),
        Column("权限级别", "level", CHOICE, required=True, choices=ManualLevel, width=10),
    ),
    help="每行一项权限，按行的先后排列；写作“事项（档位）”。导入写入权责手册的工作稿，权责手册发布后在职位说明书中生效。",
)

QUALIFICATIONS = SheetSpec(
    "任职资格",
    "qualification",
    (
        POSITION_KEY,
        Column("最低学历", "education", CHOICE, choices=Qualification.Education, width=12),
        Column("学历说明", "education_note", width=16, help="如“大专及以上学历”。"),
        Column("专业", "major", width=20),
        Column("工作经验（年）", "experience_years", INT, width=10),
        Column("工作经验", "experience", width=30),
        Column("资历", "background", width=24),
        Column("专业知识", "knowledge", width=30),
        Column("能力", "skills", width=30),
        Column("能力素质", "competencies", width=24),
        Column("品质 / 意识", "qualities", width=24),
        Column("资格证书", "certificates", width=20),
    ),
    one_per_position=True,
    help="每个职位最多一行。",
)

RELATIONSHIPS = SheetSpec(
    "工作关系",
    "relationships",
    (
        POSITION_KEY,
        Column("关系类型", "kind", CHOICE, required=True, choices=Relationship.Kind, width=14),
        Column("对象", "party", required=True, width=20, help="部门、职位或外部单位。"),
        Column("联系内容", "purpose", width=40),
    ),
    help="每行一个联系对象。",
)

INDICATORS = SheetSpec(
    "关键指标",
    "indicators",
    (
        POSITION_KEY,
        Column("指标", "name", required=True, width=24),
        Column("说明", "description", width=40),
    ),
    help="每行一项关键绩效指标。",
)

WORKBOOK: tuple[SheetSpec, ...] = (
    POSITIONS,
    DUTIES,
    AUTHORITIES,
    QUALIFICATIONS,
    RELATIONSHIPS,
    INDICATORS,
)
SECTION_SHEETS = WORKBOOK[1:]
HELP_SHEET = "说明"
DEPARTMENT_SHEET = "部门列表"
REFERENCE_SHEETS = (HELP_SHEET, DEPARTMENT_SHEET)

# The roster (花名册) workbook.
ROSTER = SheetSpec(
    "花名册",
    "roster",
    (
        Column("姓名", "name", required=True, width=12),
        Column("工号", "employee_no", required=True, width=14, help="同时作为登录账号的用户名。"),
        Column("职位编号", "position", required=True, width=14, help="所任职位的职位编号。"),
        Column("入职日期", "hired_on", DATE, required=True, width=14, help="如 2024-03-01。"),
    ),
    help="每行一名员工。",
)


# --- content ----------------------------------------------------------------------------------

Row = dict[str, Any]


@dataclass
class PositionContent:
    """One position in workbook terms: every value normalised, links as 职位编号 keys."""

    position: Row
    duties: list[Row] = field(default_factory=list)
    authorities: list[Row] = field(default_factory=list)
    qualification: list[Row] = field(default_factory=list)  # zero or one row
    relationships: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.position["code"]

    def rows(self, spec: SheetSpec) -> list[Row]:
        if spec.key == "position":
            return [self.position]
        return getattr(self, spec.key)

    def comparable(self) -> tuple:
        """What must be equal for two contents to be 无变化."""
        position = dict(self.position)
        position["related_positions"] = tuple(sorted(position.get("related_positions") or ()))
        return (
            tuple(sorted(position.items())),
            *(
                tuple(tuple(sorted(row.items())) for row in getattr(self, spec.key))
                for spec in SECTION_SHEETS
                if spec.key != "duties"
            ),
            tuple(
                tuple(sorted((k, v) for k, v in row.items() if k != "rank")) for row in self.duties
            ),
        )

    def changed_parts(self, other: PositionContent) -> list[str]:
        """Names of what differs from ``other`` (fields of 职位 by header, sections by sheet)."""
        parts = []
        for column in POSITIONS.columns:
            mine = self.position.get(column.field)
            theirs = other.position.get(column.field)
            if column.kind == KEYS:
                mine, theirs = sorted(mine or ()), sorted(theirs or ())
            if mine != theirs:
                parts.append(column.header)
        for spec in SECTION_SHEETS:
            strip = (
                (lambda r: {k: v for k, v in r.items() if k != "rank"}) if spec is DUTIES else dict
            )
            if [strip(r) for r in self.rows(spec)] != [strip(r) for r in other.rows(spec)]:
                # 工作权限 are the 权责手册's: the import writes its working copy.
                parts.append(
                    f"{spec.name}（写入权责手册工作稿）" if spec is AUTHORITIES else spec.name
                )
        return parts


def normal_text(value: Any) -> str:
    """Cell text as stored and compared: line endings unified, outer and trailing spaces gone."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def position_key(position: Position) -> str:
    return position.code or f"{ID_PREFIX}{position.pk}"


def split_keys(text: str) -> list[str]:
    return [part for part in KEY_SEPARATORS.split(text.strip()) if part]


def _text_row(instance: Any, spec: SheetSpec) -> Row:
    row: Row = {}
    for column in spec.columns:
        if column is POSITION_KEY or column.field == "rank":
            continue
        value = getattr(instance, column.field)
        row[column.field] = value if column.kind == INT else normal_text(value)
    return row


_QUALIFICATION_FIELDS = [c.field for c in QUALIFICATIONS.columns if c is not POSITION_KEY]


def qualification_is_blank(row: Row) -> bool:
    return all(row.get(name) in ("", None) for name in _QUALIFICATION_FIELDS)


def content_of_position(position: Position) -> PositionContent:
    """The content of a working copy loaded ``with_workbook()`` (no further queries)."""
    superior = position.reports_to
    head: Row = {
        "code": position_key(position),
        "title": normal_text(position.title),
        "department": position.department.code,
        "reports_to": (position_key(superior) if superior is not None else ""),
        "grade_min": position.grade_min,
        "grade_max": position.grade_max,
        "headcount": position.headcount,
        "location": normal_text(position.location),
        "purpose": normal_text(position.purpose),
        "summary": normal_text(position.summary),
        "commitments": normal_text(position.commitments),
        "work_environment": normal_text(position.work_environment),
        "other_requirements": normal_text(position.other_requirements),
        "related_positions": tuple(position_key(p) for p in position.related_positions.all()),
    }
    duties = []
    for number, duty in enumerate(sorted(position.duties.all(), key=lambda d: d.rank), start=1):
        row = _text_row(duty, DUTIES)
        row["rank"] = number
        duties.append(row)
    try:
        qualification = [_text_row(position.qualification, QUALIFICATIONS)]
    except Qualification.DoesNotExist:
        qualification = []
    qualification = [row for row in qualification if not qualification_is_blank(row)]
    return PositionContent(
        position=head,
        duties=duties,
        authorities=[{"name": a.name, "level": a.level} for a in manual_authorities(position)[0]],
        qualification=qualification,
        relationships=[
            _text_row(r, RELATIONSHIPS)
            for r in sorted(position.relationships.all(), key=lambda r: (r.order, r.pk))
        ],
        indicators=[
            _text_row(i, INDICATORS)
            for i in sorted(position.indicators.all(), key=lambda i: (i.order, i.pk))
        ],
    )


def with_workbook(queryset: QuerySet[Position]) -> QuerySet[Position]:
    """Everything ``content_of_position`` reads, in a fixed number of queries."""
    return queryset.select_related("department", "reports_to", "qualification").prefetch_related(
        "duties",
        Prefetch("manual_rows", queryset=ManualVersionRow.objects.in_force()),
        "relationships",
        "indicators",
        "related_positions",
    )


_GRADE = re.compile(r"^\s*(\d+)\s*(?:[–\-~～至]\s*(\d+))?\s*$")
_NUMBER = re.compile(r"\d+")
_QUALIFICATION_ROWS = {
    "学历": "education_note",
    "专业": "major",
    "工作经验": "experience",
    "资历": "background",
    "专业知识": "knowledge",
    "能力": "skills",
    "能力素质": "competencies",
    "品质 / 意识": "qualities",
    "资格证书": "certificates",
}


def content_of_sheet(
    sheet: Sheet, *, key: str, department_code: str, keys_by_title: dict[str, str]
) -> PositionContent:
    """The content of a published version, from its frozen sheet (what a reader may see).

    The snapshot names the superior and related positions by title; ``keys_by_title`` maps the
    titles of the versions in force to their keys (a title it lacks is written as it is).
    """
    header = {f.label: f.value for f in sheet.header}
    grade = _GRADE.match(header.get("职位等级", ""))
    headcount = _NUMBER.search(header.get("职位编制", ""))
    rows = {row.label: "\n".join(row.lines) for row in sheet.qualifications}
    head: Row = {
        "code": key,
        "title": normal_text(sheet.title),
        "department": department_code,
        "reports_to": keys_by_title.get(sheet.superior, sheet.superior),
        "grade_min": int(grade.group(1)) if grade else None,
        "grade_max": int(grade.group(2) or grade.group(1)) if grade else None,
        "headcount": int(headcount.group()) if headcount else None,
        "location": normal_text(header.get("工作地点", "")),
        "purpose": "\n".join(sheet.purpose),
        "summary": "\n".join(sheet.summary),
        "commitments": "\n".join(sheet.commitments),
        "work_environment": rows.get("工作环境", ""),
        "other_requirements": rows.get("其他要求", ""),
        "related_positions": tuple(keys_by_title.get(t, t) for t in sheet.related_positions),
    }
    duties = []
    for group in sheet.duties.groups:
        for duty in group.duties:
            grouped = bool(duty.kind_note) or group.heading != duty.kind_label
            duties.append(
                {
                    "rank": len(duties) + 1,
                    "group": group.heading if grouped else "",
                    "kind": duty.kind,
                    "title": duty.title,
                    "tasks": "\n".join(duty.tasks),
                    "responsibility": duty.responsibility,
                    "assessment": "\n".join(duty.assessment),
                }
            )
    qualification: Row = {name: "" for name in _QUALIFICATION_FIELDS}
    qualification["experience_years"] = None
    for label, name in _QUALIFICATION_ROWS.items():
        qualification[name] = rows.get(label, "")
    return PositionContent(
        position=head,
        duties=duties,
        authorities=[{"name": a.name, "level": a.level} for a in sheet.authorities],
        qualification=[] if qualification_is_blank(qualification) else [qualification],
        relationships=[
            {"kind": group.kind, "party": item.party, "purpose": item.purpose}
            for group in sheet.relationships
            for item in group.items
        ],
        indicators=[{"name": i.name, "description": i.description} for i in sheet.indicators],
    )


def contents_for(user: Any, positions: QuerySet[Position]) -> list[PositionContent]:
    """The content of each position as ``user`` may read it: the working copy where
    ``permissions.reads_working_copy``, otherwise the version in force (never a draft)."""

    ordered = list(positions.select_related("department"))
    working_ids = [p.pk for p in ordered if reads_working_copy(user, p)]
    working = {p.pk: p for p in with_workbook(Position.objects.filter(pk__in=working_ids))}
    version_ids = [p.current_version_id for p in ordered if p.pk not in working]
    versions = {
        v.position_id: v for v in Version.objects.filter(pk__in=[v for v in version_ids if v])
    }
    keys_by_title: dict[str, str] = {}
    if versions:
        titles: dict[str, list[str]] = {}
        for version in Version.objects.current().only("title", "code", "position_id"):
            key = version.code or f"{ID_PREFIX}{version.position_id}"
            titles.setdefault(version.title, []).append(key)
        keys_by_title = {title: keys[0] for title, keys in titles.items() if len(keys) == 1}
    codes = dict(Department.objects.values_list("pk", "code"))
    contents = []
    for position in ordered:
        if position.pk in working:
            contents.append(content_of_position(working[position.pk]))
        elif position.pk in versions:
            version = versions[position.pk]
            contents.append(
                content_of_sheet(
                    build_sheet(version),
                    key=version.code or f"{ID_PREFIX}{position.pk}",
                    department_code=codes.get(version.department_id, ""),
                    keys_by_title=keys_by_title,
                )
            )
    return contents


# --- writing ----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="9C2A2A")
HEADER_FONT = Font(bold=True, color="FFFFFF")
EXAMPLE_FONT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell_value(column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if column.kind == CHOICE:
        return column.choice_label(value)
    if column.kind == KEYS:
        return "、".join(value) or None
    if column.kind == DATE and isinstance(value, datetime.date):
        return value
    return value


def _write_sheet(
    workbook: Workbook, spec: SheetSpec, rows: Iterable[Sequence[Any]], *, example: bool = False
) -> None:
    sheet = workbook.create_sheet(spec.name)
    sheet.append(spec.headers)
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        note = ("必填。" if column.required else "") + column.help
        if column.choices is not None:
            note += "请从下拉列表中选择：" + "、".join(column.choice_labels()) + "。"
        if note:
            cell.comment = Comment(note, "jobdesc", width=240, height=110)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for values in rows:
        sheet.append(list(values))  # text that looks like a formula: see ``xlsx_bytes``
        if example:
            for cell in sheet[sheet.max_row]:
                cell.font = EXAMPLE_FONT
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    for index, column in enumerate(spec.columns, start=1):
        if column.choices is None:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(column.choice_labels()) + '"',
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle="无效的选项",
            error=f"“{column.header}”请从下拉列表中选择。",
        )
        validation.add(f"{letter}2:{letter}{VALIDATION_ROWS + 1}")
        sheet.add_data_validation(validation)


def _department_validation(workbook: Workbook, count: int) -> None:
    if not count:
        return
    sheet = workbook[POSITIONS.name]
    index = POSITIONS.headers.index("所在部门") + 1
    letter = get_column_letter(index)
    validation = DataValidation(
        type="list",
        formula1=f"'{DEPARTMENT_SHEET}'!$A$2:$A${count + 1}",
        allow_blank=False,
        showErrorMessage=False,  # a department name is accepted too
    )
    validation.add(f"{letter}2:{letter}{VALIDATION_ROWS + 1}")
    sheet.add_data_validation(validation)


def _help_sheet(workbook: Workbook, title: str, specs: Sequence[SheetSpec], notes: list[str]):
    sheet = workbook.create_sheet(HELP_SHEET)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for note in notes:
        sheet.append([note])
    sheet.append([])
    sheet.append(["工作表", "列", "必填", "说明"])
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for spec in specs:
        for column in spec.columns:
            text = column.help
            if column.choices is not None:
                text += "可选：" + "、".join(column.choice_labels()) + "。"
            sheet.append([spec.name, column.header, "是" if column.required else "", text])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 6
    sheet.column_dimensions["D"].width = 80
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = WRAP


POSITION_NOTES = [
    "1. 每个职位在“职位”工作表中占一行，以“职位编号”为关键字；其他工作表用“职位编号”关联到职位。",
    "2. 职位编号已存在的行会更新该职位（生成新的草稿，现行版本不变，需重新审批）；"
    "新的职位编号会新建草稿职位。内容与系统一致的职位显示为“无变化”，不会被修改。",
    "3. 一个职位的各部分以本工作簿为准：例如某职位在“工作职责”中的行即为它的全部职责。",
    "4. “#数字”形式的职位编号代表系统中尚未设置职位编号的职位，请勿修改。",
    "5. 红色列标题为必填列；带下拉列表的列请从列表中选择。单元格内换行：Alt+Enter。",
    "6. 请勿使用公式、合并单元格，勿增删列或修改列标题；空工作表请保留标题行。",
    "7. 上传后会先显示预览与全部问题，确认后才会一次性写入；有任何问题时不会写入任何数据。",
    f"8. 模板中的示例行（职位编号“{EXAMPLE_CODE}”）导入前请删除或改写。",
]


def _content_values(spec: SheetSpec, content: PositionContent) -> list[list[Any]]:
    values = []
    for row in content.rows(spec):
        line = []
        for column in spec.columns:
            if column is POSITION_KEY:
                line.append(content.key)
            else:
                line.append(_cell_value(column, row.get(column.field)))
        values.append(line)
    return values


def position_workbook(contents: Sequence[PositionContent], *, example: bool = False) -> bytes:
    """The workbook (xlsx bytes) holding ``contents`` — an export, or the template."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in WORKBOOK:
        rows = [line for content in contents for line in _content_values(spec, content)]
        _write_sheet(workbook, spec, rows, example=example)
    departments = department_index().in_tree_order(Department.objects.select_related("parent"))
    dept_sheet = workbook.create_sheet(DEPARTMENT_SHEET)
    dept_sheet.append(["部门编号", "部门名称", "上级部门"])
    for cell in dept_sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for department in departments:
        parent = department.parent.name if department.parent else ""
        dept_sheet.append([department.code, department.name, parent])
    for letter, width in (("A", 14), ("B", 20), ("C", 20)):
        dept_sheet.column_dimensions[letter].width = width
    dept_sheet.freeze_panes = "A2"
    _department_validation(workbook, len(departments))
    _help_sheet(workbook, "职位说明书导入说明", WORKBOOK, POSITION_NOTES)
    workbook.active = 0
    return xlsx_bytes(workbook)


def example_content() -> PositionContent:
    """The template's example row, in the seed's style (a 销售经理-like position)."""
    department = Department.objects.order_by("order", "code").first()
    return PositionContent(
        position={
            "code": EXAMPLE_CODE,
            "title": "销售主管",
            "department": department.code if department else "FZ-XS",
            "reports_to": "",
            "grade_min": 5,
            "grade_max": 7,
            "headcount": 1,
            "location": "福州",
            "purpose": "组织完成项目销售目标，提升客户满意度。",
            "summary": "负责案场销售管理与销售团队建设。",
            "commitments": "保证销售目标按期完成；\n保证客户资料完整准确。",
            "work_environment": "办公室及售楼现场",
            "other_requirements": "",
            "related_positions": (),
        },
        duties=[
            {
                "rank": 1,
                "group": "销售业务管理",
                "kind": Duty.Kind.KEY,
                "title": "销售计划",
                "tasks": "制定月度销售计划\n跟踪计划执行",
                "responsibility": Duty.Responsibility.FULL,
                "assessment": "销售计划完成率",
            },
            {
                "rank": 2,
                "group": "团队建设",
                "kind": Duty.Kind.GENERAL,
                "title": "培训",
                "tasks": "组织售楼员业务培训",
                "responsibility": Duty.Responsibility.PARTIAL,
                "assessment": "",
            },
        ],
        authorities=[{"name": "优惠申请（折扣 ≥ 99%）", "level": ManualLevel.PROPOSE}],
        qualification=[
            {
                "education": Qualification.Education.COLLEGE,
                "education_note": "大专及以上学历",
                "major": "市场营销等相关专业",
                "experience_years": 3,
                "experience": "3 年以上房地产销售经验",
                "background": "",
                "knowledge": "房地产营销知识",
                "skills": "沟通协调能力",
                "competencies": "",
                "qualities": "诚信、敬业",
                "certificates": "",
            }
        ],
        relationships=[
            {"kind": Relationship.Kind.INTERNAL, "party": "策划部", "purpose": "销售推广配合"},
            {"kind": Relationship.Kind.EXTERNAL, "party": "客户", "purpose": "接待与回访"},
        ],
        indicators=[{"name": "销售回款率", "description": "按月统计"}],
    )


def template_workbook() -> bytes:
    return position_workbook([example_content()], example=True)


ROSTER_NOTES = [
    "1. 每行一名员工：姓名、工号、职位编号、入职日期均为必填。",
    "2. 新工号：新建员工和登录账号（用户名即工号，初始不可用密码登录，"
    "需由 HR 在后台为其设置密码），并自入职日期起任该职位。",
    "3. 已有工号且职位编号不同：办理调岗，自导入当天起生效。内容相同的行显示为“无变化”。",
    "4. 请勿使用公式、合并单元格，勿增删列或修改列标题。",
]


def roster_workbook(rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """The 花名册 workbook: the template (one example row) or given rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    example = not rows
    if example:
        rows = [["张三", "E0001", EXAMPLE_CODE, datetime.date(2024, 3, 1)]]
    _write_sheet(workbook, ROSTER, rows, example=example)
    sheet = workbook[ROSTER.name]
    for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.number_format = "yyyy-mm-dd"
    _help_sheet(workbook, "花名册导入说明", [ROSTER], ROSTER_NOTES)
    workbook.active = 0
    return xlsx_bytes(workbook)
