"""Org chart geometry and drawing — plain Python, no Django, easy to test.

* ``layout(tree)`` places a forest of boxes as a tidy tree: every subtree is drawn as compactly
  as its contour allows, parents centred over their children, siblings kept ``sibling_gap``
  apart. A node whose children are all leaves (and at least ``stack_min`` of them) hangs them
  in two columns on either side of a vertical spine, so wide fan-outs do not make the chart
  kilometres wide. Contours are kept per horizontal band (``band`` pixels high) and include the
  connectors, so no two boxes overlap and no connector crosses another subtree's box.
* ``fit_text`` measures text by character count (CJK ≈ 1em, ASCII ≈ 0.55em) and truncates with
  "…".
* ``render_svg`` draws a laid-out chart of ``Card`` boxes as SVG: inline in the page (with
  expand/collapse links) or standalone (valid XML, the CJK font family named).
"""

from __future__ import annotations

import functools
import hashlib
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

# --- text ------------------------------------------------------------------------------------

ELLIPSIS = "…"
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


@functools.cache
def char_width(char: str) -> float:
    """Width of one character in em: wide (CJK, full-width) 1, others 0.55."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A"):
        return 1.0
    return 0.55


def text_width(text: str, font_size: float) -> float:
    """Estimated rendered width of ``text`` in pixels."""
    return sum(map(char_width, text)) * font_size


@functools.lru_cache(maxsize=4096)  # a chart repeats its titles, departments and sizes
def fit_text(text: str, max_width: float, font_size: float) -> str:
    """``text`` if it fits in ``max_width`` pixels, else its longest prefix that fits plus "…"."""
    if text_width(text, font_size) <= max_width:
        return text
    budget = max_width - char_width(ELLIPSIS) * font_size
    used = 0.0
    kept: list[str] = []
    for char in text:
        used += char_width(char) * font_size
        if used > budget:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


# --- layout ----------------------------------------------------------------------------------


@dataclass
class Node:
    """Layout input: a box of a given size and the boxes below it."""

    key: str
    width: float
    height: float
    children: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Box:
    key: str
    x: float  # left
    y: float  # top
    w: float
    h: float
    depth: int
    parent: str | None

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    points: tuple[tuple[float, float], ...]  # an orthogonal polyline, parent end first

    @property
    def path(self) -> str:
        first, *rest = self.points
        return f"M{_n(first[0])} {_n(first[1])}" + "".join(f" L{_n(x)} {_n(y)}" for x, y in rest)


@dataclass(frozen=True)
class Layout:
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float

    def box(self, key: str) -> Box:
        for box in self.boxes:
            if box.key == key:
                return box
        raise KeyError(key)


@dataclass(frozen=True)
class Spacing:
    sibling_gap: float = 22  # between neighbouring subtrees
    level_gap: float = 46  # between a parent and its children
    stack_min: int = 4  # leaf children hang in columns from this many on
    stack_gap: float = 36  # between the two columns of hanging leaves (the spine runs here)
    stack_top: float = 22  # between a parent and its first row of hanging leaves
    row_gap: float = 14  # between rows of hanging leaves
    margin: float = 20
    band: float = 8  # contour resolution


class _Sub:
    """A laid-out subtree in coordinates relative to its root's centre (x) and the page (y)."""

    __slots__ = ("boxes", "contour", "edges")

    def __init__(self) -> None:
        self.boxes: list[list] = []  # [key, x, y, w, h, depth, parent]
        self.edges: list[tuple[str, str, list[list[float]]]] = []
        self.contour: dict[int, list[float]] = {}  # band → [left, right]

    def shift(self, dx: float) -> None:
        if not dx:
            return
        for box in self.boxes:
            box[1] += dx
        for _parent, _child, points in self.edges:
            for point in points:
                point[0] += dx
        for extent in self.contour.values():
            extent[0] += dx
            extent[1] += dx

    def occupy(self, left: float, right: float, top: float, bottom: float, band: float) -> None:
        # The hottest loop of a large chart (a stack's spine spans thousands of bands): plain
        # comparisons, not min()/max() calls.
        first = math.floor(top / band)
        last = max(first, math.ceil(bottom / band) - 1)
        contour = self.contour
        for index in range(first, last + 1):
            extent = contour.get(index)
            if extent is None:
                contour[index] = [left, right]
            else:
                if left < extent[0]:
                    extent[0] = left
                if right > extent[1]:
                    extent[1] = right

    def absorb(self, other: _Sub) -> None:
        """Take ``other``'s boxes, connectors and contour (``other`` is used up: its contour
        may become this one's)."""
        self.boxes.extend(other.boxes)
        self.edges.extend(other.edges)
        contour, smaller = self.contour, other.contour
        if len(smaller) > len(contour):
            # The union is the same either way round: merge the smaller contour into the
            # larger (a subtree's contour was copied band by band at every level above it).
            contour, smaller = smaller, contour
            self.contour = contour
        for index, (left, right) in smaller.items():
            extent = contour.get(index)
            if extent is None:
                contour[index] = [left, right]
            else:
                if left < extent[0]:
                    extent[0] = left
                if right > extent[1]:
                    extent[1] = right


def _gap_shift(left: _Sub, right: _Sub, gap: float) -> float:
    """How far ``right`` must move right to clear ``left`` by ``gap`` in every shared band."""
    shift = -math.inf
    small, large = (
        (left.contour, right.contour)
        if len(left.contour) < len(right.contour)
        else (right.contour, left.contour)
    )
    for index in small:
        if index in large:
            shift = max(shift, left.contour[index][1] - right.contour[index][0] + gap)
    return 0.0 if shift == -math.inf else shift


def _row_side_by_side(subs: list[_Sub], gap: float) -> tuple[_Sub, list[float]]:
    """Subtrees placed left to right as tightly as their contours allow; returns the offsets."""
    merged = _Sub()
    offsets: list[float] = []
    for index, sub in enumerate(subs):
        offset = 0.0 if index == 0 else _gap_shift(merged, sub, gap)
        sub.shift(offset)
        offsets.append(offset)
        merged.absorb(sub)
    return merged, offsets


def _stack(
    leaves: list[Node], top: float, start: float, depth: int, parent: str, sp: Spacing
) -> _Sub:
    """Leaves in two columns either side of a spine at x = 0 that starts at ``start``."""
    block = _Sub()
    row_top = top
    middle = start
    for row_start in range(0, len(leaves), 2):
        row = leaves[row_start : row_start + 2]
        for side, child in enumerate(row):
            if side == 0:
                left, near = -sp.stack_gap / 2 - child.width, -sp.stack_gap / 2
            else:
                left, near = sp.stack_gap / 2, sp.stack_gap / 2
            block.boxes.append([child.key, left, row_top, child.width, child.height, depth, parent])
            block.occupy(left, left + child.width, row_top, row_top + child.height, sp.band)
            middle = row_top + child.height / 2
            block.edges.append((parent, child.key, [[0.0, start], [0.0, middle], [near, middle]]))
        row_top += max(child.height for child in row) + sp.row_gap
    block.occupy(-0.5, 0.5, start, middle, sp.band)  # the spine
    return block


def _place(node: Node, y: float, depth: int, parent: str | None, sp: Spacing) -> _Sub:
    sub = _Sub()
    half = node.width / 2
    bottom = y + node.height
    sub.boxes.append([node.key, -half, y, node.width, node.height, depth, parent])
    sub.occupy(-half, half, y, bottom, sp.band)
    children = node.children
    if not children:
        return sub
    leaves = [child for child in children if not child.children]
    if len(leaves) == len(children) and len(leaves) >= sp.stack_min:
        sub.absorb(_stack(leaves, bottom + sp.stack_top, bottom, depth + 1, node.key, sp))
        return sub
    child_y = bottom + sp.level_gap
    bus = bottom + sp.level_gap / 2
    # Each item of the row is a child's subtree, or (for many leaves beside deeper branches)
    # one block of hanging leaves in the middle of the row.
    items: list[tuple[_Sub, bool]] = []
    if len(leaves) >= sp.stack_min:
        branches = [child for child in children if child.children]
        trees = [(_place(child, child_y, depth + 1, node.key, sp), False) for child in branches]
        block = (_stack(leaves, child_y, bus, depth + 1, node.key, sp), True)
        items = [*trees[: len(trees) // 2], block, *trees[len(trees) // 2 :]]
    else:
        items = [(_place(child, child_y, depth + 1, node.key, sp), False) for child in children]
    merged, _ = _row_side_by_side([item for item, _ in items], sp.sibling_gap)

    def centres() -> list[float]:
        # A subtree's root is its first box; a block's spine is its first connector's start.
        return [
            item.edges[0][2][0][0] if is_block else item.boxes[0][1] + item.boxes[0][3] / 2
            for item, is_block in items
        ]

    first, *_, last = centres() * (2 if len(items) == 1 else 1)
    merged.shift(-(first + last) / 2)
    spread = centres()
    for (item, is_block), centre in zip(items, spread, strict=True):
        if is_block:
            for _parent, _child, points in item.edges:
                points[0:0] = (
                    [[0.0, bottom], [0.0, bus]] if abs(centre) >= 0.01 else [[0.0, bottom]]
                )
            continue
        key = item.boxes[0][0]
        if abs(centre) < 0.01:
            points = [[0.0, bottom], [0.0, child_y]]
        else:
            points = [[0.0, bottom], [0.0, bus], [centre, bus], [centre, child_y]]
        merged.edges.append((node.key, key, points))
    merged.occupy(min(*spread, 0.0), max(*spread, 0.0), bus - 1, bus + 1, sp.band)
    sub.absorb(merged)
    return sub


def layout(tree: Node | Sequence[Node], spacing: Spacing | None = None) -> Layout:
    """Place a tree (or a forest, trees side by side) of boxes; all coordinates ≥ margin."""
    sp = spacing or Spacing()
    roots = [tree] if isinstance(tree, Node) else list(tree)
    if not roots:
        return Layout(boxes=(), edges=(), width=2 * sp.margin, height=2 * sp.margin)
    forest, _ = _row_side_by_side([_place(root, 0.0, 0, None, sp) for root in roots], sp.level_gap)
    min_x = min(box[1] for box in forest.boxes)
    dx = sp.margin - min_x
    dy = sp.margin
    boxes = tuple(
        Box(key, x + dx, y + dy, w, h, depth, parent)
        for key, x, y, w, h, depth, parent in forest.boxes
    )
    edges = tuple(
        Edge(parent, child, tuple((x + dx, y + dy) for x, y in points))
        for parent, child, points in forest.edges
    )
    width = max(box.x + box.w for box in boxes) + sp.margin
    height = max(box.y + box.h for box in boxes) + sp.margin
    return Layout(boxes=boxes, edges=edges, width=width, height=height)


def tree_digest(tree: Node | Sequence[Node], spacing: Spacing | None = None) -> str:
    """A digest of everything ``layout`` reads: every node's key, size and place in the tree,
    and the spacing. Equal digests, equal layouts (the same code)."""
    roots = [tree] if isinstance(tree, Node) else list(tree)
    parts = [repr(spacing or Spacing()), str(len(roots))]
    stack = roots[::-1]
    while stack:  # preorder with each node's number of children: the shape, unambiguously
        node = stack.pop()
        parts.append(f"{node.key}\x00{node.width!r}\x00{node.height!r}\x00{len(node.children)}")
        stack.extend(node.children[::-1])
    return hashlib.blake2b("\x01".join(parts).encode(), digest_size=20).hexdigest()


def overlaps(boxes: Iterable[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Index pairs of rectangles (x, y, w, h) that overlap (touching edges do not count)."""
    rects = sorted(enumerate(boxes), key=lambda item: item[1][0])
    found: list[tuple[int, int]] = []
    for position, (index, (x, y, w, h)) in enumerate(rects):
        for other, (ox, oy, _ow, oh) in rects[position + 1 :]:
            if ox >= x + w:
                break
            if oy < y + h and y < oy + oh:
                found.append((index, other))
    return found


# --- what a box shows and which branches are open --------------------------------------------


@dataclass(frozen=True)
class ChartState:
    """Which branches are open: ``depth`` levels from the top, plus explicit exceptions."""

    depth: int = 3
    expand: frozenset[int] = frozenset()  # open although deeper than ``depth``
    collapse: frozenset[int] = frozenset()  # closed although within ``depth``
    default_depth: int = 3

    def is_open(self, pk: int, level: int) -> bool:
        if pk in self.collapse:
            return False
        return level < self.depth - 1 or pk in self.expand

    def toggled(self, pk: int, level: int) -> ChartState:
        expand, collapse = set(self.expand), set(self.collapse)
        if self.is_open(pk, level):
            expand.discard(pk)
            if level < self.depth - 1:
                collapse.add(pk)
        else:
            collapse.discard(pk)
            if not level < self.depth - 1:
                expand.add(pk)
        return ChartState(self.depth, frozenset(expand), frozenset(collapse), self.default_depth)

    def query(self) -> str:
        """The state as a query string ("" for the default view)."""
        params: list[tuple[str, str]] = []
        if self.depth != self.default_depth:
            params.append(("depth", str(self.depth)))
        if self.expand:
            params.append(("expand", ",".join(str(pk) for pk in sorted(self.expand))))
        if self.collapse:
            params.append(("collapse", ",".join(str(pk) for pk in sorted(self.collapse))))
        return urlencode(params, safe=",")


class CardKind:
    POSITION = "position"
    FOCUS = "focus"  # the position the chart starts from
    SUPERIOR = "superior"  # the focus position's superior
    OUTSIDE = "outside"  # a department chart's superior outside the department


@dataclass(frozen=True)
class Card:
    key: str
    pk: int
    title: str
    code: str
    department: str
    holders: tuple[str, ...]
    url: str
    colour: str
    kind: str = CardKind.POSITION
    level: int = 0
    reports: int = 0  # direct reports in the chart's scope
    expanded: bool = False  # its direct reports are drawn
    toggle_query: str | None = None  # query string that flips ``expanded`` (None: no toggle)

    @property
    def vacant(self) -> bool:
        return not self.holders

    @property
    def hidden(self) -> int:
        return 0 if self.expanded else self.reports

    @property
    def holders_text(self) -> str:
        if not self.holders:
            return "空缺"
        if len(self.holders) <= 2:
            return "、".join(self.holders)
        return f"{'、'.join(self.holders[:2])} 等 {len(self.holders)} 人"

    @property
    def tooltip(self) -> str:
        lines = [f"{self.title}（{self.code}）" if self.code else self.title, self.department]
        lines.append(f"在岗：{'、'.join(self.holders)}" if self.holders else "空缺")
        if self.kind == CardKind.OUTSIDE:
            lines.append("部门外的直接上级")
        elif self.kind == CardKind.SUPERIOR:
            lines.append("直接上级")
        if self.hidden:
            lines.append(f"另有 {self.hidden} 个直接下属未展开")
        return "\n".join(lines)


# --- drawing ---------------------------------------------------------------------------------

CARD_WIDTH = 188.0
CARD_HEIGHT = 80.0
TEXT_PAD = 12.0
INK = "#212529"
MUTED = "#6c757d"
LINE = "#adb5bd"
BORDER = "#ced4da"
PRIMARY = "#0d6efd"
TITLE_ATTRS = {"text_anchor": "middle", "font_weight": "700", "fill": INK, "class_": "oc-title"}


def _n(value: float) -> str:
    """A coordinate: integers without decimals, others with one."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _text(
    x: float, y: float, text: str, max_width: float, size: float, **attrs: str | float
) -> str:
    shown = fit_text(text, max_width, size)
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attrs.items()
    )
    title = f"<title>{escape(text)}</title>" if shown != text else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{extra}>{escape(shown)}{title}</text>'
    )


def _card_svg(card: Card, box: Box, href: Callable[[str], str]) -> str:
    x, y, w, h = box.x, box.y, box.w, box.h
    cx = box.cx
    inner = w - 2 * TEXT_PAD
    context = card.kind in (CardKind.OUTSIDE, CardKind.SUPERIOR)
    fill = "#f8f9fa" if context else "#ffffff"
    stroke, stroke_width, dash = BORDER, "1", ""
    if card.kind == CardKind.FOCUS:
        stroke, stroke_width = PRIMARY, "2.5"
    elif context:
        stroke, dash = LINE, ' stroke-dasharray="5 3"'
    radius = 7
    stripe = (
        f'<path d="M{_n(x)} {_n(y + radius)} A{radius} {radius} 0 0 1 {_n(x + radius)} {_n(y)}'
        f' H{_n(x + w - radius)} A{radius} {radius} 0 0 1 {_n(x + w)} {_n(y + radius)} Z"'
        f' fill="{escape(card.colour)}"/>'
    )
    line2 = " · ".join(part for part in (card.code, card.department) if part)
    parts = [
        f'<g class="oc-node oc-{card.kind}{" oc-vacant" if card.vacant else ""}"'
        f' data-key="{escape(card.key)}">',
        f'<a href="{escape(href(card.url))}" class="oc-link">',
        f"<title>{escape(card.tooltip)}</title>",
        f'<rect class="oc-card" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
        f' rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>',
        stripe,
        _text(cx, y + 29, card.title, inner, 14, **TITLE_ATTRS),
        _text(cx, y + 48, line2, inner, 11.5, text_anchor="middle", fill=MUTED, class_="oc-meta"),
    ]
    if card.vacant:
        pill_w = 40.0
        parts.append(
            f'<rect x="{_n(cx - pill_w / 2)}" y="{_n(y + 56)}" width="{_n(pill_w)}" height="17"'
            ' rx="8.5" fill="#fff3cd" stroke="#ffe69c"/>'
        )
        parts.append(
            _text(
                cx,
                y + 68.5,
                "空缺",
                pill_w,
                11.5,
                text_anchor="middle",
                font_weight="700",
                fill="#997404",
                class_="oc-vacant-label",
            )
        )
    else:
        label = "在岗 "
        label_w = text_width(label, 11.5)
        names = fit_text(card.holders_text, inner - label_w, 12)
        total = label_w + text_width(names, 12)
        start = cx - total / 2
        parts.append(
            f'<text x="{_n(start)}" y="{_n(y + 69)}" font-size="12" fill="{INK}"'
            f' class="oc-holders"><tspan font-size="11.5" fill="{MUTED}">{label}</tspan>'
            f"{escape(names)}</text>"
        )
    parts.append("</a>")
    parts.append("</g>")
    return "".join(parts)


def _toggle_svg(card: Card, box: Box, toggle_href: Callable[[str], str] | None) -> str:
    """The expand/collapse handle under a box with direct reports."""
    if not card.reports:
        return ""
    if card.expanded and toggle_href is None:
        return ""
    label = "−" if card.expanded else f"+{card.hidden}"
    width = max(22.0, text_width(label, 11) + 14)
    x, y = box.cx - width / 2, box.y + box.h - 9
    body = (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="18" rx="9"'
        f' fill="#ffffff" stroke="{LINE}"/>'
        f'<text x="{_n(box.cx)}" y="{_n(y + 13)}" font-size="11" text-anchor="middle"'
        f' font-weight="700" fill="{MUTED}">{escape(label)}</text>'
    )
    if toggle_href is None or card.toggle_query is None:
        return f'<g class="oc-more">{body}</g>'
    action = "收起直接下属" if card.expanded else f"展开 {card.hidden} 个直接下属"
    return (
        f'<a class="oc-toggle{" oc-toggle-less" if card.expanded else ""}"'
        f' href="{escape(toggle_href(card.toggle_query))}"'
        f' data-key="{escape(card.key)}" aria-label="{escape(card.title)}：{action}">'
        f"<title>{action}</title>{body}</a>"
    )


def render_svg(
    chart_layout: Layout,
    cards: dict[str, Card],
    *,
    title: str,
    href: Callable[[str], str] = lambda url: url,
    toggle_href: Callable[[str], str] | None = None,
    standalone: bool = False,
) -> str:
    """The chart as SVG markup.

    ``href`` turns a card's URL into the link written (absolute for downloads);
    ``toggle_href`` turns a toggle's query string into a link (None: no expand/collapse links,
    collapsed branches show a static "+N"). ``standalone`` adds the XML declaration and a white
    background, for a file of its own.
    """
    width, height = _n(chart_layout.width), _n(chart_layout.height)
    parts: list[str] = []
    if standalone:
        parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="oc-svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}"'
        f' role="group" aria-label="{escape(title)}">'
    )
    parts.append(f"<title>{escape(title)}</title>")
    if standalone:
        parts.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    parts.append(f'<g class="oc-edges" fill="none" stroke="{LINE}" stroke-width="1.5">')
    parts.extend(f'<path d="{edge.path}"/>' for edge in chart_layout.edges)
    parts.append("</g>")
    for box in chart_layout.boxes:
        card = cards[box.key]
        parts.append(_card_svg(card, box, href))
    for box in chart_layout.boxes:
        parts.append(_toggle_svg(cards[box.key], box, toggle_href))
    parts.append("</svg>")
    return "".join(parts)
