"""What the API returns, built from the core's reads: the same rules and the same sheet as the
pages (``permissions``, ``versions.read_sheet``, ``reading.with_shown_labels``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist

from positions import permissions
from positions.models import Department, Employee, Position
from positions.org import DepartmentIndex, department_index
from positions.services import versions
from positions.services.sheets import SECTIONS
from positions.sheet import manual_authorities

User = AbstractBaseUser | AnonymousUser


def department_rows() -> list[dict[str, Any]]:
    """Every department in tree order (parents before children, siblings by 排序)."""
    return [
        {
            "id": department.pk,
            "name": department.name,
            "code": department.code,
            "kind": department.kind,
            "kind_label": department.get_kind_display(),
            "parent_id": department.parent_id,
            "depth": depth,
            "reviewer_role": department.reviewer_role,
        }
        for department, depth in department_index().preorder()
    ]


def position_summaries(
    positions: Iterable[Position], index: DepartmentIndex | None = None
) -> list[dict[str, Any]]:
    """Rows of positions annotated by ``reading.with_shown_labels`` and ``with_filled``."""
    index = index or department_index()
    result = []
    for position in positions:
        working = position.reads_working
        department = index.by_id.get(position.shown_department_id)
        version = position.current_version if position.current_version_id else None
        status = position.status if working else Position.Status.PUBLISHED
        result.append(
            {
                "id": position.pk,
                "title": position.shown_title,
                "code": position.shown_code,
                "department_id": position.shown_department_id,
                "department_name": department.name if department else "",
                "superior_id": position.shown_superior_id,
                "superior_title": position.shown_superior_title,
                "status": status,
                "status_label": Position.Status(status).label,
                "current_version": version.number if version else None,
                "reads_working_copy": working,
                "headcount": position.headcount
                if working or version is None
                else version.headcount,
                "filled": position.filled,
            }
        )
    return result


def content_of(position: Position) -> dict[str, Any]:
    """The editable content of a working copy (from ``with_sheet()``), as the API writes it."""
    data: dict[str, Any] = {
        "title": position.title,
        "code": position.code,
        "department": position.department_id,
        "reports_to": position.reports_to_id,
        "grade_min": position.grade_min,
        "grade_max": position.grade_max,
        "headcount": position.headcount,
        "sort_order": position.sort_order,
        "location": position.location,
        "purpose": position.purpose,
        "summary": position.summary,
        "commitments": position.commitments,
        "work_environment": position.work_environment,
        "other_requirements": position.other_requirements,
        "related_positions": sorted(p.pk for p in position.related_positions.all()),
    }
    for key, section in SECTIONS.items():
        if section.order_field is None:
            continue
        stored = sorted(
            getattr(position, key).all(),
            key=lambda row: (getattr(row, section.order_field), row.pk),
        )
        data[key] = [
            {"id": row.pk} | {name: getattr(row, name) for name in section.fields} for row in stored
        ]
    data["authorities"] = [
        {"name": row.name, "level": row.level} for row in manual_authorities(position)[0]
    ]
    try:
        qualification = position.qualification
    except ObjectDoesNotExist:
        qualification = None
    data["qualification"] = (
        {name: getattr(qualification, name) for name in SECTIONS["qualification"].fields}
        if qualification is not None
        else None
    )
    return data


def position_detail(user: User, position: Position, *, number: int | None = None) -> dict:
    """The sheet the user reads (the working copy, or a version as printed) and, for those who
    may edit, the editable content. ``position`` comes from ``with_sheet()``."""
    read = versions.read_sheet(user, position, number=number)
    can_edit = permissions.can_edit_position(user, position)
    return {
        "id": position.pk,
        "reads_working_copy": read.is_working_copy,
        "version": read.version.number if read.version is not None else None,
        "current_version": position.current_version.number if position.current_version_id else None,
        "versions": [v.number for v in read.versions],
        "lock_version": position.lock_version if read.is_working_copy else None,
        "can_edit": can_edit,
        "sheet": read.sheet,
        "content": content_of(position) if can_edit and read.is_working_copy else None,
    }


def etag(detail: dict) -> str:
    """The working copy's lock version; a version's number for what readers read."""
    if detail["lock_version"] is not None:
        return f'"{detail["lock_version"]}"'
    return f'"v{detail["version"]}"'


def version_rows(position: Position) -> list[dict[str, Any]]:
    return [
        {
            "number": version.number,
            "label": version.label,
            "title": version.title,
            "code": version.code,
            "effective_date": version.effective_date,
            "is_current": version.pk == position.current_version_id,
        }
        for version in position.versions.defer("sheet").order_by("-number")
    ]


def _held(employee: Employee) -> dict[str, Any] | None:
    current = getattr(employee, "current_assignments", None)
    if current is None:
        current = [a for a in employee.assignments.all() if a.end_date is None]
    if not current:
        return None
    position = current[0].position
    return {
        "id": position.pk,
        "title": position.title,
        "code": position.code,
        "department_name": position.department.name,
    }


def employee_row(employee: Employee) -> dict[str, Any]:
    return {
        "id": employee.pk,
        "name": employee.name,
        "employee_no": employee.employee_no,
        "username": employee.user.get_username(),
        "hired_on": employee.hired_on,
        "left_on": employee.left_on,
        "position": _held(employee),
    }


def employee_detail(user: User, employee: Employee) -> dict[str, Any]:
    history = list(
        employee.assignments.select_related("position__department").order_by("-start_date", "-pk")
    )
    return employee_row(employee) | {
        "assignments": [
            {
                "position_id": assignment.position_id
                if permissions.can_view_position(user, assignment.position)
                else None,
                "position_title": assignment.position.title,
                "start_date": assignment.start_date,
                "end_date": assignment.end_date,
                "reason": assignment.reason,
            }
            for assignment in history
        ]
    }


def org_nodes(positions: Iterable[Position], visible_ids: set[int]) -> list[dict[str, Any]]:
    """Positions by reporting line as the reader knows them (``shown_superior_id``); a superior
    the reader may not see is left out (null)."""
    return [
        {
            "id": position.pk,
            "title": position.shown_title,
            "code": position.shown_code,
            "department_id": position.shown_department_id,
            "superior_id": position.shown_superior_id
            if position.shown_superior_id in visible_ids
            else None,
        }
        for position in positions
    ]


def department_exists(pk: int) -> bool:
    return Department.objects.filter(pk=pk).exists()
