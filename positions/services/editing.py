"""The HR editor's changes: save a whole sheet, copy one, archive one — and edit conflicts.

**The lock.** ``Position.lock_version`` is the position's edit version: every save of the
position or of any of its sections moves it on (the editor here, the admin, a restore). The
editor sends back the number it started from; ``save_position`` moves the version on with one
conditional ``UPDATE … SET lock_version = lock_version + 1 WHERE pk = … AND lock_version =
<expected>`` as its first statement. When that updates no row someone else saved in between
and the save is refused with ``EditConflict`` — whatever the user changed, even only the
order of the duties. The ``UPDATE`` also holds the row lock until the transaction ends, so of
two simultaneous saves from the same starting version exactly one passes.

Every change runs in one transaction and one django-reversion revision (user and a Chinese
comment), so the 历史记录 page lists it with the position and all its sections.

Errors are ``ValidationError`` with Chinese messages keyed by the keyword argument they are
about (``"code"`` …) or ``__all__``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.db.models import Model
from django.forms import BaseFormSet, ModelForm
from reversion.models import Version as Revision

from positions import hooks, permissions
from positions.models import (
    Assignment,
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)
from positions.services import sheets
from positions.services.sheets import SheetContent

# The sections an editor saves, by formset name; each row of these belongs to one position.
SECTION_MODELS: dict[str, type[Model]] = {
    "duties": Duty,
    "relationships": Relationship,
    "indicators": Indicator,
    "qualification": Qualification,
}
# Copied field by field by copy_position (never the sign-off, status or lock).
_POSITION_COPY_FIELDS = (
    "department_id",
    "reports_to_id",
    "grade_min",
    "grade_max",
    "headcount",
    "sort_order",
    "location",
    "purpose",
    "summary",
    "commitments",
    "work_environment",
    "other_requirements",
)


def kept_forms(formset: BaseFormSet) -> list[tuple[int, Any]]:
    """(index, form) of the rows to store: not marked for deletion, not blank extra rows."""
    kept = []
    for index, form in enumerate(formset.forms):
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        kept.append((index, form))
    return kept


def save_position(
    *,
    user: AbstractBaseUser,
    position: Position | None,
    content: SheetContent,
    expected_lock_version: int | None,
) -> Position:
    """Save the editor page (through the one writer): 新建职位 or 编辑职位.

    ``EditConflict`` when the stored ``lock_version`` is no longer ``expected_lock_version``.
    """
    creating = position is None or position.pk is None
    return sheets.write_sheet(
        user=user,
        position=None if creating else position,
        content=content,
        expected_lock_version=None if creating else expected_lock_version,
        comment="新建职位" if creating else "编辑职位",
    )


# --- copy and archive -----------------------------------------------------------------------


def _rows(queryset: Iterable[Model], names: Iterable[str]) -> list[dict[str, Any]]:
    names = tuple(names)
    return [{name: getattr(row, name) for name in names} for row in queryset]


def copy_position(
    *,
    user: AbstractBaseUser,
    source: Position,
    code: str,
    title: str = "",
    department: Department | None = None,
) -> Position:
    """A new 草稿 with every section of ``source`` (以此为模板新建).

    The new ``code`` is required and must be unused; the title defaults to
    「<原名称>（副本）」 and the department to the source's. 编制/审核/审批 are not copied.
    """
    code = code.strip()
    title = title.strip() or f"{source.title}（副本）"
    if not code:
        raise ValidationError({"code": "请填写新职位的职位编号。"})
    clash = Position.objects.filter(code=code).first()
    if clash is not None:
        raise ValidationError({"code": f"职位编号“{code}”已被“{clash.title}”使用。"})
    fields = {name: getattr(source, name) for name in _POSITION_COPY_FIELDS}
    fields.update(title=title, code=code)
    if department is not None:
        fields["department_id"] = department.pk
    sections = {
        key: _rows(
            section.model.objects.filter(position=source).order_by(
                *([section.order_field] if section.order_field else []), "pk"
            ),
            section.fields,
        )
        for key, section in sheets.SECTIONS.items()
    }
    content = SheetContent(
        fields=fields,
        related_positions=list(source.related_positions.values_list("pk", flat=True)),
        sections=sections,
    )
    return sheets.write_sheet(
        user=user, position=None, content=content, comment=f"以“{source.title}”为模板新建"
    )


def archive_blockers(position: Position) -> tuple[list[str], list[str]]:
    """(titles of positions reporting to it, names of employees holding it now)."""
    reports = list(
        Position.objects.filter(reports_to=position)
        .exclude(status=Position.Status.ARCHIVED)
        .order_by("code", "title")
        .values_list("title", flat=True)
    )
    holders = list(
        Assignment.objects.current()
        .filter(position=position, employee__left_on__isnull=True)
        .order_by("employee__employee_no")
        .values_list("employee__name", flat=True)
    )
    return reports, holders


def archive_position(*, user: AbstractBaseUser, position: Position) -> Position:
    """Set the position to 已归档 (it is never erased), through the one writer.

    Refused while other (not archived) positions report to it or employees hold it, naming them.
    """

    def check(stored: Position) -> None:
        reason = permissions.sheet_write_refusal(user, stored=stored, department=stored.department)
        if reason is not None:
            raise PermissionDenied(reason)
        if stored.status == Position.Status.ARCHIVED:
            raise ValidationError({NON_FIELD_ERRORS: f"职位“{stored.title}”已归档。"})
        reports, holders = archive_blockers(stored)
        reasons = []
        if reports:
            reasons.append(f"仍有职位向其汇报（{'、'.join(reports)}），请先调整这些职位的直接上级")
        if holders:
            reasons.append(f"仍有员工在任（{'、'.join(holders)}），请先为其办理调岗或离职")
        if reasons:
            raise ValidationError(
                {NON_FIELD_ERRORS: f"无法归档职位“{stored.title}”：{'；'.join(reasons)}。"}
            )

    with transaction.atomic():
        stored = sheets.change_state(
            user=user,
            position=position,
            check=check,
            changes={"status": Position.Status.ARCHIVED},
            comment="归档职位",
        )
        hooks.occurred([hooks.Occurrence(hooks.POSITION_ARCHIVED, stored, stored)])
    return stored


# --- what the other person changed ----------------------------------------------------------


@dataclass(frozen=True)
class DutyState:
    key: int | None  # the duty's pk; None for a row not stored yet
    label: str  # 主要职责, or the first task line
    text: str  # every field of the duty, one per line


@dataclass(frozen=True)
class SheetState:
    """A position with its sections as readable labelled text, to compare two states."""

    fields: dict[str, str]  # label → value, in the sheet's order
    duties: tuple[DutyState, ...]  # by 重要性


@dataclass(frozen=True)
class ConflictField:
    label: str
    before: str | None  # when the user started (None: that state is not recorded)
    current: str  # stored now
    mine: str  # what the user submitted


@dataclass(frozen=True)
class ConflictDuty:
    change: str  # 新增 / 删除 / 修改; without a recorded start: 不同 / 您的表单中没有
    label: str
    before: str
    current: str
    mine: str


@dataclass(frozen=True)
class ConflictReport:
    current: Position
    changed_by: str  # who saved the current state ("" when unknown)
    changed_at: datetime | None
    has_base: bool  # True: the changes are the other person's; False: stored vs. submitted
    fields: tuple[ConflictField, ...]
    duties: tuple[ConflictDuty, ...]

    @property
    def count(self) -> int:
        return len(self.fields) + len(self.duties)


def _choice_label(model: type[Model], field: str, value: str) -> str:
    return str(dict(model._meta.get_field(field).choices).get(value, value)) if value else ""


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part and part.strip())


def _duty_state(duty: Duty) -> DutyState:
    tasks = "\n".join(duty.task_lines)
    first = duty.task_lines[0] if duty.task_lines else ""
    facts = "　".join(
        f"{label}：{value}"
        for label, value in (
            ("分组", duty.group.strip()),
            ("类别", _choice_label(Duty, "kind", duty.kind)),
            ("负责程度", _choice_label(Duty, "responsibility", duty.responsibility)),
        )
        if value
    )
    return DutyState(
        key=duty.pk,
        label=duty.title.strip() or first,
        text=_normal(
            _lines(
                facts,
                f"主要职责：{duty.title.strip()}" if duty.title.strip() else "",
                tasks,
                f"考核要点：{duty.assessment.strip()}" if duty.assessment.strip() else "",
            )
        ),
    )


def sheet_state(
    position: Position,
    *,
    related_ids: Iterable[int],
    duties: Iterable[Duty],
    relationships: Iterable[Relationship],
    indicators: Iterable[Indicator],
    qualification: Qualification | None,
) -> SheetState:
    """The readable state of a position (stored, recorded by reversion, or as submitted)."""
    names = dict(Department.objects.filter(pk=position.department_id).values_list("pk", "name"))
    related_ids = list(related_ids)
    titles = dict(
        Position.objects.filter(pk__in=[*related_ids, position.reports_to_id]).values_list(
            "pk", "title"
        )
    )
    fields = {
        "职位名称": position.title,
        "职位编号": position.code,
        "所在部门": names.get(position.department_id, ""),
        "直接上级": titles.get(position.reports_to_id, ""),
        "职位等级": position.grade_display,
        "职位编制": "" if position.headcount is None else str(position.headcount),
        "排序": str(position.sort_order),
        "工作地点": position.location,
        "相关职位": "、".join(sorted(titles[pk] for pk in related_ids if pk in titles)),
        "职位概要": position.summary,
        "设岗目的 / 职位使命": position.purpose,
        "主要责任": position.commitments,
    }
    if qualification is not None:
        for name in Qualification.SHEET_FIELDS:
            field = Qualification._meta.get_field(name)
            value = getattr(qualification, name)
            if name == "education":
                value = _choice_label(Qualification, name, value)
            fields[f"任职资格 · {field.verbose_name}"] = "" if value is None else str(value)
    fields["工作环境"] = position.work_environment
    fields["其他要求"] = position.other_requirements
    fields["工作关系"] = "\n".join(
        _lines(f"{r.get_kind_display()}：{r.party}", r.purpose) for r in relationships
    )
    fields["关键指标"] = "\n".join(_lines(i.name, i.description) for i in indicators)
    states = tuple(_duty_state(duty) for duty in sorted(duties, key=lambda d: d.rank))
    fields["职责顺序"] = "\n".join(f"{n}. {d.label}" for n, d in enumerate(states, start=1))
    return SheetState(
        fields={label: _normal(value) for label, value in fields.items()}, duties=states
    )


def _normal(text: str | None) -> str:
    """Text as compared: line endings and trailing spaces do not count as changes."""
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def stored_state(position: Position) -> SheetState:
    try:
        qualification = Qualification.objects.get(position=position)
    except ObjectDoesNotExist:
        qualification = None
    return sheet_state(
        position,
        related_ids=position.related_positions.values_list("pk", flat=True),
        duties=Duty.objects.filter(position=position),
        relationships=Relationship.objects.filter(position=position).order_by("order", "pk"),
        indicators=Indicator.objects.filter(position=position).order_by("order", "pk"),
        qualification=qualification,
    )


def _recorded_state(position: Position, lock_version: int | None) -> SheetState | None:
    """The state reversion recorded when the position was at ``lock_version``, if it did."""
    if lock_version is None:
        return None
    for version in Revision.objects.get_for_object(position).select_related("revision"):
        if version.field_dict.get("lock_version") != lock_version:
            continue
        rows: dict[type[Model], list[Model]] = {model: [] for model in SECTION_MODELS.values()}
        for sibling in version.revision.version_set.all():
            model = sibling._model
            if model in rows:
                row = sibling._object_version.object
                if row.position_id == position.pk:
                    rows[model].append(row)
        recorded = version._object_version
        qualifications = rows[Qualification]
        return sheet_state(
            recorded.object,
            related_ids=recorded.m2m_data.get("related_positions", []),
            duties=rows[Duty],
            relationships=sorted(rows[Relationship], key=lambda r: (r.order, r.pk)),
            indicators=sorted(rows[Indicator], key=lambda i: (i.order, i.pk)),
            qualification=qualifications[0] if qualifications else None,
        )
    return None


def submitted_state(form: ModelForm, formsets: Mapping[str, BaseFormSet]) -> SheetState:
    """The state the editor's validated forms describe (nothing saved)."""

    def rows(name: str) -> list[Any]:
        formset = formsets.get(name)
        if formset is None:
            return []
        return [form.instance for _index, form in kept_forms(formset)]

    duties = []
    if "duties" in formsets:
        kept = kept_forms(formsets["duties"])
        kept.sort(key=lambda item: (item[1].cleaned_data.get("rank") or math.inf, item[0]))
        for rank, (_index, duty_form) in enumerate(kept, start=1):
            duty_form.instance.rank = rank
            duties.append(duty_form.instance)
    qualifications = rows("qualification")
    related = form.cleaned_data.get("related_positions") or []
    return sheet_state(
        form.instance,
        related_ids=[p.pk for p in related],
        duties=duties,
        relationships=rows("relationships"),
        indicators=rows("indicators"),
        qualification=qualifications[0] if qualifications else _stored_qualification(form),
    )


def _stored_qualification(form: ModelForm) -> Qualification | None:
    if form.instance.pk is None:
        return None
    return Qualification.objects.filter(position_id=form.instance.pk).first()


def conflict_report(
    *,
    current: Position,
    expected_lock_version: int | None,
    form: ModelForm,
    formsets: Mapping[str, BaseFormSet],
) -> ConflictReport:
    """What changed between the state the user started from and the stored one.

    When reversion recorded the starting state (it records every save made through the
    editor, the admin and restores), the report lists the other person's changes, with the
    user's own value beside each. Otherwise it lists where the stored state and the
    submitted one differ.
    """
    now = stored_state(current)
    mine = submitted_state(form, formsets)
    base = _recorded_state(current, expected_lock_version)
    reference = base if base is not None else mine
    field_changes = tuple(
        ConflictField(
            label=label,
            before=None if base is None else base.fields.get(label, ""),
            current=value,
            mine=mine.fields.get(label, ""),
        )
        for label, value in now.fields.items()
        if reference.fields.get(label, "") != value
    )
    now_duties = {d.key: d for d in now.duties}
    ref_duties = {d.key: d for d in reference.duties if d.key is not None}
    mine_duties = {d.key: d for d in mine.duties if d.key is not None}
    duty_changes: list[ConflictDuty] = []
    for key, duty in now_duties.items():
        mine_text = mine_duties[key].text if key in mine_duties else ""
        if key not in ref_duties:
            change = "新增" if base is not None else "您的表单中没有"
            duty_changes.append(ConflictDuty(change, duty.label, "", duty.text, mine_text))
        elif ref_duties[key].text != duty.text:
            before = ref_duties[key].text if base is not None else ""
            change = "修改" if base is not None else "不同"
            duty_changes.append(ConflictDuty(change, duty.label, before, duty.text, mine_text))
    for key, duty in ref_duties.items():
        if key not in now_duties:
            mine_text = mine_duties[key].text if key in mine_duties else ""
            duty_changes.append(ConflictDuty("删除", duty.label, duty.text, "", mine_text))
    latest = (
        Revision.objects.get_for_object(current)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
        .first()
    )
    changed_by, changed_at = "", None
    if latest is not None:
        changed_at = latest.revision.date_created
        user = latest.revision.user
        if user is not None:
            changed_by = user.get_full_name() or user.get_username()
    return ConflictReport(
        current=current,
        changed_by=changed_by,
        changed_at=changed_at,
        has_base=base is not None,
        fields=field_changes,
        duties=tuple(duty_changes),
    )
