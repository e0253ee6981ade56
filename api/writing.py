"""An API write of a sheet: validated request data → ``SheetContent`` for the one writer.

Checked here, before the writer: the positions and departments named exist and the caller may
see them, and a row's ``id`` is one of this position's rows of that section (the writer would
otherwise bring a row back with that id, as a restore from the history does). The writer then
checks the scope, the lock and every value (``full_clean``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from positions import permissions
from positions.models import Department, Position
from positions.services.sheets import SECTIONS, SheetContent

FIELD_ATTNAMES = {"department": "department_id", "reports_to": "reports_to_id"}
PLAIN_FIELDS = (
    "title",
    "code",
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


def _visible_ids(user: AbstractBaseUser, ids: set[int]) -> set[int]:
    visible = Position.objects.filter(permissions.visible_positions_q(user), pk__in=ids)
    return set(visible.values_list("pk", flat=True))


def _check_references(user: AbstractBaseUser, data: dict[str, Any]) -> list[str]:
    errors = []
    department = data.get("department")
    if department is not None and not Department.objects.filter(pk=department).exists():
        errors.append(f"所在部门：部门 ID {department} 不存在。")
    named = set(data.get("related_positions") or ())
    if data.get("reports_to") is not None:
        named.add(data["reports_to"])
    visible = _visible_ids(user, named)
    if data.get("reports_to") is not None and data["reports_to"] not in visible:
        errors.append(f"直接上级：职位 ID {data['reports_to']} 不存在。")
    missing = sorted(set(data.get("related_positions") or ()) - visible)
    if missing:
        errors.append(f"相关职位：职位 ID {'、'.join(map(str, missing))} 不存在。")
    return errors


def _check_row_ids(position: Position | None, key: str, rows: list[dict]) -> list[str]:
    section = SECTIONS[key]
    given = [row.get("id") for row in rows if row.get("id") is not None]
    if not given:
        return []
    label = section.label
    if position is None:
        return [f"{label}：新建职位的行不能带 id。"]
    stored = set(section.model.objects.filter(position=position).values_list("pk", flat=True))
    errors = [
        f"{label}：id {pk} 不是该职位的{label}。" for pk in dict.fromkeys(given) if pk not in stored
    ]
    if len(given) != len(set(given)):
        errors.append(f"{label}：同一 id 出现了多次。")
    return errors


def sheet_content(
    user: AbstractBaseUser, position: Position | None, data: dict[str, Any]
) -> SheetContent:
    """The content to write; ``ValidationError`` (Chinese, naming the field) when a reference
    is wrong."""
    errors = _check_references(user, data)
    for key, section in SECTIONS.items():
        if key in data and section.order_field is not None:
            errors += _check_row_ids(position, key, data[key])
    if errors:
        raise ValidationError(errors)
    fields = {name: data[name] for name in PLAIN_FIELDS if name in data}
    fields |= {FIELD_ATTNAMES[name]: data[name] for name in FIELD_ATTNAMES if name in data}
    sections: dict[str, list[dict[str, Any]]] = {}
    for key, section in SECTIONS.items():
        if key not in data:
            continue
        if section.order_field is None:
            sections[key] = [] if data[key] is None else [dict(data[key])]
        else:
            sections[key] = [dict(row) for row in data[key]]
    return SheetContent(
        fields=fields,
        related_positions=data.get("related_positions"),
        sections=sections,
    )


def creation_refusal(user: AbstractBaseUser, data: dict[str, Any]) -> list[str]:
    """What a new sheet must name (the writer checks the department's scope)."""
    errors = []
    if not (data.get("title") or "").strip():
        errors.append("职位名称：新建职位必须填写职位名称。")
    if data.get("department") is None:
        errors.append("所在部门：新建职位必须指定所在部门。")
    return errors
