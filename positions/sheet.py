"""The sheet context: everything one 职位说明书 says, as plain frozen dataclasses.

``build_sheet`` is the ONE place that turns a position into what the page, the PDF (and later
the Word export and stored versions) show. It reads only what ``Position.objects.with_sheet()``
already loaded, so building a sheet issues no query whatever the number of duties.

Every field is a ``str``, ``int``, ``bool``, ``None`` or a tuple of those or of other sheet
dataclasses, so ``sheet.as_dict()`` is JSON-serialisable as it is (dates are ISO strings).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from positions.models import (
    Department,
    Duty,
    Indicator,
    ManualVersionRow,
    Position,
    Qualification,
    Relationship,
    Version,
    split_lines,
)


@dataclass(frozen=True)
class Field:
    """A label/value pair of the header block."""

    label: str
    value: str


@dataclass(frozen=True)
class Row:
    """A labelled multi-line row (任职资格, 工作环境 …); ``lines`` is never empty."""

    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentRef:
    pk: int
    name: str


@dataclass(frozen=True)
class DutyRow:
    rank: int  # 重要性 as stored; anchors use it (#duty-<rank>)
    number: int  # 1, 2, 3 … within its group
    title: str  # 主要职责
    tasks: tuple[str, ...]  # 工作内容, one task a line
    kind: str  # "key" / "general" / ""
    kind_label: str  # 重点工作 / 一般工作 / ""
    kind_note: str  # kind_label when the group heading does not already say it
    responsibility: str  # "full" / "partial" / "assist" / ""
    responsibility_label: str  # 全责 / 部分 / 协助 / ""
    assessment: tuple[str, ...]  # 考核要点 lines

    @property
    def taller_than_a_page(self) -> bool:
        """Whether the printed row may be about as tall as an A4 page. Rows are kept whole
        (never split over a page break); such a row could not fit anywhere whole, and its
        section heading would be left alone on a page: it is the one row allowed to split."""
        return max(_printed_lines(self.tasks), _printed_lines(self.assessment)) > PAGE_LINES


# A duty cell on A4 holds about this many lines, each about this many characters (the narrow
# 工作内容/考核要点 columns at 10.5pt); a rough bound is all ``taller_than_a_page`` needs.
PAGE_LINES = 30
CELL_LINE_CHARS = 16


def _printed_lines(lines: tuple[str, ...]) -> int:
    return sum(max(1, -(-len(line) // CELL_LINE_CHARS)) for line in lines)


@dataclass(frozen=True)
class DutyGroup:
    heading: str  # the duty group (or its kind label); "" for duties with neither
    duties: tuple[DutyRow, ...]


@dataclass(frozen=True)
class DutyTable:
    groups: tuple[DutyGroup, ...]
    show_title: bool  # some duty has a 主要职责
    show_responsibility: bool  # some duty has a 负责程度
    show_assessment: bool  # some duty has a 考核要点
    column_count: int

    @property
    def count(self) -> int:
        return sum(len(group.duties) for group in self.groups)


@dataclass(frozen=True)
class AuthorityRow:
    """A row of 工作权限: one cell of the 权责手册 version in force for the position."""

    name: str  # 事项, with its band: 优惠申请（折扣 ≤ 98%）
    level: str
    level_label: str
    # Added with the 权责手册 (older snapshots hold only the three above).
    category: str = ""
    matter: str = ""
    condition: str = ""


@dataclass(frozen=True)
class RelationshipRow:
    party: str
    purpose: str


@dataclass(frozen=True)
class RelationshipGroup:
    kind: str
    label: str  # 内部工作关系 / 外部工作关系 / 行政管理关系
    items: tuple[RelationshipRow, ...]


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    description: str


@dataclass(frozen=True)
class SignOff:
    role: str  # prepared / reviewed / approved
    label: str  # 编制 / 审核 / 审批
    name: str
    date: str  # ISO date or ""


@dataclass(frozen=True)
class Sheet:
    position_id: int
    title: str
    code: str
    status: str
    status_label: str
    is_archived: bool
    department: str
    department_path: tuple[DepartmentRef, ...]  # root first, the position's department last
    header: tuple[Field, ...]  # 职位名称 … 工作地点, always all eight
    superior: str  # 直接上级's title or ""
    direct_reports: tuple[str, ...]
    related_positions: tuple[str, ...]
    purpose: tuple[str, ...]  # 设岗目的 paragraphs
    summary: tuple[str, ...]  # 职位概要 paragraphs
    duties: DutyTable
    commitments: tuple[str, ...]  # 主要责任
    authorities: tuple[AuthorityRow, ...]
    qualifications: tuple[Row, ...]  # 任职资格 rows with content only
    relationships: tuple[RelationshipGroup, ...]
    indicators: tuple[IndicatorRow, ...]
    sign_offs: tuple[SignOff, ...]  # 编制, 审核, 审批 — always all three
    next_review: str  # 下次复核日期, ISO date or ""
    is_published: bool  # 已生效; anything else prints with a 草稿 watermark
    effective_date: str  # 生效日期 (the approval date), ISO date or ""
    filename: str  # <职位编号>-<职位名称>.pdf
    ascii_filename: str  # fallback for clients that ignore filename*
    # Fields added after versions were first stored need a default, so old snapshots still load.
    authority_source: str = ""  # 依据权责手册 V2: the manual version 工作权限 was read from
    version: int = 0  # the version this sheet is (published) or will become (working draft)
    is_snapshot: bool = False  # built from a stored Version, not from the working copy

    @property
    def version_label(self) -> str:
        return f"V{self.version}" if self.version else ""

    def as_dict(self) -> dict[str, Any]:
        """The sheet as nested dicts/lists of plain values (JSON-ready): what
        ``dataclasses.asdict`` returns, without its deep copies of every string."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sheet:
        """The sheet ``as_dict()`` stored; unknown keys are ignored, missing ones defaulted."""
        return _load(cls, data)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, in order; None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(field.name for field in dataclasses.fields(cls))


_IMMUTABLE = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` of a sheet dataclass (recursively: dataclasses become dicts,
    tuples stay tuples). A sheet holds only immutable values, which need no copy; anything
    else is deep-copied as ``asdict`` does."""
    if isinstance(value, _IMMUTABLE):
        return value
    if type(value) is tuple:
        return tuple([_plain(item) for item in value])
    names = _field_names(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return dataclasses.asdict(_Wrapped(value))["value"]  # lists, dicts …: as asdict does


@dataclass(frozen=True)
class _Wrapped:
    value: Any


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, type) of a sheet dataclass's fields; resolving the hints costs more than loading a
    sheet, so once per class."""
    hints = typing.get_type_hints(cls)
    return tuple((field.name, hints[field.name]) for field in dataclasses.fields(cls))


def _load(cls: type, data: Any) -> Any:
    """Rebuild a sheet dataclass (recursively) from ``as_dict()`` output."""
    values = {}
    for name, hint in _field_hints(cls):
        if name not in data:
            continue  # a field added later: its default applies
        values[name] = _load_value(hint, data[name])
    return cls(**values)


def _load_value(hint: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(hint):
        return _load(hint, value)
    if typing.get_origin(hint) is tuple:
        (item_hint, *_) = typing.get_args(hint)
        return tuple(_load_value(item_hint, item) for item in value)
    return value


# Characters that cannot appear in a file name on common systems, plus control characters.
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

_RELATIONSHIP_ORDER = (
    Relationship.Kind.INTERNAL,
    Relationship.Kind.EXTERNAL,
    Relationship.Kind.ADMINISTRATIVE,
)


def sheet_filename(title: str, code: str) -> str:
    """``<code>-<title>.pdf``, or ``<title>.pdf`` when there is no code; unsafe characters → _."""
    stem = f"{code.strip()}-{title.strip()}" if code.strip() else title.strip()
    stem = _UNSAFE_FILENAME.sub("_", stem).strip(" .") or "职位说明书"
    return f"{stem}.pdf"


def sheet_ascii_filename(code: str, position_id: int) -> str:
    """An ASCII-only name for old clients: the code when it is ASCII, else position-<id>."""
    stem = _ASCII_SAFE.sub("_", code.strip()).strip("._")
    if not stem or not code.strip().isascii():
        stem = f"position-{position_id}"
    return f"{stem}.pdf"


def _department_path(department: Department) -> tuple[DepartmentRef, ...]:
    """Root-first chain of departments, following only parents that are already loaded."""
    chain = [DepartmentRef(pk=department.pk, name=department.name)]
    seen = {department.pk}
    node = department
    # with_sheet() selects department__parent__parent; never query for more levels.
    while node.parent_id is not None and Department.parent.is_cached(node):
        node = node.parent
        if node.pk in seen:
            break
        seen.add(node.pk)
        chain.append(DepartmentRef(pk=node.pk, name=node.name))
    return tuple(reversed(chain))


# Duty.get_kind_display() / get_responsibility_display(), looked up once per duty (Django's
# get_FOO_display rebuilds the choices' dict on every call: most of a duty table's time).
_DUTY_KINDS = {value: str(label) for value, label in Duty.Kind.choices}
_DUTY_RESPONSIBILITIES = {value: str(label) for value, label in Duty.Responsibility.choices}


def _duty_table(duties: list[Duty]) -> DutyTable:
    groups: dict[str, list[tuple[Duty, str]]] = {}
    for duty in sorted(duties, key=lambda d: d.rank):
        kind_label = _DUTY_KINDS.get(duty.kind, duty.kind) if duty.kind else ""
        heading = duty.group.strip() or kind_label
        groups.setdefault(heading, []).append((duty, kind_label))
    table_groups = tuple(
        DutyGroup(
            heading=heading,
            duties=tuple(
                DutyRow(
                    rank=duty.rank,
                    number=number,
                    title=duty.title.strip(),
                    tasks=tuple(duty.task_lines),
                    kind=duty.kind,
                    kind_label=kind_label,
                    kind_note=(kind_label if duty.kind and duty.group.strip() else ""),
                    responsibility=duty.responsibility,
                    responsibility_label=(
                        _DUTY_RESPONSIBILITIES.get(duty.responsibility, duty.responsibility)
                        if duty.responsibility
                        else ""
                    ),
                    assessment=tuple(split_lines(duty.assessment)),
                )
                for number, (duty, kind_label) in enumerate(members, start=1)
            ),
        )
        for heading, members in groups.items()
    )
    rows = [row for group in table_groups for row in group.duties]
    show_title = any(row.title or row.kind_note for row in rows)
    show_responsibility = any(row.responsibility for row in rows)
    show_assessment = any(row.assessment for row in rows)
    return DutyTable(
        groups=table_groups,
        show_title=show_title,
        show_responsibility=show_responsibility,
        show_assessment=show_assessment,
        column_count=2 + show_title + show_responsibility + show_assessment,
    )


def _row(label: str, *texts: str) -> Row | None:
    lines = tuple(line for text in texts for line in split_lines(text))
    return Row(label=label, lines=lines) if lines else None


_STORED = object()


def _qualification_rows(position: Position, given: Any = _STORED) -> tuple[Row, ...]:
    qualification: Qualification | None
    if given is not _STORED:
        qualification = given
    else:
        try:
            qualification = position.qualification
        except ObjectDoesNotExist:
            qualification = None
    rows: list[Row | None] = []
    if qualification is not None:
        q = qualification
        education = q.education_note.strip() or (q.get_education_display() if q.education else "")
        years = ""
        if q.experience_years is not None and str(q.experience_years) not in q.experience:
            years = f"{q.experience_years} 年以上工作经验"  # unless the text already says it
        rows += [
            _row("学历", education),
            _row("专业", q.major),
            _row("工作经验", years, q.experience),
            _row("资历", q.background),
            _row("专业知识", q.knowledge),
            _row("能力", q.skills),
            _row("能力素质", q.competencies),
            _row("品质 / 意识", q.qualities),
            _row("资格证书", q.certificates),
        ]
    rows += [
        _row("工作环境", position.work_environment),
        _row("其他要求", position.other_requirements),
    ]
    return tuple(row for row in rows if row is not None)


def _relationship_groups(relationships: list[Relationship]) -> tuple[RelationshipGroup, ...]:
    ordered = sorted(relationships, key=lambda r: (r.order, r.pk))
    groups = []
    for kind in _RELATIONSHIP_ORDER:
        items = tuple(
            RelationshipRow(party=r.party.strip(), purpose=r.purpose.strip())
            for r in ordered
            if r.kind == kind
        )
        if items:
            groups.append(RelationshipGroup(kind=kind.value, label=kind.label, items=items))
    return tuple(groups)


def build_sheet(source: Position | Version) -> Sheet:
    """The sheet of a working copy or of a stored version — one shape for every surface.

    A position must come from ``Position.objects.with_sheet()``: only prefetched/selected
    relations are read, so no query is issued. A version is its frozen snapshot, as published.
    """
    if isinstance(source, Version):
        return dataclasses.replace(Sheet.from_dict(source.sheet), is_snapshot=True)
    position = source
    authorities, authority_source = manual_authorities(position)
    superior = position.reports_to.title if position.reports_to is not None else ""
    direct_reports = tuple(p.title for p in position.direct_reports.all())
    related = tuple(p.title for p in position.related_positions.all())
    headcount = f"{position.headcount} 人" if position.headcount is not None else ""
    header = (
        Field("职位名称", position.title),
        Field("职位编号", position.code),
        Field("所在部门", position.department.name),
        Field("直接上级", superior),
        Field("直接下属", "、".join(direct_reports)),
        Field("职位等级", position.grade_display),
        Field("职位编制", headcount),
        Field("工作地点", position.location.strip()),
    )
    sign_offs = tuple(
        SignOff(role=role, label=label, name=name.strip(), date=date.isoformat() if date else "")
        for role, label, name, date in (
            ("prepared", "编制", position.prepared_by_name, position.prepared_at),
            ("reviewed", "审核", position.reviewed_by_name, position.reviewed_at),
            ("approved", "审批", position.approved_by_name, position.approved_at),
        )
    )
    return Sheet(
        position_id=position.pk,
        title=position.title,
        code=position.code,
        status=position.status,
        status_label=position.get_status_display(),
        is_archived=position.status == Position.Status.ARCHIVED,
        department=position.department.name,
        department_path=_department_path(position.department),
        header=header,
        superior=superior,
        direct_reports=direct_reports,
        related_positions=related,
        purpose=tuple(split_lines(position.purpose)),
        summary=tuple(split_lines(position.summary)),
        duties=_duty_table(list(position.duties.all())),
        commitments=tuple(position.commitment_lines),
        authorities=authorities,
        authority_source=authority_source,
        qualifications=_qualification_rows(position),
        relationships=_relationship_groups(list(position.relationships.all())),
        indicators=tuple(
            IndicatorRow(name=i.name, description=i.description.strip())
            for i in sorted(position.indicators.all(), key=lambda i: (i.order, i.pk))
        ),
        sign_offs=sign_offs,
        next_review=position.next_review_on.isoformat() if position.next_review_on else "",
        is_published=position.status == Position.Status.PUBLISHED,
        effective_date=_effective_date(position),
        filename=sheet_filename(position.title, position.code),
        ascii_filename=sheet_ascii_filename(position.code, position.pk),
        version=_working_version(position),
    )


def proposed_sheet(
    current: Sheet,
    position: Position,
    *,
    superior: str,
    related: tuple[str, ...],
    duties: list[Duty],
    qualification: Qualification | None,
    relationships: list[Relationship],
    indicators: list[Indicator],
) -> Sheet:
    """The sheet ``current`` would become with new content, before anything is written.

    An import preview builds ``position`` (an unsaved copy with the file's field values) and
    unsaved rows, and compares the result with the stored sheet (``sheet_diff.diff_sheets``).
    Only what the content decides changes; the sign-offs, the workflow and 工作权限 (the
    权责手册 version in force's) stay ``current``'s.
    """
    headcount = f"{position.headcount} 人" if position.headcount is not None else ""
    header = (
        Field("职位名称", position.title),
        Field("职位编号", position.code),
        Field("所在部门", position.department.name),
        Field("直接上级", superior),
        Field("直接下属", "、".join(current.direct_reports)),
        Field("职位等级", position.grade_display),
        Field("职位编制", headcount),
        Field("工作地点", position.location.strip()),
    )
    ordered_indicators = sorted(indicators, key=lambda i: i.order)
    return dataclasses.replace(
        current,
        title=position.title,
        department=position.department.name,
        header=header,
        superior=superior,
        related_positions=related,
        purpose=tuple(split_lines(position.purpose)),
        summary=tuple(split_lines(position.summary)),
        duties=_duty_table(duties),
        commitments=tuple(position.commitment_lines),
        qualifications=_qualification_rows(position, qualification),
        relationships=_relationship_groups(relationships),
        indicators=tuple(
            IndicatorRow(name=i.name, description=i.description.strip()) for i in ordered_indicators
        ),
    )


def in_force_manual_rows(position: Position) -> list[ManualVersionRow]:
    """The position's rows of the 权责手册 version in force: prefetched by ``with_sheet``
    (``sheet_prefetches``), else one query."""
    cache = getattr(position, "_prefetched_objects_cache", {})
    if "manual_rows" in cache:
        return list(cache["manual_rows"])
    return list(ManualVersionRow.objects.in_force().filter(position=position))


def manual_authorities(position: Position) -> tuple[tuple[AuthorityRow, ...], str]:
    """工作权限 as the 权责手册 version in force says, and 「依据权责手册 Vn」 ("" when none)."""
    rows = in_force_manual_rows(position)
    if not rows:
        return (), ""
    authorities = tuple(
        AuthorityRow(
            name=f"{row.matter}（{row.condition}）" if row.condition else row.matter,
            level=row.level,
            level_label=row.get_level_display(),
            category=row.category,
            matter=row.matter,
            condition=row.condition,
        )
        for row in rows
    )
    return authorities, f"依据权责手册 {rows[0].version.label}"


def _effective_date(position: Position) -> str:
    """生效日期: the version in force's when the copy is it, else the approval date (if any)."""
    version = position.current_version if position.current_version_id else None
    if version is not None and position.status == Position.Status.PUBLISHED:
        return version.effective_date.isoformat() if version.effective_date else ""
    return position.approved_at.isoformat() if position.approved_at else ""


def _working_version(position: Position) -> int:
    """The number of the version in force when the copy is it, else of the next version."""
    current = position.current_version.number if position.current_version_id else 0
    if position.status in (Position.Status.PUBLISHED, Position.Status.ARCHIVED) and current:
        return current
    return current + 1
