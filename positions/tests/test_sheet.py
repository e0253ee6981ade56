"""The sheet context: what build_sheet says about a position."""

import dataclasses
import json

import pytest

from positions.models import Duty, Position, Relationship
from positions.sheet import build_sheet, sheet_ascii_filename, sheet_filename
from positions.tests.factories import (
    DutyFactory,
    FullPositionFactory,
    PositionFactory,
    QualificationFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def sheet_of(position: Position):
    return build_sheet(Position.objects.with_sheet().get(pk=position.pk))


def test_build_sheet_header_has_all_eight_fields_with_values():
    sheet = sheet_of(FullPositionFactory(code="FZ-XS-001"))

    header = {field.label: field.value for field in sheet.header}
    assert list(header) == [
        "职位名称",
        "职位编号",
        "所在部门",
        "直接上级",
        "直接下属",
        "职位等级",
        "职位编制",
        "工作地点",
    ]
    assert header["职位名称"] == "销售经理"
    assert header["职位编号"] == "FZ-XS-001"
    assert header["所在部门"] == "销售部"
    assert header["直接上级"] == "副总经理"
    assert header["直接下属"] == "售楼员、收款文员"
    assert header["职位等级"] == "5–8"
    assert header["职位编制"] == "1 人"
    assert header["工作地点"] == "福州市"
    assert sheet.related_positions == ("营销策划专员",)
    assert [d.name for d in sheet.department_path] == ["地产集团", "福州公司", "销售部"]


def test_build_sheet_duties_grouped_in_rank_order_and_numbered_within_group():
    position = PositionFactory()
    DutyFactory(position=position, rank=3, group="销售业务管理", title="合同管理")
    DutyFactory(position=position, rank=1, group="参与部门管理", title="部门会议")
    DutyFactory(position=position, rank=2, group="销售业务管理", title="销售计划")
    DutyFactory(position=position, rank=4, group="参与部门管理", title="改善建议")

    groups = sheet_of(position).duties.groups

    assert [g.heading for g in groups] == ["参与部门管理", "销售业务管理"]
    assert [(d.number, d.rank, d.title) for d in groups[0].duties] == [
        (1, 1, "部门会议"),
        (2, 4, "改善建议"),
    ]
    assert [(d.number, d.rank, d.title) for d in groups[1].duties] == [
        (1, 2, "销售计划"),
        (2, 3, "合同管理"),
    ]


def test_build_sheet_duties_without_group_use_kind_as_heading():
    position = PositionFactory()
    DutyFactory(position=position, rank=1, kind=Duty.Kind.KEY, title="")
    DutyFactory(position=position, rank=2, kind=Duty.Kind.GENERAL, title="")
    DutyFactory(position=position, rank=3, kind=Duty.Kind.KEY, title="")

    table = sheet_of(position).duties

    assert [(g.heading, [d.number for d in g.duties]) for g in table.groups] == [
        ("重点工作", [1, 2]),
        ("一般工作", [1]),
    ]
    assert all(d.kind_note == "" for g in table.groups for d in g.duties)


def test_build_sheet_duty_labels_tasks_and_empty_columns():
    position = PositionFactory()
    DutyFactory(
        position=position,
        rank=1,
        title="",
        tasks="收集市场信息；\n\n  汇总客户反馈；  \n",
        responsibility="",
        assessment="",
    )

    table = sheet_of(position).duties
    duty = table.groups[0].duties[0]

    assert table.groups[0].heading == ""
    assert duty.tasks == ("收集市场信息；", "汇总客户反馈；")
    assert duty.responsibility_label == ""
    assert (table.show_title, table.show_responsibility, table.show_assessment) == (
        False,
        False,
        False,
    )
    assert table.column_count == 2


def test_build_sheet_duty_responsibility_and_kind_labels():
    position = PositionFactory()
    DutyFactory(
        position=position,
        rank=1,
        group="销售服务管理",
        kind=Duty.Kind.KEY,
        responsibility=Duty.Responsibility.PARTIAL,
        assessment="服务及时性\n投诉次数",
    )

    table = sheet_of(position).duties
    duty = table.groups[0].duties[0]

    assert duty.responsibility_label == "部分"
    assert duty.kind_label == duty.kind_note == "重点工作"
    assert duty.assessment == ("服务及时性", "投诉次数")
    assert table.column_count == 5


def test_build_sheet_empty_sections_are_dropped():
    position = PositionFactory(summary="", purpose="", commitments="", code="")

    sheet = sheet_of(position)

    assert sheet.summary == ()
    assert sheet.purpose == ()
    assert sheet.duties.groups == ()
    assert sheet.commitments == ()
    assert sheet.authorities == ()
    assert sheet.qualifications == ()
    assert sheet.relationships == ()
    assert sheet.indicators == ()
    assert [(s.label, s.name, s.date) for s in sheet.sign_offs] == [
        ("编制", "", ""),
        ("审核", "", ""),
        ("审批", "", ""),
    ]


def test_build_sheet_qualification_rows_drop_empty_ones():
    position = PositionFactory(work_environment="", other_requirements="无")
    QualificationFactory(
        position=position,
        education="bachelor",
        education_note="",
        major="营销类\n经济管理类",
        experience_years=3,
        experience="",
        knowledge="",
    )

    rows = {row.label: row.lines for row in sheet_of(position).qualifications}

    assert rows == {
        "学历": ("本科",),
        "专业": ("营销类", "经济管理类"),
        "工作经验": ("3 年以上工作经验",),
        "其他要求": ("无",),
    }


def test_build_sheet_relationships_grouped_internal_external_administrative():
    position = PositionFactory()
    RelationshipFactory(position=position, kind=Relationship.Kind.ADMINISTRATIVE, party="营销总监")
    RelationshipFactory(position=position, kind=Relationship.Kind.EXTERNAL, party="客户", order=2)
    RelationshipFactory(
        position=position, kind=Relationship.Kind.EXTERNAL, party="代理公司", order=1
    )
    RelationshipFactory(position=position, kind=Relationship.Kind.INTERNAL, party="财务部")

    groups = sheet_of(position).relationships

    assert [(g.label, [i.party for i in g.items]) for g in groups] == [
        ("内部工作关系", ["财务部"]),
        ("外部工作关系", ["代理公司", "客户"]),
        ("行政管理关系", ["营销总监"]),
    ]


def test_build_sheet_sign_offs_and_commitments():
    sheet = sheet_of(FullPositionFactory())

    assert [(s.label, s.name, s.date) for s in sheet.sign_offs] == [
        ("编制", "李鸿飞", "2024-03-01"),
        ("审核", "王审核", "2024-03-05"),
        ("审批", "陈审批", ""),
    ]
    assert sheet.commitments == ("保证销售计划按时完成；", "保证销售数据准确、及时；")
    assert [(a.name, a.level_label) for a in sheet.authorities] == [
        ("优惠申请权", "提议"),
        ("销售合同审核权", "审核"),
    ]


def test_build_sheet_issues_no_query_after_the_prefetch(django_assert_num_queries):
    position = Position.objects.with_sheet().get(pk=FullPositionFactory(duties=12).pk)

    with django_assert_num_queries(0):
        sheet = build_sheet(position)

    assert sheet.duties.count == 12


def test_build_sheet_is_json_serialisable():
    sheet = sheet_of(FullPositionFactory())

    data = json.loads(json.dumps(sheet.as_dict(), ensure_ascii=False))

    assert data["title"] == "销售经理"
    assert data["duties"]["groups"][0]["duties"][0]["tasks"][1] == "组织落实并跟踪执行情况；"


def test_sheet_as_dict_is_dataclasses_asdict():
    position = FullPositionFactory(duties=4)
    DutyFactory(position=position, rank=9, kind=Duty.Kind.GENERAL, responsibility="odd")
    sheet = sheet_of(position)

    data = sheet.as_dict()

    assert data == dataclasses.asdict(sheet)
    assert list(data) == [field.name for field in dataclasses.fields(sheet)]
    assert type(data["duties"]["groups"]) is tuple
    assert data["duties"]["groups"][-1]["duties"][-1]["responsibility_label"] == "odd"


def test_build_sheet_archived_position_is_flagged():
    sheet = sheet_of(PositionFactory(status=Position.Status.ARCHIVED))

    assert sheet.is_archived
    assert sheet.status_label == "已归档"


@pytest.mark.parametrize(
    ("title", "code", "expected"),
    [
        ("销售经理", "FZ-XS-001", "FZ-XS-001-销售经理.pdf"),
        ("营销策划专员", "", "营销策划专员.pdf"),
        ("销售/策划: 主管", "MK105", "MK105-销售_策划_ 主管.pdf"),
        ("  售楼员 ", "  ", "售楼员.pdf"),
    ],
)
def test_sheet_filename_code_then_title(title, code, expected):
    assert sheet_filename(title, code) == expected


def test_sheet_filename_from_position():
    with_code = sheet_of(PositionFactory(title="售楼员", code="FZ-XS-101"))
    without_code = sheet_of(PositionFactory(title="销管专员", code=""))

    assert with_code.filename == "FZ-XS-101-售楼员.pdf"
    assert with_code.ascii_filename == "FZ-XS-101.pdf"
    assert without_code.filename == "销管专员.pdf"
    assert without_code.ascii_filename == f"position-{without_code.position_id}.pdf"


def test_sheet_ascii_filename_never_has_non_ascii():
    assert sheet_ascii_filename("销售-01", 7) == "position-7.pdf"
    assert sheet_ascii_filename('A"B', 7) == "A_B.pdf"
