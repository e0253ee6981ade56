"""Writing confirmed Word imports through the one sheet writer, all files in one transaction.

Each file becomes a 草稿: a new position, or a new working copy of an existing one whose
published version stays in force. Its 工作权限 go to the 权责手册's working copy (they show in
the sheet once the manual is published). ``preview_changes`` runs the same write in a transaction it
rolls back, so the preview's field-by-field differences are exactly what confirming writes; a
file that changes nothing is not written at all (no new draft, no revision).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from positions.models import Position
from positions.services import golive
from positions.services.manual import AuthorityLine, write_position_authorities
from positions.services.sheet_diff import diff_sheets
from positions.services.sheets import EditConflict, SheetContent, SheetWrite, write_sheets
from positions.sheet import build_sheet, manual_authorities
from transfer.services.word_import.resolve import WordImportPlan
from transfer.services.word_import.vocabulary import (
    AUTHORITY_LEVELS,
    EDUCATION,
    experience_years,
)


def _education(text: str) -> str:
    for word, value in EDUCATION:
        if word in text:
            return value
    return ""


def _plan_write(plan: WordImportPlan) -> SheetWrite:
    """What the writer writes for one file: the sheet as a 草稿, without the file's sign-off
    (编制/审核/审批 happen in jobdesc: a paper signature does not approve the draft)."""
    parsed = plan.parsed
    qualifications = {key: "\n".join(lines) for key, lines in parsed.qualifications.items()}
    existing = plan.existing
    fields = {
        "title": parsed.position_title,
        # A file without a 职位编号, matched by title, keeps the position's code.
        "code": parsed.code.strip() or (existing.code if existing is not None else ""),
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
                "experience_years": experience_years(qualifications.get("experience", "")),
                **qualifications,
            }
        ]
    return SheetWrite(
        position=existing,
        content=SheetContent(
            fields=fields,
            related_positions=None if plan.keep_related else [p.pk for p in plan.related],
            sections={
                "duties": duties,
                "relationships": relationships,
                "indicators": indicators,
                "qualification": qualification,
            },
            reuse_rows=True,
        ),
        expected_lock_version=existing.lock_version if existing is not None else None,
        label=parsed.filename,
    )


def _authority_lines(plan: WordImportPlan) -> list[AuthorityLine]:
    return [
        AuthorityLine(name=name, level=AUTHORITY_LEVELS[label])
        for name, label in plan.parsed.authorities
        if label in AUTHORITY_LEVELS  # resolve_import warned about the others
    ]


def write_authorities(
    user: AbstractBaseUser, plans: list[WordImportPlan], positions: list[Position]
) -> None:
    """The files' 工作权限 into the 权责手册's working copy (its one writer), for the positions
    whose rows differ from what they show now; in the caller's transaction."""
    changed = {}
    for plan, position in zip(plans, positions, strict=True):
        lines = _authority_lines(plan)
        if not lines and plan.existing is None:
            continue
        shown = [(a.name, a.level) for a in manual_authorities(position)[0]]
        if [(line.name, line.level) for line in lines] != shown:
            changed[position.pk] = lines
    write_position_authorities(user=user, authorities=changed, source="从 Word 文件导入")


class _DryRun(Exception):
    """Raised to roll the preview's write back."""


def _sheet(pk: int):
    return build_sheet(Position.objects.with_sheet().get(pk=pk))


def preview_changes(user: AbstractBaseUser, plans: list[WordImportPlan]) -> None:
    """Set ``plan.changes`` of every plan that updates a position: the ordered diff of the
    stored sheet and the sheet confirming would write (written, read back, rolled back)."""
    updates = [plan for plan in plans if plan.ok and plan.existing is not None]
    if not updates:
        return
    before = {plan.existing.pk: _sheet(plan.existing.pk) for plan in updates}
    after = {}
    try:
        with transaction.atomic():
            written = write_sheets(
                user=user, writes=[_plan_write(plan) for plan in updates], comment="预览"
            )
            after = {position.pk: _sheet(position.pk) for position in written}
            raise _DryRun
    except _DryRun:
        pass
    except (ValidationError, PermissionDenied, EditConflict):
        return  # confirming reports it, named by file
    for plan in updates:
        plan.changes = diff_sheets(before[plan.existing.pk], after[plan.existing.pk])


def import_sheets(
    user: AbstractBaseUser, plans: list[WordImportPlan], *, in_force: bool = False
) -> list[Position]:
    """Write every plan as a draft through the one writer, all or nothing; with ``in_force``
    (作为已生效版本导入) as historical V1s signed as the files are (``golive.import_in_force``).
    Either way the files' 编制/审核/审批 go to the 审批记录 as 「原文件签核」.

    ``ValidationError`` (each message named by its file) if any is blocked; nothing is
    written then. ``PermissionDenied`` when ``in_force`` is not the user's to ask. A draft
    import of a file that would change nothing leaves its position untouched (it is returned
    as stored, and its sign-off is not recorded again).
    """
    problems = [f"{p.parsed.filename}：{problem}" for p in plans for problem in p.problems]
    if problems:
        raise ValidationError(problems)
    if in_force:
        writes = [_plan_write(plan) for plan in plans]
        with transaction.atomic():
            versions = golive.import_in_force(user, writes, [file_signoff(plan) for plan in plans])
            positions = [version.position for version in versions]
            write_authorities(user, plans, positions)
        return positions
    with transaction.atomic():
        preview_changes(user, plans)
        changed = [plan for plan in plans if not plan.unchanged]
        written = (
            write_sheets(
                user=user,
                writes=[_plan_write(plan) for plan in changed],
                comment="从 Word 文件导入",
            )
            if changed
            else []
        )
        golive.record_original_signoffs(
            user, list(zip(written, [file_signoff(plan) for plan in changed], strict=True))
        )
        fresh = iter(written)
        positions = [plan.existing if plan.unchanged else next(fresh) for plan in plans]
        write_authorities(user, plans, positions)
        return positions


# --- go-live: the file's own sign-off -------------------------------------------------------


def file_signoff(plan: WordImportPlan) -> golive.OriginalSignoff:
    """The 编制/审核/审批 names and dates the file carries, for ``positions.services.golive``.

    The one adapter between the parser and go-live: it reads today's ``parsed.sign_offs``
    (texts by key) and ``plan.dates`` (the dates ``resolve_import`` parsed). A parser that
    exposes the file's sign-off as a structure of its own only has to change this function.
    """
    names = plan.parsed.sign_offs
    dates = plan.dates
    return golive.OriginalSignoff(
        prepared_by_name=names.get("prepared_by", "").strip(),
        prepared_at=dates.get("prepared_at"),
        reviewed_by_name=names.get("reviewed_by", "").strip(),
        reviewed_at=dates.get("reviewed_at"),
        approved_by_name=names.get("approved_by", "").strip(),
        approved_at=dates.get("approved_at"),
        source=plan.parsed.filename,
    )
