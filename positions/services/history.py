"""Change history of a position (django-reversion): the list, states, diffs and restore.

Every revision that touches a position holds the position *and* all its sections (see the
registration at the end of ``positions.models``), so a position's ``Revision`` rows are the
entries of its history, and the other versions of the same revision give the whole sheet as it
was then. States are read from the stored versions only, never from the current rows, so a
duty deleted since is still shown (and can be restored).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from reversion.models import Revision as RevisionSet
from reversion.models import Version as Revision

from positions.ids import parse_id
from positions.models import (
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
    split_lines,
)
from positions.services import sheets

SHANGHAI = ZoneInfo("Asia/Shanghai")
SYSTEM_USER = "系统"
INITIAL_COMMENT = "初始数据"

# What a person edits: the content fields and 相关职位. Everything else on the position is
# bookkeeping (lock_version, timestamps) or set by the workflow (状态, 编制/审核/审批, 现行版本),
# which an entry reports as the workflow step, never as the editor's field edits.
_POSITION_CONTENT = frozenset(sheets.CONTENT_FIELDS) | {"related_positions"}
_POSITION_IGNORED = frozenset(
    f.name
    for f in [*Position._meta.local_fields, *Position._meta.local_many_to_many]
    if f.attname not in _POSITION_CONTENT
)
_SECTION_IGNORED = frozenset({"id", "position"})

Values = Mapping[str, Any]  # attname → value, as Revision.field_dict gives it


@dataclass(frozen=True)
class Section:
    """A repeating part of the sheet kept with the position in every revision."""

    key: str  # related name on Position
    model: type[models.Model]
    single: bool = False  # the qualification: at most one row

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def order_field(self) -> str | None:
        return {"duties": "rank", "qualification": None}.get(self.key, "order")


# In the sheet's order.
SECTIONS: tuple[Section, ...] = (
    Section("duties", Duty),
    Section("qualification", Qualification, single=True),
    Section("relationships", Relationship),
    Section("indicators", Indicator),
)


@dataclass(frozen=True)
class PositionState:
    """A position and its sections as they were (or are): field values by attname."""

    position_id: int
    fields: Values
    sections: Mapping[str, Mapping[int, Values]]  # section key → row pk → values

    def rows(self, key: str) -> Mapping[int, Values]:
        return self.sections.get(key, {})

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))


@dataclass(frozen=True)
class FieldDiff:
    name: str  # attname
    label: str  # verbose_name, e.g. 职位名称
    old: str  # as shown: choice labels, names of related objects; "" when empty
    new: str

    @property
    def multiline(self) -> bool:
        return "\n" in self.old or "\n" in self.new


@dataclass(frozen=True)
class RowDiff:
    status: str  # "added" / "removed" / "changed"
    pk: int
    label: str  # e.g. "1. 销售计划" for a duty
    fields: tuple[FieldDiff, ...]  # changed fields; every non-empty field when added/removed

    STATUS_LABELS = {"added": "新增", "removed": "删除", "changed": "修改"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status]


@dataclass(frozen=True)
class SectionDiff:
    key: str
    label: str  # 工作职责, 任职资格 …
    single: bool
    rows: tuple[RowDiff, ...]

    def _count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def removed(self) -> int:
        return self._count("removed")

    @property
    def changed(self) -> int:
        return self._count("changed")


# Workflow steps by (status before, status after): how a state change reads in the history.
_STEPS = {
    ("draft", "submitted"): "提交审核",
    ("submitted", "reviewed"): "审核通过",
    ("reviewed", "published"): "审批通过",
    ("submitted", "published"): "审批通过",
    ("submitted", "draft"): "退回草稿",
    ("reviewed", "draft"): "退回草稿",
    ("published", "draft"): "开始编制新版本",
}


def workflow_step(old_status: str, new_status: str) -> str:
    """The workflow step a status change was, e.g. 「提交审核」; "" when the status is the same."""
    if old_status == new_status or not old_status or not new_status:
        return ""
    if new_status == Position.Status.ARCHIVED:
        return "归档"
    if (old_status, new_status) in _STEPS:
        return _STEPS[old_status, new_status]
    labels = dict(Position.Status.choices)
    return f"{labels.get(old_status, old_status)} → {labels.get(new_status, new_status)}"


@dataclass(frozen=True)
class SheetDiff:
    fields: tuple[FieldDiff, ...]  # the position's content fields (what a person edits)
    sections: tuple[SectionDiff, ...]  # only sections with at least one change
    step: str = ""  # the workflow step between the two states (提交审核 …), "" when none

    @property
    def is_empty(self) -> bool:
        """No content change (a workflow step alone changes no content)."""
        return not self.fields and not self.sections

    def section(self, key: str) -> SectionDiff | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def content_summary(self) -> str:
        """What the person changed, e.g. 「修改：职位名称；工作职责 新增 1、修改 2」, or ""."""
        parts = []
        if self.fields:
            parts.append("修改：" + "、".join(change.label for change in self.fields))
        for section in self.sections:
            counts = [
                (label, count)
                for label, count in (
                    ("新增", section.added),
                    ("修改", section.changed),
                    ("删除", section.removed),
                )
                if count
            ]
            if section.single:
                parts.append(f"{section.label} " + "、".join(label for label, _ in counts))
            else:
                parts.append(
                    f"{section.label} " + "、".join(f"{label} {count}" for label, count in counts)
                )
        return "；".join(parts)

    @property
    def summary(self) -> str:
        """One line: the content changes, then the workflow step in brackets (or the step alone)."""
        content = self.content_summary
        if content and self.step:
            return f"{content}（{self.step}）"
        return content or self.step or "内容无变化"


@dataclass(frozen=True)
class HistoryEntry:
    version_id: int
    revision_id: int
    number: int  # 修改记录 #N, the oldest is 1 (not a published version V1, V2 …)
    user: str  # full name, else username; 「系统」 when nobody
    created_at: datetime.datetime  # in Asia/Shanghai
    comment: str
    summary: str  # what changed against the previous entry
    previous_version_id: int | None
    is_latest: bool

    @property
    def label(self) -> str:
        return f"修改记录 #{self.number}"


# --- reading versions ------------------------------------------------------------------------


def _content_types() -> dict[int, type[models.Model]]:
    models_ = [Position, *(section.model for section in SECTIONS)]
    by_model = ContentType.objects.get_for_models(*models_)
    return {content_type.pk: model for model, content_type in by_model.items()}


def _section_for(model: type[models.Model]) -> Section | None:
    return next((section for section in SECTIONS if section.model is model), None)


def _state_from_versions(position_id: int, versions: Iterable[Revision]) -> PositionState | None:
    """This position's state among the versions of one revision (None when it is not there)."""
    types = _content_types()
    fields: Values | None = None
    sections: dict[str, dict[int, Values]] = {section.key: {} for section in SECTIONS}
    for version in versions:
        model = types.get(version.content_type_id)
        if model is None:
            continue
        if model is Position:
            if version.object_id == str(position_id):
                fields = dict(version.field_dict)
            continue
        values = version.field_dict
        if values.get("position_id") == position_id:
            sections[_section_for(model).key][int(version.object_id)] = dict(values)
    if fields is None:
        return None
    return PositionState(position_id=position_id, fields=fields, sections=sections)


def _section_versions(revision: RevisionSet, position_id: int) -> list[Revision]:
    """The versions of one revision that are sections of this position (not of others)."""
    types = _content_types()
    own: list[Revision] = []
    for version in revision.version_set.all():
        model = types.get(version.content_type_id)
        if model is None or model is Position:
            continue
        if version.field_dict.get("position_id") == position_id:
            own.append(version)
    return own


def position_state(version: Revision) -> PositionState:
    """The position and its sections as they were in the revision of this (position) version."""
    if _content_types().get(version.content_type_id) is not Position:
        raise ValueError("position_state() needs a version of a position.")
    position_id = int(version.object_id)
    state = _state_from_versions(position_id, version.revision.version_set.all())
    assert state is not None  # the version itself is in its revision
    return state


def _values(obj: models.Model) -> dict[str, Any]:
    """A current row's values, shaped like ``Revision.field_dict``."""
    opts = obj._meta
    values: dict[str, Any] = {f.attname: getattr(obj, f.attname) for f in opts.local_fields}
    for m2m in opts.local_many_to_many:
        values[m2m.attname] = list(getattr(obj, m2m.name).values_list("pk", flat=True))
    return values


def current_state(position: Position) -> PositionState:
    """The position and its sections as they are now in the database."""
    fresh = Position.objects.get(pk=position.pk)
    sections: dict[str, dict[int, Values]] = {}
    for section in SECTIONS:
        rows = section.model._default_manager.filter(position_id=position.pk)
        sections[section.key] = {row.pk: _values(row) for row in rows}
    return PositionState(position_id=position.pk, fields=_values(fresh), sections=sections)


def revision_time(revision: RevisionSet) -> datetime.datetime:
    return timezone.localtime(revision.date_created, SHANGHAI)


def _who(revision: RevisionSet) -> str:
    user = revision.user
    if user is None:
        return SYSTEM_USER
    return user.get_full_name() or user.get_username()


def get_position_version(position: Position, version_id: Any) -> Revision:
    """A version of this position's history; ValidationError for anything else."""
    version_pk = parse_id(version_id)
    if version_pk is None:
        raise ValidationError("修改记录编号无效。", code="invalid")
    version = (
        Revision.objects.get_for_object(position)
        .select_related("revision__user")
        .filter(pk=version_pk)
        .first()
    )
    if version is None:
        raise ValidationError("该修改记录不存在，或不属于此职位。", code="not_found")
    return version


def position_history(position: Position) -> list[HistoryEntry]:
    """The position's revisions, newest first, each with what changed against the one before."""
    versions = list(
        Revision.objects.get_for_object(position)
        .select_related("revision__user")
        .order_by("-revision_id", "-pk")
    )
    if not versions:
        return []
    by_revision: dict[int, list[Revision]] = defaultdict(list)
    all_versions = Revision.objects.filter(revision_id__in=[v.revision_id for v in versions])
    for version in all_versions:
        by_revision[version.revision_id].append(version)
    states = [_state_from_versions(position.pk, by_revision[v.revision_id]) for v in versions]
    names = _Names()
    entries = []
    total = len(versions)
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < total else None
        state = states[index]
        if previous is None:
            summary = _first_summary(state)
        else:
            summary = diff_states(states[index + 1], state, names=names).summary
        revision = version.revision
        entries.append(
            HistoryEntry(
                version_id=version.pk,
                revision_id=revision.pk,
                number=total - index,
                user=_who(revision),
                created_at=revision_time(revision),
                comment=revision.get_comment(),
                summary=summary,
                previous_version_id=previous.pk if previous else None,
                is_latest=index == 0,
            )
        )
    return entries


def _first_summary(state: PositionState) -> str:
    counts = []
    for section in SECTIONS:
        rows = state.rows(section.key)
        if rows:
            counts.append(section.label if section.single else f"{section.label} {len(rows)} 项")
    return "首条记录" + ("：" + "、".join(counts) if counts else "")


# --- diffs -----------------------------------------------------------------------------------


class _Names:
    """Names of the departments and positions a state points to, loaded once when needed."""

    def __init__(self) -> None:
        self._cache: dict[type[models.Model], dict[int, str]] = defaultdict(dict)

    def get(self, model: type[models.Model], pks: Iterable[int]) -> dict[int, str]:
        cache = self._cache[model]
        missing = {pk for pk in pks if pk is not None and pk not in cache}
        if missing:
            if model is Department:
                found = dict(Department.objects.filter(pk__in=missing).values_list("pk", "name"))
            else:
                found = {p.pk: str(p) for p in Position.objects.filter(pk__in=missing)}
            for pk in missing:
                cache[pk] = found.get(pk, f"（已删除 #{pk}）")
        return cache


def _normal(value: Any) -> Any:
    """Browsers submit textareas with CRLF: a line-ending difference is not a change."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _show(field: models.Field, value: Any, names: _Names) -> str:
    """A value as the sheet shows it: choice labels, names of related objects."""
    if value is None or value == "" or value == []:
        return ""
    if field.many_to_many:
        shown = names.get(field.related_model, value)
        return "、".join(sorted(shown[pk] for pk in value))
    if field.is_relation:
        return names.get(field.related_model, [value])[value]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(_normal(value))


def _same(field: models.Field, old: Any, new: Any) -> bool:
    if field.many_to_many:
        return sorted(old or []) == sorted(new or [])
    empty = (None, "")
    if old in empty and new in empty:
        return True
    return _normal(old) == _normal(new)


def _diffable_fields(model: type[models.Model], ignored: frozenset[str]) -> list[models.Field]:
    opts = model._meta
    return [f for f in [*opts.local_fields, *opts.local_many_to_many] if f.name not in ignored]


def _field_changes(
    model: type[models.Model],
    old: Values,
    new: Values,
    ignored: frozenset[str],
    names: _Names,
) -> tuple[FieldDiff, ...]:
    changes = []
    for f in _diffable_fields(model, ignored):
        before, after = old.get(f.attname), new.get(f.attname)
        if not _same(f, before, after):
            changes.append(
                FieldDiff(
                    name=f.attname,
                    label=str(f.verbose_name),
                    old=_show(f, before, names),
                    new=_show(f, after, names),
                )
            )
    return tuple(changes)


def _row_label(section: Section, values: Values) -> str:
    if section.key == "duties":
        lines = split_lines(values.get("tasks") or "")
        text = values.get("title") or (lines[0] if lines else "")
        return f"{values.get('rank')}. {Truncator(text).chars(30)}"
    if section.key == "relationships":
        kind = dict(Relationship.Kind.choices).get(values.get("kind"), values.get("kind"))
        return f"{kind}：{values.get('party', '')}"
    if section.single:
        return section.label
    return Truncator(str(values.get("name", ""))).chars(30)


def _section_diff(
    section: Section, old: Mapping[int, Values], new: Mapping[int, Values], names: _Names
) -> SectionDiff:
    empty: Values = {}
    rows: list[tuple[tuple, RowDiff]] = []
    order = section.order_field
    for pk in sorted(set(old) | set(new)):
        before, after = old.get(pk), new.get(pk)
        if before is None:
            status, values = "added", after
        elif after is None:
            status, values = "removed", before
        else:
            status, values = "changed", after
        changes = _field_changes(
            section.model,
            before or empty,
            after or empty,
            _SECTION_IGNORED,
            names,
        )
        if not changes and status == "changed":
            continue
        sort_key = (values.get(order) or 0 if order else 0, pk)
        label = _row_label(section, values)
        rows.append((sort_key, RowDiff(status=status, pk=pk, label=label, fields=changes)))
    rows.sort(key=lambda item: item[0])
    return SectionDiff(
        key=section.key,
        label=section.label,
        single=section.single,
        rows=tuple(row for _, row in rows),
    )


def diff_states(
    old: PositionState, new: PositionState, *, names: _Names | None = None
) -> SheetDiff:
    """Content field by field, with the sheet's labels; section rows are matched by primary key.

    Fields the workflow sets are not content: a status change is the diff's ``step``.
    """
    names = names or _Names()
    fields = _field_changes(Position, old.fields, new.fields, _POSITION_IGNORED, names)
    step = workflow_step(str(old.fields.get("status") or ""), str(new.fields.get("status") or ""))
    sections = tuple(
        diff
        for section in SECTIONS
        if (
            diff := _section_diff(section, old.rows(section.key), new.rows(section.key), names)
        ).rows
    )
    return SheetDiff(fields=fields, sections=sections, step=step)


# --- restore ---------------------------------------------------------------------------------


def _restored_target(target: PositionState, current: PositionState) -> PositionState:
    """What a restore writes: the old content, but the status (a workflow decision) kept."""
    fields = dict(target.fields)
    fields["status"] = current.fields["status"]
    return replace(target, fields=fields)


def restore_preview(position: Position, version: Revision) -> SheetDiff:
    """What restoring this version would change in the current sheet."""
    current = current_state(position)
    return diff_states(current, _restored_target(position_state(version), current))


def _check_restorable(target: PositionState) -> None:
    fields = target.fields
    if not Department.objects.filter(pk=fields["department_id"]).exists():
        raise ValidationError("无法恢复：该修改记录所在的部门已被删除。")
    superior = fields.get("reports_to_id")
    if superior is not None and not Position.objects.filter(pk=superior).exists():
        raise ValidationError("无法恢复：该修改记录的直接上级职位已不存在。")
    local = {f.attname for f in Position._meta.local_fields}
    candidate = Position(**{name: value for name, value in fields.items() if name in local})
    try:
        candidate.clean()  # code still unique, grade range, no reporting cycle today
    except ValidationError as exc:
        raise ValidationError([f"无法恢复：{message}" for message in exc.messages]) from exc


def restore_version(*, user, position: Position, version_id: int) -> Position:
    """Bring the position and its sections back to a version, through the one writer.

    Only this position's content is restored, even when the revision holds other positions.
    Sections added since are deleted and sections deleted since come back (with their pk).
    Like any edit, a sheet under review returns to 草稿 and a published one becomes the draft of
    its next version (the version in force is untouched); ``lock_version`` moves on, so an
    editor still open on the old state conflicts instead of overwriting the restore. The
    editor's scope is checked for the department restored to, as for any edit.
    """
    version = get_position_version(position, version_id)
    target = position_state(version)
    _check_restorable(target)
    current = current_state(position)
    if diff_states(current, _restored_target(target, current)).is_empty:
        raise ValidationError("所选修改记录与当前内容相同，无需恢复。")
    fields = target.fields
    related = fields.get("related_positions") or []
    existing = set(Position.objects.filter(pk__in=related).values_list("pk", flat=True))
    sections = {}
    for key, section in sheets.SECTIONS.items():
        order = section.order_field
        rows = sorted(
            target.rows(key).items(),
            key=lambda item: (item[1].get(order, 0) if order else 0, item[0]),
        )
        sections[key] = [
            {"id": pk} | {name: values[name] for name in section.fields if name in values}
            for pk, values in rows
        ]
    content = sheets.SheetContent(
        fields={name: fields[name] for name in sheets.CONTENT_FIELDS if name in fields},
        related_positions=[pk for pk in related if pk in existing],  # 相关职位 deleted since
        sections=sections,
    )
    return sheets.write_sheet(
        user=user,
        position=position,
        content=content,
        expected_lock_version=position.lock_version,
        comment=f"恢复到 {revision_time(version.revision):%Y-%m-%d %H:%M} 的内容",
    )


# --- initial revisions -----------------------------------------------------------------------


def ensure_initial_revisions() -> int:
    """Give every position without a history a first revision (「初始数据」); returns how many.

    loaddata records nothing, so the seed's positions would otherwise start with an empty
    history. Each position gets its own revision, which (following the registration) holds its
    sections too.
    """
    has_history = Revision.objects.get_for_model(Position).values_list("object_id", flat=True)
    recorded = {int(pk) for pk in has_history}
    created = 0
    for position in Position.objects.order_by("pk"):
        if position.pk in recorded:
            continue
        with reversion.create_revision():
            reversion.set_comment(INITIAL_COMMENT)
            reversion.add_to_revision(position)
        created += 1
    return created


__all__ = [
    "SECTIONS",
    "FieldDiff",
    "HistoryEntry",
    "PositionState",
    "RowDiff",
    "SectionDiff",
    "SheetDiff",
    "current_state",
    "diff_states",
    "ensure_initial_revisions",
    "get_position_version",
    "position_history",
    "position_state",
    "restore_preview",
    "restore_version",
    "revision_time",
    "workflow_step",
]
