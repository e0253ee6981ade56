"""Build the Word import corpus: .docx files in the layouts companies use, each with its
expected fields beside it (``<name>.json``).

Run ``python -m transfer.tests.corpus.generate`` (no Django needed) to write the files into this
folder; the corpus test (``transfer/tests/test_services_word_corpus.py``) checks the committed
files are what this script builds, then parses each and compares with its JSON.

The documents cover the seed's three layouts (../shared/design/sheet-layouts.md), the common
public 岗位说明书 templates (a 基本信息 grid with 单位 / 任职人姓名 / 直接主管 / 间接下属 /
说明书编号 / 批准日期, 工作内容与绩效标准, 责权范围, 任职资格与条件; 「-标签: 值」 line forms;
numbered outlines), and what real files hold: combined and spaced labels, numbered headings,
Word auto-numbering, full-width-space pairs, unknown headings, nested tables, text boxes, the
title in the page header, several tables per section, blank template rows, content controls,
English labels beside Chinese.

``legacy/`` holds .doc copies of a few documents, converted once with LibreOffice
(``soffice --headless --convert-to doc``) and committed: converted back on upload, they must
read like their .docx (a test with the ``libreoffice`` marker).

Expected fields use the parser's terms (``ParsedSheet``): texts as written in the file.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

HERE = Path(__file__).resolve().parent

# --- data: what the sheets say ------------------------------------------------------------------

SALES = {
    "title": "售楼员",
    "code": "FZ-XS-101",
    "department": "销售部",
    "superior": "销售经理",
    "location": "福州市",
    "experience_years": 2,
    "summary": ["做好客户的售前、售中、售后引导、服务工作，完成个人销售任务。"],
    "duties": [
        {
            "title": "客户服务",
            "tasks": ["负责对看楼客户的基本状况进行详细的资料登记", "负责客户的跟踪服务"],
        },
        {"title": "销售服务", "tasks": ["承担销售合同的签订和变更工作", "承担客户入住的通知工作"]},
        {"title": "信息收集", "tasks": ["负责对客户反馈信息及市场信息进行收集与汇总"]},
    ],
    "authorities": [["优惠申请权", "执行"], ["合同变更申请权", "提议"]],
    "qualifications": {
        "education": ["大专"],
        "experience": ["2 年以上地产销售工作经验"],
        "knowledge": ["地产法规及政策"],
        "skills": ["具有较强的沟通能力"],
        "qualities": ["具有较强的客服意识"],
    },
}

HR = {
    "title": "人力资源专员",
    "code": "HR-003",
    "department": "人力行政部",
    "superior": "人力行政经理",
    "grade": "5-7",
    "experience_years": 3,
    "headcount": "2 人",
    "location": "福州市",
    "purpose": ["协助人力行政经理做好招聘、培训与员工关系工作，保证公司人力资源的有效配置。"],
    "summary": ["负责公司招聘、入离职手续、培训组织与员工档案管理。"],
    "duties": [
        {"tasks": ["根据用人需求发布招聘信息，筛选简历并安排面试"]},
        {"tasks": ["办理员工入职、转正、调岗、离职手续"]},
        {"tasks": ["组织实施年度培训计划，评估培训效果"]},
        {"tasks": ["管理员工人事档案，及时更新花名册"]},
    ],
    "qualifications": {
        "education": ["本科及以上学历"],
        "major": ["人力资源管理、行政管理相关专业"],
        "experience": ["三年以上人力资源相关工作经验"],
        "knowledge": ["熟悉劳动法及相关法规"],
        "skills": ["良好的沟通协调能力"],
    },
    "indicators": [["招聘及时率", ""], ["培训计划完成率", ""], ["档案准确率", ""]],
}

FINANCE = {
    "title": "会计",
    "code": "CW-002",
    "department": "财务部",
    "superior": "财务部经理",
    "experience_years": 1,
    "summary": ["负责公司日常会计核算、凭证审核与报表编制。"],
    "duties": [
        {"tasks": ["审核原始凭证，编制记账凭证"], "assessment": ["凭证准确率"]},
        {"tasks": ["编制月度、年度财务报表"], "assessment": ["报表按时提交"]},
        {"tasks": ["配合外部审计与税务检查"], "assessment": ["审计问题整改率"]},
    ],
    "qualifications": {
        "education": ["本科"],
        "major": ["会计、财务管理"],
        "experience": ["一年以上会计工作经验"],
        "certificates": ["初级会计职称"],
    },
}


def expected(data: dict, *keys: str, **extra) -> dict:
    """The data's fields named, normalised to the parser's shapes, plus ``extra``."""
    result: dict = {}
    for key in keys:
        value = copy.deepcopy(data[key])
        if key == "duties":
            value = [
                {
                    "group": d.get("group", ""),
                    "kind": d.get("kind", ""),
                    "title": d.get("title", ""),
                    "tasks": d["tasks"],
                    "responsibility": d.get("responsibility", ""),
                    "assessment": d.get("assessment", []),
                }
                for d in value
            ]
        result[key] = value
    if "qualifications" in keys and "experience" in data["qualifications"]:
        result["experience_years"] = data["experience_years"]
    result.update(extra)
    return result


# --- python-docx helpers ---------------------------------------------------------------------


def save(document) -> bytes:
    """The document's bytes; it ends with a paragraph, as Word requires after a last table."""
    last = document.element.body[-2] if len(document.element.body) > 1 else None
    if last is not None and last.tag == qn("w:tbl"):
        document.add_paragraph()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fill_cell(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def table(container, rows: list[list[str]]):
    result = container.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    with contextlib.suppress(KeyError):  # a table in a cell: the style is the document's
        result.style = "Table Grid"
    for row, values in zip(result.rows, rows, strict=False):
        for cell, value in zip(row.cells, values, strict=False):
            fill_cell(cell, value)
    return result


def merge_row(row) -> None:
    row.cells[0].merge(row.cells[-1])


def vertical_merge(cells) -> None:
    for index, cell in enumerate(cells):
        merge = OxmlElement("w:vMerge")
        if index == 0:
            merge.set(qn("w:val"), "restart")
        cell._tc.get_or_add_tcPr().append(merge)
        if index:
            for paragraph in cell.paragraphs:
                for run in list(paragraph.runs):
                    run._r.getparent().remove(run._r)


def numbered(document, text: str, level: int = 0):
    """A paragraph numbered by Word (w:numPr), its number not in the text."""
    paragraph = document.add_paragraph(text)
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>'
    )
    ppr.append(num_pr)
    return paragraph


def bold(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    return paragraph


def wrap_in_sdt(element) -> None:
    """Put a block (paragraph or table) inside a content control."""
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    element.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(element)


def text_box(paragraph, lines: list[str]) -> None:
    """A DrawingML text box anchored in ``paragraph`` with a VML fallback copy, as Word saves."""
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    xml = (
        f"<mc:AlternateContent {nsdecls('w')} "
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        f"<w:txbxContent>{body}</w:txbxContent>"
        "</wps:txbx></wps:wsp></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{body}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>"
    )
    run = paragraph.add_run()
    run._r.append(parse_xml(xml))


def qualification_rows(data: dict, labels: dict[str, str]) -> list[list[str]]:
    return [[labels[k], "\n".join(v)] for k, v in data["qualifications"].items() if k in labels]


QUAL_LABELS = {
    "education": "学历",
    "major": "专业",
    "experience": "工作经验",
    "knowledge": "专业知识",
    "skills": "能力",
    "qualities": "意识",
    "certificates": "资格证书",
}


# --- documents ------------------------------------------------------------------------------------

Builder = Callable[[], tuple[bytes, dict]]
BUILDERS: dict[str, Builder] = {}


def corpus(name: str):
    def register(function: Builder) -> Builder:
        BUILDERS[name] = function
        return function

    return register


def _layout_a(data: dict, signoff: bool = True) -> Document:
    document = Document()
    document.add_paragraph(f"{data['title']}职位说明书(补充)")
    table(
        document,
        [
            [
                "职位名称",
                data["title"],
                "所在部门",
                data["department"],
                "直接上级",
                data["superior"],
            ],
            ["职位编号", data["code"], "工作地点", data["location"], "制 定 者", "李鸿飞"],
            ["职位等级", "", "填写日期", "2006年8月16日", "审 核 者", "郑长胜"],
        ],
    )
    document.add_paragraph("职位概要描述")
    document.add_paragraph(data["summary"][0])
    document.add_paragraph("工作内容与主要职责")
    table(
        document,
        [["重要性", "主要职责", "工作内容/工作任务"]]
        + [
            [str(n), d["title"], "\n".join(d["tasks"])]
            for n, d in enumerate(data["duties"], start=1)
        ],
    )
    document.add_paragraph("工作权限")
    table(document, [list(pair) for pair in data["authorities"]])
    document.add_paragraph("任职资格")
    table(document, qualification_rows(data, QUAL_LABELS))
    return document


A_SIGNOFF = {"prepared_by": "李鸿飞", "prepared_at": "2006年8月16日", "reviewed_by": "郑长胜"}
A_KEYS = ("title", "code", "department", "superior", "location", "summary", "duties")


@corpus("01-seed-a-combined-duty-header")
def seed_a() -> tuple[bytes, dict]:
    """Layout A; the duty content column headed 「工作内容/工作任务」."""
    return save(_layout_a(SALES)), expected(
        SALES, *A_KEYS, "authorities", "qualifications", original_signoff=A_SIGNOFF
    )


@corpus("02-seed-a-relationship-diagram")
def seed_a_relations() -> tuple[bytes, dict]:
    """Layout A with the 职位关系 box (直属上司 / 本职位 / 相关职位 / 直接下属)."""
    document = _layout_a(SALES)
    document.add_paragraph("职位关系")
    table(
        document,
        [
            ["直属上司", "销售经理"],
            ["本职位", "售楼员"],
            ["相关职位", "收款文员"],
            ["直接下属", "无"],
        ],
    )
    return save(document), expected(
        SALES,
        *A_KEYS,
        "authorities",
        "qualifications",
        original_signoff=A_SIGNOFF,
        related="收款文员",
        direct_reports="无",
    )


def _layout_b(code: str, title: str, purpose: str, duties: list[str]) -> Document:
    document = Document()
    card = table(
        document,
        [
            ["职位名称", title, "职位代码", code, "职位等级", "5-8", "直属上级", "营销策划 经理"],
            ["设岗目的", "", "", "", "", "", "", ""],
            ["工作职责", "", "", "", "", "", "", ""],
        ],
    )
    for row, text in zip(
        card.rows[1:],
        (purpose, "\n".join(f"{n}. {d}" for n, d in enumerate(duties, 1))),
        strict=True,
    ):
        fill_cell(row.cells[1].merge(row.cells[7]), text)
    document.add_paragraph("营销策划部经理")
    document.add_paragraph("基本任职资格")
    table(
        document,
        [
            ["最低学历", "大学本科", "专业", "营销、经济管理类"],
            ["工作经验", "三年以上房地产销售工作经验；", "专业知识", "精通销售管理"],
        ],
    )
    return document


def _b_expected(code: str, title: str, purpose: str, duties: list[str]) -> dict:
    return {
        "title": title,
        "code": code,
        "grade": "5-8",
        "superior": "营销策划经理",
        "purpose": [purpose],
        "duties": expected({"duties": [{"tasks": [d]} for d in duties]}, "duties")["duties"],
        "qualifications": {
            "education": ["大学本科"],
            "major": ["营销、经济管理类"],
            "experience": ["三年以上房地产销售工作经验；"],
            "knowledge": ["精通销售管理"],
        },
        "experience_years": 3,
        "unrecognised": ["营销策划部经理"],
    }


@corpus("03-seed-b-card")
def seed_b() -> tuple[bytes, dict]:
    args = (
        "MK105",
        "营销策划专员",
        "根据部门工作要求，对具体宣传工作进行策划，完成上级交给的任务。",
        ["根据部门工作要求，进行营销策划某一具体部分的工作；", "编写营销策划方案，收集市场情况；"],
    )
    return save(_layout_b(*args)), _b_expected(*args)


@corpus("04-seed-b-card-assistant")
def seed_b_assistant() -> tuple[bytes, dict]:
    args = (
        "MK106",
        "营销策划助理",
        "协助营销策划部门各项功能的执行与推动，为营销经理分担工作。",
        [
            "协助完成营销策划方案的资料收集；",
            "负责营销活动的执行与跟进；",
            "完成上级交办的其他工作。",
        ],
    )
    return save(_layout_b(*args)), _b_expected(*args)


C_BASE = {
    "title": "销售管理专员",
    "code": "YX-XG-01",
    "department": "营销策划部",
    "superior": "营销策划部总经理",
    "direct_reports": "无",
    "headcount": "1 人",
    "grade": "6",
    "location": "福州市",
    "purpose": ["在营销策划部总经理的领导下，负责公司所有开发项目的销售管理工作。"],
    "commitments": ["保证及时提供支持服务；", "保证销售数据准确。"],
    "relationships": [
        ["internal", "项目公司销售部", ""],
        ["external", "客户", ""],
        ["external", "营销策划公司", ""],
        ["administrative", "营销策划部总经理", ""],
    ],
    "qualifications": {
        "background": ["大专及以上学历，相关专业"],
        "skills": ["较强的沟通协调能力"],
        "qualities": ["品性正直，工作积极主动"],
        "knowledge": ["具备一定的市场、管理知识"],
    },
    "indicators": [["服务及时性", ""], ["数据准确性", ""], ["重大失误次数", ""]],
}


def _layout_c_head(document, labels: tuple[str, str] = ("职位名称", "岗位职等")) -> None:
    document.add_paragraph("销售管理专员职位说明书")
    document.add_paragraph("基本情况")
    table(
        document,
        [
            [labels[0], "销售管理专员", "职位编号", "YX-XG-01"],
            ["所属部门", "营销策划部", "职位编制", "1 人"],
            ["直属上级", "营销策划部总经理", "直接下属", "无"],
            [labels[1], "6", "工作地点", "福州市"],
        ],
    )
    document.add_paragraph("职位使命")
    document.add_paragraph(C_BASE["purpose"][0])


def _layout_c_tail(document, signoff: str = "cells") -> dict:
    document.add_paragraph("主要责任")
    document.add_paragraph("1. 保证及时提供支持服务；")
    document.add_paragraph("2. 保证销售数据准确。")
    document.add_paragraph("主要工作关系")
    table(
        document,
        [
            ["内部工作关系部门及职位", "外部工作关系单位", "行政管理关系"],
            ["项目公司销售部", "客户\n营销策划公司", "营销策划部总经理"],
        ],
    )
    document.add_paragraph("任职资格")
    table(
        document,
        [
            ["资历", "大专及以上学历，相关专业"],
            ["能力", "较强的沟通协调能力"],
            ["品质", "品性正直，工作积极主动"],
            ["知识结构", "具备一定的市场、管理知识"],
        ],
    )
    document.add_paragraph("关键指标：服务及时性、数据准确性、重大失误次数")
    sign = {
        "prepared_by": "王人事",
        "prepared_at": "2006-09-01",
        "reviewed_by": "郑长胜",
        "reviewed_at": "2006-09-05",
        "approved_by": "赵总",
        "approved_at": "2006-09-10",
    }
    if signoff == "cells":
        table(
            document,
            [
                ["编制：", "王人事", "时间：", "2006-09-01"],
                ["审核：", "郑长胜", "时间：", "2006-09-05"],
                ["审批：", "赵总", "时间：", "2006-09-10"],
            ],
        )
    else:
        document.add_paragraph(
            "编制：王人事　时间：2006-09-01　审核：郑长胜　时间：2006-09-05　"
            "审批：赵总　时间：2006-09-10"
        )
    return sign


C_KEYS = (
    "title",
    "code",
    "department",
    "superior",
    "direct_reports",
    "headcount",
    "grade",
    "location",
    "purpose",
    "commitments",
    "relationships",
    "qualifications",
    "indicators",
)
C_KIND_DUTIES = [
    {"kind": "key", "tasks": ["计划管理：参与拟订项目开发总体规划"], "responsibility": "full",
     "assessment": ["计划的合理性"]},
    {"kind": "key", "tasks": ["销售管理：负责各项目日常销售数据的收集、汇总"],
     "responsibility": "full", "assessment": ["报表准确性及时性"]},
    {"kind": "general", "tasks": ["制度建设：参与拟订和修改公司营销管理制度"],
     "responsibility": "partial"},
]  # fmt: skip


def _kind_duty_table(document, merged: bool) -> None:
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
    if merged:
        merge_row(duties.rows[1])
        merge_row(duties.rows[4])


@corpus("05-seed-c-group-rows-unmerged")
def seed_c_unmerged() -> tuple[bytes, dict]:
    """Layout C; group rows 「重点工作 | | 」 are not merged; sign-off rows label|name|时间|date."""
    document = Document()
    _layout_c_head(document)
    document.add_paragraph("工作职责及内容")
    _kind_duty_table(document, merged=False)
    sign = _layout_c_tail(document)
    data = {**C_BASE, "duties": C_KIND_DUTIES}
    return save(document), expected(data, *C_KEYS, "duties", original_signoff=sign)


@corpus("06-seed-c-group-rows-merged")
def seed_c_merged() -> tuple[bytes, dict]:
    document = Document()
    _layout_c_head(document, ("岗位名称", "岗位职等"))
    document.add_paragraph("工作职责及内容")
    _kind_duty_table(document, merged=True)
    sign = _layout_c_tail(document, signoff="line")
    data = {**C_BASE, "duties": C_KIND_DUTIES}
    return save(document), expected(data, *C_KEYS, "duties", original_signoff=sign)


@corpus("07-seed-c-areas-merged-down")
def seed_c_areas() -> tuple[bytes, dict]:
    """Layout C; a 职责概述 column merged down over each area's duties."""
    document = Document()
    _layout_c_head(document)
    document.add_paragraph("工作职责及内容")
    duties = table(
        document,
        [
            ["职责概述", "工作职责和工作内容", "负责程度", "考核要点"],
            ["参与部门管理", "1. 参与部门管理，提出改善工作的建议；", "部分", "建议的科学合理性"],
            ["参与部门管理", "2. 参加部门的相关工作会议；", "部分", ""],
            ["销售业务管理", "1. 协助部门领导制定销售管理相关流程和制度；", "全责", ""],
        ],
    )
    vertical_merge([duties.rows[1].cells[0], duties.rows[2].cells[0]])
    sign = _layout_c_tail(document)
    area_duties = [
        {"group": "参与部门管理", "tasks": ["参与部门管理，提出改善工作的建议；"],
         "responsibility": "partial", "assessment": ["建议的科学合理性"]},
        {"group": "参与部门管理", "tasks": ["参加部门的相关工作会议；"],
         "responsibility": "partial"},
        {"group": "销售业务管理", "tasks": ["协助部门领导制定销售管理相关流程和制度；"],
         "responsibility": "full"},
    ]  # fmt: skip
    data = {**C_BASE, "duties": area_duties}
    return save(document), expected(data, *C_KEYS, "duties", original_signoff=sign)


def _numbered_outline(data: dict, auto: bool = False, heading_style: str = "text") -> Document:
    """一、基本信息 （table） 二、职位概要 三、工作职责 (numbered paragraphs) 四、任职资格 …"""
    document = Document()
    document.add_paragraph(f"{data['title']}岗位说明书")
    document.add_paragraph("一、基本信息")
    table(
        document,
        [
            ["岗位名称", data["title"], "岗位编号", data["code"]],
            ["所属部门", data["department"], "直接上级", data["superior"]],
        ],
    )
    document.add_paragraph("二、职位概要")
    document.add_paragraph(data["summary"][0])
    document.add_paragraph("三、工作职责")
    for n, duty in enumerate(data["duties"], start=1):
        if auto:
            numbered(document, duty["tasks"][0])
        else:
            document.add_paragraph(f"{n}. {duty['tasks'][0]}")
    document.add_paragraph("四、任职资格")
    for key, label in (("education", "学历"), ("major", "专业"), ("experience", "工作经验")):
        if key in data["qualifications"]:
            document.add_paragraph(f"{label}：{data['qualifications'][key][0]}")
    return document


def _outline_expected(data: dict, **extra) -> dict:
    quals = {
        k: v for k, v in data["qualifications"].items() if k in ("education", "major", "experience")
    }
    duties = [{"tasks": [d["tasks"][0]]} for d in data["duties"]]
    return {
        **expected({**data, "duties": duties}, "title", "code", "department", "superior"),
        "summary": data["summary"],
        "duties": expected({"duties": duties}, "duties")["duties"],
        "qualifications": quals,
        **extra,
    }


@corpus("08-numbered-headings-numbered-paragraph-duties")
def outline_text() -> tuple[bytes, dict]:
    return save(_numbered_outline(HR)), _outline_expected(HR, experience_years=3)


@corpus("09-word-auto-numbered-duties")
def outline_auto() -> tuple[bytes, dict]:
    return save(_numbered_outline(FINANCE, auto=True)), _outline_expected(
        FINANCE, experience_years=1
    )


@corpus("10-full-width-space-pairs")
def fullwidth_pairs() -> tuple[bytes, dict]:
    """Labels and values separated by full-width spaces, no table for the header."""
    document = Document()
    document.add_paragraph("会计职位说明书")
    document.add_paragraph("职位名称　会计　　职位编号　CW-002")
    document.add_paragraph("所在部门：财务部　直接上级：财务部经理")
    document.add_paragraph("职位概要")
    document.add_paragraph(FINANCE["summary"][0])
    document.add_paragraph("工作职责")
    table(
        document,
        [["序号", "工作内容", "考核标准"]]
        + [
            [str(n), d["tasks"][0], d["assessment"][0]]
            for n, d in enumerate(FINANCE["duties"], start=1)
        ],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(FINANCE, QUAL_LABELS))
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "summary", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("11-unknown-heading-ends-summary")
def unknown_heading() -> tuple[bytes, dict]:
    """An unknown section after 职位概要: listed, not appended to 职位概要."""
    document = _numbered_outline(HR)
    body = document.element.body
    summary_at = next(i for i, p in enumerate(document.paragraphs) if p.text == HR["summary"][0])
    anchor = document.paragraphs[summary_at]._p
    extra = [Document().add_paragraph("五、晋升通道")._p, Document().add_paragraph(
        "可晋升为人力资源主管。")._p]  # fmt: skip
    for element in reversed(extra):
        anchor.addnext(element)
    assert body is not None
    return save(document), _outline_expected(
        HR, experience_years=3, unrecognised=["五、晋升通道", "可晋升为人力资源主管。"]
    )


@corpus("12-public-line-form-no-table")
def public_lines() -> tuple[bytes, dict]:
    """A public template: numbered sections of 「-标签: 值」 lines, no table at all."""
    document = Document()
    document.add_paragraph("岗位说明书")
    document.add_paragraph("一、岗位基本信息")
    for line in (
        "-岗位名称: 人力资源专员",
        "-岗位编号: HR-003",
        "-所属部门: 人力行政部",
        "-直接上级: 人力行政经理",
        "-直接下级: 无",
        "-岗位定员: 2 人",
    ):
        document.add_paragraph(line)
    document.add_paragraph("二、岗位目的")
    document.add_paragraph(HR["purpose"][0])
    document.add_paragraph("三、岗位职责")
    for n, duty in enumerate(HR["duties"], start=1):
        document.add_paragraph(f"{n}、{duty['tasks'][0]}")
    document.add_paragraph("四、任职要求")
    for line in (
        "-学历: 本科及以上学历",
        "-专业: 人力资源管理、行政管理相关专业",
        "-工作经验: 三年以上人力资源相关工作经验",
        "-必备知识: 熟悉劳动法及相关法规",
        "-技能要求: 良好的沟通协调能力",
    ):
        document.add_paragraph(line)
    document.add_paragraph("五、考核指标")
    document.add_paragraph("招聘及时率、培训计划完成率、档案准确率")
    return save(document), expected(
        HR,
        "title", "code", "department", "superior", "headcount", "purpose", "duties",
        "qualifications", "indicators",
        direct_reports="无",
        experience_years=3,
    )  # fmt: skip


PUBLIC_SIGN = {"approved_at": "2023-05-01"}


def _public_grid(document, data: dict) -> None:
    document.add_paragraph("基本信息")
    table(
        document,
        [
            ["单位", "海峡地产集团", "部门", data["department"]],
            ["岗位名称", data["title"], "任职人姓名", "张三"],
            ["直接主管", data["superior"], "间接下属", "无"],
            ["说明书编号", "JD-2023-017", "批准日期", "2023-05-01"],
        ],
    )


@corpus("13-public-table-template")
def public_table() -> tuple[bytes, dict]:
    """基本信息 grid, 工作内容与绩效标准, 责权范围 (责任范围 / 权力范围), 任职资格与条件."""
    document = Document()
    document.add_paragraph("职位说明书")
    _public_grid(document, HR)
    document.add_paragraph("职位概述")
    document.add_paragraph(HR["summary"][0])
    document.add_paragraph("工作内容与绩效标准")
    table(
        document,
        [["序号", "工作内容", "绩效标准"]]
        + [[str(n), d["tasks"][0], "按时完成"] for n, d in enumerate(HR["duties"], start=1)],
    )
    document.add_paragraph("责权范围")
    table(
        document,
        [
            ["责任范围", "对招聘质量负责\n对员工档案的准确性负责"],
            ["权力范围", "对应聘人员的初试权\n对培训计划的建议权"],
        ],
    )
    document.add_paragraph("任职资格与条件")
    table(
        document,
        [
            ["学历", "本科及以上学历"],
            ["必备知识", "熟悉劳动法及相关法规"],
            ["工作经验", "三年以上人力资源相关工作经验"],
            ["业务了解范围", "公司各部门业务流程"],
            ["能力素质", "良好的沟通协调能力"],
        ],
    )
    duties = [{"tasks": [d["tasks"][0]], "assessment": ["按时完成"]} for d in HR["duties"]]
    return save(document), expected(
        {**HR, "duties": duties},
        "title", "department", "superior", "summary", "duties",
        company="海峡地产集团",
        holder="张三",
        indirect_reports="无",
        document_number="JD-2023-017",
        original_signoff=PUBLIC_SIGN,
        commitments=["对招聘质量负责", "对员工档案的准确性负责"],
        authorities=[["对应聘人员的初试权", ""], ["对培训计划的建议权", ""]],
        qualifications={
            "education": ["本科及以上学历"],
            "knowledge": ["熟悉劳动法及相关法规", "公司各部门业务流程"],
            "experience": ["三年以上人力资源相关工作经验"],
            "competencies": ["良好的沟通协调能力"],
        },
        experience_years=3,
    )  # fmt: skip


@corpus("14-public-table-performance-columns")
def public_table_columns() -> tuple[bytes, dict]:
    """工作内容与绩效标准 with 职责 | 工作内容 | 绩效标准 and a 权重 column (listed)."""
    document = Document()
    _public_grid(document, FINANCE)
    document.add_paragraph("工作内容与绩效标准")
    table(
        document,
        [["序号", "职责", "工作内容", "绩效标准", "权重"]]
        + [
            [str(n), f"职责{n}", d["tasks"][0], d["assessment"][0], "30%"]
            for n, d in enumerate(FINANCE["duties"], start=1)
        ],
    )
    document.add_paragraph("任职资格与条件")
    table(document, qualification_rows(FINANCE, QUAL_LABELS))
    duties = [
        {"title": f"职责{n}", "tasks": d["tasks"], "assessment": d["assessment"]}
        for n, d in enumerate(FINANCE["duties"], start=1)
    ]
    return save(document), expected(
        {**FINANCE, "duties": duties},
        "title", "department", "superior", "duties", "qualifications",
        company="海峡地产集团",
        holder="张三",
        indirect_reports="无",
        document_number="JD-2023-017",
        original_signoff=PUBLIC_SIGN,
        experience_years=1,
        unrecognised=["权重：30%"] * 3,
    )  # fmt: skip


@corpus("15-nested-tables")
def nested() -> tuple[bytes, dict]:
    """A one-column layout table holding the real tables."""
    document = Document()
    outer = document.add_table(rows=3, cols=1)
    outer.rows[0].cells[0].paragraphs[0].text = "会计职位说明书"
    table(
        outer.rows[1].cells[0],
        [
            ["职位名称", "会计", "职位编号", "CW-002"],
            ["所属部门", "财务部", "直接上级", "财务部经理"],
        ],
    )
    cell = outer.rows[2].cells[0]
    cell.paragraphs[0].text = "工作职责"
    table(
        cell,
        [["序号", "工作内容", "考核要点"]]
        + [[str(n), d["tasks"][0], d["assessment"][0]] for n, d in enumerate(FINANCE["duties"], 1)],
    )
    cell.add_paragraph("任职资格")
    table(cell, qualification_rows(FINANCE, QUAL_LABELS))
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("16-text-box-header")
def text_box_doc() -> tuple[bytes, dict]:
    """The title and header fields in a text box (DrawingML with its VML fallback)."""
    document = Document()
    text_box(
        document.add_paragraph(),
        ["会计职位说明书", "职位名称：会计", "职位编号：CW-002", "所在部门：财务部"],
    )
    document.add_paragraph("直接上级：财务部经理")
    document.add_paragraph("工作职责")
    table(
        document,
        [["序号", "工作内容", "考核要点"]]
        + [[str(n), d["tasks"][0], d["assessment"][0]] for n, d in enumerate(FINANCE["duties"], 1)],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(FINANCE, QUAL_LABELS))
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("17-title-in-page-header")
def title_in_header() -> tuple[bytes, dict]:
    document = Document()
    header = document.sections[0].header.paragraphs[0]
    header.text = "人力资源专员岗位说明书"
    document.sections[0].footer.paragraphs[0].text = "第 1 页 共 1 页"
    table(
        document,
        [
            ["岗位编号", HR["code"], "所属部门", HR["department"]],
            ["直接上级", HR["superior"], "岗位定员", HR["headcount"]],
        ],
    )
    document.add_paragraph("岗位职责")
    table(
        document,
        [["序号", "工作内容"]] + [[str(n), d["tasks"][0]] for n, d in enumerate(HR["duties"], 1)],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(HR, QUAL_LABELS))
    duties = [{"tasks": d["tasks"]} for d in HR["duties"]]
    result = expected(
        {**HR, "duties": duties},
        "code", "department", "superior", "headcount", "duties", "qualifications",
        experience_years=3,
    )  # fmt: skip
    result["title"] = "人力资源专员"
    return save(document), result


@corpus("18-several-tables-per-section")
def several_tables() -> tuple[bytes, dict]:
    """The duties in two tables (the second repeats the header), qualifications in two."""
    document = Document()
    document.add_paragraph("人力资源专员职位说明书")
    table(
        document,
        [
            ["职位名称", HR["title"], "职位编号", HR["code"]],
            ["所在部门", HR["department"], "直接上级", HR["superior"]],
        ],
    )
    document.add_paragraph("工作职责")
    rows = [[str(n), d["tasks"][0]] for n, d in enumerate(HR["duties"], 1)]
    table(document, [["序号", "工作内容"], *rows[:2]])
    table(document, [["序号", "工作内容"], *rows[2:]])
    document.add_paragraph("任职资格")
    quals = qualification_rows(HR, QUAL_LABELS)
    table(document, quals[:2])
    table(document, quals[2:])
    duties = [{"tasks": d["tasks"]} for d in HR["duties"]]
    return save(document), expected(
        {**HR, "duties": duties},
        "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=3,
    )  # fmt: skip


@corpus("19-blank-template-rows")
def blank_rows() -> tuple[bytes, dict]:
    """A template's empty rows left in the header, the duty and qualification tables."""
    document = Document()
    document.add_paragraph("会计职位说明书")
    table(
        document,
        [
            ["职位名称", "会计", "职位编号", "CW-002"],
            ["所在部门", "财务部", "直接上级", "财务部经理"],
            ["职位等级", "", "工作地点", ""],
            ["", "", "", ""],
        ],
    )
    document.add_paragraph("工作职责")
    table(
        document,
        [["序号", "工作内容", "考核要点"]]
        + [[str(n), d["tasks"][0], d["assessment"][0]] for n, d in enumerate(FINANCE["duties"], 1)]
        + [["4", "", ""], ["5", "", ""], ["", "", ""]],
    )
    document.add_paragraph("任职资格")
    table(document, [*qualification_rows(FINANCE, QUAL_LABELS), ["资格证书", ""], ["", ""]])
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("20-english-labels-beside-chinese")
def english_labels() -> tuple[bytes, dict]:
    document = Document()
    document.add_paragraph("会计职位说明书 Job Description")
    table(
        document,
        [
            ["职位名称 Job Title", "会计", "职位编号 Job Code", "CW-002"],
            ["部门 Department", "财务部", "直接上级 Reports To", "财务部经理"],
        ],
    )
    document.add_paragraph("工作职责 Responsibilities")
    table(
        document,
        [["序号 No.", "工作内容 Tasks", "考核标准 Performance Standard"]]
        + [[str(n), d["tasks"][0], d["assessment"][0]] for n, d in enumerate(FINANCE["duties"], 1)],
    )
    document.add_paragraph("任职资格 Qualifications")
    table(
        document,
        [
            ["学历 Education", "本科"],
            ["专业 Major", "会计、财务管理"],
            ["工作经验 Experience", "一年以上会计工作经验"],
            ["资格证书 Certificates", "初级会计职称"],
        ],
    )
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("21-english-labels-two-lines")
def english_two_lines() -> tuple[bytes, dict]:
    """Labels written as 「职位名称」 over 「Position」 in one cell; English-only labels."""
    document = Document()
    table(
        document,
        [
            ["职位名称\nPosition", "会计", "Job Code", "CW-002"],
            ["Department", "财务部", "Supervisor", "财务部经理"],
        ],
    )
    document.add_paragraph("Responsibilities")
    table(
        document,
        [["No.", "Tasks"]] + [[str(n), d["tasks"][0]] for n, d in enumerate(FINANCE["duties"], 1)],
    )
    document.add_paragraph("Qualifications")
    table(document, [["Education", "本科"], ["Experience", "一年以上会计工作经验"]])
    duties = [{"tasks": d["tasks"]} for d in FINANCE["duties"]]
    return save(document), expected(
        {**FINANCE, "duties": duties},
        "title", "code", "department", "superior", "duties",
        qualifications={"education": ["本科"], "experience": ["一年以上会计工作经验"]},
        experience_years=1,
    )  # fmt: skip


@corpus("22-content-controls")
def content_controls() -> tuple[bytes, dict]:
    """A form whose fields sit in content controls (w:sdt), blocks and cells."""
    document = _layout_a(SALES)
    body = document.element.body
    wrap_in_sdt(document.tables[0]._tbl)
    wrap_in_sdt(document.paragraphs[2]._p)  # the summary text
    qual = document.tables[-1]
    tc = qual.rows[0].cells[1]._tc
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    tc.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(tc)
    assert body is not None
    return save(document), expected(
        SALES, *A_KEYS, "authorities", "qualifications", original_signoff=A_SIGNOFF
    )


@corpus("23-relationship-labels-and-indicator-line")
def relationship_rows() -> tuple[bytes, dict]:
    """内部工作关系部门及职位 / 外部工作关系单位 as label rows; 「关键指标：A、B、C」."""
    document = Document()
    document.add_paragraph("人力资源专员职位说明书")
    table(
        document,
        [
            ["职位名称", HR["title"], "职位编号", HR["code"]],
            ["所在部门", HR["department"], "直接上级", HR["superior"]],
        ],
    )
    document.add_paragraph("工作职责")
    table(
        document,
        [["序号", "工作内容"]] + [[str(n), d["tasks"][0]] for n, d in enumerate(HR["duties"], 1)],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(HR, QUAL_LABELS))
    document.add_paragraph("工作关系")
    table(
        document,
        [
            ["内部工作关系部门及职位", "各部门负责人、财务部"],
            ["外部工作关系单位", "人才市场、社保中心"],
        ],
    )
    document.add_paragraph("关键指标：招聘及时率、培训计划完成率、档案准确率")
    duties = [{"tasks": d["tasks"]} for d in HR["duties"]]
    return save(document), expected(
        {**HR, "duties": duties},
        "title", "code", "department", "superior", "duties", "qualifications", "indicators",
        relationships=[
            ["internal", "各部门负责人", ""],
            ["internal", "财务部", ""],
            ["external", "人才市场", ""],
            ["external", "社保中心", ""],
        ],
        experience_years=3,
    )  # fmt: skip


@corpus("24-spaced-and-full-width-labels")
def spaced_labels() -> tuple[bytes, dict]:
    document = Document()
    document.add_paragraph("会 计 职 位 说 明 书")
    table(
        document,
        [
            ["职 位 名 称：", "会计", "职 位 编 号：", "CW-002"],
            ["所 属 部 门：", "财务部", "直 接 上 级：", "财务部经理"],
        ],
    )
    document.add_paragraph("【工作职责】")
    table(
        document,
        [["序　号", "工 作 内 容", "考 核 要 点"]]
        + [[str(n), d["tasks"][0], d["assessment"][0]] for n, d in enumerate(FINANCE["duties"], 1)],
    )
    document.add_paragraph("【任职资格】")
    table(document, [["学　历", "本科"], ["工 作 经 验", "一年以上会计工作经验"]])
    return save(document), expected(
        FINANCE, "title", "code", "department", "superior", "duties",
        qualifications={"education": ["本科"], "experience": ["一年以上会计工作经验"]},
        experience_years=1,
    )  # fmt: skip


@corpus("25-kpi-and-authority-tables")
def kpi_tables() -> tuple[bytes, dict]:
    document = Document()
    table(
        document,
        [
            ["职位名称", HR["title"], "职位编号", HR["code"]],
            ["所在部门", HR["department"], "直接上级", HR["superior"]],
        ],
    )
    document.add_paragraph("工作职责")
    table(
        document,
        [["序号", "工作内容"]] + [[str(n), d["tasks"][0]] for n, d in enumerate(HR["duties"], 1)],
    )
    document.add_paragraph("工作权限")
    table(
        document,
        [["序号", "权限", "权限级别"], ["1", "面试安排权", "执行"], ["2", "录用建议权", "提议"]],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(HR, QUAL_LABELS))
    document.add_paragraph("关键绩效指标")
    table(
        document,
        [["序号", "指标名称", "指标说明"], ["1", "招聘及时率", "按期到岗人数/需求人数"],
         ["2", "培训计划完成率", ""]],
    )  # fmt: skip
    duties = [{"tasks": d["tasks"]} for d in HR["duties"]]
    return save(document), expected(
        {**HR, "duties": duties},
        "title", "code", "department", "superior", "duties", "qualifications",
        authorities=[["面试安排权", "执行"], ["录用建议权", "提议"]],
        indicators=[["招聘及时率", "按期到岗人数/需求人数"], ["培训计划完成率", ""]],
        experience_years=3,
    )  # fmt: skip


@corpus("26-duty-paragraphs-with-sub-items")
def sub_items() -> tuple[bytes, dict]:
    """Duties as 1. headings with （1）（2） tasks under them; groups as bold lines."""
    document = Document()
    document.add_paragraph("人力资源专员职位说明书")
    table(
        document,
        [
            ["职位名称", HR["title"], "职位编号", HR["code"]],
            ["所在部门", HR["department"], "直接上级", HR["superior"]],
        ],
    )
    document.add_paragraph("工作职责")
    bold(document, "重点工作")
    document.add_paragraph("1. 招聘管理")
    document.add_paragraph("（1）根据用人需求发布招聘信息；")
    document.add_paragraph("（2）筛选简历并安排面试。")
    document.add_paragraph("2. 员工关系")
    document.add_paragraph("（1）办理员工入职、离职手续。")
    bold(document, "一般工作")
    document.add_paragraph("1. 完成上级交办的其他工作。")
    document.add_paragraph("任职资格")
    table(document, qualification_rows(HR, QUAL_LABELS))
    duties = [
        {
            "kind": "key",
            "tasks": ["招聘管理", "根据用人需求发布招聘信息；", "筛选简历并安排面试。"],
        },
        {"kind": "key", "tasks": ["员工关系", "办理员工入职、离职手续。"]},
        {"kind": "general", "tasks": ["完成上级交办的其他工作。"]},
    ]
    return save(document), expected(
        {**HR, "duties": duties},
        "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=3,
    )  # fmt: skip


FINANCE_TASKS = [duty["tasks"][0] for duty in FINANCE["duties"]]


@corpus("27-label-value-grid-with-summary-cells")
def label_grid() -> tuple[bytes, dict]:
    """One big table: header pairs, then section rows whose content sits in the next cell."""
    document = Document()
    document.add_paragraph("会计岗位说明书")
    grid = table(
        document,
        [
            ["岗位名称", "会计", "岗位编号", "CW-002"],
            ["所属部门", "财务部", "直接上级", "财务部经理"],
            ["岗位概述", FINANCE["summary"][0], "", ""],
            ["岗位职责", "\n".join(f"{n}. {d}" for n, d in enumerate(FINANCE_TASKS, 1)), "", ""],
            ["任职资格", "", "", ""],
            ["学历", "本科", "专业", "会计、财务管理"],
            ["工作经验", "一年以上会计工作经验", "资格证书", "初级会计职称"],
        ],
    )  # fmt: skip
    for index in (2, 3):
        grid.rows[index].cells[1].merge(grid.rows[index].cells[3])
    merge_row(grid.rows[4])
    duties = [{"tasks": d["tasks"]} for d in FINANCE["duties"]]
    return save(document), expected(
        {**FINANCE, "duties": duties},
        "title", "code", "department", "superior", "summary", "duties", "qualifications",
        experience_years=1,
    )  # fmt: skip


@corpus("28-responsibility-authority-lines")
def scope_lines() -> tuple[bytes, dict]:
    """责权范围 as paragraphs: 责任范围 / 权力范围 sub-headings with numbered lines."""
    document = _numbered_outline(HR)
    document.add_paragraph("五、责权范围")
    document.add_paragraph("（一）责任范围")
    document.add_paragraph("1. 对招聘质量负责；")
    document.add_paragraph("（二）权力范围")
    document.add_paragraph("1. 对应聘人员的初试权（执行）")
    return save(document), _outline_expected(
        HR,
        experience_years=3,
        commitments=["对招聘质量负责；"],
        authorities=[["对应聘人员的初试权", "执行"]],
    )


@corpus("29-sign-off-with-dates-per-step")
def signoff_rows() -> tuple[bytes, dict]:
    """编制 / 审核 / 审批 rows with 时间 cells; 批准日期 given each date to its own step."""
    document = _layout_a(SALES)
    document.add_paragraph("审批与确认")
    table(
        document,
        [
            [
                "编制：",
                "李鸿飞",
                "时间：",
                "2006-08-16",
                "审核：",
                "郑长胜",
                "时间：",
                "2006-08-20",
            ],
            ["审批：", "赵总", "时间：", "2006-08-25", "", "", "", ""],
        ],
    )
    sign = {
        "prepared_by": "李鸿飞",
        "prepared_at": "2006年8月16日",  # the header's 填写日期; the row's 2006-08-16 agrees
        "reviewed_by": "郑长胜",
        "reviewed_at": "2006-08-20",
        "approved_by": "赵总",
        "approved_at": "2006-08-25",
    }
    return save(document), expected(
        SALES, *A_KEYS, "authorities", "qualifications", original_signoff=sign
    )


@corpus("30-work-environment-and-other")
def environment() -> tuple[bytes, dict]:
    """工作环境 / 其他要求 sections, 年龄 / 性别 kept with their labels in 其他要求."""
    document = _numbered_outline(FINANCE)
    document.add_paragraph("五、工作环境")
    document.add_paragraph("办公室，环境舒适")
    document.add_paragraph("六、其他要求")
    document.add_paragraph("年龄：25-40岁")
    result = _outline_expected(FINANCE, experience_years=1)
    result["qualifications"]["work_environment"] = ["办公室，环境舒适"]
    result["qualifications"]["other_requirements"] = ["年龄：25-40岁"]
    return save(document), result


@corpus("31-chinese-numbered-duty-table-cells")
def one_cell_duties() -> tuple[bytes, dict]:
    """Duties numbered （1）… inside one cell of a 主要职责 | 工作内容 table."""
    document = Document()
    table(
        document,
        [
            ["职位名称", SALES["title"], "职位编号", SALES["code"]],
            ["所在部门", SALES["department"], "直接上级", SALES["superior"]],
        ],
    )
    document.add_paragraph("工作职责")
    table(
        document,
        [["主要职责", "工作内容"]] + [[d["title"], "\n".join(d["tasks"])] for d in SALES["duties"]],
    )
    document.add_paragraph("任职资格")
    table(document, qualification_rows(SALES, QUAL_LABELS))
    return save(document), expected(
        SALES, "title", "code", "department", "superior", "duties", "qualifications",
        experience_years=2,
    )  # fmt: skip


@corpus("32-one-table-form-with-merged-label-column")
def one_table_form() -> tuple[bytes, dict]:
    """Everything in one table: section labels merged down the first column, one duty a row,
    任职资格 as sub-labels beside the merged 任职资格 cell."""
    document = Document()
    document.add_paragraph("人力资源专员岗位说明书")
    duties = [d["tasks"][0] for d in HR["duties"]]
    rows = [
        ["岗位名称", HR["title"], "岗位编号", HR["code"]],
        ["所属部门", HR["department"], "直接上级", HR["superior"]],
    ]
    rows += [["岗位职责", f"{n}. {task}", "", ""] for n, task in enumerate(duties, 1)]
    rows += [
        ["任职资格", "学历", "本科及以上学历", ""],
        ["任职资格", "工作经验", "三年以上人力资源相关工作经验", ""],
        ["任职资格", "必备知识", "熟悉劳动法及相关法规", ""],
    ]
    form = table(document, rows)
    duty_rows = list(range(2, 2 + len(duties)))
    for index in duty_rows:
        form.rows[index].cells[1].merge(form.rows[index].cells[3])
    for index in range(2 + len(duties), len(rows)):
        form.rows[index].cells[2].merge(form.rows[index].cells[3])
    vertical_merge([form.rows[i].cells[0] for i in duty_rows])
    vertical_merge([form.rows[i].cells[0] for i in range(2 + len(duties), len(rows))])
    return save(document), expected(
        {**HR, "duties": [{"tasks": [task]} for task in duties]},
        "title", "code", "department", "superior", "duties",
        qualifications={
            "education": ["本科及以上学历"],
            "experience": ["三年以上人力资源相关工作经验"],
            "knowledge": ["熟悉劳动法及相关法规"],
        },
        experience_years=3,
    )  # fmt: skip


@corpus("33-header-table-in-page-header")
def header_table() -> tuple[bytes, dict]:
    """The header fields in a table of the page header, repeated on every page."""
    document = Document()
    header = document.sections[0].header
    in_header = header.add_table(rows=1, cols=4, width=Cm(17))
    for cell, text in zip(
        in_header.rows[0].cells,
        ["职位名称", FINANCE["title"], "职位编号", FINANCE["code"]],
        strict=True,
    ):
        fill_cell(cell, text)
    table(document, [["所在部门", FINANCE["department"], "直接上级", FINANCE["superior"]]])
    document.add_paragraph("工作职责")
    for n, duty in enumerate(FINANCE["duties"], 1):
        document.add_paragraph(f"{n}. {duty['tasks'][0]}")
    document.add_paragraph("任职资格")
    table(document, qualification_rows(FINANCE, QUAL_LABELS))
    duties = [{"tasks": d["tasks"]} for d in FINANCE["duties"]]
    return save(document), expected(
        {**FINANCE, "duties": duties},
        "title", "code", "department", "superior", "duties", "qualifications",
    )  # fmt: skip


# --- files that are refused (used by the tests, not part of the corpus) ----------------------


def recruitment_request() -> bytes:
    """A 招聘需求申请表: a 岗位名称 cell, but not a 职位说明书."""
    document = Document()
    document.add_paragraph("招聘需求申请表")
    table(
        document,
        [
            ["申请部门", "销售部", "岗位名称", "售楼员"],
            ["需求人数", "3", "到岗时间", "2024-03-01"],
            ["招聘原因", "业务扩展", "申请人", "陈经理"],
        ],
    )
    return save(document)


def two_editions() -> bytes:
    """Two editions of the same sheet (same title) in one file."""
    document = _layout_a(SALES)
    second = _layout_a(SALES)
    for element in list(second.element.body.iterchildren()):
        if not element.tag.endswith("sectPr"):
            document.element.body.append(element)
    return save(document)


def build() -> dict[str, tuple[bytes, dict]]:
    return {name: builder() for name, builder in BUILDERS.items()}


def write(folder: Path = HERE) -> list[str]:
    names = []
    for name, (data, fields) in build().items():
        (folder / f"{name}.docx").write_bytes(data)
        (folder / f"{name}.json").write_text(
            json.dumps(fields, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        names.append(name)
    return names


if __name__ == "__main__":
    written = write()
    sys.stdout.write(f"{len(written)} documents written to {HERE}\n")
