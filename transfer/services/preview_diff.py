"""What an import would change in each existing sheet, as 版本比较 shows it.

``write_diffs`` takes the very ``SheetWrite``s the confirmation will hand to the one writer
(``positions.services.sheets.write_sheets``) and compares, for each existing position, its
stored sheet with the sheet that content would make (``positions.sheet.proposed_sheet``), with
the ordered diff of ``positions.services.sheet_diff`` — the one 版本比较 and 本次变更 use.
Nothing is written: the proposed sheet is built from unsaved rows.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from positions.models import (
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)
from positions.services.sheet_diff import SheetChanges, diff_sheets
from positions.services.sheets import SheetWrite
from positions.sheet import build_sheet, proposed_sheet
from transfer.services.word_import.resolve import WordImportPlan

# The Word import's own mapping of a parsed file to the writer's content (one mapping for the
# preview and the confirmation).
from transfer.services.word_import.write import _plan_write as word_write

SECTIONS: dict[str, type[Model]] = {
    "duties": Duty,
    "qualification": Qualification,
    "relationships": Relationship,
    "indicators": Indicator,
}


def _unsaved(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    names = {f.attname for f in model._meta.concrete_fields} - {"id", "position_id"}
    made = []
    for order, values in enumerate(rows, start=1):
        kept = {k: ("" if v is None and k not in _NULLABLE else v) for k, v in values.items()}
        instance = model(**{k: v for k, v in kept.items() if k in names})
        if "order" in names and not values.get("order"):
            instance.order = order
        if model is Duty and not values.get("rank"):
            instance.rank = order
        made.append(instance)
    return made


_NULLABLE = {"experience_years", "grade_min", "grade_max", "headcount"}


def write_diffs(
    writes: Sequence[SheetWrite], titles_by_key: Mapping[str, str] | None = None
) -> dict[int, SheetChanges]:
    """{position id: the ordered diff} for every write that updates an existing position.

    ``titles_by_key``: the titles of the batch's new positions, by ``SheetWrite.key`` (a
    superior or related position created by the same import)."""
    titles_by_key = titles_by_key or {}
    updates = [w for w in writes if w.position is not None and w.position.pk is not None]
    if not updates:
        return {}
    stored = Position.objects.with_sheet().in_bulk([w.position.pk for w in updates])
    linked = {
        pk
        for w in updates
        for pk in (w.content.fields.get("reports_to_id"), *(w.content.related_positions or ()))
        if pk
    }
    titles = dict(Position.objects.filter(pk__in=linked).values_list("pk", "title"))
    departments = Department.objects.in_bulk(
        {
            w.content.fields["department_id"]
            for w in updates
            if w.content.fields.get("department_id")
        }
    )
    diffs: dict[int, SheetChanges] = {}
    for write in updates:
        position = stored.get(write.position.pk)
        if position is None:
            continue
        current = build_sheet(position)
        content = write.content
        proposed = copy.copy(position)
        for name, value in content.fields.items():
            if name == "department_id":
                proposed.department = departments.get(value, position.department)
            elif name != "reports_to_id":
                setattr(proposed, name, "" if value is None and name not in _NULLABLE else value)
        if content.reports_to_key:
            superior = titles_by_key.get(content.reports_to_key, "")
        elif "reports_to_id" in content.fields:
            superior = titles.get(content.fields["reports_to_id"], "")
        else:
            superior = current.superior
        if content.related_positions is None and not content.related_keys:
            related = current.related_positions
        else:
            related = tuple(titles.get(pk, "") for pk in content.related_positions or ()) + tuple(
                titles_by_key.get(key, key) for key in content.related_keys
            )
        rows: dict[str, list[Any]] = {}
        for key, model in SECTIONS.items():
            if key in content.sections:
                rows[key] = _unsaved(model, content.sections[key])
            elif key == "qualification":
                found = Qualification.objects.filter(position=position).first()
                rows[key] = [found] if found else []
            else:
                rows[key] = list(getattr(position, key).all())
        new = proposed_sheet(
            current,
            proposed,
            superior=superior,
            related=related,
            duties=rows["duties"],
            qualification=rows["qualification"][0] if rows["qualification"] else None,
            relationships=rows["relationships"],
            indicators=rows["indicators"],
        )
        diffs[position.pk] = diff_sheets(current, new)
    return diffs


def word_diffs(plans: Sequence[WordImportPlan]) -> dict[int, SheetChanges]:
    """{position id: the ordered diff} of the Word files that update an existing position
    (those whose department is known: the write needs it)."""
    writes = [
        word_write(plan)
        for plan in plans
        if plan.existing is not None and plan.department is not None
    ]
    return write_diffs(writes)
