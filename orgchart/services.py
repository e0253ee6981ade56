"""The org chart (组织架构图): positions by reporting line, as each reader may see them.

Three starting points, one shape of answer (``OrgChart``):

* ``organisation_chart(user)`` — every reporting tree of the organisation;
* ``position_chart(user, position_id)`` — the position, its superior above, its subtree below;
* ``department_chart(user, department_id)`` — the reporting trees of the positions in the
  department and its sub-departments; a top position reporting to a position outside gets that
  superior drawn above it as an "outside" box.

What a reader sees follows the published-versions rule: only positions in
``permissions.visible_positions_q(user)`` (archived ones never), and for positions whose working
copy the user does not read (``permissions.reads_working_copy``) the title, code and department
of the version in force. Reporting lines are the positions' ``reports_to`` links (for readers,
the links their versions in force were published with).

Queries are fixed whatever the size: the user's access, one light query for the structure
(ids, superiors, departments), one for the boxes drawn, one for their holders, and the
department index. Branches open ``depth`` levels deep; ``expand`` / ``collapse`` name positions
opened or closed beyond that (the page's expand/collapse links carry them). A chart of more than
``settings.ORGCHART_MAX_BOXES`` boxes raises ``ChartTooLarge`` before anything is laid out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import In, Lookup
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from orgchart import layout as orgchart
from orgchart.layout import Card, CardKind, ChartState, Layout, Node
from positions import permissions
from positions.models import Assignment, Department, Position, Version
from positions.org import DepartmentIndex, department_index
from printing.pdf import render_html

DEFAULT_DEPTH = 3
# Drawn SVGs kept in Django's cache (see ``OrgChart.svg``); bump the revision when the drawing
# code changes, so that a shared cache never serves the old drawing.
SVG_REVISION = 1
SVG_CACHE_SECONDS = 600
SVG_CACHE_MAX_CHARS = 2_000_000
MAX_DEPTH = 20
MAX_BOXES = 1500  # beyond this a chart stops opening branches (and says so)
TOO_LARGE_MESSAGE = "架构图过大，请选择部门或减少展开层级"


class ChartTooLarge(ValueError):
    """More boxes than ``settings.ORGCHART_MAX_BOXES``: nothing is laid out or drawn.

    Opening branches stops at ``MAX_BOXES``, but the top level (positions without a superior)
    is always drawn, and that alone can be any size.
    """

    def __init__(self, boxes: int, limit: int) -> None:
        self.boxes, self.limit = boxes, limit
        super().__init__(f"{TOO_LARGE_MESSAGE}（本图 {boxes} 个方框，上限 {limit} 个）。")


# Department colour hints, in the order departments first appear in a chart.
PALETTE = (
    "#0d6efd",
    "#198754",
    "#d63384",
    "#fd7e14",
    "#6f42c1",
    "#20c997",
    "#0dcaf0",
    "#dc3545",
    "#6610f2",
    "#b58900",
    "#6c757d",
    "#0b7285",
)


@dataclass(frozen=True)
class LegendEntry:
    department_id: int
    name: str
    colour: str
    count: int  # boxes of this department in the chart


@dataclass(frozen=True)
class OrgChart:
    """A laid-out chart: what the page, the SVG download and the PDF draw."""

    kind: str  # "organisation" | "position" | "department"
    title: str
    subtitle: str
    cards: dict[str, Card]
    layout: Layout
    legend: tuple[LegendEntry, ...]
    state: ChartState
    position_total: int  # positions in the chart's scope (drawn or folded away)
    truncated: bool  # MAX_BOXES reached: some branches stay closed
    focus_id: int | None = None  # position chart: the position
    superior_id: int | None = None  # position chart: its superior, when visible
    department: Department | None = None  # department chart: the department
    # The departments as the chart read them: the page's 部门架构 reuses them (one query less).
    index: DepartmentIndex | None = None
    # ``layout.tree_digest`` of what was laid out ("" when not known): stands for the layout
    # in the SVG's cache key (the layout is a function of it).
    layout_digest: str = ""

    @property
    def box_count(self) -> int:
        return len(self.layout.boxes)

    @property
    def shown_count(self) -> int:
        """Positions of the chart's scope drawn (context boxes above it not counted)."""
        context = (CardKind.OUTSIDE, CardKind.SUPERIOR)
        return sum(1 for card in self.cards.values() if card.kind not in context)

    @property
    def vacant_count(self) -> int:
        return sum(
            1
            for card in self.cards.values()
            if card.vacant and card.kind not in (CardKind.OUTSIDE, CardKind.SUPERIOR)
        )

    @property
    def has_outside(self) -> bool:
        return any(card.kind == CardKind.OUTSIDE for card in self.cards.values())

    def svg(
        self,
        *,
        base_path: str = "",
        link_prefix: str = "",
        interactive: bool = True,
        standalone: bool = False,
    ) -> str:
        """The chart as SVG; toggles link to ``base_path?<state>`` when ``interactive``."""

        # The SVG is a pure function of what is drawn: kept under a digest of all of it, so a
        # changed chart (a title, a holder, a line, a colour) is another key — nothing to
        # invalidate. The digest costs a tenth of the drawing.
        drawn = (
            SVG_REVISION,
            self.layout_digest or self.layout,
            tuple(self.cards.values()),
            self.title,
        )
        options = (base_path, link_prefix, interactive, standalone)
        digest = hashlib.blake2b(repr((drawn, options)).encode(), digest_size=20).hexdigest()
        key = f"orgchart:svg:{digest}"
        svg = cache.get(key)
        if svg is not None:
            return svg

        def toggle_href(query: str) -> str:
            return f"{base_path}?{query}" if query else base_path

        svg = orgchart.render_svg(
            self.layout,
            self.cards,
            title=self.title,
            href=lambda url: link_prefix + url,
            toggle_href=toggle_href if interactive else None,
            standalone=standalone,
        )
        if len(svg) <= SVG_CACHE_MAX_CHARS:
            cache.set(key, svg, SVG_CACHE_SECONDS)
        return svg


# --- the structure ---------------------------------------------------------------------------


class _Structure(NamedTuple):
    """The visible positions' reporting lines and departments, as the user sees them.

    Two dicts of ints rather than a record per position: the organisation chart reads all
    100,000 at scale, and dicts holding only ints are not tracked by Python's garbage
    collector — 100,000 small records were, and the collections they set off cost as much
    again as reading them (~80 ms of CPU).
    """

    parents: dict[int, int | None]  # position id → its superior's id
    departments: dict[int, int]  # position id → its department's id


class _AnyOf(In):
    """``id IN (…)`` of ids or an id subquery; on PostgreSQL ``id = ANY(ARRAY(…))``.

    A chart reads a department's positions, their versions and holders out of 100,000: with
    ``IN`` PostgreSQL knows how many rows to expect and hash-joins them against a sequential
    scan of all the versions or employees (or of every position, 10–20 ms each); an array
    built at run time counts as a few rows, so each is looked up by its index (~1–3 ms for a
    thousand). The same rows either way.
    """

    def get_prep_lookup(self):
        if isinstance(self.rhs, list):  # ids: In's per-value preparation cost a chart ~5 ms
            return [int(pk) for pk in self.rhs]
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if self.rhs_is_direct_value():
            ids = list(self.rhs)
            return f"{lhs} = ANY(ARRAY(SELECT unnest(%s::bigint[])))", (*lhs_params, ids)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _structure(user: User | AnonymousUser, scope: Q | Lookup | None = None) -> _Structure:
    """Visible, unarchived positions (id, superior id, department as seen), in one query."""
    rows = (
        Position.objects.filter(permissions.visible_positions_q(user))
        .active()
        .order_by()
        .values_list(
            "pk",
            "reports_to_id",
            "department_id",
            "current_version__department_id",
            "current_version__reports_to_id",
        )
    )
    if scope is not None:
        rows = rows.filter(scope)
    parents: dict[int, int | None] = {}
    departments: dict[int, int] = {}
    # The answer depends on the department only: asked once per department, not per row (the
    # whole organisation is read here — 10,000 rows at scale).
    reads_in: dict[int, bool] = {}
    for pk, parent, department_id, version_department_id, version_parent in rows:
        if department_id not in reads_in:
            reads_in[department_id] = permissions.reads_working_copy_in(user, department_id)
        reads_copy = version_department_id is None or reads_in[department_id]
        # Readers see the reporting line and department of the version in force.
        if reads_copy:
            parents[pk], departments[pk] = parent, department_id
        else:
            parents[pk], departments[pk] = version_parent, version_department_id
    return _Structure(parents, departments)


def _children(rows: dict[int, int | None]) -> dict[int, list[int]]:
    """Each position's direct reports within ``rows`` (position id → superior id)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in rows.items():
        if parent is not None and parent != pk and parent in rows:
            children[parent].append(pk)
    return children


def _forest_roots(rows: dict[int, int | None], children: dict[int, list[int]]) -> list[int]:
    """Positions without a superior in ``rows``; a reporting cycle gets one root (its first
    position, taken out of its superior's entry in ``children``)."""
    roots = [pk for pk, parent in rows.items() if parent not in rows or parent == pk]
    # Level by level: below the roots every position has one superior, so each is met once
    # and counting them says whether all were (the whole organisation is walked here —
    # 100,000 positions at scale).
    reached_count, level = len(roots), roots
    while level:
        level = [child for pk in level for child in children.get(pk, ())]
        reached_count += len(level)
    if reached_count == len(rows):
        return roots
    # Some positions sit in (or below) a reporting cycle (written around clean()): each cycle's
    # first position becomes a root and leaves its superior's reports, so the chart stays a
    # forest (a cycle's back edge made the drawing recurse without end).
    reached: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk not in reached:
            reached.add(pk)
            stack.extend(children.get(pk, ()))
    for pk in sorted(rows):
        if pk in reached:
            continue
        climbed: set[int] = set()
        while pk not in climbed:  # up to the cycle above (no root is above an unreached one)
            climbed.add(pk)
            pk = rows[pk]
        cycle, member = [pk], rows[pk]
        while member != pk:
            cycle.append(member)
            member = rows[member]
        root = min(cycle)
        children[rows[root]].remove(root)
        roots.append(root)
        stack = [root]
        while stack:
            current = stack.pop()
            if current not in reached:
                reached.add(current)
                stack.extend(children.get(current, ()))
    return roots


def _open_branches(
    roots: Iterable[int], children: dict[int, list[int]], state: ChartState
) -> tuple[dict[int, int], set[int], bool]:
    """Which positions are drawn (pk → level) and which are open, breadth first, capped."""
    levels: dict[int, int] = {}
    opened: set[int] = set()
    queue: deque[int] = deque()
    for pk in roots:
        if pk not in levels:
            levels[pk] = 0
            queue.append(pk)
    truncated = False
    while queue:
        pk = queue.popleft()
        below = [child for child in children.get(pk, ()) if child not in levels]
        if not below or not state.is_open(pk, levels[pk]):
            continue
        if len(levels) + len(below) > MAX_BOXES:
            truncated = True
            continue
        opened.add(pk)
        for child in below:
            levels[child] = levels[pk] + 1
            queue.append(child)
    return levels, opened, truncated


# --- the boxes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    title: str
    code: str
    department_id: int
    department: str
    sort_order: int = 0  # the position's 排序 (an ordering, not part of the sheet)


def _labels(
    user: User | AnonymousUser, ids: Iterable[int], index: DepartmentIndex
) -> dict[int, _Label]:
    """What the user reads of each position: working copy or version in force (one query).

    Department names come from ``index`` (the departments the chart read), not from joins.
    """
    rows = (
        Position.objects.filter(permissions.visible_positions_q(user))
        .active()
        .filter(_AnyOf(F("pk"), list(ids)))
        .order_by()
        .values_list(
            "pk",
            "title",
            "code",
            "department_id",
            "current_version_id",
            "current_version__title",
            "current_version__code",
            "current_version__department_id",
            "sort_order",
        )
    )
    names = {pk: department.name for pk, department in index.by_id.items()}
    reads_in: dict[int, bool] = {}  # asked once per department, not per box
    labels: dict[int, _Label] = {}
    for pk, title, code, dept_id, version_id, v_title, v_code, v_dept_id, order in rows:
        if dept_id not in reads_in:
            reads_in[dept_id] = permissions.reads_working_copy_in(user, dept_id)
        if version_id is None or reads_in[dept_id]:
            labels[pk] = _Label(title, code, dept_id, names.get(dept_id, ""), order)
        else:
            labels[pk] = _Label(v_title, v_code, v_dept_id, names.get(v_dept_id, ""), order)
    return labels


def _holder_names(ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The names of each position's current holders (not left), by 工号, in one query.

    What ``positions.services.reading.holders_by_position`` answers, as name tuples read from
    (position, name) rows: building an Assignment and an Employee per holder was a sixth of a
    1,000-box chart's CPU time.
    """
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        Assignment.objects.current()
        .filter(_AnyOf(F("position_id"), list(ids)), employee__left_on__isnull=True)
        .order_by("employee__employee_no", "employee__pk")
        .values_list("position_id", "employee__name")
    )
    for position_id, name in rows:
        names[position_id].append(name)
    return {pk: tuple(held) for pk, held in names.items()}


def _sheet_url_template() -> str:
    """The sheet URL with a ``{pk}`` placeholder: one ``reverse`` for a whole chart."""
    marker = 987654321
    return reverse("positions:position-sheet", kwargs={"pk": marker}).replace(str(marker), "{pk}")


class _Builder:
    """Turns drawn positions into cards and a layout tree."""

    def __init__(
        self,
        user: User | AnonymousUser,
        rows: dict[int, int | None],
        children: dict[int, list[int]],
        state: ChartState,
        extra_ids: Iterable[int] = (),
        index: DepartmentIndex | None = None,
    ) -> None:
        self.rows = rows
        self.children = children
        self.state = state
        index = index if index is not None else department_index()
        self.index = index
        self.order = {dept.pk: n for n, (dept, _depth) in enumerate(index.preorder())}
        self.levels: dict[int, int] = {}
        self.opened: set[int] = set()
        self.truncated = False
        self.user = user
        self.extra_ids = set(extra_ids)
        self.cards: dict[str, Card] = {}
        self.colours: dict[int, str] = {}
        self.counts: dict[int, int] = defaultdict(int)
        self.names: dict[int, str] = {}
        self.sheet_url = _sheet_url_template()

    def open(self, roots: list[int]) -> None:
        """Decide what is drawn; ChartTooLarge (before any label is read) when too much."""
        self.levels, self.opened, self.truncated = _open_branches(roots, self.children, self.state)
        ids = set(self.levels) | self.extra_ids
        if len(ids) > settings.ORGCHART_MAX_BOXES:
            raise ChartTooLarge(len(ids), settings.ORGCHART_MAX_BOXES)
        self.labels = _labels(self.user, ids, self.index)
        self.holders = _holder_names(ids)

    def key(self, pk: int) -> tuple:
        label = self.labels[pk]
        return (
            self.order.get(label.department_id, 0),
            label.sort_order,
            label.code == "",
            label.code,
            label.title,
            pk,
        )

    def sorted(self, ids: Iterable[int]) -> list[int]:
        return sorted((pk for pk in ids if pk in self.labels), key=self.key)

    def card(self, pk: int, kind: str = CardKind.POSITION, prefix: str = "p") -> Card:
        label = self.labels[pk]
        colour = self.colours.get(label.department_id)
        if colour is None:
            colour = PALETTE[len(self.colours) % len(PALETTE)]
            self.colours[label.department_id] = colour
            self.names[label.department_id] = label.department
        self.counts[label.department_id] += 1
        level = self.levels.get(pk, 0)
        in_tree = prefix == "p"
        reports = len(self.children.get(pk, ())) if in_tree else 0
        expanded = pk in self.opened
        toggle = None
        if in_tree and reports:
            toggle = self.state.toggled(pk, level).query()
        card = Card(
            key=f"{prefix}{pk}",
            pk=pk,
            title=label.title,
            code=label.code,
            department=label.department,
            holders=self.holders.get(pk, ()),
            url=self.sheet_url.format(pk=pk),
            colour=colour,
            kind=kind,
            level=level,
            reports=reports,
            expanded=expanded,
            toggle_query=toggle,
        )
        self.cards[card.key] = card
        return card

    def node(self, pk: int, kind: str = CardKind.POSITION) -> Node:
        card = self.card(pk, kind)
        node = Node(card.key, orgchart.CARD_WIDTH, orgchart.CARD_HEIGHT)
        if pk in self.opened:
            # The reports placed one level below it (a position chart's subtree may loop back
            # to its top through a reporting cycle: that report is drawn once, above).
            below = self.levels[pk] + 1
            drawn = [
                child for child in self.children.get(pk, ()) if self.levels.get(child) == below
            ]
            node.children = [self.node(child) for child in self.sorted(drawn)]
        return node

    def outside(self, pk: int, kind: str, below: list[Node]) -> Node:
        card = self.card(pk, kind, prefix="o")
        return Node(card.key, orgchart.CARD_WIDTH, orgchart.CARD_HEIGHT, below)

    def legend(self) -> tuple[LegendEntry, ...]:
        return tuple(
            LegendEntry(pk, self.names[pk], colour, self.counts[pk])
            for pk, colour in self.colours.items()
        )


def _state(depth: int, expand: Iterable[int], collapse: Iterable[int]) -> ChartState:
    return ChartState(
        depth=max(1, min(MAX_DEPTH, depth)),
        expand=frozenset(expand),
        collapse=frozenset(collapse),
        default_depth=DEFAULT_DEPTH,
    )


class _Layouts:
    """The latest layouts, in this process, by ``layout.tree_digest`` of what was laid out.

    A layout is a pure function of its tree (the boxes' keys and sizes and who is below whom),
    so the digest of the tree is the whole key: a changed chart is another key. Laying out a
    thousand boxes costs ~10 ms of CPU; a Layout is immutable, so the same object is handed to
    every request that draws that tree. At most ``size`` layouts are kept (least recently used
    dropped); charts are capped at ``settings.ORGCHART_MAX_BOXES`` boxes.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: OrderedDict[str, Layout] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, roots: list[Node]) -> tuple[Layout, str]:
        digest = orgchart.tree_digest(roots)
        with self.lock:
            kept = self.kept.get(digest)
            if kept is not None:
                self.kept.move_to_end(digest)
                return kept, digest
        laid_out = orgchart.layout(roots)
        with self.lock:
            self.kept[digest] = laid_out
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return laid_out, digest


LAYOUTS = _Layouts(size=32)


def _chart(builder: _Builder, roots: list[Node], **fields) -> OrgChart:
    laid_out, digest = LAYOUTS.get(roots)
    return OrgChart(
        cards=builder.cards,
        layout=laid_out,
        layout_digest=digest,
        legend=builder.legend(),
        state=builder.state,
        position_total=len(builder.rows),
        truncated=builder.truncated,
        index=builder.index,
        **fields,
    )


# --- the three charts ------------------------------------------------------------------------


def organisation_chart(
    user: User | AnonymousUser,
    *,
    depth: int = DEFAULT_DEPTH,
    expand: Iterable[int] = (),
    collapse: Iterable[int] = (),
) -> OrgChart:
    """Every reporting tree of the organisation the user may see."""
    state = _state(depth, expand, collapse)
    rows = _structure(user).parents
    children = _children(rows)
    builder = _Builder(user, rows, children, state)
    roots = _forest_roots(rows, children)
    builder.open(roots)
    nodes = [builder.node(pk) for pk in builder.sorted(roots)]
    return _chart(
        builder,
        nodes,
        kind="organisation",
        title="组织架构图",
        subtitle="全部职位按汇报关系排列",
    )


def position_chart(
    user: User | AnonymousUser,
    position_id: int,
    *,
    depth: int = DEFAULT_DEPTH,
    expand: Iterable[int] = (),
    collapse: Iterable[int] = (),
) -> OrgChart | None:
    """The position with its superior above and its subtree below; None when not visible."""
    state = _state(depth, expand, collapse)
    rows = _structure(user).parents
    if position_id not in rows:
        return None
    children = _children(rows)
    # The scope is the position's subtree (positions_total counts it).
    subtree: dict[int, int | None] = {}
    stack = [position_id]
    while stack:
        pk = stack.pop()
        if pk not in subtree:
            subtree[pk] = rows[pk]
            stack.extend(children.get(pk, ()))
    superior = rows[position_id]
    if superior not in rows or superior in subtree:
        superior = None
    sub_children = {pk: kids for pk, kids in children.items() if pk in subtree}
    builder = _Builder(user, subtree, sub_children, state, extra_ids=[superior] if superior else [])
    builder.open([position_id])
    focus = builder.node(position_id, CardKind.FOCUS)
    if superior is not None and superior in builder.labels:
        top = builder.outside(superior, CardKind.SUPERIOR, [focus])
    else:
        superior, top = None, focus
    label = builder.labels[position_id]
    return _chart(
        builder,
        [top],
        kind="position",
        title=f"{label.title} · 架构图",
        subtitle=f"{label.department} · 直接上级与全部下属",
        focus_id=position_id,
        superior_id=superior,
    )


def department_chart(
    user: User | AnonymousUser,
    department_id: int,
    *,
    depth: int = DEFAULT_DEPTH,
    expand: Iterable[int] = (),
    collapse: Iterable[int] = (),
) -> OrgChart | None:
    """The reporting trees of a department (sub-departments included); None when unknown.

    A top position whose superior lies outside the department hangs under that superior,
    drawn as a distinct "outside" box (when the user may see it).
    """
    state = _state(depth, expand, collapse)
    index = department_index()
    if department_id not in index.by_id:
        return None
    departments = index.subtree_ids(department_id)
    # The positions of the subtree by their own or their version's department (the rows are
    # narrowed to what the user sees below). One IN over a UNION: each side reads its index,
    # where an OR across the two tables made PostgreSQL join every position to its version.
    scope = _AnyOf(
        F("pk"),
        Position.objects.filter(department_id__in=departments)
        .order_by()
        .values("pk")
        .union(
            Version.objects.filter(department_id__in=departments).order_by().values("position_id")
        ),
    )
    structure = _structure(user, scope)
    rows = {
        pk: parent
        for pk, parent in structure.parents.items()
        if structure.departments[pk] in departments
    }
    children = _children(rows)
    roots = _forest_roots(rows, children)
    outside_ids = {rows[pk] for pk in roots if rows[pk] is not None and rows[pk] not in rows}
    builder = _Builder(user, rows, children, state, extra_ids=outside_ids, index=index)
    builder.open(roots)
    by_outside: dict[int | None, list[int]] = defaultdict(list)
    for pk in builder.sorted(roots):
        parent = rows[pk]
        by_outside[parent if parent in builder.labels and parent not in rows else None].append(pk)
    groups: list[tuple[tuple, Node]] = []
    for parent, members in by_outside.items():
        nodes = [builder.node(pk) for pk in members]
        first = builder.key(members[0])
        if parent is None:
            groups.extend((builder.key(pk), node) for pk, node in zip(members, nodes, strict=True))
        else:
            groups.append((first, builder.outside(parent, CardKind.OUTSIDE, nodes)))
    groups.sort(key=lambda item: item[0])
    department = index.by_id[department_id]
    return _chart(
        builder,
        [node for _key, node in groups],
        kind="department",
        title=f"{department.name} · 架构图",
        subtitle="本部门及下级部门的职位按汇报关系排列",
        department=department,
    )


# --- 部门架构: the department tree beside the chart --------------------------------------------


# The icon of a department by kind (as positions/_department_icon.html draws it).
DEPARTMENT_ICONS = {Department.Kind.GROUP: "bi-buildings", Department.Kind.COMPANY: "bi-building"}


@dataclass(frozen=True)
class DepartmentCount:
    department: Department
    depth: int
    own: int  # positions directly in the department
    total: int  # in the department and below
    url: str = ""  # its chart
    icon: str = "bi-people"


def department_counts(
    user: User | AnonymousUser, *, index: DepartmentIndex | None = None
) -> list[DepartmentCount]:
    """Every department in tree order with the positions the user sees (two queries; one
    when the chart's ``index`` is handed in).

    Positions count where the user sees them: the working copy's department for those who
    read it, the version in force's department for everyone else.
    """
    index = index if index is not None else department_index()
    visible = Position.objects.filter(permissions.visible_positions_q(user)).active().order_by()
    own: dict[int, int] = defaultdict(int)
    if permissions.reads_every_working_copy(user):
        # Every position counts where its working copy is: no join to the versions (an
        # index-only scan; the join read all 100,000 versions at scale).
        for department_id, count in (
            visible.values("department_id")
            .annotate(n=Count("pk"))
            .values_list("department_id", "n")
        ):
            own[department_id] += count
    elif not permissions.can_see_drafts(user):
        # Every position counts where its version in force is (its own department without one).
        where = Coalesce("current_version__department_id", "department_id")
        for department_id, count in (
            visible.annotate(where=where)
            .values("where")
            .annotate(n=Count("pk"))
            .values_list("where", "n")
        ):
            own[department_id] += count
    else:
        groups = (
            visible.values("department_id", "current_version__department_id")
            .annotate(n=Count("pk"))
            .values_list("department_id", "current_version__department_id", "n")
        )
        reads: dict[int, bool] = {}  # asked once per department
        for department_id, version_department_id, count in groups:
            if department_id not in reads:
                reads[department_id] = permissions.reads_working_copy_in(user, department_id)
            if version_department_id is None or reads[department_id]:
                own[department_id] += count
            else:
                own[version_department_id] += count
    preorder = index.preorder()
    totals: dict[int, int] = {}
    for department, _depth in reversed(preorder):
        totals[department.pk] = own.get(department.pk, 0) + sum(
            totals.get(child, 0) for child in index.children.get(department.pk, ())
        )
    marker = 987654321  # one reverse for every department
    url = reverse("positions:department-chart", kwargs={"pk": marker}).replace(str(marker), "{pk}")
    return [
        DepartmentCount(
            department,
            depth,
            own.get(department.pk, 0),
            totals[department.pk],
            url=url.format(pk=department.pk),
            icon=DEPARTMENT_ICONS.get(department.kind, "bi-people"),
        )
        for department, depth in preorder
    ]


def chart_pdf(chart: OrgChart, *, link_prefix: str, printed_by: str) -> bytes:
    """The chart on one page (A4 landscape, portrait for a tall chart, A3 for a wide one).

    Rendered through ``printing.pdf.render_html``: raises its ``PdfTooLarge``,
    ``PdfRenderTimeout`` or ``PdfRenderFailed``.
    """
    width = chart.layout.width
    page = "a3" if width > 1600 else ("portrait" if chart.layout.height > width * 1.2 else "a4")
    html = render_to_string(
        "positions/orgchart_pdf.html",
        {
            "chart": chart,
            "svg": chart.svg(link_prefix=link_prefix, interactive=False),
            "page": page,
            "printed_at": timezone.localtime(),
            "user_name": printed_by,
        },
    )
    return render_html(html)  # the render entry: size and time limits
