"""The 权责手册 matrix as one Excel sheet: written, read back, every problem with its cell."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from transfer.services import manual_excel

DOCUMENT = {
    "title": "权责手册",
    "doc_no": "HXJT-QZ-2026-01",
    "lock_version": 3,
    "columns": [
        {"key": "p12", "kind": "position", "label": "营销总监", "department": "营销中心"},
        {"key": "p13", "kind": "position", "label": "售楼员", "department": "销售部"},
        {"key": "b董事会", "kind": "body", "label": "董事会"},
    ],
    "categories": [
        {
            "name": "营销管理",
            "matters": [
                {
                    "name": "优惠申请",
                    "note": "",
                    "bands": [
                        {"condition": "折扣 ≤ 98%", "cells": {"p12": "approve", "p13": "propose"}},
                        {
                            "condition": "折扣 < 98%",
                            "cells": {"p12": "review", "b董事会": "approve"},
                        },
                    ],
                },
                {
                    "name": "认购",
                    "note": "签订认购书",
                    "bands": [{"condition": "", "cells": {"p13": "execute"}}],
                },
            ],
        },
        {
            "name": "财务管理",
            "matters": [
                {"name": "费用报销", "note": "", "bands": [{"condition": "", "cells": {}}]}
            ],
        },
    ],
}


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data))[manual_excel.SHEET]


def save(sheet) -> bytes:
    output = io.BytesIO()
    sheet.parent.save(output)
    return output.getvalue()


def test_manual_workbook_layout_words_merged_categories_frozen_panes():
    sheet = sheet_of(manual_excel.manual_workbook(DOCUMENT))
    assert sheet["A1"].value == "权责手册（文号 HXJT-QZ-2026-01）"
    assert [c.value for c in sheet[2]] == [
        "类别",
        "事项",
        "说明",
        "档位/条件",
        "营销总监",
        "售楼员",
        "董事会",
    ]
    assert [c.value for c in sheet[3]][4:] == ["营销中心", "销售部", "机构"]
    assert [c.value for c in sheet[5]] == [
        "营销管理",
        "优惠申请",
        None,
        "折扣 ≤ 98%",
        "审批",
        "提议",
        None,
    ]
    assert [c.value for c in sheet[6]][3:] == ["折扣 < 98%", "审核", None, "审批"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A5:A7", "B5:B6", "C5:C6"} <= merged  # 营销管理 over its three bands, 优惠申请 over two
    assert sheet.freeze_panes == "E5"
    assert sheet.row_dimensions[4].hidden


def test_manual_workbook_reads_back_unchanged():
    data = manual_excel.manual_workbook(DOCUMENT, scope_id=7)
    read = manual_excel.read_manual_workbook(data, base=DOCUMENT)
    assert read.ok, read.errors
    assert read.scope_id == 7
    assert read.document["columns"] == DOCUMENT["columns"]
    assert read.document["categories"] == DOCUMENT["categories"]
    assert not manual_excel.diff_documents(DOCUMENT, read.document).has_changes


def test_read_manual_workbook_unknown_level_named_with_its_cell():
    sheet = sheet_of(manual_excel.manual_workbook(DOCUMENT))
    sheet["F7"] = "审定"
    read = manual_excel.read_manual_workbook(save(sheet), base=DOCUMENT)
    assert read.errors == [
        "第 7 行 F 列：“审定”不是权限级别（应为 提议、审核、会签、审批、执行、知情 之一，或留空）。"
    ]


def test_read_manual_workbook_rows_without_merges_and_a_changed_cell_diffed():
    sheet = sheet_of(manual_excel.manual_workbook(DOCUMENT))
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row >= 5:
            sheet.unmerge_cells(str(merged))
    sheet["F7"] = "执行"  # 认购 × 售楼员 stays 执行
    sheet["E7"] = "知情"  # 认购 × 营销总监: new
    sheet["D9"] = "金额 > 5 万"  # a new band of 费用报销, written without repeating the matter
    sheet["G9"] = "审批"
    read = manual_excel.read_manual_workbook(save(sheet), base=DOCUMENT)
    assert read.ok, read.errors
    diff = manual_excel.diff_documents(DOCUMENT, read.document)
    assert diff.added_bands == ["财务管理 / 费用报销（金额 > 5 万）"]
    assert [(c.band, c.column, c.before, c.after) for c in diff.cells] == [
        ("营销管理 / 认购", "营销总监", "", "知情"),
        ("财务管理 / 费用报销（金额 > 5 万）", "董事会", "", "审批"),
    ]


def test_read_manual_workbook_columns_matched_by_label_when_keys_are_gone():
    sheet = sheet_of(manual_excel.manual_workbook(DOCUMENT))
    sheet.delete_rows(4)  # the hidden key row removed: data now starts on row 4
    sheet.insert_rows(4)  # … put back empty so the layout holds
    read = manual_excel.read_manual_workbook(save(sheet), base=DOCUMENT)
    assert read.ok, read.errors
    assert [c["key"] for c in read.document["columns"]] == ["p12", "p13", "b董事会"]


def test_read_manual_workbook_unknown_column_and_duplicate_band():
    sheet = sheet_of(manual_excel.manual_workbook(DOCUMENT))
    sheet["H2"], sheet["H4"] = "监事会", "b监事会"
    sheet["D6"] = "折扣 ≤ 98%"
    read = manual_excel.read_manual_workbook(save(sheet), base=DOCUMENT)
    assert read.errors == [
        "第 2 行 H 列：找不到列“监事会”（职位或机构不在权责手册中，或不在导出时的部门范围内）。",
        "第 6 行 D 列：事项“优惠申请”的档位“折扣 ≤ 98%”重复。",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "无法读取该 Excel 文件，请用本系统导出的权责手册模板填写后再上传。"),
    ],
)
def test_read_manual_workbook_not_a_workbook(data, message):
    assert manual_excel.read_manual_workbook(data, base=DOCUMENT).errors == [message]


def test_read_manual_workbook_wrong_sheet_or_header():
    data = manual_excel.manual_workbook(DOCUMENT)
    workbook = load_workbook(io.BytesIO(data))
    workbook[manual_excel.SHEET].title = "Sheet1"
    output = io.BytesIO()
    workbook.save(output)
    read = manual_excel.read_manual_workbook(output.getvalue(), base=DOCUMENT)
    assert read.errors == ["文件中没有名为“权责手册”的工作表，请使用本系统导出的权责手册。"]
    sheet = sheet_of(data)
    sheet["B2"] = "项目"
    read = manual_excel.read_manual_workbook(save(sheet), base=DOCUMENT)
    assert read.errors[0].startswith("第 2 行的表头应为“类别、事项、说明、档位/条件”")


def test_read_manual_workbook_too_many_rows_refused(monkeypatch):
    monkeypatch.setattr(manual_excel, "MAX_ROWS", 2)
    read = manual_excel.read_manual_workbook(manual_excel.manual_workbook(DOCUMENT), base=DOCUMENT)
    assert read.errors == ["档位过多：权责手册最多 2 个档位。"]
