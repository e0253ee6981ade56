"""The ordered diff of two sheets (sheet_diff): inserted, removed, changed, moved, in place."""

from __future__ import annotations

import dataclasses

import pytest

from positions.models import Position
from positions.services.sheet_diff import diff_sheets
from positions.sheet import DutyGroup, DutyRow, Row, Sheet, build_sheet
from positions.tests.factories import FullPositionFactory

SALES = "制定年度销售计划，分解到各销售小组并跟踪完成情况"
TEAM = "组织销售团队的培训与考核，提升团队业务能力"
CLIENTS = "维护重点客户关系，处理客户投诉与回款"
REPORT = "每月编制销售分析报告，向副总经理汇报"


@pytest.fixture
def sheet() -> Sheet:
    position = FullPositionFactory()
    return build_sheet(Position.objects.with_sheet().get(pk=position.pk))


def with_duties(sheet: Sheet, *tasks: str) -> Sheet:
    rows = tuple(
        DutyRow(
            rank=rank,
            number=rank,
            title="",
            tasks=(task,),
            kind="",
            kind_label="",
            kind_note="",
            responsibility="",
            responsibility_label="",
            assessment=(),
        )
        for rank, task in enumerate(tasks, start=1)
    )
    duties = dataclasses.replace(sheet.duties, groups=(DutyGroup(heading="", duties=rows),))
    return dataclasses.replace(sheet, duties=duties)


def duty_marks(old: Sheet, new: Sheet) -> list[tuple[str, str]]:
    section = next(s for s in diff_sheets(old, new).sections if s.key == "duties")
    return [(item.status_label, item.new or item.old) for item in section.items]


@pytest.mark.django_db
def test_diff_sheets_marks_only_a_duty_inserted_between_two_as_added(sheet):
    old = with_duties(sheet, SALES, TEAM, CLIENTS)
    new = with_duties(sheet, SALES, REPORT, TEAM, CLIENTS)
    assert duty_marks(old, new) == [("", SALES), ("新增", REPORT), ("", TEAM), ("", CLIENTS)]
    assert diff_sheets(old, new).change_count == 1


@pytest.mark.django_db
def test_diff_sheets_marks_two_swapped_duties_as_moved(sheet):
    old = with_duties(sheet, SALES, TEAM, CLIENTS)
    new = with_duties(sheet, TEAM, SALES, CLIENTS)
    marks = duty_marks(old, new)
    assert [text for _, text in marks] == [TEAM, SALES, CLIENTS]  # the new order, no removals
    assert sorted(mark for mark, _ in marks[:2]) == ["", "移动"]  # one of the two moved
    assert marks[2] == ("", CLIENTS)


@pytest.mark.django_db
def test_diff_sheets_marks_a_duty_with_one_word_changed_as_changed_with_both_texts(sheet):
    edited = SALES.replace("年度", "季度")
    old = with_duties(sheet, SALES, TEAM, CLIENTS)
    new = with_duties(sheet, edited, TEAM, CLIENTS)
    section = next(s for s in diff_sheets(old, new).sections if s.key == "duties")
    changed = section.items[0]
    assert (changed.status_label, changed.old, changed.new) == ("修改", SALES, edited)
    assert [p.text for p in changed.old_pieces if p.marked] == ["年"]
    assert [p.text for p in changed.new_pieces if p.marked] == ["季"]
    assert [item.status for item in section.items[1:]] == ["same", "same"]


@pytest.mark.django_db
def test_diff_sheets_marks_a_replaced_duty_unlike_the_old_as_removed_and_added(sheet):
    old = with_duties(sheet, SALES, TEAM)
    new = with_duties(sheet, SALES, "负责售楼处的日常行政事务")
    assert duty_marks(old, new) == [
        ("", SALES),
        ("删除", TEAM),
        ("新增", "负责售楼处的日常行政事务"),
    ]


@pytest.mark.django_db
def test_diff_sheets_shows_a_new_qualification_row_at_its_place(sheet):
    rows = sheet.qualifications
    assert [row.label for row in rows][:2] == ["学历", "专业"]
    old = dataclasses.replace(sheet, qualifications=(rows[0], *rows[2:]))
    section = next(s for s in diff_sheets(old, sheet).sections if s.key == "qualifications")
    assert [(item.status_label, item.label) for item in section.items][:3] == [
        ("", "学历"),
        ("新增", "专业"),
        ("", rows[2].label),
    ]
    assert section.change_count == 1


@pytest.mark.django_db
def test_diff_sheets_pairs_a_changed_header_field_and_qualification_row_by_label(sheet):
    rows = sheet.qualifications
    new = dataclasses.replace(
        sheet,
        header=tuple(
            dataclasses.replace(f, value="厦门") if f.label == "工作地点" else f
            for f in sheet.header
        ),
        qualifications=(Row(label="学历", lines=("硕士及以上",)), *rows[1:]),
    )
    changes = {s.key: s.changes for s in diff_sheets(sheet, new).sections}
    assert [(i.status_label, i.label, i.new) for i in changes["header"]] == [
        ("修改", "工作地点", "厦门")
    ]
    assert [(i.status_label, i.label, i.new) for i in changes["qualifications"]] == [
        ("修改", "学历", "硕士及以上")
    ]
    assert diff_sheets(sheet, sheet).is_empty
