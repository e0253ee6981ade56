"""Print layouts as data: the registry, the resolution order, what each layout prints."""

from __future__ import annotations

import dataclasses

import pytest

from positions.layouts import (
    LAYOUTS,
    UnknownLayout,
    get_layout,
    printed_sheet,
    relation_diagram,
    resolve_layout,
)
from positions.models import Position
from positions.sheet import build_sheet
from positions.tests.factories import FullPositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet():
    position = FullPositionFactory(title="销售经理", code="FZ-XS-001")
    return build_sheet(Position.objects.with_sheet().get(pk=position.pk))


def test_resolve_layout_prefers_one_off_then_department_then_company():
    assert resolve_layout(one_off="a", department="b", company="c").key == "a"
    assert resolve_layout(department="b", company="c").key == "b"
    assert resolve_layout(company="c").key == "c"
    assert resolve_layout().key == "standard"
    assert resolve_layout(department="gone", company="c").key == "c"  # a removed layout


def test_get_layout_unknown_key_has_a_chinese_message():
    with pytest.raises(
        UnknownLayout, match="没有这种打印版式：zz。请从 standard、a、b、c 中选择。"
    ):
        get_layout("zz")


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_every_layout_prints_every_section_with_content(sheet, key):
    """Switching layouts never hides data: each section of the sheet is printed somewhere."""
    printed = printed_sheet(sheet, LAYOUTS[key])
    kinds = [(section.kind, section.label) for section in printed.sections]

    shown = {kind for kind, _ in kinds}
    assert {"text", "duties", "list", "authorities", "rows", "relationships", "indicators"} <= shown
    assert sum(kind == "text" for kind, _ in kinds) == 2  # 设岗目的 and 职位概要, each once
    assert [cell.value for row in printed.grid for cell in row if cell.label == "职位名称"] == [
        "销售经理"
    ]


def test_layout_labels_follow_the_forms(sheet):
    a, b, c = (printed_sheet(sheet, LAYOUTS[key]) for key in "abc")

    assert a.labels[:9] == (
        "职位名称", "所在部门", "直接上级", "职位编号", "工作地点", "制 定 者", "职位等级",
        "填写日期", "审 核 者",
    )  # fmt: skip
    assert b.labels[:4] == ("职位名称", "职位代码", "职位等级", "直属上级")
    assert "所属部门" in c.labels and "岗位职等" in c.labels and "职位使命" in c.labels
    rows = next(s for s in b.sections if s.kind == "rows")
    assert rows.label == "基本任职资格"
    assert rows.content[0].label == "最低学历"
    relationships = next(s for s in c.sections if s.kind == "relationships")
    assert relationships.label == "主要工作关系"
    assert relationships.content[0].label == "内部工作关系部门及职位"


def test_empty_sections_are_left_out(sheet):
    bare = dataclasses.replace(sheet, purpose=(), summary=(), indicators=())

    printed = printed_sheet(bare, LAYOUTS["c"])

    assert "职位使命" not in printed.labels
    assert "关键指标" not in printed.labels


def test_relation_diagram_puts_the_superior_above_and_reports_below(sheet):
    diagram = relation_diagram(sheet)
    superior = diagram.superior
    own = next(box for box in diagram.boxes if box.own)
    reports = [box for box in diagram.boxes if box.caption == "直接下属"]
    related = [box for box in diagram.boxes if box.caption == "相关职位"]

    assert superior.text == sheet.superior and superior.y < own.y
    assert superior.cx == own.cx
    assert [box.text for box in reports] == list(sheet.direct_reports)
    assert all(box.y > own.y for box in reports)
    assert all(box.y == own.y and box.x > own.x for box in related)
    assert max(box.x + box.width for box in diagram.boxes) <= diagram.width


def test_relation_diagram_sums_up_a_long_row(sheet):
    many = dataclasses.replace(sheet, direct_reports=tuple(f"职位{n}" for n in range(9)))

    assert relation_diagram(many).row("直接下属")[-1] == "等 5 个职位"


def test_layout_fingerprint_changes_with_its_labels():
    layout = LAYOUTS["a"]
    relabelled = dataclasses.replace(layout, labels={**layout.labels, "title": "岗位名称"})

    assert relabelled.fingerprint() != layout.fingerprint()
