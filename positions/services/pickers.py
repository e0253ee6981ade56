"""The editor's pickers: positions and departments matching what the HR editor types.

``picker_positions`` / ``picker_departments`` answer the search-as-you-type endpoints; the
editor form resolves a typed name with ``search_positions`` / ``search_departments`` when the
page is used without JavaScript. Pinyin initials (xsjl → 销售经理) match too.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from positions import hooks, permissions
from positions.models import Department, Position
from positions.org import department_index
from positions.text import initials_match, is_pinyin_query

PICKER_LIMIT = 20


def position_label(position: Position) -> str:
    return f"{position.department.name} · {position}"


def department_label(department: Department) -> str:
    parent = department.parent
    name = f"{parent.name} / {department.name}" if parent is not None else department.name
    return f"{name}（{department.code}）"


def search_positions(queryset: QuerySet[Position], query: str) -> QuerySet[Position]:
    """Positions matching 名称 / 编号 / 部门名称, closest first, for a picker."""
    return (
        queryset.search(query)
        .select_related("department")
        .order_by("department__order", "department__code", "code", "title", "pk")
    )


def search_departments(queryset: QuerySet[Department], query: str) -> list[Department]:
    """Departments matching 名称 / 编号 / 上级部门名称, in the tree's order."""
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(parent__name__icontains=query)
        )
    order = {dept.pk: i for i, (dept, _depth) in enumerate(department_index().preorder())}
    return sorted(queryset.select_related("parent"), key=lambda dept: order.get(dept.pk, 0))


def picker_positions(user: User | AnonymousUser, query: str) -> list[Position]:
    """Positions the user may see (archived ones left out) matching 名称, 编号 or 部门."""
    visible = Position.objects.filter(permissions.visible_positions_q(user)).active()
    found = search_positions(visible, query)
    if is_pinyin_query(query):  # or pinyin initials of the title / department
        pinyin = hooks.names_matching_q(user, query)
        found = search_positions(visible.filter(Q(pk__in=found.values("pk")) | pinyin), "")
    return list(found[:PICKER_LIMIT])


def picker_departments(user: User | AnonymousUser, query: str) -> list[Department]:
    """Departments the user may edit positions in, matching 名称, 编号 or 上级部门."""
    editable = Department.objects.filter(permissions.editable_departments_q(user))
    found = search_departments(editable, query)
    if is_pinyin_query(query):  # or pinyin initials of the name
        everything = search_departments(editable, "")
        found += [d for d in everything if d not in found and initials_match(d.name, query)]
    return found[:PICKER_LIMIT]
