"""The org chart service: reporting lines, holders, what each reader may see, query counts."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgchart import services as orgchart
from orgchart.layout import CardKind
from positions import permissions
from positions.models import Department, Position
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee_user(db):
    user = UserFactory(username="staff-member")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    return user


def titles(chart) -> set[str]:
    return {card.title for card in chart.cards.values()}


def card_of(chart, title: str):
    (found,) = [card for card in chart.cards.values() if card.title == title]
    return found


def below(chart, parent_title: str) -> set[str]:
    parent = card_of(chart, parent_title).key
    return {chart.cards[edge.child].title for edge in chart.layout.edges if edge.parent == parent}


def test_position_chart_sales_manager_has_reports_below_and_superior_above(seed, hr_user):
    manager = Position.objects.get(code="FZ-XS-001")
    chart = orgchart.position_chart(hr_user, manager.pk)
    assert below(chart, "销售经理") == {"售楼员", "收款文员"}
    assert below(chart, "副总经理") == {"销售经理"}  # only the focus under its superior
    focus, superior = card_of(chart, "销售经理"), card_of(chart, "副总经理")
    assert focus.kind == CardKind.FOCUS and superior.kind == CardKind.SUPERIOR
    boxes = {box.key: box for box in chart.layout.boxes}
    assert boxes[superior.key].y < boxes[focus.key].y < boxes[card_of(chart, "售楼员").key].y
    assert chart.superior_id == superior.pk
    assert chart.position_total == 3 and chart.shown_count == 3
    assert focus.code == "FZ-XS-001" and focus.department == "销售部"


def test_position_chart_of_invisible_or_unknown_position_is_none(seed, employee_user):
    draft = PositionFactory(
        title="案场主管", department=Department.objects.get(name="销售部"), status="draft"
    )
    assert orgchart.position_chart(employee_user, draft.pk) is None
    assert orgchart.position_chart(employee_user, 999_999) is None


def test_chart_holders_are_current_and_vacant_positions_say_so(seed, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    EmployeeFactory(name="林员工", position=clerk)
    gone = EmployeeFactory(name="张离职", position=Position.objects.get(title="收款文员"))
    gone.left_on = datetime.date(2025, 1, 31)
    gone.save()
    chart = orgchart.position_chart(hr_user, Position.objects.get(code="FZ-XS-001").pk)
    assert card_of(chart, "售楼员").holders == ("林员工",)
    cashier = card_of(chart, "收款文员")
    assert cashier.vacant and cashier.holders_text == "空缺"
    svg = chart.svg()
    assert "林员工" in svg and "张离职" not in svg
    assert f'class="oc-node oc-position oc-vacant" data-key="{cashier.key}"' in svg


def test_chart_holders_of_a_shared_position_in_employee_number_order(seed, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    EmployeeFactory(name="乙员工", employee_no="E900", position=clerk)
    EmployeeFactory(name="甲员工", employee_no="E100", position=clerk)
    chart = orgchart.position_chart(hr_user, clerk.pk)
    assert card_of(chart, "售楼员").holders == ("甲员工", "乙员工")


def test_department_chart_shows_outside_superior_above_its_top_position(seed, hr_user):
    sales = Department.objects.get(name="销售部")
    chart = orgchart.department_chart(hr_user, sales.pk)
    outside = card_of(chart, "副总经理")
    assert outside.kind == CardKind.OUTSIDE
    assert below(chart, "副总经理") == {"销售经理"}
    assert below(chart, "案场经理") == {"置业顾问"}  # a top position with no superior
    assert chart.position_total == 5  # 副总经理 is drawn but not counted
    assert chart.has_outside and chart.department == sales


def test_department_chart_includes_sub_departments(seed, hr_user):
    company = Department.objects.get(name="福州项目公司")
    chart = orgchart.department_chart(hr_user, company.pk)
    assert chart.position_total == 11
    assert not chart.has_outside
    assert below(chart, "副总经理") >= {"销售经理", "策划经理", "工程经理"}


def test_department_chart_of_unknown_department_is_none(seed, hr_user):
    assert orgchart.department_chart(hr_user, 999_999) is None


def test_organisation_chart_holds_every_tree_and_no_archived_position(seed, hr_user):
    sales = Department.objects.get(name="销售部")
    PositionFactory(title="销售内勤", department=sales, status=Position.Status.ARCHIVED)
    chart = orgchart.organisation_chart(hr_user, depth=20)
    assert chart.position_total == 19
    assert "销售内勤" not in titles(chart)
    assert {"总经理", "营销总监", "营销策划部总经理", "案场经理"} <= {
        card.title for card in chart.cards.values() if card.level == 0
    }


def test_depth_limits_the_view_and_expand_collapse_override_it(seed, hr_user):
    general = Position.objects.get(title="总经理")
    deputy = Position.objects.get(title="副总经理")
    manager = Position.objects.get(code="FZ-XS-001")
    shallow = orgchart.position_chart(hr_user, general.pk, depth=1)
    assert titles(shallow) == {"总经理"}
    assert card_of(shallow, "总经理").hidden == 1
    assert card_of(shallow, "总经理").toggle_query == f"depth=1&expand={general.pk}"

    opened = orgchart.position_chart(hr_user, general.pk, depth=1, expand=[general.pk])
    assert titles(opened) == {"总经理", "副总经理"}

    default = orgchart.position_chart(hr_user, general.pk)
    assert "销售经理" in titles(default) and "售楼员" not in titles(default)
    deeper = orgchart.position_chart(hr_user, general.pk, expand=[manager.pk])
    assert "售楼员" in titles(deeper)
    closed = orgchart.position_chart(hr_user, general.pk, collapse=[deputy.pk])
    assert titles(closed) == {"总经理", "副总经理"}
    assert card_of(closed, "副总经理").hidden == 5


def test_depth_is_clamped_to_the_allowed_range(seed, hr_user):
    general = Position.objects.get(title="总经理")
    assert orgchart.position_chart(hr_user, general.pk, depth=0).state.depth == 1
    assert orgchart.position_chart(hr_user, general.pk, depth=99).state.depth == 20


def rename_in_draft(position: Position, **changes) -> None:
    for field, value in changes.items():
        setattr(position, field, value)
    position.status = Position.Status.DRAFT
    position.save()


def test_employee_never_sees_a_drafts_new_title_hr_does(seed, employee_user, hr_user):
    manager = Position.objects.get(code="FZ-XS-001")
    rename_in_draft(manager, title="销售总监（草案）", code="FZ-XS-009")
    for build in (
        lambda user: orgchart.position_chart(user, manager.pk),
        lambda user: orgchart.department_chart(user, manager.department_id),
        lambda user: orgchart.organisation_chart(user, depth=20),
    ):
        seen = build(employee_user)
        assert "销售经理" in titles(seen) and "销售总监（草案）" not in titles(seen)
        assert "销售总监（草案）" not in seen.svg() and "FZ-XS-009" not in seen.svg()
        hr = build(hr_user)
        assert "销售总监（草案）" in titles(hr) and "销售经理" not in titles(hr)


def test_employee_sees_a_drafts_department_move_only_once_published(seed, employee_user, hr_user):
    manager = Position.objects.get(code="FZ-XS-001")
    sales, planning = manager.department, Department.objects.get(name="策划部")
    rename_in_draft(manager, department=planning)
    assert "销售经理" in titles(orgchart.department_chart(employee_user, sales.pk))
    assert "销售经理" not in titles(orgchart.department_chart(employee_user, planning.pk))
    assert card_of(orgchart.position_chart(employee_user, manager.pk), "销售经理").department == (
        "销售部"
    )
    assert "销售经理" in titles(orgchart.department_chart(hr_user, planning.pk))
    counts = {c.department.name: c.own for c in orgchart.department_counts(employee_user)}
    assert counts["销售部"] == 5 and counts["策划部"] == 1


def test_employee_does_not_see_never_published_positions(seed, employee_user, hr_user):
    sales = Department.objects.get(name="销售部")
    manager = Position.objects.get(code="FZ-XS-001")
    PositionFactory(title="案场主管", department=sales, reports_to=manager, status="draft")
    assert "案场主管" not in titles(orgchart.organisation_chart(employee_user, depth=20))
    assert "案场主管" in titles(orgchart.organisation_chart(hr_user, depth=20))
    counts = {c.department.name: c for c in orgchart.department_counts(employee_user)}
    assert counts["销售部"].own == 5 and counts["福州项目公司"].total == 11
    hr_counts = {c.department.name: c for c in orgchart.department_counts(hr_user)}
    assert hr_counts["销售部"].own == 6 and hr_counts["集团公司"].total == 20


def test_department_counts_of_a_manager_follow_the_working_copy_where_they_read_drafts(
    seed, employee_user
):
    planning = Department.objects.get(name="策划部")
    head = UserFactory(username="planning-head")
    head.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=head, position=Position.objects.filter(department=planning).first())
    rename_in_draft(Position.objects.get(code="FZ-XS-001"), department=planning)
    counts = {c.department.name: c for c in orgchart.department_counts(head)}
    assert counts["策划部"].own == 2 and counts["销售部"].own == 4  # drafts read in 策划部
    assert counts["福州项目公司"].total == 11
    counts = {c.department.name: c.own for c in orgchart.department_counts(employee_user)}
    assert counts["策划部"] == 1 and counts["销售部"] == 5


def test_chart_layout_reused_for_the_same_boxes_and_laid_out_again_for_a_new_one(seed, hr_user):
    sales = Department.objects.get(name="销售部")
    first = orgchart.department_chart(hr_user, sales.pk)
    assert orgchart.department_chart(hr_user, sales.pk).layout is first.layout
    manager = Position.objects.get(code="FZ-XS-001")
    PositionFactory(title="案场主管", department=sales, reports_to=manager, status="draft")
    again = orgchart.department_chart(hr_user, sales.pk)
    assert "案场主管" in titles(again) and again.box_count == first.box_count + 1
    assert card_of(again, "案场主管").key in {box.key for box in again.layout.boxes}
    assert "案场主管" in again.svg() and "案场主管" not in first.svg()


def test_organisation_chart_draws_a_reporting_cycle_once_from_its_first_position(hr_user):
    # A cycle written around clean() (the writer refuses one): still drawn, each box once.
    company = DepartmentFactory(name="循环公司", kind=Department.Kind.COMPANY)
    first = PositionFactory(title="甲岗", department=company, status="draft")
    second = PositionFactory(title="乙岗", department=company, reports_to=first, status="draft")
    PositionFactory(title="丙岗", department=company, reports_to=second, status="draft")
    Position.objects.filter(pk=first.pk).update(reports_to=second)
    chart = orgchart.organisation_chart(hr_user, depth=20)
    assert [card.title for card in chart.cards.values()].count("甲岗") == 1
    assert below(chart, "甲岗") == {"乙岗"} and below(chart, "乙岗") == {"丙岗"}
    assert card_of(chart, "甲岗").level == 0 and card_of(chart, "丙岗").level == 2
    chart = orgchart.position_chart(hr_user, second.pk, depth=20)
    assert below(chart, "乙岗") == {"甲岗", "丙岗"} and chart.shown_count == 3


# --- a generated organisation ---------------------------------------------------------------


def build_organisation(count: int, seed: int) -> Department:
    """A seeded random organisation of ``count`` published positions in one company.

    A few top positions, several levels, wide fan-outs; every third position held.
    """
    rng = random.Random(seed)
    company = DepartmentFactory(name=f"测试公司{seed}", kind=Department.Kind.COMPANY)
    departments = [DepartmentFactory(name=f"部门{seed}-{i}", parent=company) for i in range(4)]
    positions: list[Position] = []
    levels: list[int] = []
    for index in range(count):
        if index < 3:
            superior, level = None, 0
        else:
            if rng.random() < 0.5:  # deep: a recent position not too far down
                choices = [i for i in range(max(0, index - 20), index) if levels[i] < 7]
            else:  # wide: one of the first few
                choices = list(range(min(index, 8)))
            parent = rng.choice(choices)
            superior, level = positions[parent], levels[parent] + 1
        levels.append(level)
        position = PositionFactory(
            title=f"岗位{index:03d}",
            department=rng.choice(departments),
            reports_to=superior,
        )
        if index % 3 == 0:
            EmployeeFactory(position=position)
        positions.append(position)
    return company


def test_chart_query_count_does_not_grow_with_size(employee_user):
    small = build_organisation(20, seed=1)
    large = build_organisation(80, seed=2)  # four times the positions, the same queries
    counts = []
    for company in (small, large):
        permissions.forget_access(employee_user)
        with CaptureQueriesContext(connection) as queries:
            chart = orgchart.department_chart(employee_user, company.pk, depth=20)
            chart.svg()
        assert chart.shown_count == chart.position_total
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
    assert orgchart.department_chart(employee_user, large.pk, depth=20).shown_count == 80
    counts = []
    for company in (small, large):
        start = Position.objects.filter(department__parent=company, reports_to__isnull=True)[0]
        permissions.forget_access(employee_user)
        with CaptureQueriesContext(connection) as queries:
            orgchart.position_chart(employee_user, start.pk, depth=20)
            orgchart.organisation_chart(employee_user, depth=20)
            orgchart.department_counts(employee_user)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_chart_svg_drawn_again_shows_a_new_holder_and_a_new_title_at_once(seed, hr_user):
    manager = Position.objects.get(code="FZ-XS-001")
    clerk = Position.objects.get(code="FZ-XS-101")
    first = orgchart.position_chart(hr_user, manager.pk).svg(base_path="/org/")
    assert orgchart.position_chart(hr_user, manager.pk).svg(base_path="/org/") == first
    assert "韩新人" not in first
    EmployeeFactory(name="韩新人", position=clerk)
    Position.objects.filter(pk=clerk.pk).update(title="高级售楼员")
    again = orgchart.position_chart(hr_user, manager.pk).svg(base_path="/org/")
    assert "韩新人" in again and "高级售楼员" in again
    # The same chart for another page (its toggles' links) is drawn for that page.
    elsewhere = orgchart.position_chart(hr_user, manager.pk).svg(base_path="/elsewhere/")
    assert elsewhere != again and "/elsewhere/" in elsewhere
