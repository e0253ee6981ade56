"""Resolving a parsed sheet against the database: what importing it would write, and why not.

``resolve_import`` finds the department, the superior and the existing position an import
updates, and lists the Chinese problems that block the file and the warnings about what is
left out or would be lost. Matching: the same 职位编号 is that position; without one — or with
a 职位编号 nobody has — the same title in the same department is that position (the preview
proposes updating it, with 新建 as the alternative: ``create_new=True``), so a new code never
creates a duplicate silently. Two editions of one sheet in a file, and two files with the same
title for the same department, are refused. What would change field by field is
``write.preview_changes`` (it needs the writer).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from positions import permissions
from positions.models import Department, Duty, Position, Relationship
from transfer.services.word_import.parser import ParsedSheet
from transfer.services.word_import.vocabulary import (
    AUTHORITY_LEVELS,
    QUALIFICATION_KEYS,
    QUALIFICATION_LABELS,
)


@dataclass
class WordImportPlan:
    """One parsed file, resolved against the database, with the problems that block it."""

    parsed: ParsedSheet
    department: Department | None = None
    superior: Position | None = None
    existing: Position | None = None  # the position this file updates
    match: str = ""  # how ``existing`` was found: "code", "title" or "" (a new position)
    # The same title in the same department, found while the file asks for a new position
    # (``create_new``) or names a 职位编号 nobody has: the preview offers updating it instead.
    title_match: Position | None = None
    create_new: bool = False
    keep_related: bool = False  # the file names no 相关职位: the stored ones stay
    related: list[Position] = field(default_factory=list)
    grade_min: int | None = None
    grade_max: int | None = None
    headcount: int | None = None
    dates: dict[str, datetime.date | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # block the import
    warnings: list[str] = field(default_factory=list)  # imported anyway
    # Set by ``write.preview_changes``: the ordered diff of the stored sheet and what this file
    # would make of it (positions.services.sheet_diff.SheetChanges); None for a new position.
    changes: object | None = None

    @property
    def unchanged(self) -> bool:
        """An update that changes nothing: confirming leaves the position as it is."""
        return self.changes is not None and self.changes.is_empty

    @property
    def field_differences(self) -> list[dict[str, str]]:
        """What confirming would change, in the sheet's order: one dict per changed item with
        ``section`` (基本信息, 工作职责 …), ``label`` (职位名称, 学历 … or ""), ``status``
        (added/removed/changed/moved), ``status_label`` (新增/删除/修改/移动), ``old``, ``new``."""
        if self.changes is None:
            return []
        return [
            {
                "section": section.label,
                "label": item.label,
                "status": item.status,
                "status_label": item.status_label,
                "old": item.old,
                "new": item.new,
            }
            for section in self.changes.sections
            for item in section.changes
        ]

    @property
    def can_choose_create(self) -> bool:
        """The preview may offer 新建 instead of updating the position found by title."""
        return self.match == "title" or (self.create_new and self.title_match is not None)

    @property
    def original_signoff_rows(self) -> list[tuple[str, str, str, str, datetime.date | None]]:
        """(role, 编制/审核/审批, name, date as written, date) the file names: 「原文件签核」."""
        return [
            (role, label, name, date_text, parse_date(date_text) if date_text else None)
            for role, label, name, date_text in self.parsed.original_signoff_rows
        ]

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


def _match_by_title(user, plan: WordImportPlan, title: str, code: str) -> None:
    """The same title in the same department is the same position, unless 新建 was chosen."""
    same = list(
        Position.objects.exclude(status=Position.Status.ARCHIVED).filter(
            title=title, department=plan.department
        )[:2]
    )
    if len(same) != 1 or not permissions.can_edit_position(user, same[0]):
        return
    (found,) = same
    plan.title_match = found
    where = f"“{plan.department.name}”已有职位“{found.title}”"
    if found.code:
        where += f"（编号 {found.code}）"
    if plan.create_new:
        plan.warnings.append(f"{where}；按您的选择新建一个同名职位。")
        return
    plan.existing, plan.match = found, "title"
    if code and code != found.code:
        plan.warnings.append(
            f"{where}，文件的职位编号“{code}”在系统中不存在：将更新该职位，编号改为“{code}”。"
            "如需另建新职位，请选择「新建」。"
        )
    else:
        plan.warnings.append(f"{where}：将更新该职位。如需另建新职位，请选择「新建」。")


def _warn_about_losses(plan: WordImportPlan) -> None:
    """Say what an update would clear: sign-offs of a sheet in the workflow; keep 相关职位
    the file does not name (下次复核日期 is never written by an import)."""
    existing = plan.existing
    if existing is None:
        return
    if not plan.parsed.related.strip():
        plan.keep_related = True
        kept = [p.title for p in existing.related_positions.all()]
        if kept:
            plan.warnings.append(f"文件中没有相关职位，保留现有的相关职位：{'、'.join(kept)}。")
    status = existing.status
    if status == Position.Status.PUBLISHED:
        plan.warnings.append(
            f"“{existing.title}”已生效：导入后开始新版本的草稿，现行版本及其签核保持不变，"
            "草稿需重新提交审核。"
        )
    elif status in (Position.Status.SUBMITTED, Position.Status.REVIEWED):
        signed = [
            f"{label} {name}"
            for label, name in (
                ("审核", existing.reviewed_by_name),
                ("审批", existing.approved_by_name),
            )
            if name
        ]
        cleared = f"（{'、'.join(signed)}）" if signed else ""
        plan.warnings.append(
            f"“{existing.title}”正在{existing.get_status_display()}：导入后退回草稿，"
            f"已有的审核/审批签核{cleared}将清除，需重新提交审核。"
        )


def resolve_import(
    user: AbstractBaseUser,
    parsed: ParsedSheet,
    *,
    department: Department | None = None,
    taken_codes: set[str] | None = None,
    taken_titles: set[tuple[int, str]] | None = None,
    create_new: bool = False,
) -> WordImportPlan:
    """What importing ``parsed`` would write, with its problems (Chinese).

    ``taken_codes`` / ``taken_titles``: shared by the files of one upload (a code, or a title in
    a department, twice is a problem). ``create_new``: the user chose 新建 over updating the
    position of the same title in the same department.
    """
    plan = WordImportPlan(parsed=parsed, create_new=create_new)
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
    if parsed.duplicate_titles:
        titles = "、".join(parsed.duplicate_titles)
        plan.problems.append(
            f"文件中有两份同名的职位说明书（{titles}）。请删去重复的一份，或拆分后分别上传。"
        )
    code = parsed.code.strip()
    if code:
        if taken_codes is not None:
            if code in taken_codes:
                plan.problems.append(f"职位编号“{code}”在本次上传的文件中出现了不止一次。")
            taken_codes.add(code)
        plan.existing = Position.objects.filter(code=code).first()
        if plan.existing is not None:
            plan.match = "code"
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
    if plan.existing is None and title and plan.department is not None:
        _match_by_title(user, plan, title, code)
    if title and plan.department is not None and taken_titles is not None:
        key = (plan.department.pk, title)
        if key in taken_titles:
            plan.problems.append(
                f"本次上传中有两个文件都是“{plan.department.name}”的“{title}”，请只保留一份。"
            )
        taken_titles.add(key)
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
    _warn_about_losses(plan)
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
