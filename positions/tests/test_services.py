"""The department tree assembly: structure, counts, archived positions, query counts."""

import pytest
from django.urls import reverse

from positions.models import Department, Position
from positions.services.organisation import (
    department_index,
    department_page,
    department_tree,
    grade_overlap_q,
)
from positions.tests.factories import DepartmentFactory, PositionFactory, published_together
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(departments):
    return departments


def names(nodes):
    return [node.department.name for node in nodes]


def test_department_tree_nests_departments_in_order(org):
    tree = department_tree()

    assert names(tree) == ["海峡集团"]
    group = tree[0]
    assert group.depth == 0
    assert names(group.children) == ["福州公司", "厦门公司"]
    fuzhou = group.children[0]
    assert names(fuzhou.children) == ["销售部", "财务部"]
    assert names(fuzhou.children[0].children) == ["渠道组"]
    assert fuzhou.children[0].children[0].depth == 3


def test_department_tree_counts_own_and_subtree_positions(org):
    manager = PositionFactory(title="销售经理", code="FZ-XS-001", department=org["sales"])
    PositionFactory(title="置业顾问", code="FZ-XS-002", department=org["sales"], reports_to=manager)
    PositionFactory(title="渠道专员", department=org["channel"])
    PositionFactory(title="会计", department=org["finance"])

    group = department_tree()[0]
    fuzhou = group.children[0]
    sales = fuzhou.children[0]

    assert [p.title for p in sales.positions] == ["销售经理", "置业顾问"]
    assert sales.positions[1].reports_to.title == "销售经理"
    assert (sales.position_count, sales.total_count) == (2, 3)
    assert (fuzhou.position_count, fuzhou.total_count) == (0, 4)
    assert group.total_count == 4
    assert group.department_count == 5
    assert group.children[1].total_count == 0


def test_department_tree_leaves_out_archived_positions(org):
    PositionFactory(title="在岗职位", department=org["sales"])
    PositionFactory(title="草稿职位", department=org["sales"], status=Position.Status.DRAFT)
    PositionFactory(title="旧职位", department=org["sales"], status=Position.Status.ARCHIVED)

    sales = department_tree()[0].children[0].children[0]
    with_archived = department_tree(include_archived=True)[0].children[0].children[0]

    assert sorted(p.title for p in sales.positions) == ["在岗职位", "草稿职位"]
    assert with_archived.position_count == 3


def test_department_tree_with_root_returns_that_subtree(org):
    PositionFactory(title="渠道专员", department=org["channel"])
    PositionFactory(title="会计", department=org["finance"])

    (sales,) = department_tree(root_id=org["sales"].pk)

    assert sales.depth == 0
    assert names(sales.children) == ["渠道组"]
    assert sales.total_count == 1
    assert department_tree(root_id=999999) == []


def test_department_tree_shows_departments_of_a_parent_cycle_once(org):
    a = DepartmentFactory(name="甲部门", code="A")
    b = DepartmentFactory(name="乙部门", code="B", parent=a)
    Department.objects.filter(pk=a.pk).update(parent=b)  # bypasses clean(), as raw SQL could

    tree = department_tree()

    assert names(tree) == ["海峡集团", "甲部门"]
    assert names(tree[1].children) == ["乙部门"]
    assert tree[1].children[0].children == []


def test_department_index_subtree_ancestors_and_options(org):
    index = department_index()

    assert index.subtree_ids(org["fuzhou"].pk) == {
        org["fuzhou"].pk,
        org["sales"].pk,
        org["channel"].pk,
        org["finance"].pk,
    }
    assert index.subtree_ids(999999) == set()
    assert [d.name for d in index.ancestors(org["channel"].pk)] == [
        "海峡集团",
        "福州公司",
        "销售部",
    ]
    assert [label for _pk, label in index.options()] == [
        "海峡集团",
        "\u3000福州公司",
        "\u3000\u3000销售部",
        "\u3000\u3000\u3000渠道组",
        "\u3000\u3000财务部",
        "\u3000厦门公司",
    ]


def test_department_page_has_path_subtree_and_archived_count(org):
    PositionFactory(title="销售经理", department=org["sales"])
    PositionFactory(title="旧渠道职位", department=org["channel"], status=Position.Status.ARCHIVED)

    page = department_page(org["sales"].pk)

    assert [d.name for d in page.ancestors] == ["海峡集团", "福州公司"]
    assert [p.title for p in page.node.positions] == ["销售经理"]
    assert names(page.node.children) == ["渠道组"]
    assert page.archived_count == 1
    assert department_page(999999) is None


def test_grade_overlap_q_matches_positions_whose_range_contains_the_grade():
    department = DepartmentFactory()
    with published_together():
        PositionFactory(title="三到五", department=department, grade_min=3, grade_max=5)
        PositionFactory(title="六到八", department=department, grade_min=6, grade_max=8)
        PositionFactory(title="只有九", department=department, grade_min=9, grade_max=None)
        PositionFactory(title="只有高端七", department=department, grade_min=None, grade_max=7)
        PositionFactory(title="未定", department=department)

    def titles(q):
        return sorted(Position.objects.filter(q).values_list("title", flat=True))

    assert titles(grade_overlap_q(5)) == ["三到五"]
    assert titles(grade_overlap_q(7)) == ["六到八", "只有高端七"]
    assert titles(grade_overlap_q(9)) == ["只有九"]
    assert titles(grade_overlap_q(4, 6)) == ["三到五", "六到八"]
    assert titles(grade_overlap_q(20)) == []


def make_org(companies: int, departments_each: int, positions_each: int) -> None:
    group = DepartmentFactory(kind=Department.Kind.GROUP)
    with published_together():
        for _ in range(companies):
            company = DepartmentFactory(kind=Department.Kind.COMPANY, parent=group)
            for _ in range(departments_each):
                department = DepartmentFactory(parent=company)
                boss = None
                for _ in range(positions_each):
                    boss = PositionFactory(department=department, reports_to=boss)


@pytest.mark.parametrize(
    ("companies", "departments_each", "positions_each"), [(1, 1, 1), (3, 4, 5)]
)
def test_department_tree_page_query_count_does_not_grow(
    user_client, django_assert_num_queries, companies, departments_each, positions_each
):
    make_org(companies, departments_each, positions_each)

    # session, user with roles, all departments, all positions (with superiors), and the
    # positions the user holds (我的职位 in the navigation): five whatever the organisation's size.
    with django_assert_num_queries(5):
        response = user_client.get(reverse("positions:department-tree"))

    assert response.status_code == 200
    text = page_text(response)
    for name in Department.objects.values_list("name", flat=True):
        assert f" {name} " in text
    for title in Position.objects.values_list("title", flat=True):
        assert f" {title} " in text
