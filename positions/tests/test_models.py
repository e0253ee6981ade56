"""Model rules: each is refused in clean() with a Chinese message and in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from positions.models import Department, Duty, Position
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    EmployeeFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db


def test_position_duplicate_code_refused_in_clean():
    PositionFactory(title="销售经理", code="FZ-XS-001")
    duplicate = PositionFactory.build(
        title="售楼员", code="FZ-XS-001", department=DepartmentFactory()
    )
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.message_dict["code"] == ["职位编号“FZ-XS-001”已被“销售经理”使用。"]


def test_position_duplicate_code_refused_by_database():
    PositionFactory(code="MK105")
    with pytest.raises(IntegrityError), transaction.atomic():
        PositionFactory(code="MK105")


def test_position_blank_codes_may_repeat():
    first = PositionFactory(title="销售管理专员", code="")
    second = PositionFactory(title="收款文员", code="")
    second.full_clean()
    assert {first.code, second.code} == {""}


def test_position_inverted_grade_range_refused_in_clean():
    position = PositionFactory.build(department=DepartmentFactory(), grade_min=8, grade_max=5)
    with pytest.raises(ValidationError) as exc:
        position.full_clean()
    assert exc.value.message_dict["grade_max"] == ["职位等级范围无效：最低等级 8 高于最高等级 5。"]


def test_position_inverted_grade_range_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        PositionFactory(grade_min=8, grade_max=5)


def test_position_grade_display_shows_range_or_single_grade():
    assert PositionFactory.build(grade_min=5, grade_max=8).grade_display == "5–8"
    assert PositionFactory.build(grade_min=6, grade_max=6).grade_display == "6"
    assert PositionFactory.build(grade_min=None, grade_max=None).grade_display == ""


def test_position_self_report_refused_in_clean():
    position = PositionFactory(title="销售经理")
    position.reports_to = position
    with pytest.raises(ValidationError) as exc:
        position.full_clean()
    assert exc.value.message_dict["reports_to"] == ["职位不能以自身为直接上级。"]


def test_position_self_report_refused_by_database():
    position = PositionFactory()
    position.reports_to_id = position.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        position.save()


def test_position_three_position_cycle_refused_naming_the_cycle():
    vice = PositionFactory(title="副总经理")
    manager = PositionFactory(title="销售经理", reports_to=vice)
    clerk = PositionFactory(title="售楼员", reports_to=manager)
    vice.reports_to = clerk
    with pytest.raises(ValidationError) as exc:
        vice.full_clean()
    assert exc.value.message_dict["reports_to"] == [
        "汇报关系形成循环：副总经理 → 售楼员 → 销售经理 → 副总经理。"
    ]


def test_position_direct_reports_derived_from_superior():
    manager = PositionFactory(title="销售经理")
    PositionFactory(title="售楼员", reports_to=manager)
    PositionFactory(title="收款文员", reports_to=manager)
    PositionFactory(title="工程经理")
    assert sorted(p.title for p in manager.direct_reports.all()) == ["售楼员", "收款文员"]


def test_position_str_shows_code_when_present():
    assert str(PositionFactory.build(title="销售经理", code="FZ-XS-001")) == "销售经理（FZ-XS-001）"
    assert str(PositionFactory.build(title="销售管理专员", code="")) == "销售管理专员"


def test_position_queryset_published_excludes_drafts_and_archived():
    published = PositionFactory(status=Position.Status.PUBLISHED)
    PositionFactory(status=Position.Status.DRAFT)
    PositionFactory(status=Position.Status.ARCHIVED)
    assert list(Position.objects.published()) == [published]


def test_position_queryset_active_excludes_archived():
    draft = PositionFactory(status=Position.Status.DRAFT, code="A-1")
    published = PositionFactory(status=Position.Status.PUBLISHED, code="A-2")
    PositionFactory(status=Position.Status.ARCHIVED, code="A-3")
    assert set(Position.objects.active()) == {draft, published}


def test_duty_rank_unique_per_position():
    duty = DutyFactory(rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyFactory(position=duty.position, rank=1)


def test_duty_task_lines_split_on_newlines():
    duty = Duty(tasks="接待客户，进行洽谈；\n\n  负责宣传、解释公司的各项销售政策  \n")
    assert duty.task_lines == ["接待客户，进行洽谈；", "负责宣传、解释公司的各项销售政策"]


def test_department_full_name_walks_the_tree():
    group = DepartmentFactory(name="集团公司", kind=Department.Kind.GROUP)
    company = DepartmentFactory(name="福州项目公司", parent=group, kind=Department.Kind.COMPANY)
    sales = DepartmentFactory(name="销售部", parent=company)
    assert sales.full_name == "集团公司 / 福州项目公司 / 销售部"


def test_department_parent_cycle_refused_in_clean():
    group = DepartmentFactory(name="集团公司")
    company = DepartmentFactory(name="福州项目公司", parent=group)
    group.parent = company
    with pytest.raises(ValidationError) as exc:
        group.full_clean()
    assert exc.value.message_dict["parent"] == ["上级部门不能是本部门的下级部门。"]


def test_position_staffing_counts_current_holders_over_headcount():

    position = PositionFactory(headcount=3)
    EmployeeFactory(position=position)
    EmployeeFactory(position=position)
    leaver = EmployeeFactory(position=position, left_on=datetime.date(2025, 1, 31))
    leaver.assignments.update(end_date=datetime.date(2025, 1, 31))
    unplanned = PositionFactory(headcount=None)
    EmployeeFactory(position=unplanned)
    staffed = {p.pk: p.staffing for p in Position.objects.with_staffing()}
    assert staffed == {position.pk: "2/3", unplanned.pk: "1"}
    assert Position(headcount=0).staffing_label(0) == "0/0"
