"""The pure org chart module: tree layout, text fitting, branch state and the SVG drawing."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from orgchart.layout import (
    Card,
    CardKind,
    ChartState,
    Node,
    Spacing,
    fit_text,
    layout,
    overlaps,
    render_svg,
    text_width,
    tree_digest,
)

SVG = "{http://www.w3.org/2000/svg}"


def random_tree(count: int, seed: int, *, widths: tuple[float, ...] = (188.0,)) -> Node:
    """A seeded random tree: a few deep chains, wide fan-outs and leaf-only families."""
    rng = random.Random(seed)
    nodes = [Node(f"n{i}", rng.choice(widths), rng.choice((80.0, 96.0))) for i in range(count)]
    for index in range(1, count):
        if rng.random() < 0.6:
            parent = rng.randrange(max(0, index - 25), index)  # deep, local
        else:
            parent = rng.randrange(0, min(index, 6))  # wide fan-outs near the top
        nodes[parent].children.append(nodes[index])
    return nodes[0]


def rects(chart_layout) -> list[tuple[float, float, float, float]]:
    return [(box.x, box.y, box.w, box.h) for box in chart_layout.boxes]


def test_layout_single_box_sits_at_the_margin():
    result = layout(Node("a", 100, 50))
    (box,) = result.boxes
    assert (box.x, box.y, box.w, box.h) == (20, 20, 100, 50)
    assert (result.width, result.height) == (140, 90)
    assert result.edges == ()


def test_layout_parent_is_centred_above_its_children():
    tree = Node("boss", 100, 50, [Node("a", 100, 50), Node("b", 100, 50), Node("c", 100, 50)])
    result = layout(tree, Spacing(stack_min=10))
    boss, a, b, c = (result.box(key) for key in ("boss", "a", "b", "c"))
    assert a.y == b.y == c.y > boss.y + boss.h
    assert a.x < b.x < c.x
    assert boss.cx == pytest.approx((a.cx + c.cx) / 2)
    assert b.x - (a.x + a.w) == pytest.approx(Spacing().sibling_gap)
    # Connectors run from the parent's bottom centre to each child's top centre.
    for edge in result.edges:
        child = result.box(edge.child)
        assert edge.points[0] == (boss.cx, boss.y + boss.h)
        assert edge.points[-1] == (child.cx, child.y)


def test_layout_many_leaves_hang_in_two_columns_beside_a_spine():
    leaves = [Node(f"l{i}", 100, 40) for i in range(5)]
    result = layout(Node("boss", 100, 40, leaves))
    boss = result.box("boss")
    columns = {result.box(f"l{i}").x for i in range(5)}
    assert len(columns) == 2
    rows = sorted({result.box(f"l{i}").y for i in range(5)})
    assert len(rows) == 3 and rows[0] > boss.y + boss.h
    assert overlaps(rects(result)) == []
    for edge in result.edges:
        assert edge.points[0][0] == boss.cx  # the spine under the parent


def test_layout_many_leaves_beside_deeper_branches_hang_in_a_block_between_them():
    branches = [Node(f"b{i}", 100, 40, [Node(f"b{i}c", 100, 40)]) for i in range(2)]
    leaves = [Node(f"l{i}", 100, 40) for i in range(6)]
    result = layout(Node("boss", 100, 40, [branches[0], *leaves, branches[1]]))
    boss, left, right = result.box("boss"), result.box("b0"), result.box("b1")
    block = [result.box(f"l{i}") for i in range(6)]
    assert left.x < min(box.x for box in block) and max(box.x for box in block) < right.x
    assert len({box.x for box in block}) == 2 and len({box.y for box in block}) == 3
    assert min(box.y for box in block) == left.y == right.y  # the block starts with the row
    assert boss.cx == pytest.approx((left.cx + right.cx) / 2)
    assert overlaps(rects(result)) == []
    # Each leaf's connector: parent → bus → the block's spine → down → across to the leaf.
    for edge in result.edges:
        if edge.child.startswith("l"):
            assert edge.points[0] == (boss.cx, boss.y + boss.h)
            leaf = result.box(edge.child)
            assert edge.points[-1][1] == leaf.y + leaf.h / 2


def test_layout_forest_places_trees_side_by_side():
    result = layout([Node("a", 100, 50, [Node("a1", 100, 50)]), Node("b", 100, 50)])
    assert result.box("a").y == result.box("b").y
    assert result.box("b").x >= result.box("a1").x + 100
    assert overlaps(rects(result)) == []


def test_layout_empty_forest_is_an_empty_chart():
    assert layout([]).boxes == ()


@pytest.mark.parametrize(("count", "seed"), [(50, 1), (200, 2), (200, 3), (600, 4)])
def test_layout_random_trees_have_no_overlapping_boxes(count, seed):
    result = layout(random_tree(count, seed, widths=(120.0, 188.0, 240.0)))
    assert len(result.boxes) == count
    assert overlaps(rects(result)) == []
    assert all(box.x >= 20 and box.y >= 20 for box in result.boxes)
    assert max(box.x + box.w for box in result.boxes) + 20 == pytest.approx(result.width)


def _crosses(segment, box) -> bool:
    (x1, y1), (x2, y2) = segment
    left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return left < box.x + box.w and box.x < right and top < box.y + box.h and box.y < bottom


def test_layout_connectors_never_cross_another_box():
    result = layout(random_tree(200, 5))
    for edge in result.edges:
        for segment in zip(edge.points, edge.points[1:], strict=False):
            for box in result.boxes:
                if box.key not in (edge.parent, edge.child):
                    assert not _crosses(segment, box), (edge, box)


def test_tree_digest_is_equal_for_equal_trees_and_differs_for_any_change_layout_reads():
    def box(key: str, *below: Node, width: float = 188.0) -> Node:
        return Node(key, width, 56.0, list(below))

    def base() -> list[Node]:
        return [box("a", box("b", box("c")), box("d"))]

    assert tree_digest(base()) == tree_digest(base()) == tree_digest(base()[0])
    assert layout(base()) == layout(base())
    variants = [
        [box("a", box("b", box("c")), box("d"), width=200.0)],  # a wider box
        [box("a", box("x", box("c")), box("d"))],  # another key
        [box("a", box("b"), box("c"), box("d"))],  # c moved up a level
        [box("a", box("b", box("c"))), box("d")],  # d a second tree
    ]
    digests = {tree_digest(base()), *(tree_digest(variant) for variant in variants)}
    assert len(digests) == 1 + len(variants)
    assert tree_digest(base(), Spacing(sibling_gap=30)) != tree_digest(base())


def test_overlaps_finds_overlapping_rectangles_only():
    assert overlaps([(0, 0, 10, 10), (10, 0, 10, 10), (5, 5, 10, 10)]) == [(0, 2), (2, 1)]


def test_text_width_counts_cjk_as_one_em_and_ascii_as_055():
    assert text_width("销售经理", 10) == 40
    assert text_width("FZ-XS", 10) == pytest.approx(27.5)


def test_fit_text_keeps_short_text_and_truncates_long_text_with_ellipsis():
    assert fit_text("销售经理", 60, 14) == "销售经理"
    fitted = fit_text("集团营销中心华南区域高级销售经理", 100, 14)
    assert fitted.endswith("…")
    assert fitted.startswith("集团营销")
    assert text_width(fitted, 14) <= 100


def test_chart_state_toggles_round_trip_through_the_query():
    state = ChartState(depth=3)
    assert state.query() == ""
    assert state.is_open(1, 0) and state.is_open(1, 1) and not state.is_open(1, 2)
    closed = state.toggled(7, 0)
    assert closed.query() == "collapse=7" and not closed.is_open(7, 0)
    assert closed.toggled(7, 0) == state
    opened = state.toggled(9, 2)
    assert opened.query() == "expand=9" and opened.is_open(9, 2)
    assert ChartState(depth=5, expand=frozenset({2, 1})).query() == "depth=5&expand=1,2"


def card(key: str, title: str, **fields) -> Card:
    values = {
        "key": key,
        "pk": int(key[1:]),
        "title": title,
        "code": "",
        "department": "销售部",
        "holders": (),
        "url": f"/positions/{key[1:]}/",
        "colour": "#0d6efd",
    }
    return Card(**(values | fields))


def test_render_svg_standalone_is_valid_xml_with_boxes_links_and_full_titles():
    long_title = "集团营销中心华南区域高级销售经理（兼案场管理）"
    cards = {
        "p1": card(
            "p1",
            "销售经理",
            code="FZ-XS-001",
            holders=("陈经理",),
            reports=2,
            expanded=True,
            kind=CardKind.FOCUS,
            toggle_query="collapse=1",
        ),
        "p2": card("p2", "售楼员 <A&B>"),
        "p3": card("p3", long_title),
    }
    tree = Node("p1", 188, 80, [Node("p2", 188, 80), Node("p3", 188, 80)])
    svg = render_svg(
        layout(tree),
        cards,
        title="销售经理 · 架构图",
        href=lambda url: "https://hr.example" + url,
        standalone=True,
    )
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    assert "Noto Sans CJK SC" in root.get("font-family")
    boxes = root.findall(f".//{SVG}rect[@class='oc-card']")
    assert len(boxes) == 3
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "销售经理" in texts and "售楼员 <A&B>" in texts
    assert "在岗 陈经理" in texts
    assert "空缺" in texts
    truncated = [t for t in root.iter(f"{SVG}text") if (t.text or "").endswith("…")]
    assert truncated and truncated[0].find(f"{SVG}title").text == long_title
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert "https://hr.example/positions/2/" in links
    assert not any("collapse" in link for link in links)  # no toggles in a file


def test_render_svg_interactive_has_toggle_links_and_hidden_counts():
    cards = {
        "p1": card("p1", "销售经理", reports=2, expanded=False, toggle_query="expand=1"),
    }
    svg = render_svg(
        layout(Node("p1", 188, 80)), cards, title="t", toggle_href=lambda q: f"/org/?{q}"
    )
    root = ET.fromstring(svg)
    (toggle,) = [a for a in root.iter(f"{SVG}a") if a.get("class") == "oc-toggle"]
    assert toggle.get("href") == "/org/?expand=1"
    assert toggle.get("aria-label") == "销售经理：展开 2 个直接下属"
    assert "+2" in "".join(toggle.itertext())
