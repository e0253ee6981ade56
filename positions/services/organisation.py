"""Browsing the organisation: the department tree, its paths and subtrees.

Every function loads departments (and positions, where needed) in a fixed number of queries
and assembles the hierarchy in Python, so page query counts never grow with the size of the
organisation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from positions import permissions
from positions.layouts import LAYOUTS
from positions.models import Department, Position
from positions.org import DepartmentIndex, department_index


@dataclass
class TreeNode:
    """A department in the tree, with its own positions and its sub-departments."""

    department: Department
    depth: int
    positions: list[Position] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)

    @property
    def position_count(self) -> int:
        """Positions directly in this department."""
        return len(self.positions)

    @cached_property
    def total_count(self) -> int:
        """Positions in this department and every department below it."""
        return self.position_count + sum(child.total_count for child in self.children)

    @cached_property
    def department_count(self) -> int:
        """Departments below this one, at any depth."""
        return sum(1 + child.department_count for child in self.children)


def _build_nodes(
    index: DepartmentIndex, positions_by_department: dict[int, list[Position]], root_ids: list[int]
) -> list[TreeNode]:
    seen: set[int] = set()

    def build(pk: int, depth: int) -> TreeNode | None:
        if pk in seen:
            return None
        seen.add(pk)
        node = TreeNode(
            department=index.by_id[pk],
            depth=depth,
            positions=positions_by_department.get(pk, []),
        )
        for child_pk in index.children.get(pk, []):
            child = build(child_pk, depth + 1)
            if child is not None:
                node.children.append(child)
        return node

    return [node for pk in root_ids if (node := build(pk, 0)) is not None]


def department_tree(
    *,
    positions: QuerySet[Position] | None = None,
    root_id: int | None = None,
    include_archived: bool = False,
    index: DepartmentIndex | None = None,
) -> list[TreeNode]:
    """The department tree with the positions under each department, in two queries.

    Without ``root_id`` the whole organisation is returned (one node per top-level
    department); with it, a one-element list holding that department's subtree, or an empty
    list when the department does not exist. Archived positions are left out unless
    ``include_archived`` is set. ``positions`` narrows what is shown (for a user:
    ``permissions.visible_positions_q(user)``). Pass ``index`` to reuse departments already loaded.
    """
    index = index if index is not None else department_index()
    if root_id is not None and root_id not in index.by_id:
        return []
    base = positions if positions is not None else Position.objects.all()
    positions = base.select_related("reports_to").order_by("sort_order", "code", "title", "pk")
    if not include_archived:
        positions = positions.active()
    # A reader's positions (``services.with_shown_labels``) sit in the department of their
    # version in force, never where a draft has moved them.
    field = _department_field(positions)
    if root_id is not None:
        positions = positions.filter(**{f"{field}__in": index.subtree_ids(root_id)})
    positions_by_department: dict[int, list[Position]] = defaultdict(list)
    for position in positions:
        positions_by_department[getattr(position, field)].append(position)
    root_ids = index.roots if root_id is None else [root_id]
    return _build_nodes(index, positions_by_department, root_ids)


def _department_field(positions: QuerySet[Position]) -> str:
    """``shown_department_id`` when the queryset says what its reader is shown, else the row's."""
    return (
        "shown_department_id"
        if "shown_department_id" in positions.query.annotations
        else ("department_id")
    )


@dataclass(frozen=True)
class DepartmentPage:
    """What the department page shows."""

    department: Department
    ancestors: list[Department]
    node: TreeNode
    archived_count: int  # archived positions in the department and below


def department_page(
    department_id: int, *, positions: QuerySet[Position] | None = None
) -> DepartmentPage | None:
    """The department, its path, its subtree with active positions, and the archived count.

    The archived count covers the whole subtree, like the position list's department filter.
    ``positions`` narrows what is shown and counted (``permissions.visible_positions_q(user)``).
    """
    index = department_index()
    if department_id not in index.by_id:
        return None
    base = positions if positions is not None else Position.objects.all()
    nodes = department_tree(positions=base, root_id=department_id, index=index)
    archived_count = (
        base.filter(
            **{f"{_department_field(base)}__in": index.subtree_ids(department_id)},
            status=Position.Status.ARCHIVED,
        )
        .order_by()
        .count()
    )
    return DepartmentPage(
        department=index.by_id[department_id],
        ancestors=index.ancestors(department_id),
        node=nodes[0],
        archived_count=archived_count,
    )


def grade_overlap_q(low: int, high: int | None = None, *, prefix: str = "") -> Q:
    """Positions whose grade range overlaps [low, high] (a single grade when high is None).

    A position with only one end of its range set holds exactly that grade; a position with
    neither set matches no grade. ``prefix`` reads the range elsewhere, e.g.
    ``"current_version__"`` for the version in force's grade.
    """
    high = low if high is None else high
    lo, hi = f"{prefix}grade_min", f"{prefix}grade_max"
    starts_low_enough = Q(**{f"{lo}__lte": high}) | Q(**{f"{lo}__isnull": True, f"{hi}__lte": high})
    ends_high_enough = Q(**{f"{hi}__gte": low}) | Q(**{f"{hi}__isnull": True, f"{lo}__gte": low})
    return starts_low_enough & ends_high_enough


# --- changing a department -------------------------------------------------------------------


def set_reviewer_role(
    *, user: AbstractBaseUser, department: Department, reviewer_role: str
) -> Department:
    """Choose who reviews the department's sheets (``Department.reviewer_role``): HR 编辑 or
    the department's own 部门经理. Sheets already waiting for review follow the new setting.

    ``PermissionDenied`` when the user may not (``permissions.reviewer_setting_refusal``);
    ``ValidationError`` for a value that is not a reviewer role.
    """
    refusal = permissions.reviewer_setting_refusal(user, department)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if reviewer_role not in Department.ReviewerRole.values:
        raise ValidationError({"reviewer_role": "请选择有效的审核人。"}, code="invalid")
    Department.objects.filter(pk=department.pk).update(reviewer_role=reviewer_role)
    department.reviewer_role = reviewer_role
    return department


def set_sheet_layout(
    *, user: AbstractBaseUser, department: Department, sheet_layout: str
) -> Department:
    """Choose the department's print layout (``Department.sheet_layout``; "" follows 公司信息).

    ``PermissionDenied`` when the user may not (``permissions.layout_setting_refusal``);
    ``ValidationError`` for a value that is not a layout.
    """
    refusal = permissions.layout_setting_refusal(user, department)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if sheet_layout and sheet_layout not in LAYOUTS:
        raise ValidationError({"sheet_layout": "请选择有效的打印版式。"}, code="invalid")
    Department.objects.filter(pk=department.pk).update(sheet_layout=sheet_layout)
    department.sheet_layout = sheet_layout
    return department
