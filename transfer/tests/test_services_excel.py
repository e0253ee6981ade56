"""The workbook format: the template, and the export (working copy or version in force)."""

from __future__ import annotations

import pytest

from positions import permissions
from positions.models import Duty, Position
from positions.tests.factories import (
    DutyFactory,
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)
from transfer.services import excel
from transfer.tests.excel_helpers import open_bytes

pytestmark = pytest.mark.django_db


def rows(workbook, name: str) -> list[list]:
    return [list(row) for row in workbook[name].iter_rows(min_row=2, values_only=True)]


def test_template_has_every_sheet_with_chinese_headers_in_spec_order():
    workbook = open_bytes(excel.template_workbook())
    assert workbook.sheetnames == [
        "职位",
        "工作职责",
        "工作权限",
        "任职资格",
        "工作关系",
        "关键指标",
        "部门列表",
        "说明",
    ]
    for spec in excel.WORKBOOK:
        sheet = workbook[spec.name]
        assert [cell.value for cell in sheet[1]] == spec.headers
        assert sheet.freeze_panes == "A2"
    assert [c.value for c in workbook["职位"][1]][:4] == [
        "职位编号",
        "职位名称",
        "所在部门",
        "直接上级",
    ]


def test_template_has_a_filled_example_row_on_each_sheet():
    workbook = open_bytes(excel.template_workbook())
    assert rows(workbook, "职位")[0][:2] == ["示例-001", "销售主管"]
    assert rows(workbook, "工作职责")[0][:6] == [
        "示例-001",
        1,
        "销售业务管理",
        "重点工作",
        "销售计划",
        "制定月度销售计划\n跟踪计划执行",
    ]
    assert rows(workbook, "任职资格")[0][1] == "大专"


def test_template_offers_dropdowns_of_the_choice_labels():
    workbook = open_bytes(excel.template_workbook())
    lists = {
        (sheet.title, str(v.sqref)): v.formula1
        for sheet in workbook.worksheets
        for v in sheet.data_validations.dataValidation
    }
    assert lists[("工作职责", "D2:D2001")] == '"重点工作,一般工作"'
    assert lists[("工作职责", "G2:G2001")] == '"全责,部分,协助"'
    assert lists[("工作权限", "C2:C2001")] == '"提议,审核,会签,审批,执行,知情"'
    assert lists[("工作关系", "B2:B2001")] == '"内部工作关系,外部工作关系,行政管理关系"'
    assert lists[("任职资格", "B2:B2001")] == '"高中/中专,大专,本科,硕士,博士"'


def test_template_lists_departments_for_the_department_column(departments):
    workbook = open_bytes(excel.template_workbook())
    assert ["FZ-XS", "销售部", "福州公司"] in rows(workbook, "部门列表")
    validation = next(
        v for v in workbook["职位"].data_validations.dataValidation if str(v.sqref) == "C2:C2001"
    )
    assert validation.formula1 == "'部门列表'!$A$2:$A$7"


def test_export_of_working_copy_writes_every_section(hr_user):
    position = FullPositionFactory(code="FZ-XS-001")
    DutyFactory(position=position, rank=9, tasks="第一行\n第二行", kind=Duty.Kind.GENERAL)
    contents = excel.contents_for(hr_user, Position.objects.filter(pk=position.pk))
    workbook = open_bytes(excel.position_workbook(contents))
    (head,) = rows(workbook, "职位")
    assert head[:4] == [
        "FZ-XS-001",
        "销售经理",
        position.department.code,
        excel.position_key(position.reports_to),
    ]
    duties = rows(workbook, "工作职责")
    assert [d[1] for d in duties] == list(range(1, position.duties.count() + 1))
    assert duties[-1][3:6] == ["一般工作", duties[-1][4], "第一行\n第二行"]
    assert len(rows(workbook, "任职资格")) == 1
    assert len(rows(workbook, "工作关系")) == position.relationships.count()


def test_export_for_reader_is_the_version_in_force_never_the_draft(seed):
    clerk = Position.objects.get(code="FZ-XS-101")
    clerk.title = "草稿中的新名称"
    clerk.summary = "尚未生效的概要"
    clerk.status = Position.Status.DRAFT
    clerk.save()
    reader = UserFactory(username="other-manager")
    reader.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=reader, position=Position.objects.get(title="营销策划经理"))
    contents = excel.contents_for(reader, Position.objects.filter(pk=clerk.pk))
    workbook = open_bytes(excel.position_workbook(contents))
    text = " ".join(str(v) for r in rows(workbook, "职位") for v in r if v)
    assert "售楼员" in text and "FZ-XS-101" in text
    assert "草稿中的新名称" not in text and "尚未生效的概要" not in text
    assert rows(workbook, "职位")[0][3] == "FZ-XS-001"  # superior 销售经理 by its code


def test_export_of_unpublished_position_for_reader_is_empty():
    PositionFactory(status=Position.Status.DRAFT, publish=False)
    reader = UserFactory(username="reader")
    assert excel.contents_for(reader, Position.objects.all()) == []


def test_roster_template_has_headers_example_and_help():
    workbook = open_bytes(excel.roster_workbook())
    assert workbook.sheetnames == ["花名册", "说明"]
    assert [c.value for c in workbook["花名册"][1]] == ["姓名", "工号", "职位编号", "入职日期"]
    assert rows(workbook, "花名册")[0][:3] == ["张三", "E0001", "示例-001"]


FORMULA_LIKE = ['=A1&"经理"', "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1"]
FORMULA_IDS = ["equals", "plus", "minus", "at", "tab", "cr"]


def assert_text_cell(cell, value: str) -> None:
    """What Excel shows: the very text, stored as text (not a formula)."""
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)


@pytest.mark.parametrize("payload", FORMULA_LIKE[:4], ids=FORMULA_IDS[:4])
def test_export_writes_formula_like_text_as_text(hr_user, payload):
    # Exported text is normalised (outer spaces, tabs and line breaks trimmed): = + - @ remain.
    position = PositionFactory(code="XS-1", title=payload, summary=payload)
    DutyFactory(position=position, tasks=payload, assessment=payload)
    contents = excel.contents_for(hr_user, Position.objects.filter(pk=position.pk))

    workbook = open_bytes(excel.position_workbook(contents))

    head = workbook["职位"][2]
    assert_text_cell(head[1], payload)  # 职位名称
    assert_text_cell(head[9], payload)  # 职位概要
    duty = workbook["工作职责"][2]
    assert_text_cell(duty[5], payload)  # 工作内容
    assert_text_cell(duty[7], payload)  # 考核要点
    assert not any(
        cell.data_type == "f" for sheet in workbook for row in sheet.iter_rows() for cell in row
    )


@pytest.mark.parametrize("payload", FORMULA_LIKE, ids=FORMULA_IDS)
def test_roster_workbook_writes_formula_like_text_as_text(payload):
    workbook = open_bytes(excel.roster_workbook([[payload, payload, "XS-1", None]]))

    row = workbook["花名册"][2]
    assert_text_cell(row[0], payload)
    assert_text_cell(row[1], payload)
