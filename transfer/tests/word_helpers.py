"""Word documents in the seed's three 职位说明书 layouts, built with python-docx for the tests.

See ../shared/design/sheet-layouts.md: Layout A 「XX职位说明书(补充)」 (售楼员), Layout B the
position card with code and grade (营销策划专员 MK105), Layout C the full form with sign-off
(销售管理专员), in two duty-table variants (重点工作 / 一般工作 heading rows, and a 职责概述
column whose cells are merged down over each area's duties).
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fill(table, rows: list[list[str]]) -> None:
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            lines = value.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)


def table(document, rows: list[list[str]]):
    result = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    result.style = "Table Grid"
    fill(result, rows)
    return result


def layout_a() -> bytes:
    """售楼员职位说明书(补充): 3×3 label/value header with spaced sign-off labels."""
    document = Document()
    document.add_paragraph("售楼员职位说明书(补充)")
    table(
        document,
        [
            ["职位名称", "售楼员", "所在部门", "销售部", "直接上级", "销售经理"],
            ["职位编号", "FZ-XS-101", "工作地点", "福州市", "制 定 者", "李鸿飞"],
            ["职位等级", "", "填写日期", "2006年8月16日", "审 核 者", "郑长胜"],
        ],
    )
    document.add_paragraph("职位概要描述")
    document.add_paragraph("做好客户的售前、售中、售后引导、服务工作，完成个人销售任务。")
    document.add_paragraph("职位关系")
    table(document, [["直属上司", "销售经理"], ["本职位", "售楼员"], ["相关职位", "收款文员"]])
    document.add_paragraph("工作内容与主要职责")
    table(
        document,
        [
            ["重要性", "主要职责", "工作任务"],
            [
                "1",
                "客户服务",
                "负责对看楼客户的基本状况进行详细的资料登记\n负责对已登记的客户进行良好沟通并跟踪服务",
            ],
            ["2", "销售服务", "承担销售合同的签订和变更工作\n承担客户入住的通知工作"],
        ],
    )
    document.add_paragraph("工作权限")
    table(document, [["优惠申请权", "执行"], ["合同变更申请权", "提议"]])
    document.add_paragraph("任职资格")
    table(
        document,
        [
            ["学历", "大专"],
            ["工作经验", "2 年以上地产销售工作经验"],
            ["专业知识", "地产法规及政策"],
            ["能力", "具有较强的沟通能力"],
            ["意识", "具有较强的客服意识"],
        ],
    )
    return save(document)


def layout_b() -> bytes:
    """营销策划专员 MK105: one card table, no department, duties numbered in one cell."""
    document = Document()
    card = table(
        document,
        [
            [
                "职位名称",
                "营销策划 专员",
                "职位代码",
                "MK105",
                "职位等级",
                "5-8",
                "直属上级",
                "营销策划 经理",
            ],
            ["设岗目的", "", "", "", "", "", "", ""],
            ["工作职责", "", "", "", "", "", "", ""],
        ],
    )
    for row, text in zip(
        card.rows[1:],
        (
            "根据部门工作要求，对具体宣传工作进行策划，完成上级交给的任务。",
            "1. 根据部门工作要求，进行营销策划某一具体部分的工作；\n"
            "2. 根据工作要求，编写营销策划方案，收集、了解市场情况；",
        ),
        strict=True,
    ):
        merged = row.cells[1].merge(row.cells[7])
        fill_cell(merged, text)
    document.add_paragraph("营销策划部经理")
    document.add_paragraph("基本任职资格")
    table(
        document,
        [
            ["最低学历", "大学本科", "专业", "营销、经济管理类、行政类和地产类专业"],
            [
                "工作经验",
                "三年以上房地产销售或者客户服务相关工作经验；",
                "专业知识",
                "精通销售管理",
            ],
        ],
    )
    return save(document)


def fill_cell(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _vertical_merge(cells) -> None:
    """Merge cells of one column downwards (w:vMerge restart / continue)."""
    for index, cell in enumerate(cells):
        merge = OxmlElement("w:vMerge")
        if index == 0:
            merge.set(qn("w:val"), "restart")
        cell._tc.get_or_add_tcPr().append(merge)


def layout_c(variant: str = "kinds") -> bytes:
    """销售管理专员: 基本情况, 职位使命, grouped duties, 主要责任, relationships, sign-off.

    ``variant="kinds"``: 重点工作 / 一般工作 heading rows merged across the duty table;
    ``variant="areas"``: a 职责概述 column merged down over each area's duties.
    """
    document = Document()
    document.add_paragraph("销售管理专员职位说明书")
    document.add_paragraph("基本情况")
    table(
        document,
        [
            ["职位名称", "销售管理专员", "职位编号", "YX-XG-01"],
            ["所属部门", "营销策划部", "职位编制", "1 人"],
            ["直属上级", "营销策划部总经理", "直接下属", "无"],
            ["岗位职等", "6", "工作地点", "福州市"],
        ],
    )
    document.add_paragraph("职位使命")
    document.add_paragraph("在营销策划部总经理的领导下，负责公司所有开发项目的销售管理工作。")
    document.add_paragraph("工作职责及内容")
    if variant == "kinds":
        duties = table(
            document,
            [
                ["职责描述", "负责程度", "考核要点"],
                ["重点工作", "", ""],
                ["1. 计划管理：参与拟订项目开发总体规划", "全责", "计划的合理性"],
                ["2. 销售管理：负责各项目日常销售数据的收集、汇总", "全责", "报表准确性及时性"],
                ["一般工作", "", ""],
                ["1. 制度建设：参与拟订和修改公司营销管理制度", "部分", ""],
            ],
        )
        for index in (1, 4):
            row = duties.rows[index]
            row.cells[0].merge(row.cells[2])
    else:
        duties = table(
            document,
            [
                ["职责概述", "工作职责和工作内容", "负责程度", "考核要点"],
                [
                    "参与部门管理",
                    "1. 参与部门管理，提出改善工作的建议；",
                    "部分",
                    "建议的科学合理性",
                ],
                ["", "2. 参加部门的相关工作会议；", "部分", ""],
                ["销售业务管理", "1. 协助部门领导制定销售管理相关流程和制度；", "全责", ""],
            ],
        )
        _vertical_merge([duties.rows[1].cells[0], duties.rows[2].cells[0]])
    document.add_paragraph("主要责任")
    document.add_paragraph("1. 保证及时提供支持服务；")
    document.add_paragraph("2. 保证销售数据准确。")
    document.add_paragraph("主要工作关系")
    table(
        document,
        [
            ["内部工作关系部门及职位", "外部工作关系单位", "行政管理关系"],
            ["项目公司销售部", "客户\n营销策划公司\n销售代理公司", "营销策划部总经理"],
        ],
    )
    document.add_paragraph("任职资格")
    table(
        document,
        [
            ["资历", "建筑、市场营销、经济等相关专业，大专及以上学历"],
            ["能力", "较强的营销能力、沟通协调能力和表达能力"],
            ["品质", "品性正直，工作积极主动"],
            ["知识结构", "具备一定的市场、管理知识"],
        ],
    )
    document.add_paragraph("关键指标")
    document.add_paragraph("服务及时性、数据准确性、提供数据及时性、重大失误次数")
    table(
        document,
        [
            [
                "编制：王人事 时间：2006-09-01",
                "审核：郑长胜 时间：2006-09-05",
                "审批：赵总 时间：2006-09-10",
            ]
        ],
    )
    return save(document)


def plain_document(*paragraphs: str) -> bytes:
    """A .docx without any table."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return save(document)
