"""Each finding type on data built for it: reported when its rule applies, and not otherwise."""

from __future__ import annotations

import datetime

import pytest

from diagnosis.services import findings
from diagnosis.services.findings import scope_positions
from positions.models import (
    Band,
    Body,
    Department,
    Duty,
    Grant,
    Manual,
    ManualLevel,
    Matter,
    MatterCategory,
    Position,
)
from positions.services import acknowledgements
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    EmployeeFactory,
    IndicatorFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

RESEARCH = "负责组织楼盘市场调研，了解市场竞争情况和客户需求"
RESEARCH_REWORDED = "组织开展楼盘市场调研，掌握市场竞争情况与客户需求"
UNRELATED = "负责销售合同整理、归档及保管，按规定移交档案室"


@pytest.fixture
def company():
    group = DepartmentFactory(name="集团公司", code="JT", kind=Department.Kind.GROUP)
    fuzhou = DepartmentFactory(
        name="福州项目公司", code="FZ", kind=Department.Kind.COMPANY, parent=group
    )
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=fuzhou)
    planning = DepartmentFactory(name="策划部", code="FZ-CH", parent=fuzhou)
    return {"group": group, "fuzhou": fuzhou, "sales": sales, "planning": planning}


def duty(position: Position, tasks: str, responsibility=Duty.Responsibility.FULL, **kwargs):
    kwargs.setdefault("title", "")
    return DutyFactory(position=position, tasks=tasks, responsibility=responsibility, **kwargs)


def kinds(found) -> list[tuple[str, str]]:
    return [(f.kind, f.message) for f in found]


# --- duty overlap ---------------------------------------------------------------------------------


def test_duty_overlaps_reports_siblings_both_full_for_similar_duties(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=boss)
    b = PositionFactory(title="市场专员", department=company["planning"], reports_to=boss)
    duty(a, RESEARCH)
    duty(b, RESEARCH_REWORDED)
    duty(b, UNRELATED)

    found = findings.duty_overlaps(scope_positions(company["fuzhou"]))

    assert kinds(found) == [("overlap", "“销售主管”与“市场专员”对相似的职责都负全责（相似度 45%）")]
    first, second = found[0].texts
    assert [s.text for s in first if s.shared] == ["组织楼盘市场调研", "市场竞争情况", "客户需求"]
    assert "".join(s.text for s in second) == RESEARCH_REWORDED + "；"
    assert [p.title for p in found[0].positions] == ["销售主管", "市场专员"]


def test_duty_overlaps_needs_both_duties_full(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=boss)
    b = PositionFactory(title="市场专员", department=company["sales"], reports_to=boss)
    duty(a, RESEARCH)
    duty(b, RESEARCH, responsibility=Duty.Responsibility.ASSIST)

    assert findings.duty_overlaps(scope_positions(company["fuzhou"])) == []


def test_duty_overlaps_below_the_threshold_is_not_a_finding(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=boss)
    b = PositionFactory(title="市场专员", department=company["sales"], reports_to=boss)
    duty(a, RESEARCH)
    duty(b, RESEARCH_REWORDED)

    assert findings.duty_overlaps(scope_positions(company["fuzhou"]), threshold=0.5) == []
    assert len(findings.duty_overlaps(scope_positions(company["fuzhou"]), threshold=0.4)) == 1


def test_duty_overlaps_reaches_cousins_sharing_a_superior_two_levels_up(company):
    top = PositionFactory(title="副总经理", department=company["fuzhou"])
    m1 = PositionFactory(title="销售经理", department=company["sales"], reports_to=top)
    m2 = PositionFactory(title="策划经理", department=company["planning"], reports_to=top)
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=m1)
    b = PositionFactory(title="市场专员", department=company["planning"], reports_to=m2)
    duty(a, RESEARCH)
    duty(b, RESEARCH)

    found = findings.duty_overlaps(scope_positions(company["fuzhou"]))

    assert kinds(found) == [
        ("overlap", "“销售主管”与“市场专员”对相似的职责都负全责（相似度 100%）")
    ]


def test_duty_overlaps_one_finding_for_every_position_holding_the_duty(company):
    """Five 置业顾问 with the same 全责 duty are one finding (not ten pairs), and the cousin
    under the other 主管 joins it once (not once per block)."""
    top = PositionFactory(title="销售经理", department=company["sales"])
    first = PositionFactory(title="销售主管甲", department=company["sales"], reports_to=top)
    second = PositionFactory(title="销售主管乙", department=company["sales"], reports_to=top)
    for n in range(4):
        duty(
            PositionFactory(title=f"置业顾问{n}", department=company["sales"], reports_to=first),
            RESEARCH,
        )
    duty(
        PositionFactory(title="置业顾问9", department=company["sales"], reports_to=second), RESEARCH
    )

    found = findings.duty_overlaps(scope_positions(company["sales"]))

    assert kinds(found) == [
        (
            "overlap",
            "“置业顾问0”、“置业顾问1”、“置业顾问2”、“置业顾问3”、“置业顾问9”"
            "对相似的职责都负全责（相似度 100%）",
        )
    ]
    assert found[0].owners == ("置业顾问0", "置业顾问1 等 4 个职位")


def test_duty_overlaps_not_beyond_two_levels(company):
    top = PositionFactory(title="总经理", department=company["fuzhou"])
    v1 = PositionFactory(title="副总经理甲", department=company["fuzhou"], reports_to=top)
    v2 = PositionFactory(title="副总经理乙", department=company["fuzhou"], reports_to=top)
    m1 = PositionFactory(title="销售经理", department=company["sales"], reports_to=v1)
    m2 = PositionFactory(title="策划经理", department=company["planning"], reports_to=v2)
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=m1)
    b = PositionFactory(title="市场专员", department=company["planning"], reports_to=m2)
    duty(a, RESEARCH)
    duty(b, RESEARCH)

    assert findings.duty_overlaps(scope_positions(company["fuzhou"])) == []


def test_duty_overlaps_identical_sheets_in_parallel_companies_are_not_findings(company):
    xiamen = DepartmentFactory(
        name="厦门项目公司", code="XM", kind=Department.Kind.COMPANY, parent=company["group"]
    )
    xiamen_sales = DepartmentFactory(name="销售部", code="XM-XS", parent=xiamen)
    chief = PositionFactory(title="集团营销总监", department=company["group"])
    fuzhou_head = PositionFactory(title="销售经理", department=company["sales"], reports_to=chief)
    xiamen_head = PositionFactory(title="销售经理", department=xiamen_sales, reports_to=chief)
    duty(fuzhou_head, RESEARCH)
    duty(xiamen_head, RESEARCH)

    assert findings.duty_overlaps(scope_positions(company["group"])) == []

    # The same two sheets within one company are a finding.
    Position.objects.filter(pk=xiamen_head.pk).update(department=company["planning"])
    found = findings.duty_overlaps(scope_positions(company["group"]))
    assert [f.kind for f in found] == ["overlap"]


def test_duty_overlaps_superior_and_direct_report_both_full(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    clerk = PositionFactory(title="售楼员", department=company["sales"], reports_to=boss)
    duty(boss, RESEARCH)
    duty(clerk, RESEARCH_REWORDED)

    found = findings.duty_overlaps(scope_positions(company["sales"]))

    assert kinds(found) == [
        (
            "overlap_superior",
            "上级“销售经理”与直接下属“售楼员”对相似的职责都负全责（相似度 45%）",
        )
    ]


def test_duty_overlaps_skips_the_other_work_boilerplate(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    a = PositionFactory(title="销售主管", department=company["sales"], reports_to=boss)
    b = PositionFactory(title="市场专员", department=company["sales"], reports_to=boss)
    duty(a, "完成上级交办的其他工作任务")
    duty(b, "完成上级交办的其他工作任务")

    assert findings.duty_overlaps(scope_positions(company["fuzhou"])) == []


def test_similar_pairs_compares_only_within_blocks():
    grams = [findings.bigrams(RESEARCH), findings.bigrams(RESEARCH), findings.bigrams(RESEARCH)]

    assert findings.similar_pairs(grams, [[0, 1], [2]], 0.4) == {(0, 1): 1.0}


def test_duty_overlaps_seed_sales_admin_pair_is_not_reported(seed):
    """销售管理专员 (营销策划部) and 销管专员 (营销中心): not reported, for three reasons."""
    specialist = Position.objects.get(title="销售管理专员")
    admin = Position.objects.get(title="销管专员")
    everything = Position.objects.active()
    pair = {specialist.pk, admin.pk}

    def reported(threshold=None) -> bool:
        return any(
            pair <= {p.pk for p in f.positions}
            for f in findings.duty_overlaps(everything, threshold=threshold)
        )

    # 1. 销管专员's sheet gives no 负责程度: none of its duties is 全责.
    assert not admin.duties.filter(responsibility=Duty.Responsibility.FULL).exists()
    assert not reported()
    Duty.objects.filter(position=admin).update(responsibility=Duty.Responsibility.FULL)
    # 2. No common superior within two levels (营销策划部总经理 and 营销总监 are both tops).
    assert not reported(threshold=0.15)
    Position.objects.filter(title="营销总监").update(
        reports_to=Position.objects.get(title="营销策划部总经理")
    )
    # 3. Their closest duties (年度销售计划) are 17% similar, far under the 40% threshold.
    assert not reported()
    assert reported(threshold=0.15)


# --- gaps -----------------------------------------------------------------------------------------


def test_missing_assessment_reports_each_missing_part(company):
    bare = PositionFactory(title="收款文员", department=company["sales"])
    duty(bare, RESEARCH)
    full = PositionFactory(title="售楼员", department=company["sales"])
    duty(full, RESEARCH, assessment="客户满意度")
    IndicatorFactory(position=full, name="成交率")

    assert kinds(findings.missing_assessment(scope_positions(company["sales"]))) == [
        ("missing_assessment", "“收款文员”没有考核要点（所有职责均未填写）"),
        ("missing_assessment", "“收款文员”没有关键指标"),
    ]


def test_no_management_duty_for_managers_only(company):
    boss = PositionFactory(title="销售经理", department=company["sales"])
    PositionFactory(title="售楼员", department=company["sales"], reports_to=boss)
    duty(boss, RESEARCH)
    planner = PositionFactory(title="策划经理", department=company["planning"])
    PositionFactory(title="策划专员", department=company["planning"], reports_to=planner)
    duty(planner, "对本部门员工进行业务培训与考核", title="部门管理")

    assert kinds(findings.no_management_duty(scope_positions(company["fuzhou"]))) == [
        ("no_management_duty", "“销售经理”有 1 个直接下属，但说明书中没有部门管理类职责")
    ]


def test_overdue_review_lists_sheets_past_their_review_date(company):
    late = PositionFactory(title="售楼员", department=company["sales"])
    Position.objects.filter(pk=late.pk).update(next_review_on=datetime.date(2026, 1, 10))
    due = PositionFactory(title="收款文员", department=company["sales"])
    Position.objects.filter(pk=due.pk).update(next_review_on=datetime.date(2026, 3, 1))

    found = findings.overdue_review(
        scope_positions(company["sales"]), today=datetime.date(2026, 2, 1)
    )

    assert kinds(found) == [("overdue_review", "“售楼员”应于 2026-01-10 复核，已逾期 22 天")]


def test_unconfirmed_until_every_holder_confirms(company):
    clerk = PositionFactory(title="售楼员", department=company["sales"])
    lin = EmployeeFactory(name="林员工", position=clerk)
    wang = EmployeeFactory(name="王员工", position=clerk)
    acknowledgements.acknowledge(user=wang.user, version=clerk.current_version)

    assert kinds(findings.unconfirmed(scope_positions(company["sales"]))) == [
        ("unconfirmed", "“售楼员”的在岗员工 林员工 尚未确认现行版本 V1")
    ]
    acknowledgements.acknowledge(user=lin.user, version=clerk.current_version)
    assert findings.unconfirmed(scope_positions(company["sales"])) == []


def test_band_gaps_without_approval_or_execution(company):
    manual = Manual.objects.create()
    finance = MatterCategory.objects.create(manual=manual, name="财务管理")
    expenses = Matter.objects.create(category=finance, name="费用报销")
    small = Band.objects.create(matter=expenses, condition="金额 ≤ 5 万", order=1)
    large = Band.objects.create(matter=expenses, condition="金额 > 5 万", order=2)
    board = Body.objects.create(manual=manual, name="总经理办公会")
    boss = PositionFactory(title="销售经理", department=company["sales"])
    clerk = PositionFactory(title="售楼员", department=company["sales"], reports_to=boss)
    planner = PositionFactory(title="策划经理", department=company["planning"])
    Grant.objects.create(band=small, position=boss, level=ManualLevel.APPROVE)
    Grant.objects.create(band=small, position=clerk, level=ManualLevel.EXECUTE)
    Grant.objects.create(band=large, position=boss, level=ManualLevel.REVIEW)
    Grant.objects.create(band=large, body=board, level=ManualLevel.APPROVE)
    other = Matter.objects.create(category=finance, name="借款", order=1)
    orphan = Band.objects.create(matter=other)
    Grant.objects.create(band=orphan, position=planner, level=ManualLevel.EXECUTE)

    found = findings.band_gaps(scope_positions(company["sales"]))

    assert kinds(found) == [("band_gap", "权责手册“财务管理 → 费用报销（金额 > 5 万）”没有执行")]
    assert [p.title for p in found[0].positions] == ["销售经理"]
    everything = findings.band_gaps(scope_positions(company["group"]))
    assert kinds(everything) == [
        ("band_gap", "权责手册“财务管理 → 费用报销（金额 > 5 万）”没有执行"),
        ("band_gap", "权责手册“财务管理 → 借款”没有审批"),
    ]


# --- structure ------------------------------------------------------------------------------------


def test_grade_inversions_report_whose_top_grade_is_above_the_superior(company):
    boss = PositionFactory(title="销售经理", department=company["sales"], grade_min=4, grade_max=8)
    PositionFactory(
        title="销售主管", department=company["sales"], reports_to=boss, grade_min=5, grade_max=9
    )
    PositionFactory(
        title="售楼员", department=company["sales"], reports_to=boss, grade_min=3, grade_max=8
    )

    assert kinds(findings.grade_inversions(scope_positions(company["sales"]))) == [
        ("grade_inversion", "“销售主管”的职位等级 5–9 高于其直接上级“销售经理”的 4–8")
    ]


def test_span_of_control_outside_the_range(company):
    lonely = PositionFactory(title="案场经理", department=company["sales"])
    PositionFactory(title="置业顾问", department=company["sales"], reports_to=lonely)
    boss = PositionFactory(title="销售经理", department=company["sales"])
    for n in range(3):
        PositionFactory(title=f"售楼员{n}", department=company["sales"], reports_to=boss)

    assert kinds(findings.span_of_control(scope_positions(company["sales"]), low=2, high=3)) == [
        ("span", "“案场经理”有 1 个直接下属，管理幅度少于 2 个")
    ]
    assert kinds(findings.span_of_control(scope_positions(company["sales"]), low=1, high=2)) == [
        ("span", "“销售经理”有 3 个直接下属，管理幅度多于 2 个")
    ]


def test_span_of_control_reads_the_range_from_settings(company, settings):
    settings.DIAGNOSIS_SPAN_MIN, settings.DIAGNOSIS_SPAN_MAX = 2, 12
    lonely = PositionFactory(title="案场经理", department=company["sales"])
    PositionFactory(title="置业顾问", department=company["sales"], reports_to=lonely)

    assert len(findings.span_of_control(scope_positions(company["sales"]))) == 1
    settings.DIAGNOSIS_SPAN_MIN = 1
    assert findings.span_of_control(scope_positions(company["sales"])) == []


def test_vacant_superiors_that_nobody_holds(company):
    empty = PositionFactory(title="销售经理", department=company["sales"])
    PositionFactory(title="售楼员", department=company["sales"], reports_to=empty)
    held = PositionFactory(title="策划经理", department=company["planning"])
    PositionFactory(title="策划专员", department=company["planning"], reports_to=held)
    EmployeeFactory(name="陈经理", position=held)
    PositionFactory(title="收款文员", department=company["sales"])  # vacant, nobody reports

    assert kinds(findings.vacant_superiors(scope_positions(company["fuzhou"]))) == [
        ("vacant_superior", "“销售经理”无人在岗，但有 1 个职位向其汇报")
    ]


def test_deep_chains_reported_once_at_the_first_level_over(company):
    chain = []
    for n in range(5):
        chain.append(
            PositionFactory(
                title=f"层级{n + 1}",
                department=company["sales"],
                reports_to=chain[-1] if chain else None,
            )
        )

    assert findings.deep_chains(scope_positions(company["sales"]), limit=5) == []
    found = findings.deep_chains(scope_positions(company["sales"]), limit=3)
    assert kinds(found) == [("deep_chain", "汇报链超过 3 级：层级1 → 层级2 → 层级3 → 层级4")]


def test_no_superior_except_the_top_ones(company):
    PositionFactory(title="总经理", department=company["fuzhou"])
    PositionFactory(title="案场经理", department=company["sales"])

    assert kinds(findings.no_superior(scope_positions(company["group"]))) == [
        ("no_superior", "“案场经理”没有直接上级（销售部不是公司一级）")
    ]


def test_scope_positions_is_the_subtree_without_archived(company):
    inside = PositionFactory(title="售楼员", department=company["sales"])
    PositionFactory(title="策划专员", department=company["planning"])
    PositionFactory(title="旧职位", department=company["sales"], status=Position.Status.ARCHIVED)

    assert list(scope_positions(company["sales"])) == [inside]
