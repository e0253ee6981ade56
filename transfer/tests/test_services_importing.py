"""Importing positions from Excel: the plan (preview), its problems, and applying it."""

from __future__ import annotations

import tracemalloc

import pytest
from reversion.models import Version as Revision

from positions import permissions
from positions.models import Duty, Position
from positions.services import history
from positions.services import manual as manual_service
from positions.sheet import build_sheet
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)
from transfer.services import excel
from transfer.services.importing import (
    Action,
    ImportRefused,
    apply_plan,
    plan_position_import,
)
from transfer.tests.excel_helpers import (
    duty_row,
    filled_template,
    open_bytes,
    position_row,
    row_counts,
    save,
    three_positions,
    with_cached_result,
    with_dimension,
    with_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="销售部", code="FZ-XS")


def sheets_of_all() -> dict[int, dict]:
    return {p.pk: build_sheet(p).as_dict() for p in Position.objects.with_sheet()}


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


# --- happy path -------------------------------------------------------------------------------


def test_plan_of_filled_template_creates_three_positions_and_writes_nothing(hr_user, sales):
    before = row_counts()
    plan = plan_position_import(save(three_positions()), hr_user)
    assert plan.ok, messages(plan)
    assert [(p.key, p.action) for p in plan.positions] == [
        ("XS-100", Action.CREATE),
        ("XS-110", Action.CREATE),
        ("XS-120", Action.CREATE),
    ]
    assert row_counts() == before


def test_apply_plan_creates_drafts_with_duties_superior_and_history(hr_user, sales):
    apply_plan(plan_position_import(save(three_positions()), hr_user), hr_user)
    director = Position.objects.get(code="XS-100")
    channel = Position.objects.get(code="XS-110")
    assert director.status == Position.Status.DRAFT
    assert (director.title, director.department, director.grade_min, director.grade_max) == (
        "销售总监",
        sales,
        8,
        10,
    )
    assert channel.reports_to == director and channel.summary == "管理渠道。"
    duties = list(director.duties.order_by("rank").values_list("rank", "title", "kind", "tasks"))
    assert duties == [
        (1, "销售策略", Duty.Kind.KEY, "制定年度销售策略"),
        (2, "", "", "审核月度销售计划"),
    ]
    assert channel.duties.get().group == "渠道管理"
    assert list(director.indicators.values_list("name", "description")) == [
        ("销售额", "按年度考核")
    ]
    history = Revision.objects.get_for_object(director)
    assert [v.revision.comment for v in history] == ["Excel 导入：新建职位"]
    revision = history.get().revision
    recorded = {v.object_repr for v in revision.version_set.all()}
    assert {"1. 销售策略", "2. 审核月度销售计划", "销售额"} <= recorded


def test_reimporting_the_same_file_changes_nothing(hr_user, sales):
    data = save(three_positions())
    apply_plan(plan_position_import(data, hr_user), hr_user)
    before, sheets = row_counts(), sheets_of_all()
    plan = plan_position_import(data, hr_user)
    assert plan.ok and {p.action for p in plan.positions} == {Action.UNCHANGED}
    apply_plan(plan, hr_user)
    assert row_counts() == before
    assert sheets_of_all() == sheets


def test_seed_export_import_round_trip_changes_nothing(seed, hr_user):
    history.ensure_initial_revisions()
    before, sheets = row_counts(), sheets_of_all()
    locks = dict(Position.objects.values_list("pk", "lock_version"))
    data = excel.position_workbook(excel.contents_for(hr_user, Position.objects.all()))
    plan = plan_position_import(data, hr_user)
    assert plan.ok, messages(plan)
    assert plan.unchanged == Position.objects.count() == 19
    apply_plan(plan, hr_user)
    assert row_counts() == before
    assert sheets_of_all() == sheets
    assert dict(Position.objects.values_list("pk", "lock_version")) == locks


def test_update_of_published_position_creates_draft_and_keeps_version(hr_user):
    position = FullPositionFactory()
    version = position.current_version
    version.refresh_from_db()
    snapshot = version.sheet
    lock = position.lock_version
    only = Position.objects.filter(pk=position.pk)
    workbook = open_bytes(excel.position_workbook(excel.contents_for(hr_user, only)))
    workbook["职位"]["B2"] = "销售高级经理"
    workbook["工作职责"]["F2"] = "新的工作内容"
    plan = plan_position_import(save(workbook), hr_user)
    assert plan.ok, messages(plan)
    (planned,) = plan.positions
    assert planned.action == Action.UPDATE
    assert planned.changes == ["职位名称", "工作职责"]
    assert planned.becomes_draft
    apply_plan(plan, hr_user)
    position.refresh_from_db()
    version.refresh_from_db()
    assert position.status == Position.Status.DRAFT
    assert position.title == "销售高级经理"
    assert position.lock_version == lock + 1
    assert position.current_version == version
    assert version.sheet == snapshot and version.title == "销售经理"
    assert position.duties.order_by("rank").first().tasks == "新的工作内容"
    assert position.approved_by_name == "" and position.approved_at is None
    assert Revision.objects.get_for_object(position).first().revision.comment == (
        "Excel 导入：更新职位"
    )


def test_update_of_submitted_position_returns_it_to_draft_without_review(hr_user, sales):
    position = PositionFactory(
        code="XS-100",
        department=sales,
        status=Position.Status.SUBMITTED,
        prepared_by_name="王人事",
        reviewed_by_name="赵总",
    )
    plan = plan_position_import(save(three_positions()), hr_user)
    assert plan.ok, messages(plan)
    apply_plan(plan, hr_user)
    position.refresh_from_db()
    assert position.status == Position.Status.DRAFT
    # As any edit (the one writer): 审核 cleared; the 编制人 signs again when resubmitting.
    assert (position.prepared_by_name, position.reviewed_by_name) == ("王人事", "")
    comment = Revision.objects.get_for_object(position).first().revision.comment
    assert comment == "Excel 导入：更新职位（退回草稿，需重新提交审核）"


def test_positions_without_code_round_trip_by_system_number(hr_user, sales):
    boss = PositionFactory(code="", title="总经理", department=sales)
    PositionFactory(code="", title="副总经理", department=sales, reports_to=boss)
    contents = excel.contents_for(hr_user, Position.objects.order_by("pk"))
    assert [c.key for c in contents] == [f"#{boss.pk}", f"#{boss.pk + 1}"]
    assert contents[1].position["reports_to"] == f"#{boss.pk}"
    plan = plan_position_import(excel.position_workbook(contents), hr_user)
    assert plan.ok and plan.unchanged == 2


def test_apply_plan_refuses_a_plan_with_problems(hr_user, sales):
    workbook = three_positions()
    workbook["职位"]["C2"] = "不存在的部门"
    plan = plan_position_import(save(workbook), hr_user)
    before = row_counts()
    with pytest.raises(ImportRefused):
        apply_plan(plan, hr_user)
    assert row_counts() == before


# --- problems by sheet, row and column --------------------------------------------------------


def bad(change) -> list[str]:
    workbook = three_positions()
    change(workbook)
    return messages(plan_position_import(save(workbook), _hr()))


def _hr():
    user = UserFactory(username="hr-bad")
    user.groups.add(permissions.role_group(permissions.HR_EDITOR))
    return user


def set_cell(sheet: str, cell: str, value):
    def change(workbook):
        workbook[sheet][cell] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            set_cell("职位", "C3", "市场部"),
            "工作表“职位” 第 3 行 “所在部门”列："
            "未知的部门“市场部”：请填写已有部门的部门编号或名称（见“部门列表”）。",
        ),
        (
            set_cell("职位", "D4", "XS-999"),
            "工作表“职位” 第 4 行 “直接上级”列："
            "未知的直接上级职位编号“XS-999”：它既不在本文件中，也不在系统中。",
        ),
        (
            set_cell("职位", "A4", "XS-110"),
            "工作表“职位” 第 4 行 “职位编号”列：职位编号“XS-110”重复：第 3 行已使用。",
        ),
        (
            set_cell("职位", "F2", 5),
            "工作表“职位” 第 2 行 “职位等级（高）”列："
            "职位等级范围无效：最低等级 8 高于最高等级 5。",
        ),
        (
            set_cell("职位", "D2", "XS-110"),
            "工作表“职位” 第 2 行 “直接上级”列："
            "汇报关系形成循环：销售总监（XS-100） → 渠道经理（XS-110） → 销售总监（XS-100）。",
        ),
        (
            set_cell("职位", "B3", None),
            "工作表“职位” 第 3 行 “职位名称”列：必填项“职位名称”为空。",
        ),
        (
            set_cell("工作职责", "D2", "特别重要"),
            "工作表“工作职责” 第 2 行 “工作类别”列："
            "“特别重要”不是“工作类别”下拉列表中的选项（可选：重点工作、一般工作）。",
        ),
        (
            set_cell("工作职责", "B3", "=1+1"),
            "工作表“工作职责” 第 3 行 “重要性”列：公式单元格没有计算结果，请粘贴为数值后再导入。",
        ),
        (
            set_cell("职位", "O1", "备注"),
            "工作表“职位” 第 1 行 “备注”列："
            "未知的列“备注”（O 列），请删除该列或使用导入模板中的列标题。",
        ),
        (
            lambda wb: wb["工作职责"].merge_cells("F2:F3"),
            "工作表“工作职责” 第 2 行 “工作内容”列："
            "数据行中有合并单元格 F2:F3，请取消合并后再导入。",
        ),
        (
            lambda wb: wb["职位"].delete_rows(2, 3),
            "工作表“职位”：工作表“职位”没有数据行：请至少填写一个职位。",
        ),
        (
            lambda wb: wb["关键指标"].delete_rows(1, 2),
            "工作表“关键指标”：工作表是空的：第 1 行应为列标题，请使用导入模板。",
        ),
        (
            lambda wb: wb.remove(wb["工作权限"]),
            "工作表“工作权限”：缺少此工作表，请使用导入模板。",
        ),
        (
            lambda wb: wb.create_sheet("草稿"),
            "工作表“草稿”：未知的工作表“草稿”，请删除它或使用导入模板。",
        ),
        (
            set_cell("工作职责", "A5", "XS-300"),
            "工作表“工作职责” 第 5 行 “职位编号”列："
            "职位编号“XS-300”不在“职位”工作表中：请在“职位”工作表中加入该职位。",
        ),
        (
            set_cell("职位", "G4", "三个"),
            "工作表“职位” 第 4 行 “职位编制”列："
            "“职位编制”应为 0 到 32767 之间的整数，实际为“三个”。",
        ),
    ],
    ids=[
        "unknown-department",
        "unknown-superior",
        "duplicate-code",
        "grade-out-of-order",
        "reporting-cycle",
        "required-missing",
        "not-in-dropdown",
        "formula",
        "extra-column",
        "merged-cells",
        "empty-position-sheet",
        "sheet-without-header",
        "missing-sheet",
        "unknown-sheet",
        "section-for-unknown-code",
        "not-an-integer",
    ],
)
def test_plan_reports_problem_by_sheet_row_and_column(sales, change, expected):
    before = row_counts()
    assert expected in bad(change)
    assert row_counts() == before


def test_plan_reports_cycle_through_stored_positions(hr_user, sales):
    top = PositionFactory(code="XS-001", title="总监", department=sales)
    PositionFactory(code="XS-002", title="经理", department=sales, reports_to=top)
    workbook = filled_template({"职位": [position_row("XS-001", "总监", "FZ-XS", "XS-002")]})
    assert messages(plan_position_import(save(workbook), hr_user)) == [
        "工作表“职位” 第 2 行 “直接上级”列："
        "汇报关系形成循环：总监（XS-001） → 经理（XS-002） → 总监（XS-001）。"
    ]


def test_plan_refuses_ambiguous_department_name(hr_user, sales):
    DepartmentFactory(name="销售部", code="XM-XS")
    workbook = filled_template({"职位": [position_row("XS-1", "售楼员", "销售部")]})
    (message,) = messages(plan_position_import(save(workbook), hr_user))
    assert "部门名称“销售部”不唯一" in message and "请填写部门编号" in message


def test_plan_accepts_department_name_and_short_choice_labels(hr_user, sales):
    workbook = filled_template(
        {
            "职位": [position_row("XS-1", "售楼员", "销售部")],
            "工作职责": [duty_row("XS-1", 1, "接待客户", kind="重点")],
        }
    )
    plan = plan_position_import(save(workbook), hr_user)
    assert plan.ok and plan.positions[0].content.duties[0]["kind"] == Duty.Kind.KEY


def test_plan_refuses_the_template_example_row(hr_user, sales):
    plan = plan_position_import(excel.template_workbook(), hr_user)
    assert "职位编号“示例-001”是模板中的示例行" in " ".join(messages(plan))


def test_scoped_hr_editor_may_import_only_into_own_departments(sales):
    other = DepartmentFactory(name="财务部", code="FZ-CW")
    hr = _hr()
    EditorScopeFactory(user=hr, department=sales)
    outside = PositionFactory(code="CW-1", title="会计", department=other)
    workbook = filled_template(
        {
            "职位": [
                position_row("XS-1", "售楼员", "FZ-XS"),
                position_row("CW-2", "出纳", "FZ-CW"),
                position_row("CW-1", "会计主管", "FZ-CW"),
            ]
        }
    )
    assert messages(plan_position_import(save(workbook), hr)) == [
        "工作表“职位” 第 3 行 “所在部门”列：您无权在“财务部”新建职位（超出您的编辑范围）。",
        f"工作表“职位” 第 4 行 “职位编号”列："
        f"您无权修改职位“{outside.title}”（财务部不在您的编辑范围内）。",
    ]


def test_scoped_hr_reimporting_an_export_with_positions_outside_scope_is_unchanged(sales):
    other = DepartmentFactory(name="财务部", code="FZ-CW")
    hr = _hr()
    EditorScopeFactory(user=hr, department=sales)
    FullPositionFactory(department=other, code="CW-1")
    FullPositionFactory(department=sales, code="XS-1")
    data = excel.position_workbook(excel.contents_for(hr, Position.objects.order_by("code")))
    plan = plan_position_import(data, hr)
    assert plan.ok, messages(plan)
    assert plan.unchanged == Position.objects.count() == 10


def test_one_way_related_position_is_a_problem(hr_user, sales):
    workbook = filled_template(
        {
            "职位": [
                position_row("XS-1", "售楼员", "FZ-XS", related_positions="XS-2"),
                position_row("XS-2", "收款员", "FZ-XS"),
            ]
        }
    )
    (message,) = messages(plan_position_import(save(workbook), hr_user))
    assert "相关职位是双向的" in message and "第 2 行" in message


def test_plan_refuses_a_sheet_with_too_many_rows(hr_user, sales):
    workbook = three_positions()
    workbook["关键指标"].cell(row=20002, column=1, value="XS-100")
    assert messages(plan_position_import(save(workbook), hr_user)) == [
        "工作表“关键指标”：工作表超过上限 20000 行（不含标题行）；"
        "请删除多余的行（含只有格式的空行）或分批导入。"
    ]


# The limit covers every worksheet (说明 included: ~60 rows); 100 keeps these files small.


def test_plan_counts_rows_not_the_dimension_a_file_claims(hr_user, sales, settings):
    settings.IMPORT_MAX_ROWS = 100
    data = with_rows(save(three_positions()), "关键指标", 100, "XS-100")  # header + 101 rows
    data = with_dimension(data, "关键指标", "A1:B2")  # the file claims one data row
    before = row_counts()
    assert messages(plan_position_import(data, hr_user)) == [
        "工作表“关键指标”：工作表超过上限 100 行（不含标题行）；"
        "请删除多余的行（含只有格式的空行）或分批导入。"
    ]
    assert row_counts() == before


def test_plan_of_a_huge_sheet_streams_it_and_never_loads_it_whole(hr_user, sales, settings):
    settings.IMPORT_MAX_ROWS = 100
    data = with_rows(save(three_positions()), "关键指标", 200_000, "XS-100")
    tracemalloc.start()
    try:
        plan = plan_position_import(data, hr_user)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert messages(plan) == [
        "工作表“关键指标”：工作表超过上限 100 行（不含标题行）；"
        "请删除多余的行（含只有格式的空行）或分批导入。"
    ]
    assert peak < 20 * 1024 * 1024  # loading these 200,000 cells whole takes over 100 MB


def test_plan_ignores_a_huge_dimension_the_rows_do_not_fill(hr_user, sales, settings):
    settings.IMPORT_MAX_ROWS = 100
    data = with_dimension(save(three_positions()), "职位", "A1:XFD1048576")
    plan = plan_position_import(data, hr_user)
    assert plan.ok, messages(plan)
    assert [p.key for p in plan.positions] == ["XS-100", "XS-110", "XS-120"]


# --- formulas ---------------------------------------------------------------------------------


def test_formula_without_cached_result_is_a_problem_at_its_cell(hr_user, sales):
    workbook = three_positions()
    workbook["职位"]["B3"] = '=A3&"经理"'  # openpyxl saves formulas without a result
    before = row_counts()
    plan = plan_position_import(save(workbook), hr_user)
    assert messages(plan) == [
        "工作表“职位” 第 3 行 “职位名称”列：公式单元格没有计算结果，请粘贴为数值后再导入。"
    ]
    with pytest.raises(ImportRefused):
        apply_plan(plan, hr_user)
    assert row_counts() == before


def test_formula_with_cached_result_imports_the_result(hr_user, sales):
    workbook = three_positions()
    workbook["职位"]["B3"] = '=A3&"经理"'
    workbook["职位"]["G3"] = "=1+2"  # 职位编制
    data = with_cached_result(save(workbook), "职位", "B3", "渠道经理")
    data = with_cached_result(data, "职位", "G3", 3)
    plan = plan_position_import(data, hr_user)
    assert plan.ok, messages(plan)
    apply_plan(plan, hr_user)
    position = Position.objects.get(code="XS-110")
    assert (position.title, position.headcount) == ("渠道经理", 3)


# --- numbers and ids written with other digits ------------------------------------------------


def test_superscript_digit_in_a_number_column_is_a_problem(hr_user, sales):
    workbook = three_positions()
    workbook["职位"]["G4"] = "²"  # str.isdigit() accepts it, int() does not
    assert messages(plan_position_import(save(workbook), hr_user)) == [
        "工作表“职位” 第 4 行 “职位编制”列：“职位编制”应为 0 到 32767 之间的整数，实际为“²”。"
    ]


def test_system_key_with_a_superscript_digit_is_an_unknown_position(hr_user, sales):
    workbook = filled_template({"职位": [position_row("#²", "售楼员", "FZ-XS")]})
    assert messages(plan_position_import(save(workbook), hr_user)) == [
        "工作表“职位” 第 2 行 “职位编号”列：系统中没有编号为“#²”的职位："
        "“#数字”只用于导出的、尚无职位编号的职位；新职位请填写职位编号。"
    ]


# --- 工作权限: written into the 权责手册's working copy -------------------------------------------


def with_authorities(rows: list[list[str]]) -> bytes:
    workbook = three_positions()
    for row in rows:
        workbook["工作权限"].append(row)
    return save(workbook)


def test_import_writes_authorities_into_the_manual_working_copy(hr_user, sales):
    data = with_authorities(
        [["XS-100", "优惠申请（折扣 < 95%）", "审批"], ["XS-120", "认购书退换", "执行"]]
    )
    apply_plan(plan_position_import(data, hr_user), hr_user)

    director = Position.objects.get(code="XS-100")
    document = manual_service.manual_document()
    matters = {m["name"]: m for c in document["categories"] for m in c["matters"]}
    assert [c["name"] for c in document["categories"]] == ["其他"]
    assert matters["优惠申请"]["bands"] == [
        {"condition": "折扣 < 95%", "cells": {f"p{director.pk}": "approve"}}
    ]
    # Not in force before the manual is published: the sheet shows none yet.
    assert build_sheet(Position.objects.with_sheet().get(pk=director.pk)).authorities == ()


def test_import_with_an_unknown_authority_level_is_refused_and_writes_nothing(hr_user, sales):
    before = row_counts()
    plan = plan_position_import(with_authorities([["XS-100", "优惠申请", "拍板"]]), hr_user)
    assert not plan.ok
    assert any("权限级别" in message for message in messages(plan)), messages(plan)
    assert row_counts() == before


def test_update_of_authorities_is_previewed_as_a_manual_change(hr_user, sales):
    apply_plan(plan_position_import(save(three_positions()), hr_user), hr_user)
    plan = plan_position_import(with_authorities([["XS-110", "渠道开发", "执行"]]), hr_user)
    assert [(p.key, p.action, p.changes) for p in plan.positions] == [
        ("XS-100", Action.UNCHANGED, []),
        ("XS-110", Action.UPDATE, ["工作权限（写入权责手册工作稿）"]),
        ("XS-120", Action.UNCHANGED, []),
    ]
