"""The words of a 职位说明书: label variants, section titles, column headers, choice labels.

``LABELS`` is the ONE table of label variants: a label is recognised by meaning, whatever the
layout calls it. Everything here is text → key; nothing reads a document. ``label_key``,
``section_key`` and ``column_key`` look a text up after ``normalise_label`` (no spaces, colons,
brackets; English words dropped beside Chinese ones, lower-cased alone) and ``strip_numbering``
(一、 （一） 1. ① 第一部分 -); a combined label (工作内容/工作任务) is the key all its parts
agree on.
"""

from __future__ import annotations

import re

from positions.models import Duty, ManualLevel, Qualification, Relationship

# Canonical key → the label's variants, written as normalise_label() leaves them (English
# labels lower-cased, without spaces).
LABELS: dict[str, tuple[str, ...]] = {
    # header fields
    "title": (
        "职位名称",
        "岗位名称",
        "职务名称",
        "职位名",
        "岗位名",
        "岗位",
        "职位",
        "职务",
        "jobtitle",
        "positiontitle",
        "position",
        "title",
        "positionname",
    ),
    "code": (
        "职位编号",
        "职位代码",
        "岗位编号",
        "岗位代码",
        "职位编码",
        "岗位编码",
        "职务编号",
        "jobcode",
        "positioncode",
        "positionno",
        "positionid",
    ),
    "document_number": ("说明书编号", "文件编号", "文档编号", "documentno"),
    "company": ("单位", "单位名称", "公司", "公司名称", "所属公司", "所属单位", "company"),
    "department": (
        "所在部门",
        "所属部门",
        "部门名称",
        "部门",
        "所在部门科室",
        "department",
        "dept",
    ),
    "superior": (
        "直接上级",
        "直属上级",
        "直属上司",
        "直接上司",
        "汇报对象",
        "直接主管",
        "直接领导",
        "上级",
        "上级岗位",
        "上级职位",
        "直接上级岗位",
        "直接上级职位",
        "直接上级职务",
        "reportsto",
        "reportto",
        "supervisor",
        "directsupervisor",
    ),
    "direct_reports": (
        "直接下属",
        "下属职位",
        "直接下级",
        "下属",
        "下属岗位",
        "直接下属岗位",
        "直接下属职位",
        "directreports",
        "subordinates",
    ),
    "indirect_reports": ("间接下属", "间接下级", "indirectreports"),
    "holder": ("任职人姓名", "任职人", "任职者姓名", "在岗人员", "在职人员", "incumbent"),
    "related": ("相关职位", "相关岗位", "平行职位", "平行岗位"),
    "grade": (
        "职位等级",
        "岗位职等",
        "岗位等级",
        "职位职等",
        "职等",
        "职级",
        "岗位级别",
        "职位级别",
        "grade",
        "jobgrade",
        "level",
    ),
    "headcount": (
        "职位编制",
        "岗位编制",
        "编制人数",
        "定员",
        "定员人数",
        "岗位定员",
        "headcount",
    ),
    "location": ("工作地点", "工作地", "工作地址", "location", "worklocation"),
    "purpose": (
        "设岗目的",
        "职位使命",
        "岗位使命",
        "岗位目的",
        "岗位设置目的",
        "职位目的",
        "jobpurpose",
        "purpose",
    ),
    "summary": (
        "职位概要",
        "职位概要描述",
        "岗位概要",
        "工作概要",
        "职责概述",
        "岗位概述",
        "职位概述",
        "工作概述",
        "jobsummary",
        "positionsummary",
        "summary",
    ),
    "self": ("本职位", "本岗位"),
    # sign-off
    "prepared_by": (
        "制定者",
        "编制",
        "编制人",
        "编写人",
        "编写者",
        "填写人",
        "拟制",
        "拟制人",
        "起草人",
        "填表人",
        "preparedby",
    ),
    "reviewed_by": ("审核者", "审核", "审核人", "复核", "复核人", "reviewedby"),
    "approved_by": (
        "审批",
        "审批人",
        "审批者",
        "批准",
        "批准人",
        "核准",
        "核准人",
        "approvedby",
    ),
    "prepared_at": ("填写日期", "编制日期", "制定日期", "填表日期", "编写日期"),
    "reviewed_at": ("审核日期", "复核日期"),
    "approved_at": ("批准日期", "审批日期", "核准日期"),
    "effective_date": ("生效日期", "生效时间", "执行日期", "effectivedate"),
    "version": ("版本", "版本号", "version"),
    "date": ("日期", "时间", "签字日期", "签名日期", "date"),
    "holder_sign": ("任职者签字", "任职者", "员工签字", "任职人签字", "任职者签名"),
    "next_review": ("下次复核日期",),
    # 任职资格 rows (model field names)
    "education": (
        "学历",
        "最低学历",
        "学历要求",
        "教育程度",
        "教育背景",
        "教育水平",
        "文化程度",
        "education",
    ),
    "major": ("专业", "专业要求", "所学专业", "专业背景", "major"),
    "experience": (
        "工作经验",
        "经验",
        "工作经历",
        "相关工作经验",
        "经验要求",
        "experience",
        "workexperience",
    ),
    "background": ("资历",),
    "knowledge": (
        "专业知识",
        "知识结构",
        "知识",
        "必备知识",
        "业务了解范围",
        "知识要求",
        "knowledge",
    ),
    "skills": ("能力", "技能", "能力要求", "技能要求", "专业技能", "技能技巧", "skills"),
    "competencies": ("能力素质", "素质", "素质要求", "综合素质", "competencies"),
    "qualities": ("品质意识", "品质", "意识", "个性品质", "个性特征", "性格特征", "职业素养"),
    "certificates": ("资格证书", "证书", "资质证书", "职业资格", "certificates"),
    "work_environment": ("工作环境", "工作条件", "工作环境及条件"),
    "other_requirements": ("其他要求", "其它要求", "其他条件"),
    # 其他要求 that keep their label: 「年龄：25-40岁」
    "other_labelled": (
        "年龄",
        "性别",
        "身体状况",
        "身体要求",
        "培训经历",
        "培训要求",
        "语言要求",
        "计算机水平",
        "外语水平",
        "工作时间",
    ),
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

# Section titles (a paragraph, or a table row with one (merged) cell) → section key.
SECTIONS: dict[str, tuple[str, ...]] = {
    "basic": (
        "基本情况",
        "岗位基本信息",
        "基本信息",
        "岗位基本情况",
        "职位基本信息",
        "基本资料",
        "职位信息",
        "岗位信息",
        "basicinformation",
        "jobinformation",
    ),
    "purpose": LABELS["purpose"],
    "summary": (
        "职位概要",
        "职位概要描述",
        "岗位概要",
        "工作概要",
        "职责概述",  # layout B (the MK card) heads its summary so
        "岗位概述",
        "职位概述",
        "工作概述",
        "jobsummary",
        "positionsummary",
        "summary",
    ),
    "duties": (
        "工作内容与主要职责",
        "工作职责",
        "工作职责及内容",
        "工作职责和工作内容",
        "岗位职责",
        "主要职责",
        "职位职责",
        "主要工作职责",
        "工作内容",
        "工作任务",
        "工作内容与绩效标准",
        "工作职责与绩效标准",
        "职责与工作任务",
        "职责描述",
        "主要工作内容",
        "responsibilities",
        "duties",
        "jobresponsibilities",
        "dutiesandresponsibilities",
    ),
    "commitments": ("主要责任", "责任范围", "工作责任", "岗位责任"),
    "authorities": (
        "工作权限",
        "权限",
        "权力范围",
        "职权",
        "岗位权限",
        "权限范围",
        "职位权限",
        "authority",
        "authorities",
    ),
    "scope": ("责权范围", "权责范围", "职责权限", "责任与权限"),
    "qualifications": (
        "任职资格",
        "基本任职资格",
        "任职条件",
        "任职资格与条件",
        "任职要求",
        "岗位任职资格",
        "任职资格要求",
        "任职基本要求",
        "任职资格条件",
        "qualifications",
        "requirements",
        "jobrequirements",
    ),
    "relationships": (
        "工作关系",
        "主要工作关系",
        "职位关系",
        "工作联系",
        "工作协作关系",
        "内外部关系",
        "沟通关系",
        "岗位关系",
        "workingrelationships",
        "relationships",
    ),
    "indicators": (
        "关键指标",
        "关键业绩指标",
        "关键绩效指标",
        "考核指标",
        "绩效考核指标",
        "绩效指标",
        "kpi",
        "kpis",
        "keyperformanceindicators",
    ),
    "environment": ("工作环境", "工作条件", "工作环境及条件", "workingconditions"),
    "other": ("其他要求", "其它要求"),
    "signoff": ("审批与确认", "签核", "签字确认", "审批栏", "签核栏"),
}
TEXT_SECTIONS = ("purpose", "summary", "commitments")

# Column headers of column tables → (table kind, column key).
COLUMNS: dict[str, tuple[str, str]] = {
    "重要性": ("duties", "rank"),
    "重要程度": ("duties", "rank"),
    "排序": ("duties", "rank"),
    "主要职责": ("duties", "title"),
    "职责名称": ("duties", "title"),
    "职责": ("duties", "title"),
    "工作职责": ("duties", "title"),
    "工作项目": ("duties", "title"),
    "职责项目": ("duties", "title"),
    "职责要项": ("duties", "title"),
    "duty": ("duties", "title"),
    "responsibility": ("duties", "title"),
    "responsibilities": ("duties", "title"),
    "工作内容": ("duties", "tasks"),
    "工作任务": ("duties", "tasks"),
    "职责描述": ("duties", "tasks"),
    "工作职责和工作内容": ("duties", "tasks"),
    "工作职责及内容": ("duties", "tasks"),
    "具体内容": ("duties", "tasks"),
    "具体工作内容": ("duties", "tasks"),
    "职责内容": ("duties", "tasks"),
    "tasks": ("duties", "tasks"),
    "keytasks": ("duties", "tasks"),
    "description": ("duties", "tasks"),
    "负责程度": ("duties", "responsibility"),
    "责任程度": ("duties", "responsibility"),
    "权责": ("duties", "responsibility"),
    "考核要点": ("duties", "assessment"),
    "考核标准": ("duties", "assessment"),
    "绩效标准": ("duties", "assessment"),
    "衡量标准": ("duties", "assessment"),
    "工作标准": ("duties", "assessment"),
    "绩效考核标准": ("duties", "assessment"),
    "performancestandard": ("duties", "assessment"),
    "performancestandards": ("duties", "assessment"),
    "职责概述": ("duties", "group"),
    "职责分类": ("duties", "group"),
    "工作类别": ("duties", "group"),
    "类别": ("duties", "group"),
    "职责类别": ("duties", "group"),
    "职责模块": ("duties", "group"),
    "权重": ("duties", "note"),
    "时间比例": ("duties", "note"),
    "占用时间": ("duties", "note"),
    "时间占比": ("duties", "note"),
    "工作时间百分比": ("duties", "note"),
    "频率": ("duties", "note"),
    "权限": ("authorities", "name"),
    "权限名称": ("authorities", "name"),
    "权限内容": ("authorities", "name"),
    "权限级别": ("authorities", "level"),
    "权限等级": ("authorities", "level"),
    "指标": ("indicators", "name"),
    "指标名称": ("indicators", "name"),
    "考核指标": ("indicators", "name"),
    "kpi": ("indicators", "name"),
    "说明": ("indicators", "description"),
    "指标说明": ("indicators", "description"),
    "指标定义": ("indicators", "description"),
    "关系类型": ("relationships", "kind"),
    "部门单位职位": ("relationships", "party"),
    "对象": ("relationships", "party"),
    "联系对象": ("relationships", "party"),
    "联系内容": ("relationships", "purpose"),
    "联系目的": ("relationships", "purpose"),
    "内部工作关系": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "内部工作关系部门及职位": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "内部关系": ("relationship_columns", Relationship.Kind.INTERNAL.value),
    "外部工作关系": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "外部工作关系单位": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
    "外部关系": ("relationship_columns", Relationship.Kind.EXTERNAL.value),
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
AUTHORITY_LEVELS = {label: value for value, label in ManualLevel.choices}
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

RELATIONSHIP_LABELS = {
    **RELATIONSHIP_KINDS,
    "内部": Relationship.Kind.INTERNAL.value,
    "内部关系": Relationship.Kind.INTERNAL.value,
    "内部工作关系部门及职位": Relationship.Kind.INTERNAL.value,
    "内部协调关系": Relationship.Kind.INTERNAL.value,
    "内部联系": Relationship.Kind.INTERNAL.value,
    "外部": Relationship.Kind.EXTERNAL.value,
    "外部关系": Relationship.Kind.EXTERNAL.value,
    "外部工作关系单位": Relationship.Kind.EXTERNAL.value,
    "外部协调关系": Relationship.Kind.EXTERNAL.value,
    "外部联系": Relationship.Kind.EXTERNAL.value,
    "行政管理": Relationship.Kind.ADMINISTRATIVE.value,
    "internal": Relationship.Kind.INTERNAL.value,
    "external": Relationship.Kind.EXTERNAL.value,
}

# Numbering in front of a heading or an item: 一、 （一） (1) 1. 1、 1) ① 第一部分 Ⅰ. -
NUMBERING = re.compile(
    r"^\s*(?:"
    r"第[一二三四五六七八九十\d]{1,3}(?:部分|章|节|条|项)\s*[、.．:：]?"
    r"|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]\s*[、.．]?"
    r"|(?:\d{1,2}(?:\.\d{1,2})*|[一二三四五六七八九十]{1,3}|[A-Za-z]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,3})"
    r"\s*(?:[.．、)）](?!\d)|\s)"
    r"|[①-⑳]"
    r"|[-－—•·●◆■□▪►○✓*]+"
    r")\s*"
)
HEADING_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十\d]{1,3}(?:部分|章|节)|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,3}\s*[.．、])"
)
_LABEL_NOISE = re.compile(r"[\s\u3000:：/／*＊()（）\[\]【】·•\-－_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z][A-Za-z .&'/-]*")
_COMBINED = re.compile(r"[/／、]")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[ \t\u3000]+(?=[\u3400-\u9fff])")
_LABEL_INDEX = {variant: key for key, variants in LABELS.items() for variant in variants}
_SECTION_INDEX = {variant: key for key, variants in SECTIONS.items() for variant in variants}
_CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def strip_numbering(text: str) -> str:
    """The text without the numbering in front of it (一、 （一） 1. ① - …)."""
    return NUMBERING.sub("", text, count=1)


def normalise_label(text: str) -> str:
    """A label as the tables above spell it: no whitespace, colons, slashes or brackets;
    English words dropped beside Chinese ones (「职位名称 Job Title」), lower-cased alone."""
    text = _LATIN_WORDS.sub("", text) if _CJK.search(text) else text.lower()
    return _LABEL_NOISE.sub("", text)


def clean_value(text: str) -> str:
    """A value with its lines stripped and the spaces Word wrapping left between CJK removed."""
    lines = [_CJK_GAP.sub("", line.strip()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _lookup(text: str, index: dict[str, str]) -> str | None:
    """The key of a label in ``index``: the whole label, or — combined labels 「工作内容/工作任务」,
    「学历、专业」 — the one key all its known parts agree on; then its English part alone."""
    text = strip_numbering(text.strip())
    found = index.get(normalise_label(text))
    if found:
        return found
    parts = [normalise_label(part) for part in _COMBINED.split(text)]
    parts = [part for part in parts if part]
    keys = {index.get(part) for part in parts}
    if len(parts) > 1 and len(keys) == 1 and None not in keys:
        return keys.pop()
    if _CJK.search(text):
        latin = "".join(_LATIN_WORDS.findall(text)).lower()
        return index.get(_LABEL_NOISE.sub("", latin)) if latin else None
    return None


def label_key(text: str) -> str | None:
    """The canonical key of a label cell; None for anything else (values, 标签：值 text)."""
    text = text.strip().rstrip(":：").strip()
    if not text or "\n" in text or ":" in text or "：" in text or len(text) > 40:
        return None
    return _lookup(text, _LABEL_INDEX)


def section_key(text: str) -> str | None:
    """The section a heading opens (numbering such as 一、 （一） 1. stripped); None otherwise."""
    text = text.strip().rstrip(":：").strip()
    if not text or "\n" in text or len(text) > 40:
        return None
    return _lookup(text, _SECTION_INDEX)


def column_key(text: str) -> tuple[str, str] | None:
    """(table kind, column key) of a column header, combined headers included."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    name = normalise_label(text)
    if name in COLUMNS:
        return COLUMNS[name]
    parts = [normalise_label(part) for part in _COMBINED.split(text) if normalise_label(part)]
    found = {COLUMNS[part] for part in parts if part in COLUMNS}
    if len(found) == 1 and len(parts) > 1:
        return found.pop()
    if len(found) > 1 and {key for _, key in found} <= {"tasks", "title"}:
        return next(iter(found))[0], "tasks"  # 「工作职责/工作内容」: the task text
    if _CJK.search(text):
        latin = _LABEL_NOISE.sub("", "".join(_LATIN_WORDS.findall(text)).lower())
        return COLUMNS.get(latin)
    return None


def is_serial_header(text: str) -> bool:
    return normalise_label(text) in (*SERIAL_HEADERS, "no", "no.", "#")


def looks_numbered_heading(text: str) -> bool:
    """一、XX / （一）XX / 第一部分 XX: how Chinese documents number their headings."""
    return bool(HEADING_NUMBERING.match(text))


def chinese_number(text: str) -> int | None:
    """An integer written in digits or Chinese numerals (一 … 九十九)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CHINESE_DIGITS for ch in text):
        return None
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (
            _CHINESE_DIGITS[units] if units else 0
        )
    return _CHINESE_DIGITS[text] if len(text) == 1 else None


_YEARS = re.compile(
    r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:年|周年)(?:以上|及以上|或以上|经验|工作|相关|$)"
)


def experience_years(text: str) -> int | None:
    """Years of experience: 「3年以上」 「三年以上」 「一年」 → 3, 3, 1."""
    for match in _YEARS.finditer(text):
        number = chinese_number(match.group(1))
        if number is not None and 0 < number < 60:
            return number
    return None
