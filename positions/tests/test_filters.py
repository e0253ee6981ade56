"""PositionFilter: each filter's exact result, the defaults, and bad input."""

import re
from html import unescape

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from positions.filters import FastSelect, PositionFilter
from positions.models import Position
from positions.permissions import EMPLOYEE, MANAGER, role_group
from positions.services import versions
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
    published_together,
)
from search import services as search

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(departments):
    sales, channel, finance = departments["sales"], departments["channel"], departments["finance"]
    fuzhou, xiamen = departments["fuzhou"], departments["xiamen"]
    marketing = DepartmentFactory(name="营销中心", code="XM-YX", parent=xiamen)
    with published_together():
        PositionFactory(
            title="销售经理", code="FZ-XS-001", department=sales, grade_min=10, grade_max=11
        )
        PositionFactory(
            title="置业顾问", code="FZ-XS-002", department=sales, grade_min=4, grade_max=6
        )
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


def page_titles(data, offset, limit):
    filterset = PositionFilter(data, queryset=Position.objects.all())
    ids, total = filterset.ids_and_total(offset, limit)
    by_id = Position.objects.in_bulk(ids)
    return [by_id[pk].title for pk in ids], total


def test_filter_ids_and_total_pages_across_departments_in_tree_order(org):
    assert page_titles({}, 0, 2) == (["销售经理", "置业顾问"], 5)
    assert page_titles({}, 1, 2) == (["置业顾问", "渠道专员"], 5)
    assert page_titles({}, 3, 2) == (["会计", "营销总监"], 5)
    assert page_titles({}, 4, 50) == (["营销总监"], 5)
    assert page_titles({}, 5, 2) == ([], 5)
    assert page_titles({"sort": "-department"}, 0, 3) == (["营销总监", "会计", "渠道专员"], 5)
    assert page_titles({"sort": "-department"}, 2, 2) == (["渠道专员", "销售经理"], 5)
    assert page_titles({"status": "all"}, 3, 2) == (["会计", "出纳"], 6)
    assert page_titles({"q": "FZ-XS"}, 1, 5) == (["置业顾问", "渠道专员"], 3)


def test_filter_ids_and_total_by_code_and_past_the_end(org):
    assert page_titles({"sort": "code"}, 1, 2) == (["销售经理", "置业顾问"], 5)
    assert page_titles({"sort": "-code"}, 4, 2) == (["会计"], 5)
    assert page_titles({"sort": "code"}, 7, 2) == ([], 5)
    assert page_titles({"sort": "code", "q": "没有这个职位"}, 0, 2) == ([], 0)


def test_filter_ids_and_total_reads_two_queries_in_tree_order(org, django_assert_num_queries):
    filterset = PositionFilter({}, queryset=Position.objects.all())
    filterset.qs  # noqa: B018 - the filtering itself reads the department tree

    # The rows per department (the total), then the page from the departments it spans.
    with django_assert_num_queries(2):
        assert filterset.ids_and_total(2, 2)[1] == 5


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
    response = client.get(reverse("positions:position-list"), params)
    assert response.status_code == 200
    return [p.shown_title for p in response.context["page_obj"].object_list]


def test_list_readers_see_version_titles_not_draft_titles(hr_client, hr_user, user):
    client = hr_client

    department = DepartmentFactory(name="客服中心", code="KF")
    position = Position.objects.create(
        title="客服专员", code="KF-001", department=department, status=Position.Status.PUBLISHED
    )
    versions.publish_version(position)
    Position.objects.filter(pk=position.pk).update(
        title="客户体验官", code="KF-900", status=Position.Status.DRAFT
    )
    search.reindex_position(position)

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


FILTERED = {"q": "客服", "status": "published", "grade": "3", "staffing": "vacant"}


@pytest.mark.parametrize("params", [{"q": "客服"}, FILTERED], ids=["text", "every-filter"])
@pytest.mark.parametrize("who", ["hr", "reader", "manager"])
def test_list_query_count_does_not_grow_with_rows(db, client, hr_user, user, who, params):

    if who == "manager":  # reads 财务部's working copies and 客服中心's versions: a CASE per row
        user.groups.add(role_group(MANAGER))
        finance = DepartmentFactory(name="财务部", code="CW")
        EmployeeFactory(user=user, position=PositionFactory(title="财务经理", department=finance))
    client.force_login(hr_user if who == "hr" else user)
    department = DepartmentFactory(name="客服中心", code="KF")
    boss = None

    def add(count: int) -> None:
        nonlocal boss
        added = []
        for _ in range(count):
            n = Position.objects.count()
            position = Position.objects.create(
                title=f"客服专员{n:03d}",
                code=f"KF-{n:03d}",
                department=department,
                reports_to=boss,
                status=Position.Status.PUBLISHED,
                headcount=2,
                grade_min=3,
            )
            added.append(position)
            boss = boss or position
        versions.publish_versions(added)  # V1 each, in one go
        for position in added:
            EmployeeFactory(position=position)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("positions:position-list"), params)
        return len(response.context["page_obj"].object_list), len(captured)

    add(5)
    rows_5, count_5 = queries()
    add(45)
    rows_50, count_50 = queries()
    assert (rows_5, rows_50) == (5, 50)
    assert count_5 == count_50


# --- 状态, 职位等级 and 在岗情况 as each reader is shown them ---------------------------------


@pytest.fixture
def drafts_over_versions(departments):
    """V1s in force with working copies changed since, in 销售部 and 财务部.

    * 销售经理: V1 at grade 5–6, its draft regraded to 8–9;
    * 置业顾问: V1 with 职位编制 1 and one holder, its draft raised to 3;
    * 财务经理: in force, unchanged, held by 钱经理 (部门经理 of 财务部);
    * 会计: V1 at grade 5–6, its regrade to 8–9 待审批.
    """

    sales, finance = departments["sales"], departments["finance"]
    regraded = PositionFactory(
        title="销售经理", code="FZ-XS-001", department=sales, grade_min=5, grade_max=6
    )
    expanded = PositionFactory(title="置业顾问", code="FZ-XS-002", department=sales, headcount=1)
    head = PositionFactory(title="财务经理", code="FZ-CW-001", department=finance, headcount=1)
    accountant = PositionFactory(
        title="会计", code="FZ-CW-002", department=finance, grade_min=5, grade_max=6
    )
    employee = UserFactory(username="lin")
    employee.groups.add(role_group(EMPLOYEE))
    EmployeeFactory(user=employee, name="林员工", position=expanded)
    manager = UserFactory(username="qian")
    manager.groups.add(role_group(MANAGER))
    EmployeeFactory(user=manager, name="钱经理", position=head)
    drafts = Position.objects.filter
    drafts(pk=regraded.pk).update(grade_min=8, grade_max=9, status=Position.Status.DRAFT)
    drafts(pk=expanded.pk).update(headcount=3, status=Position.Status.DRAFT)
    drafts(pk=accountant.pk).update(grade_min=8, grade_max=9, status=Position.Status.REVIEWED)
    return {"employee": employee, "manager": manager}


def shown_rows(client, **params) -> list[tuple[str, str, str, str]]:
    """The list page's rows as read: (职位名称, 职位等级, 在岗/编制, 状态)."""

    def text(html: str) -> str:
        html = re.sub(r'<div[^>]*aria-hidden="true"[^>]*>.*?</div>', " ", html, flags=re.S)
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()

    response = client.get(reverse("positions:position-list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    if "没有符合条件的职位" in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        # The batch selection's column (col-select, for those who may act) is not read.
        raw = re.findall(r"<td(?![^>]*col-select)[^>]*>(.*?)</td>", row, flags=re.S)
        cells = [text(cell) for cell in raw]
        rows.append((cells[1], cells[4], cells[5], cells[6]))
    return rows


# What each user is shown without filters: readers the V1s, HR every working copy, the manager
# of 财务部 财务部's working copies and 销售部's V1s.
SHOWN = {
    "employee": [
        ("销售经理", "5–6", "0", "已生效 V1"),
        ("置业顾问", "—", "1/1", "已生效 V1"),
        ("财务经理", "—", "1/1", "已生效 V1"),
        ("会计", "5–6", "0", "已生效 V1"),
    ],
    "hr": [
        ("销售经理", "8–9", "0", "草稿"),
        ("置业顾问", "—", "1/3", "草稿"),
        ("财务经理", "—", "1/1", "已生效 V1"),
        ("会计", "8–9", "0", "待审批"),
    ],
    "manager": [
        ("销售经理", "5–6", "0", "已生效 V1"),
        ("置业顾问", "—", "1/1", "已生效 V1"),
        ("财务经理", "—", "1/1", "已生效 V1"),
        ("会计", "8–9", "0", "待审批"),
    ],
}


def as_user(client, drafts_over_versions, hr_user, who: str):
    client.force_login(hr_user if who == "hr" else drafts_over_versions[who])
    assert shown_rows(client) == SHOWN[who]
    return client


def shown_subset(who: str, *titles: str) -> list[tuple[str, str, str, str]]:
    return [row for row in SHOWN[who] if row[0] in titles]


@pytest.mark.parametrize(
    ("who", "high_grade", "low_grade"),
    [
        ("employee", [], ["销售经理", "会计"]),
        ("hr", ["销售经理", "会计"], []),
        ("manager", ["会计"], ["销售经理"]),
    ],
)
def test_list_grade_filter_finds_the_grade_each_user_is_shown(
    client, drafts_over_versions, hr_user, who, high_grade, low_grade
):
    client = as_user(client, drafts_over_versions, hr_user, who)

    assert shown_rows(client, grade="8", grade_to="9") == shown_subset(who, *high_grade)
    assert shown_rows(client, grade="5", grade_to="6") == shown_subset(who, *low_grade)
    assert shown_rows(client, grade="9") == shown_subset(who, *high_grade)
    assert shown_rows(client, grade_to="6") == shown_subset(who, *low_grade)


@pytest.mark.parametrize(
    ("who", "vacant", "filled"),
    [
        ("employee", ["销售经理", "会计"], ["置业顾问", "财务经理"]),
        ("hr", ["销售经理", "置业顾问", "会计"], ["财务经理"]),
        ("manager", ["销售经理", "会计"], ["置业顾问", "财务经理"]),
    ],
)
def test_list_staffing_filter_follows_the_headcount_each_user_is_shown(
    client, drafts_over_versions, hr_user, who, vacant, filled
):
    client = as_user(client, drafts_over_versions, hr_user, who)

    assert shown_rows(client, staffing="vacant") == shown_subset(who, *vacant)
    assert shown_rows(client, staffing="filled") == shown_subset(who, *filled)


@pytest.mark.parametrize(
    ("who", "by_status"),
    [
        (
            "employee",
            {
                "draft": [],
                "reviewed": [],
                "published": ["销售经理", "置业顾问", "财务经理", "会计"],
            },
        ),
        (
            "hr",
            {
                "draft": ["销售经理", "置业顾问"],
                "reviewed": ["会计"],
                "published": ["财务经理"],
            },
        ),
        (
            "manager",
            {
                "draft": [],
                "reviewed": ["会计"],
                "published": ["销售经理", "置业顾问", "财务经理"],
            },
        ),
    ],
)
def test_list_status_filter_finds_the_status_each_user_is_shown(
    client, drafts_over_versions, hr_user, who, by_status
):
    client = as_user(client, drafts_over_versions, hr_user, who)

    for status, titles_shown in by_status.items():
        assert shown_rows(client, status=status) == shown_subset(who, *titles_shown), status
    assert shown_rows(client, status="submitted") == []
    assert shown_rows(client, status="archived") == []
    assert shown_rows(client, status="all") == SHOWN[who]


def test_list_status_draft_for_an_employee_says_nothing_matches(client, drafts_over_versions):
    client.force_login(drafts_over_versions["employee"])

    response = client.get(reverse("positions:position-list"), {"status": "draft"})

    page = response.content.decode()
    assert "没有符合条件的职位" in page
    assert '共 <strong class="text-body">0</strong> 个职位符合条件' in page


def test_department_select_lists_departments_escaped_with_the_choice_selected():
    choices = [("", "全部部门"), (1, "集团"), (2, '\u3000销售部 <&>"')]
    attrs = {"id": "id_department", "class": "form-select"}
    fast = FastSelect(choices=choices).render("department", "2", attrs=attrs)
    django = forms.Select(choices=choices).render("department", "2", attrs=attrs)

    def options(html: str) -> list[tuple[str, str, bool]]:
        return [
            (value, unescape(label), " selected" in extra)
            for value, extra, label in re.findall(
                r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html
            )
        ]

    assert (
        options(fast)
        == options(django)
        == [
            ("", "全部部门", False),
            ("1", "集团", False),
            ("2", '\u3000销售部 <&>"', True),
        ]
    )
    assert "销售部 &lt;&amp;&gt;&quot;" in fast
    assert fast.startswith('<select name="department" class="form-select" id="id_department">')


@pytest.mark.parametrize(
    ("who", "in_sales", "in_finance"),
    [
        ("employee", ["销售经理", "置业顾问"], ["财务经理", "会计"]),
        ("hr", ["会计", "销售经理", "置业顾问"], ["财务经理"]),
    ],
)
def test_list_q_finds_the_department_name_each_user_is_shown(
    client, drafts_over_versions, hr_user, departments, who, in_sales, in_finance
):
    # 会计's draft (待审批) moves it to 销售部; its V1 in force stays in 财务部.
    accountant = Position.objects.get(title="会计")
    Position.objects.filter(pk=accountant.pk).update(department=departments["sales"])
    search.reindex_position(accountant.pk)  # as the writer does
    client.force_login(hr_user if who == "hr" else drafts_over_versions[who])

    assert [row[0] for row in shown_rows(client, q="销售部")] == in_sales
    assert [row[0] for row in shown_rows(client, q="财务部")] == in_finance
    # By pinyin initials, through the search index of what each reads.
    assert [row[0] for row in shown_rows(client, q="xsb")] == in_sales
    assert [row[0] for row in shown_rows(client, q="cwb")] == in_finance
    assert shown_rows(client, q="没有这个部门") == []
