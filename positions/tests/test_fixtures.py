"""The seed fixture (fixtures/seed.json) reproduces the seed document's job descriptions.

The reading choices behind the data are in fixtures/README.md. Besides value checks, one test
walks the seed text sentence by sentence and finds each sentence in the loaded data.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models

from positions.models import (
    Department,
    Duty,
    Grant,
    Indicator,
    Matter,
    Position,
    Qualification,
    Relationship,
)
from positions.services.seed import load_seed_manual

SEED_NAME = "000_b0148335fcfdd6e4.txt"
# The committed verbatim copy first, so a clean clone works without the shared folder.
SEED_CANDIDATES = (
    Path(settings.BASE_DIR) / "fixtures" / "source" / "seed.txt",
    Path(settings.BASE_DIR).parent / "shared" / "seeds" / SEED_NAME,
)

# Website clutter of the extraction: never content.
CLUTTER_LINES = ("当前位置:文档之家", "Company number", "相关主题")
CLUTTER_LINE_EXACT = ("销售策划职位说明书",)  # the repeated page title
CLUTTER_FRAGMENTS = ("Fra bibliotek",)

# Form labels (structure, not content), written without the spaces the extraction put in
# them ("审 核 者", "职位 代码"). A label is removed only where it stands as a label: at the
# start of a line or after whitespace, and followed by a colon, whitespace or the line end.
LABELS = (
    # Layout A — 「XX职位说明书(补充)」
    "职位名称",
    "所在部门",
    "直接上级",
    "职位编号",
    "工作地点",
    "制定者",
    "职位等级",
    "填写日期",
    "审核者",
    "职位概要描述",
    "职位关系",
    "直属上司",
    "本职位",
    "相关职位",
    "直接下属",
    "工作内容与主要职责",
    "重要性",
    "主要职责",
    "工作内容/工作任务",
    "工作权限",
    "能力",
    # Layout B — position card
    "职位代码",
    "直属上级",
    "设岗目的",
    "工作职责",
    "职责概述",
    "代码",  # the second half of 职位代码, split around 助理 on the MK106 card
    "基本任职资格",
    "最低学历",
    "专业",
    "工作经验",
    "专业知识",
    # Layout C — 职位 form and 岗位 form
    "基本情况",
    "职位编制",
    "所属部门",
    "职位使命",
    "工作职责及内容",
    "工作职责和工作内容",
    "负责程度",
    "考核要点",
    "主要工作关系",
    "内部工作关系部门及职位",
    "外部工作关系单位",
    "行政管理关系",
    "职责描述",
    "岗位基本信息",
    "岗位名称",
    "岗位概要",
    "岗位职等",
    "主要责任",
    "任职资格",
    "资历",
    "品质",
    "知识结构",
    "关键指标",
    "能力素质",
    "资格证书",
    "工作环境",
    "其他要求",
    "编制",
    "审核",
    "审批",
    "时间",
)
# A sheet's title line is "<职位名称>职位说明书" or "<职位名称>职位说明书(补充)".
SHEET_TITLE_SUFFIX = re.compile(r"职位说明书(?:\(补充\))?\s*$")

# Where the fixture deliberately differs from the seed's wording (see fixtures/README.md).
SEED_CORRECTIONS = {
    "人际交住": "人际交往",  # typo
    "职业顾问": "置业顾问",  # typo (same sound, zhìyè)
    "选拨": "选拔",  # typo
    "签定": "签订",  # variant; the seed itself writes 签订 elsewhere
    "同上": "本科",  # "same as above": the 学历 cell above it says 本科
}

_PUNCTUATION = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})
_WHITESPACE = re.compile(r"\s+")
_LABEL_RES = [
    re.compile(r"(?<!\S)" + r"\s*".join(re.escape(char) for char in label) + r"(?:[:：]|(?=\s)|$)")
    for label in sorted(LABELS, key=len, reverse=True)
]
# Sentences end at 。；; and at colons (label: value, 合同管理: …); the sheets number items "1."
_SENTENCE_SPLIT = re.compile(r"[。；;:：]|(?:^|\s)\d+\.\s*")


def normalise(text: str) -> str:
    """Drop all whitespace; ASCII punctuation of the extraction → the full-width forms."""
    return _WHITESPACE.sub("", text).translate(_PUNCTUATION)


def read_seed() -> str:
    for candidate in SEED_CANDIDATES:
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    pytest.fail(f"seed text not found in any of {[str(c) for c in SEED_CANDIDATES]}")


def seed_sentences(text: str) -> list[str]:
    """The seed's content sentences: clutter and labels removed, split into sentences."""
    sentences: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line in CLUTTER_LINE_EXACT:
            continue
        if any(marker in line for marker in CLUTTER_LINES):
            continue
        for fragment in CLUTTER_FRAGMENTS:
            line = line.replace(fragment, "")
        for wrong, right in SEED_CORRECTIONS.items():
            line = line.replace(wrong, right)
        line = SHEET_TITLE_SUFFIX.sub("", line)
        for label_re in _LABEL_RES:
            line = label_re.sub(" ", line)
        for sentence in _SENTENCE_SPLIT.split(line):
            if sentence.strip():
                sentences.append(" ".join(sentence.split()))
    return sentences


def fixture_text() -> str:
    """Every text a loaded seed object holds, one line of a field per line, normalised.

    Choice fields contribute their label (执行, 全责, 重点工作 …), dates both ISO and the
    seed's 2006/08/16 form, numbers their digits, and a position its grade range "5-8".
    """
    values: list[str] = []
    for model in (
        Department,
        Position,
        Duty,
        Matter,
        Grant,
        Qualification,
        Relationship,
        Indicator,
    ):
        for obj in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if value in (None, "") or field.primary_key or field.is_relation:
                    continue
                if field.choices:
                    values.append(getattr(obj, f"get_{field.name}_display")())
                elif isinstance(field, models.DateTimeField):
                    continue  # bookkeeping timestamps, not sheet content
                elif isinstance(field, models.DateField):
                    values += [value.isoformat(), value.strftime("%Y/%m/%d")]
                else:
                    values.append(str(value))
            if isinstance(obj, Position) and obj.grade_min is not None:
                values.append(f"{obj.grade_min}-{obj.grade_max}")
    return "\n".join(normalise(line) for value in values for line in value.splitlines())


def missing_sentences(sentences: list[str], haystack: str) -> list[str]:
    """Sentences not found in ``haystack``.

    A sentence is found when, normalised, it is a substring. When it is not, the extraction
    may have run several cells (or the two halves of a broken line) together with spaces, so
    each whitespace-separated fragment is looked for instead; a fragment listing several items
    with 、 that the fixture keeps as separate records (关键指标) is found when every item is a
    whole field value.
    """
    whole_fields = set(haystack.splitlines())
    missing = []
    for sentence in sentences:
        if normalise(sentence) in haystack:
            continue
        for fragment in sentence.split():
            if normalise(fragment) in haystack:
                continue
            items = [normalise(item) for item in fragment.split("、") if item]
            if len(items) > 1 and all(item in whole_fields for item in items):
                continue
            missing.append(f"{fragment}   ← in: {sentence}")
    return missing


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed", verbosity=0)
    load_seed_manual()  # fixtures/manual.json: the 权责手册 that holds the seed's 工作权限


def by_title(title: str) -> Position:
    return Position.objects.get(title=title)


# ------------------------------------------------------------------ reporting lines


def test_sales_clerk_reports_to_sales_manager(seed):
    clerk = Position.objects.get(code="FZ-XS-101")
    assert clerk.title == "售楼员"
    assert clerk.reports_to.code == "FZ-XS-001"
    assert clerk.reports_to.title == "销售经理"


def test_sales_manager_reports_to_deputy_general_manager(seed):
    manager = Position.objects.get(code="FZ-XS-001")
    assert manager.reports_to.title == "副总经理"
    assert manager.reports_to.reports_to.title == "总经理"


def test_sales_manager_direct_reports_are_clerk_and_cashier(seed):
    manager = Position.objects.get(code="FZ-XS-001")
    titles = set(manager.direct_reports.values_list("title", flat=True))
    assert titles == {"售楼员", "收款文员"}


def test_sales_manager_related_positions_are_the_peer_managers(seed):
    manager = Position.objects.get(code="FZ-XS-001")
    assert set(manager.related_positions.values_list("title", flat=True)) == {
        "人力行政经理",
        "策划经理",
        "财务部经理",
        "工程经理",
    }
    for peer in manager.related_positions.all():
        assert peer.reports_to.title == "副总经理"


def test_marketing_positions_report_as_the_sheets_say(seed):
    assert Position.objects.get(code="MK105").reports_to.title == "营销策划经理"
    assert Position.objects.get(code="MK106").reports_to.title == "营销策划经理"
    assert by_title("销售管理专员").reports_to.title == "营销策划部总经理"
    assert by_title("销管专员").reports_to.title == "营销总监"
    assert by_title("营销策划经理").reports_to.title == "营销策划部总经理"


def test_sales_management_sheets_are_two_positions_in_two_departments(seed):
    long_form = by_title("销售管理专员")
    short_form = by_title("销管专员")
    assert long_form.pk != short_form.pk
    assert long_form.department.name == "营销策划部"
    assert short_form.department.name == "营销中心"


def test_mk106_related_positions_follow_its_diagram(seed):
    assistant = Position.objects.get(code="MK106")
    assert set(assistant.related_positions.values_list("title", flat=True)) == {
        "产品策划专员",
        "营销策划专员",
        "案场经理",
        "置业顾问",
    }


def test_every_mentioned_position_exists(seed):
    titles = set(Position.objects.values_list("title", flat=True))
    assert titles == {
        "总经理",
        "副总经理",
        "销售经理",
        "售楼员",
        "收款文员",
        "案场经理",
        "置业顾问",
        "策划经理",
        "人力行政经理",
        "财务部经理",
        "工程经理",
        "营销策划部总经理",
        "营销策划经理",
        "营销策划专员",
        "营销策划助理",
        "产品策划专员",
        "销售管理专员",
        "营销总监",
        "销管专员",
    }


# ------------------------------------------------------------------ departments and codes


def test_department_tree_has_group_company_and_departments(seed):
    group = Department.objects.get(kind=Department.Kind.GROUP)
    assert group.name == "集团公司" and group.parent is None
    fuzhou = Department.objects.get(kind=Department.Kind.COMPANY)
    assert fuzhou.name == "福州项目公司" and fuzhou.parent == group
    assert (
        Position.objects.get(code="FZ-XS-001").department.full_name
        == "集团公司 / 福州项目公司 / 销售部"
    )
    assert by_title("销管专员").department.full_name == "集团公司 / 营销中心"
    assert Position.objects.get(code="MK105").department.full_name == "集团公司 / 营销策划部"


def test_position_codes_are_only_the_seed_codes(seed):
    coded = dict(Position.objects.exclude(code="").values_list("code", "title"))
    assert coded == {
        "FZ-XS-001": "销售经理",
        "FZ-XS-101": "售楼员",
        "MK105": "营销策划专员",
        "MK106": "营销策划助理",
    }


def test_marketing_grades_are_the_card_ranges(seed):
    specialist = Position.objects.get(code="MK105")
    assistant = Position.objects.get(code="MK106")
    assert (specialist.grade_min, specialist.grade_max) == (5, 8)
    assert (assistant.grade_min, assistant.grade_max) == (3, 5)
    assert (
        not Position.objects.exclude(code__in=["MK105", "MK106"])
        .filter(grade_min__isnull=False)
        .exists()
    )


# ------------------------------------------------------------------ duties


def duty_rows(position: Position) -> list[tuple[str, str, str]]:
    return [
        (d.group, d.get_kind_display() if d.kind else "", d.title) for d in position.duties.all()
    ]


def test_sales_manager_duties_are_four_headings_in_order(seed):
    manager = Position.objects.get(code="FZ-XS-001")
    assert [d.title for d in manager.duties.all()] == ["销售计划", "销售管理", "部门管理", "其他"]
    assert [d.rank for d in manager.duties.all()] == [1, 2, 3, 4]
    assert [len(d.task_lines) for d in manager.duties.all()] == [3, 7, 4, 1]
    assert manager.duties.get(rank=4).task_lines == ["总经理交办的其他工作"]


def test_sales_clerk_duties_are_four_headings_in_order(seed):
    clerk = Position.objects.get(code="FZ-XS-101")
    assert [d.title for d in clerk.duties.all()] == [
        "项目了解",
        "现场咨询",
        "客户信息提报",
        "销售服务",
    ]
    assert [len(d.task_lines) for d in clerk.duties.all()] == [2, 3, 3, 3]
    assert clerk.duties.get(rank=4).task_lines[0] == "承担销售合同的签订和变更工作"


def test_sales_management_specialist_duties_are_grouped_in_order(seed):
    specialist = by_title("销售管理专员")
    duties = list(specialist.duties.all())
    assert len(duties) == 15
    groups = [d.group for d in duties]
    assert groups == ["参与部门管理"] * 2 + ["销售业务管理"] * 8 + ["销售服务管理"] * 4 + ["其他"]
    assert [d.responsibility for d in duties] == ["partial"] * 2 + ["full"] * 12 + [""]
    assessed = [(d.group, d.assessment) for d in duties if d.assessment]
    assert assessed == [
        ("参与部门管理", "建议的科学合理性"),
        ("销售业务管理", "计划的合理性"),
        ("销售业务管理", "促销效果"),
        ("销售业务管理", "报表准确性及时性"),
        ("销售服务管理", "客户的满意程度"),
    ]
    assert duties[13].tasks == "负责组织项目公司置业顾问的业务培训工作，提升其销售业务及服务水平；"


def test_short_form_specialist_duties_are_key_then_general(seed):
    specialist = by_title("销管专员")
    assert duty_rows(specialist) == [
        ("", "重点工作", "计划管理"),
        ("", "重点工作", "销售管理"),
        ("", "重点工作", "合同管理"),
        ("", "重点工作", "客服管理"),
        ("", "一般工作", "制度建设"),
        ("", "一般工作", "沟通协调"),
        ("", "一般工作", "其他事项"),
    ]
    assert specialist.commitment_lines == [
        "保证及时提供支持服务；",
        "保证本岗位提供的各项资料及时、完整、符实、准确；",
        "保证本岗位各项工作按制度正常、高效运作，无重大违规行为；",
    ]
    assert list(specialist.indicators.values_list("name", flat=True)) == [
        "服务及时性",
        "数据准确性",
        "提供数据及时性",
        "重大失误次数",
    ]


def test_marketing_card_duties_count_three_and_two(seed):
    specialist = Position.objects.get(code="MK105")
    assistant = Position.objects.get(code="MK106")
    assert specialist.duties.count() == 3
    assert assistant.duties.count() == 2
    assert specialist.duties.last().tasks.startswith("根据工作安排，完成上级领导交给的具体策划任务")


# ------------------------------------------------------------------ other sections


def test_sales_clerk_authority_is_discount_request_executed(seed):
    """The seed's one right (优惠申请权, 执行) is the clerk's cells of the 权责手册's 优惠申请."""
    clerk = Position.objects.get(code="FZ-XS-101")
    matter = Matter.objects.get(name="优惠申请")
    assert matter.note == "原职位说明书（售楼员）：优惠申请权，执行"
    assert {g.level for g in Grant.objects.filter(position=clerk, band__matter=matter)} == {
        "execute"
    }


def test_same_as_above_resolves_to_bachelor(seed):
    for code in ("FZ-XS-001", "FZ-XS-101"):
        qualification = Position.objects.get(code=code).qualification
        assert qualification.education == Qualification.Education.BACHELOR
        assert qualification.education_note == "本科"
    assert not any("同上" in text for text in fixture_text().splitlines())


def test_typos_are_fixed(seed):
    text = fixture_text()
    assert "人际交往" in text and "人际交住" not in text
    assert "职业顾问" not in text and "选拨" not in text and "签定" not in text


def test_sign_off_names_and_date_on_the_supplement_sheets(seed):
    for code in ("FZ-XS-001", "FZ-XS-101"):
        position = Position.objects.get(code=code)
        assert position.prepared_by_name == "李鸿飞"
        assert position.reviewed_by_name == "郑长胜"
        assert position.prepared_at == datetime.date(2006, 8, 16)
        assert position.reviewed_at is None
        assert position.location == "福州市"


def test_all_seed_positions_are_published(seed):
    assert Position.objects.count() == 19
    assert Position.objects.published().count() == Position.objects.count()


def test_seed_positions_pass_full_clean(seed):
    for position in Position.objects.all():
        position.full_clean()
    for department in Department.objects.all():
        department.full_clean()
    for duty in Duty.objects.all():
        duty.full_clean()
    assert not [p for p in Position.objects.all() if p.reporting_cycle()]


# ------------------------------------------------------------------ every sentence


def test_seed_sentences_all_found_in_fixture(seed):
    sentences = seed_sentences(read_seed())
    assert len(sentences) > 140
    missing = missing_sentences(sentences, fixture_text())
    print("\n".join(["Seed sentences not found in the fixture:", *missing]))
    assert not missing, f"{len(missing)} seed sentence(s) not in the fixture:\n" + "\n".join(
        missing
    )


def test_sentence_check_reports_what_is_missing(seed):
    haystack = fixture_text()
    sentences = seed_sentences("职位名称:售楼员 所在部门:销售部\n负责楼盘的绿化养护工作;")
    assert sentences == ["售楼员 销售部", "负责楼盘的绿化养护工作"]
    assert missing_sentences(sentences, haystack) == [
        "负责楼盘的绿化养护工作   ← in: 负责楼盘的绿化养护工作"
    ]
