"""PositionFilter: each filter's exact result, the defaults, and bad input."""

import pytest

from positions.filters import PositionFilter
from positions.models import Position
from positions.tests.factories import DepartmentFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(departments):
    sales, channel, finance = departments["sales"], departments["channel"], departments["finance"]
    fuzhou, xiamen = departments["fuzhou"], departments["xiamen"]
    marketing = DepartmentFactory(name="营销中心", code="XM-YX", parent=xiamen)
    PositionFactory(
        title="销售经理", code="FZ-XS-001", department=sales, grade_min=10, grade_max=11
    )
    PositionFactory(title="置业顾问", code="FZ-XS-002", department=sales, grade_min=4, grade_max=6)
    PositionFactory(title="渠道专员", code="FZ-XS-QD-001", department=channel, grade_min=5)
    PositionFactory(
        title="会计", code="FZ-CW-001", department=finance, status=Position.Status.DRAFT
    )
    PositionFactory(
        title="出纳", code="FZ-CW-002", department=finance, status=Position.Status.ARCHIVED
    )
    PositionFactory(title="营销总监", code="XM-YX-001", department=marketing, grade_min=12)
    return {"fuzhou": fuzhou, "sales": sales, "finance": finance, "marketing": marketing}


def titles(data):
    return [p.title for p in PositionFilter(data, queryset=Position.objects.all()).qs]


def test_filter_without_data_hides_archived_and_sorts_by_department_tree(org):
    assert titles({}) == ["销售经理", "置业顾问", "渠道专员", "会计", "营销总监"]
    assert titles(None) == titles({})


def test_filter_q_matches_title_code_and_department_name(org):
    assert titles({"q": "顾问"}) == ["置业顾问"]
    assert titles({"q": "xm-yx"}) == ["营销总监"]
    assert titles({"q": "财务"}) == ["会计"]
    assert titles({"q": "  "}) == titles({})


def test_filter_department_includes_sub_departments(org):
    assert titles({"department": org["sales"].pk}) == ["销售经理", "置业顾问", "渠道专员"]
    assert titles({"department": org["fuzhou"].pk}) == ["销售经理", "置业顾问", "渠道专员", "会计"]
    assert titles({"department": org["marketing"].pk}) == ["营销总监"]


def test_filter_status_selects_one_status_or_all(org):
    assert titles({"status": "draft"}) == ["会计"]
    assert titles({"status": "archived"}) == ["出纳"]
    assert titles({"status": "published"}) == ["销售经理", "置业顾问", "渠道专员", "营销总监"]
    assert len(titles({"status": "all"})) == 6


def test_filter_grade_matches_overlapping_ranges(org):
    assert titles({"grade": "5"}) == ["置业顾问", "渠道专员"]
    assert titles({"grade": "11"}) == ["销售经理"]
    assert titles({"grade": "12"}) == ["营销总监"]
    assert titles({"grade": "30"}) == []


def test_filter_sort_orders_by_whitelisted_keys(org):
    assert titles({"sort": "code"}) == ["会计", "销售经理", "置业顾问", "渠道专员", "营销总监"]
    assert titles({"sort": "-code"}) == ["营销总监", "渠道专员", "置业顾问", "销售经理", "会计"]
    assert titles({"sort": "title"}) == sorted(
        ["销售经理", "置业顾问", "渠道专员", "会计", "营销总监"]
    )
    assert titles({"sort": "-department"})[0] == "营销总监"


def test_filter_combines_filters(org):
    data = {"department": org["fuzhou"].pk, "status": "all", "q": "出"}
    assert titles(data) == ["出纳"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"department": "abc"}, "department", "所选部门不存在，请从列表中重新选择。"),
        ({"department": "999999"}, "department", "所选部门不存在，请从列表中重新选择。"),
        ({"status": "nonsense"}, "status", "状态“nonsense”无效，请从列表中选择。"),
        ({"grade": "abc"}, "grade", "职位等级须为整数，如 5。"),
        ({"grade": "-1"}, "grade", "职位等级不能小于 0。"),
        ({"sort": "password"}, "sort", "排序方式“password”无效，已按部门排序。"),
    ],
)
def test_filter_bad_input_reports_chinese_error_and_keeps_defaults(org, data, field, message):
    filterset = PositionFilter(data, queryset=Position.objects.all())

    assert filterset.errors[field] == [message]
    assert [p.title for p in filterset.qs] == [
        "销售经理",
        "置业顾问",
        "渠道专员",
        "会计",
        "营销总监",
    ]
    assert filterset.current_sort == "department"


def test_filter_department_choices_follow_the_tree(org):
    filterset = PositionFilter({}, queryset=Position.objects.all())
    labels = [label for _value, label in filterset.form.fields["department"].choices]

    assert labels == [
        "全部部门",
        "海峡集团",
        "\u3000福州公司",
        "\u3000\u3000销售部",
        "\u3000\u3000\u3000渠道组",
        "\u3000\u3000财务部",
        "\u3000厦门公司",
        "\u3000\u3000营销中心",
    ]


# --- grade range, staffing, what readers are shown, query counts ------------------------------


def test_filter_grade_range_matches_overlapping_ranges(org):
    assert titles({"grade": "5", "grade_to": "10"}) == ["销售经理", "置业顾问", "渠道专员"]
    assert titles({"grade": "10", "grade_to": "5"}) == ["销售经理", "置业顾问", "渠道专员"]
    assert titles({"grade_to": "4"}) == ["置业顾问"]
    assert titles({"grade": "12", "grade_to": "20"}) == ["营销总监"]


def test_filter_staffing_vacant_and_filled(org):
    from positions.tests.factories import EmployeeFactory

    manager = Position.objects.get(code="FZ-XS-001")  # no 职位编制: counts as one place
    adviser = Position.objects.get(code="FZ-XS-002")
    Position.objects.filter(pk=adviser.pk).update(headcount=2)
    EmployeeFactory(position=manager)
    EmployeeFactory(position=adviser)
    assert titles({"staffing": "filled"}) == ["销售经理"]
    assert titles({"staffing": "vacant"}) == ["置业顾问", "渠道专员", "会计", "营销总监"]
    EmployeeFactory(position=adviser)
    assert titles({"staffing": "filled"}) == ["销售经理", "置业顾问"]


def test_filter_staffing_bad_choice_reports_chinese_error(org):
    filterset = PositionFilter({"staffing": "half"}, queryset=Position.objects.all())
    assert filterset.errors["staffing"] == ["在岗情况“half”无效，请从列表中选择。"]


def list_titles(client, **params) -> list[str]:
    from django.urls import reverse

    response = client.get(reverse("positions:position-list"), params)
    assert response.status_code == 200
    return [p.shown_title for p in response.context["page_obj"].object_list]


def test_list_readers_see_version_titles_not_draft_titles(hr_client, hr_user, user):
    client = hr_client
    from positions import services
    from positions.tests.factories import DepartmentFactory

    department = DepartmentFactory(name="客服中心", code="KF")
    position = Position.objects.create(
        title="客服专员", code="KF-001", department=department, status=Position.Status.PUBLISHED
    )
    services.publish_version(position)
    Position.objects.filter(pk=position.pk).update(
        title="客户体验官", code="KF-900", status=Position.Status.DRAFT
    )
    services.reindex_position(position)

    assert list_titles(hr_client) == ["客户体验官"]
    client.force_login(user)
    assert list_titles(client) == ["客服专员"]
    html = client.get("/positions/").content.decode()
    assert "客户体验官" not in html and "KF-900" not in html
    assert "已生效 V1" in html
    # Readers neither find the draft title nor its code; they find the version's.
    assert list_titles(client, q="体验官") == []
    assert list_titles(client, q="KF-900") == []
    assert list_titles(client, q="客服") == ["客服专员"]
    assert list_titles(client, q="kfzy") == ["客服专员"]  # pinyin initials
    assert list_titles(client, sort="code") == ["客服专员"]
    client.force_login(hr_user)
    assert list_titles(client, q="khtyg") == ["客户体验官"]


@pytest.mark.parametrize("who", ["hr", "reader"])
def test_list_query_count_does_not_grow_with_rows(db, client, hr_user, user, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from positions import services
    from positions.tests.factories import DepartmentFactory, EmployeeFactory

    client.force_login(hr_user if who == "hr" else user)
    department = DepartmentFactory(name="客服中心", code="KF")
    boss = None

    def add(count: int) -> None:
        nonlocal boss
        for _ in range(count):
            n = Position.objects.count()
            position = Position.objects.create(
                title=f"客服专员{n:03d}",
                code=f"KF-{n:03d}",
                department=department,
                reports_to=boss,
                status=Position.Status.PUBLISHED,
                headcount=2,
            )
            services.publish_version(position)
            EmployeeFactory(position=position)
            boss = boss or position

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("positions:position-list"), {"q": "客服"})
        return len(response.context["page_obj"].object_list), len(captured)

    add(5)
    rows_5, count_5 = queries()
    add(45)
    rows_50, count_50 = queries()
    assert (rows_5, rows_50) == (5, 50)
    assert count_5 == count_50
