"""The 组织诊断 report of a department subtree: findings by type, with HR's notes applied.

``build_report`` runs every finding rule on the scope and splits each type's findings into the
open ones and those HR has marked 「已知悉/不适用」 (``FindingNote``), so a report converges.
A report is plain data: the task worker stores it as JSON (``as_dict``) and the job's page,
PDF and xlsx read it back (``Report.from_dict``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diagnosis.models import FindingNote
from diagnosis.services import findings as rules
from positions.models import Department

Progress = Callable[[int, int, str], None]
# The PDF lists at most this many open findings of a type (the xlsx has them all): a whole
# organisation's report stays a document one reads, and lays out within the render limit.
PDF_MAX_PER_TYPE = 60


@dataclass(frozen=True)
class Note:
    status: str
    status_label: str
    reason: str
    marked_by: str
    marked_at: str


@dataclass(frozen=True)
class Entry:
    finding: rules.Finding
    note: Note | None


@dataclass(frozen=True)
class Section:
    kind: str
    group: str
    label: str
    entries: tuple[Entry, ...]

    @property
    def open(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.note is None)

    @property
    def marked(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.note is not None)

    @property
    def shown_open(self) -> tuple[Entry, ...]:
        return self.open[: settings.DIAGNOSIS_PAGE_MAX_FINDINGS]

    @property
    def hidden_open(self) -> int:
        return max(0, len(self.open) - settings.DIAGNOSIS_PAGE_MAX_FINDINGS)

    @property
    def pdf_open(self) -> tuple[Entry, ...]:
        return self.open[:PDF_MAX_PER_TYPE]

    @property
    def pdf_hidden(self) -> int:
        return max(0, len(self.open) - PDF_MAX_PER_TYPE)

    @property
    def shown_marked(self) -> tuple[Entry, ...]:
        return self.marked[: settings.DIAGNOSIS_PAGE_MAX_FINDINGS]


@dataclass(frozen=True)
class Report:
    scope: str  # the department's full name, or 全公司
    department_id: int | None
    positions: int
    made_at: str  # ISO timestamp
    sections: tuple[Section, ...]

    @property
    def open_count(self) -> int:
        return sum(len(s.open) for s in self.sections)

    @property
    def marked_count(self) -> int:
        return sum(len(s.marked) for s in self.sections)

    @property
    def made_at_label(self) -> str:
        return datetime.datetime.fromisoformat(self.made_at).astimezone().strftime("%Y-%m-%d %H:%M")

    def finding(self, key: str) -> rules.Finding | None:
        for section in self.sections:
            for entry in section.entries:
                if entry.finding.key == key:
                    return entry.finding
        return None

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "department_id": self.department_id,
            "positions": self.positions,
            "made_at": self.made_at,
            "findings": [e.finding.as_dict() for s in self.sections for e in s.entries],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """The stored report with the notes as they stand now (marked since: shown marked)."""
        found = [rules.Finding.from_dict(item) for item in data.get("findings", [])]
        return _assemble(
            scope=data["scope"],
            department_id=data["department_id"],
            positions=data["positions"],
            made_at=data["made_at"],
            found=found,
        )


def _notes(keys: list[str]) -> dict[str, Note]:
    notes: dict[str, Note] = {}
    rows = FindingNote.objects.filter(key__in=keys).select_related("marked_by")
    for note in rows.iterator(chunk_size=2000):
        by = note.marked_by
        notes[note.key] = Note(
            status=note.status,
            status_label=note.get_status_display(),
            reason=note.reason,
            marked_by=(by.get_full_name() or by.get_username()) if by else "",
            marked_at=timezone.localtime(note.marked_at).strftime("%Y-%m-%d %H:%M"),
        )
    return notes


def _assemble(
    *, scope: str, department_id: int | None, positions: int, made_at: str, found: list
) -> Report:
    notes: dict[str, Note] = {}
    keys = [f.key for f in found]
    for start in range(0, len(keys), 5000):  # bounded IN lists
        notes |= _notes(keys[start : start + 5000])
    by_kind: dict[str, list[Entry]] = {t.kind: [] for t in rules.TYPES}
    for finding in found:
        by_kind.setdefault(finding.kind, []).append(Entry(finding, notes.get(finding.key)))
    sections = tuple(
        Section(kind=t.kind, group=t.group, label=t.label, entries=tuple(by_kind[t.kind]))
        for t in rules.TYPES
    )
    return Report(
        scope=scope,
        department_id=department_id,
        positions=positions,
        made_at=made_at,
        sections=sections,
    )


def build_report(department: Department | None, *, progress: Progress | None = None) -> Report:
    """Every finding of the department's subtree (None: the whole organisation)."""
    positions = rules.scope_positions(department)
    checks: list[Callable] = []
    for finding_type in rules.TYPES:
        if finding_type.rule not in checks:
            checks.append(finding_type.rule)
    found: list[rules.Finding] = []
    for done, check in enumerate(checks):
        if progress is not None:
            label = ", ".join(t.label for t in rules.TYPES if t.rule is check)
            progress(done, len(checks), label)
        found.extend(check(positions))
    if progress is not None:
        progress(len(checks), len(checks), "汇总")
    return _assemble(
        scope=department.full_name if department is not None else "全公司",
        department_id=department.pk if department is not None else None,
        positions=positions.count(),
        made_at=timezone.now().isoformat(),
        found=found,
    )


def rule_count() -> int:
    """How many checks ``build_report`` runs (a job's progress total)."""
    return len({t.rule for t in rules.TYPES})


REASON_MAX = 500


def mark_finding(
    *, user: AbstractBaseUser, finding: rules.Finding, status: str, reason: str
) -> FindingNote:
    """Record HR's 「已知悉/不适用」 with a reason (again: replaces the earlier note)."""
    reason = reason.strip()
    if status not in FindingNote.Status.values:
        raise ValidationError("请选择“已知悉”或“不适用”。")
    if not reason:
        raise ValidationError("请填写说明（为什么已知悉或不适用）。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"说明最多 {REASON_MAX} 个字（现为 {len(reason)} 个字）。")
    with transaction.atomic():
        note, _created = FindingNote.objects.update_or_create(
            key=finding.key,
            defaults={
                "kind": finding.kind,
                "summary": finding.message[:300],
                "department_id": finding.department_id,
                "status": status,
                "reason": reason,
                "marked_by": user,
            },
        )
    return note


def unmark_finding(*, key: str) -> int:
    """Take HR's note back: the finding is open again. Returns how many notes were removed."""
    deleted, _ = FindingNote.objects.filter(key=key).delete()
    return deleted
