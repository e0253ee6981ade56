"""The department tree as an index: one query, then subtree and ancestor look-ups in memory.

Below ``permissions`` (which resolves editor scopes to subtrees) and above the models only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from positions.models import Department


@dataclass(frozen=True)
class DepartmentIndex:
    """All departments, loaded once, with their parent/child links resolved in memory."""

    by_id: dict[int, Department]
    children: dict[int | None, list[int]]
    roots: list[int]

    def preorder(self) -> list[tuple[Department, int]]:
        """Every department once, parents before children, siblings by (order, code)."""
        result: list[tuple[Department, int]] = []
        seen: set[int] = set()

        def walk(pk: int, depth: int) -> None:
            if pk in seen:
                return
            seen.add(pk)
            result.append((self.by_id[pk], depth))
            for child in self.children.get(pk, []):
                walk(child, depth + 1)

        for root in self.roots:
            walk(root, 0)
        return result

    def subtree_ids(self, pk: int) -> set[int]:
        """The department and all departments below it (empty when it does not exist)."""
        if pk not in self.by_id:
            return set()
        found: set[int] = set()
        stack = [pk]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(self.children.get(current, []))
        return found

    def ancestors(self, pk: int) -> list[Department]:
        """From the root down to the parent of the department."""
        chain: list[Department] = []
        seen = {pk}
        parent_id = self.by_id[pk].parent_id if pk in self.by_id else None
        while parent_id is not None and parent_id in self.by_id and parent_id not in seen:
            seen.add(parent_id)
            parent = self.by_id[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return list(reversed(chain))

    def in_tree_order(self, departments: Iterable[Department]) -> list[Department]:
        """``departments`` sorted as the tree lists them (for a drop-down of some of them)."""
        rank = {dept.pk: n for n, (dept, _depth) in enumerate(self.preorder())}
        return sorted(departments, key=lambda dept: (rank.get(dept.pk, len(rank)), dept.pk))

    def options(self) -> list[tuple[int, str]]:
        """(pk, label) pairs in tree order, labels indented by depth, for a select box."""
        return [(dept.pk, "\u3000" * depth + dept.name) for dept, depth in self.preorder()]


def department_index() -> DepartmentIndex:
    """Load every department in one query and index the hierarchy."""
    departments = list(Department.objects.order_by("order", "code", "pk"))
    by_id = {dept.pk: dept for dept in departments}
    children: dict[int | None, list[int]] = defaultdict(list)
    roots: list[int] = []
    for dept in departments:
        if dept.parent_id is None or dept.parent_id not in by_id:
            roots.append(dept.pk)
        else:
            children[dept.parent_id].append(dept.pk)
    # A parent cycle written around clean() would hide its members: surface them as roots.
    reachable: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current not in reachable:
            reachable.add(current)
            stack.extend(children.get(current, []))
    roots.extend(dept.pk for dept in departments if dept.pk not in reachable)
    return DepartmentIndex(by_id=by_id, children=dict(children), roots=roots)
