"""The words of a 职位说明书: label variants, section titles, column headers, choice labels.

``LABELS`` is the ONE table of label variants: a label is recognised by meaning, whatever the
layout calls it. Everything here is text → key; nothing reads a document.
"""

from __future__ import annotations

import re

from positions.models import Authority, Duty, Qualification, Relationship

# Canonical key → the label's variants, written as normalise_label() leaves them.
LABELS: dict[str, tuple[str, ...]] = {
    # header fields
    "title": ("职位名称", "岗位名称", "职务名称"),
    "code": ("职位编号", "职位代码", "岗位编号", "岗位代码", "职位编码", "岗位编码"),
    "department": ("所在部门", "所属部门", "部门名称", "部门"),
    "superior": ("直接上级", "直属上级", "直属上司", "直接上司", "汇报对象"),
    "direct_reports": ("直接下属", "下属职位"),
    "related": ("相关职位",),
    "grade": ("职位等级", "岗位职等", "岗位等级", "职位职等", "职等", "职级"),
    "headcount": ("职位编制", "岗位编制", "编制人数"),
    "location": ("工作地点", "工作地"),
    "purpose": ("设岗目的", "职位使命", "岗位使命", "岗位目的"),
    "summary": ("职位概要", "职位概要描述", "岗位概要", "工作概要", "职责概述"),
    "self": ("本职位",),
    # sign-off
    "prepared_by": ("制定者", "编制", "编制人", "编写人", "编写者", "填写人"),
    "reviewed_by": ("审核者", "审核", "审核人"),
    "approved_by": ("审批", "审批人", "审批者", "批准", "批准人"),
    "prepared_at": ("填写日期", "编制日期", "制定日期"),
    "date": ("日期", "时间", "签字日期"),
    "holder_sign": ("任职者签字", "任职者", "员工签字"),
    "next_review": ("下次复核日期",),
    # 任职资格 rows (model field names)
    "education": ("学历", "最低学历", "学历要求", "教育程度", "教育背景"),
    "major": ("专业", "专业要求"),
    "experience": ("工作经验", "经验"),
    "background": ("资历",),
    "knowledge": ("专业知识", "知识结构", "知识"),
    "skills": ("能力", "技能", "能力要求"),
    "competencies": ("能力素质", "素质"),
    "qualities": ("品质意识", "品质", "意识", "个性品质"),
    "certificates": ("资格证书", "证书"),
    "work_environment": ("工作环境",),
    "other_requirements": ("其他要求",),
}
QUALIFICATION_KEYS = (
    "education",
    "major",
    "experience",
    "background",
    "knowledge",
    "skills",
    "competencies",
    "qualities",
    "certificates",
    "work_environment",
    "other_requirements",
)
QUALIFICATION_LABELS = {
    "education": "学历",
    "major": "专业",
    "experience": "工作经验",
    "background": "资历",
    "knowledge": "专业知识",
    "skills": "能力",
    "competencies": "能力素质",
    "qualities": "品质 / 意识",
    "certificates": "资格证书",
    "work_environment": "工作环境",
    "other_requirements": "其他要求",
}
SIGN_OFF_KEYS = ("prepared_by", "reviewed_by", "approved_by")

# Section titles (a paragraph, or a table row with one merged cell) → section key.
SECTIONS: dict[str, tuple[str, ...]] = {
    "basic": ("基本情况", "岗位基本信息", "基本信息"),
    "purpose": LABELS["purpose"],
    "summary": ("职位概要", "职位概要描述", "岗位概要", "工作概要"),
    "duties": (
        "工作内容与主要职责",
        "工作职责",
        "工作职责及内容",
        "工作职责和工作内容",
        "岗位职责",
        "主要职责",
    ),
    "commitments": ("主要责任",),
    "authorities": ("工作权限", "权限"),
    "qualifications": ("任职资格", "基本任职资格", "任职条件"),
    "relationships": ("工作关系", "主要工作关系", "职位关系", "工作联系"),
    "indicators": ("关键指标", "关键业绩指标", "KPI"),
    "signoff": ("审批与确认", "签核"),
}
TEXT_SECTIONS = ("purpose", "summary", "commitments")

# Column headers of column tables → (table kind, column key).
COLUMNS: dict[str, tuple[str, str]] = {
    "重要性": ("duties", "rank"),
    "主要职责": ("duties", "title"),
    "职责名称": ("duties", "title"),
    "职责": ("duties", "title"),
    "工作内容": ("duties", "tasks"),
    "工作任务": ("duties", "tasks"),
    "职责描述": ("duties", "tasks"),
    "工作职责和工作内容": ("duties", "tasks"),
    "工作职责及内容": ("duties", "tasks"),
    "具体内容": ("duties", "tasks"),
    "负责程度": ("duties", "responsibility"),
    "责任程度": ("duties", "responsibility"),
    "考核要点": ("duties", "assessment"),
    "考核标准": ("duties", "assessment"),
    "职责概述": ("duties", "group"),
    "职责分类": ("duties", "group"),
    "工作类别": ("duties", "group"),
    "类别": ("duties", "group"),
    "权限": ("authorities", "name"),
    "权限名称": ("authorities", "name"),
    "权限级别": ("authorities", "level"),
    "权限等级": ("authorities", "level"),
    "指标": ("indicators", "name"),
    "指标名称": ("indicators", "name"),
    "说明": ("indicators", "description"),
    "指标说明": ("indicators", "description"),
    "关系类型": ("relationships", "kind"),
    "部门单位职位": ("relationships", "party"),
    "对象": ("relationships", "party"),
    "联系内容": ("relationships", "purpose"),
    "内部工作关系": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "内部工作关系部门及职位": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "外部工作关系": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "外部工作关系单位": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "行政管理关系": ("relationship_columns", Relationship.Kind.ADMINISTRATIVE.value),
}
SERIAL_HEADERS = ("序号", "编号", "序")

RESPONSIBILITY = {
    "全责": Duty.Responsibility.FULL,
    "负责": Duty.Responsibility.FULL,
    "部分": Duty.Responsibility.PARTIAL,
    "部分负责": Duty.Responsibility.PARTIAL,
    "协助": Duty.Responsibility.ASSIST,
}
DUTY_KINDS = {label: value for value, label in Duty.Kind.choices}
AUTHORITY_LEVELS = {label: value for value, label in Authority.Level.choices}
RELATIONSHIP_KINDS = {label: value for value, label in Relationship.Kind.choices}
EDUCATION = (
    ("博士", Qualification.Education.DOCTOR),
    ("硕士", Qualification.Education.MASTER),
    ("研究生", Qualification.Education.MASTER),
    ("本科", Qualification.Education.BACHELOR),
    ("大专", Qualification.Education.COLLEGE),
    ("专科", Qualification.Education.COLLEGE),
    ("高中", Qualification.Education.HIGH_SCHOOL),
    ("中专", Qualification.Education.HIGH_SCHOOL),
)

_LABEL_NOISE = re.compile(r"[\s\u3000:：/／*＊()（）\[\]【】]+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[ \t\u3000]+(?=[\u3400-\u9fff])")
_LABEL_INDEX = {variant: key for key, variants in LABELS.items() for variant in variants}
_SECTION_INDEX = {variant: key for key, variants in SECTIONS.items() for variant in variants}


def normalise_label(text: str) -> str:
    """A label as the tables above spell it: no whitespace, colons, slashes or brackets."""
    return _LABEL_NOISE.sub("", text)


def clean_value(text: str) -> str:
    """A value with its lines stripped and the spaces Word wrapping left between CJK removed."""
    lines = [_CJK_GAP.sub("", line.strip()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def label_key(text: str) -> str | None:
    """The canonical key of a label cell; None for anything else (values, 标签：值 text)."""
    text = text.strip().rstrip(":：").strip()
    if not text or "\n" in text or ":" in text or "：" in text:
        return None
    return _LABEL_INDEX.get(normalise_label(text))


def section_key(text: str) -> str | None:
    return _SECTION_INDEX.get(normalise_label(text)) if text.strip() else None
