"""The browsing pages as a user sees them: tree, department page, position list."""

import re

import pytest
from django.urls import reverse

from positions.models import Position
from positions.tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    PositionFactory,
    published_together,
)
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db


def compact(response) -> str:
    """Visible text without any spaces, for phrases split by markup (共 <b>3</b> 个)."""
    return page_text(response).replace(" ", "")


@pytest.fixture
def org(departments):
    group, fuzhou, xiamen = departments["group"], departments["fuzhou"], departments["xiamen"]
    sales, channel = departments["sales"], departments["channel"]
    with published_together():
        manager = PositionFactory(
            title="销售经理", code="FZ-XS-001", department=sales, grade_min=10, grade_max=11
        )
        adviser = PositionFactory(
            title="置业顾问",
            code="FZ-XS-002",
            department=sales,
            reports_to=manager,
            status=Position.Status.DRAFT,
        )
        PositionFactory(
            title="渠道专员", code="FZ-XS-QD-001", department=channel, reports_to=manager
        )
        PositionFactory(
            title="案场文员", code="FZ-XS-009", department=sales, status=Position.Status.ARCHIVED
        )
    return {
        "group": group,
        "fuzhou": fuzhou,
        "xiamen": xiamen,
        "sales": sales,
        "channel": channel,
        "manager": manager,
        "adviser": adviser,
    }


# -- department tree ---------------------------------------------------------------------------


def test_department_tree_shows_departments_positions_and_counts(hr_client, org):
    response = hr_client.get(reverse("positions:department-tree"))

    assert response.status_code == 200
    text = page_text(response)
    assert "组织架构" in text
    assert "共6个部门·3个职位（不含已归档）" in compact(response)
    for name in ("海峡集团", "福州公司", "厦门公司", "销售部", "渠道组"):
        assert name in text
    assert "销售经理 FZ-XS-001" in text
    assert "10–11 级" in text
    assert "置业顾问 FZ-XS-002" in text
    assert "3 个职位" in text  # 福州公司 and 销售部, including 渠道组
    assert "本级 2" in text  # 销售部's own positions
    assert "草稿" in text and "已生效" in text
    assert reverse("positions:position-sheet", kwargs={"pk": org["adviser"].pk}) in (
        response.content.decode()
    )


def test_department_tree_hides_archived_positions(hr_client, org):
    response = hr_client.get(reverse("positions:department-tree"))

    assert "案场文员" not in page_text(response)


def test_department_tree_shows_superior_under_each_position(hr_client, org):
    response = hr_client.get(reverse("positions:department-tree"))

    assert "置业顾问 FZ-XS-002 销售经理 草稿" in page_text(response)


def test_department_tree_empty_organisation_says_so(hr_client):
    response = hr_client.get(reverse("positions:department-tree"))

    assert response.status_code == 200
    assert "尚未建立组织架构" in page_text(response)


def test_department_tree_anonymous_is_redirected_to_login(client):
    response = client.get(reverse("positions:department-tree"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_department_tree_ignores_unknown_query_params(hr_client, org):
    response = hr_client.get(reverse("positions:department-tree"), {"page": "abc", "x": "<b>"})

    assert response.status_code == 200
    assert "销售经理" in page_text(response)


# -- department page ---------------------------------------------------------------------------


def test_department_detail_shows_path_sub_departments_and_positions(hr_client, org):
    response = hr_client.get(org["sales"].get_absolute_url())

    assert response.status_code == 200
    text = page_text(response)
    assert "组织架构 海峡集团 福州公司 销售部" in text  # the breadcrumb
    assert "部门编号 FZ-XS" in text
    assert "本部门职位2" in compact(response)
    assert "含下级部门职位3" in compact(response)
    assert "渠道组 FZ-XS-QD 1 个职位" in text
    # each row: code, title (with the code again for phones), superior, grade, headcount, status
    assert "FZ-XS-001 销售经理 FZ-XS-001 — 10–11 0 已生效" in text
    assert "FZ-XS-002 置业顾问 FZ-XS-002 销售经理 — 0 草稿" in text
    assert "本部门及下级部门另有 1 个已归档职位" in text
    html = response.content.decode()
    assert f'href="{org["manager"].get_absolute_url()}"' in html
    assert f'href="{org["channel"].get_absolute_url()}"' in html


def test_department_detail_without_positions_or_children_says_so(hr_client, org):
    response = hr_client.get(org["xiamen"].get_absolute_url())

    text = page_text(response)
    assert "本部门暂无职位" in text
    assert "没有下级部门" in text


def test_department_detail_unknown_department_is_404(hr_client):
    response = hr_client.get(reverse("positions:department-detail", kwargs={"pk": 999999}))

    assert response.status_code == 404


def test_department_detail_anonymous_is_redirected_to_login(client, org):
    response = client.get(org["sales"].get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- position list -----------------------------------------------------------------------------


def list_url():
    return reverse("positions:position-list")


def test_position_list_shows_active_positions_with_count(hr_client, org):
    response = hr_client.get(list_url())

    assert response.status_code == 200
    text = page_text(response)
    assert "共3个职位" in compact(response)
    assert "FZ-XS-001 销售经理 FZ-XS-001 销售部 福州公司 — 10–11 0 已生效" in text
    assert "FZ-XS-002 置业顾问 FZ-XS-002 销售部 福州公司 销售经理 — 0 草稿" in text
    assert "案场文员" not in text


def test_position_list_filters_by_query_department_status_and_grade(hr_client, org):
    def shown(**params):
        response = hr_client.get(list_url(), params)
        return [
            t for t in ("销售经理", "置业顾问", "渠道专员", "案场文员") if t in _titles(response)
        ]

    assert shown(q="渠道") == ["渠道专员"]
    assert shown(department=org["channel"].pk) == ["渠道专员"]
    assert shown(department=org["sales"].pk) == ["销售经理", "置业顾问", "渠道专员"]
    assert shown(status="draft") == ["置业顾问"]
    assert shown(status="archived") == ["案场文员"]
    assert shown(grade="10") == ["销售经理"]


def _titles(response) -> str:
    """The position-title cells of the table (not the superior column)."""
    return " ".join(
        re.findall(r'<a class="fw-medium" href="[^"]+">([^<]+)</a>', response.content.decode())
    )


def test_position_list_count_says_filtered(hr_client, org):
    response = hr_client.get(list_url(), {"q": "顾问"})

    assert "共1个职位符合条件" in compact(response)


def test_position_list_empty_result_shows_message(hr_client, org):
    response = hr_client.get(list_url(), {"q": "不存在的职位"})

    assert response.status_code == 200
    assert "没有符合条件的职位" in page_text(response)
    assert "共0个职位符合条件" in compact(response)


def test_position_list_sorts_by_whitelisted_column(hr_client, org):
    response = hr_client.get(list_url(), {"sort": "-code"})

    assert _titles(response).split() == ["渠道专员", "置业顾问", "销售经理"]
    assert 'href="?sort=code"' in response.content.decode()  # the header toggles the direction


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"department": "abc"}, "所选部门不存在，请从列表中重新选择。"),
        ({"status": "nonsense"}, "状态“nonsense”无效，请从列表中选择。"),
        ({"grade": "高级"}, "职位等级须为整数，如 5。"),
        ({"sort": "password"}, "排序方式“password”无效，已按部门排序。"),
    ],
)
def test_position_list_bad_filter_shows_chinese_message(hr_client, org, params, message):
    response = hr_client.get(list_url(), params)

    assert response.status_code == 200
    text = page_text(response)
    assert "部分筛选条件无效，已忽略：" in text
    assert message in text
    assert _titles(response).split() == ["销售经理", "置业顾问", "渠道专员"]


def test_position_list_keeps_typed_bad_grade_in_the_form(hr_client, org):
    response = hr_client.get(list_url(), {"grade": "高级"})

    assert 'value="高级"' in response.content.decode()


def test_position_list_filter_form_marks_the_refused_field_with_its_message(hr_client, org):
    response = hr_client.get(list_url(), {"grade": "高级", "department": str(org["sales"].pk)})

    html = response.content.decode()
    grade = re.search(r'<input type="text" name="grade"[^>]*>', html).group(0)
    assert 'class="textinput form-control is-invalid"' in grade
    assert 'aria-describedby="id_grade_error"' in grade
    assert (
        '<div id="id_grade_error" class="invalid-feedback"><p id="error_1_id_grade">'
        "<strong>职位等级须为整数，如 5。</strong></p></div>"
    ) in html
    department = re.search(r'<select name="department"[^>]*>', html).group(0)
    assert 'class="select form-select"' in department
    assert f'<option value="{org["sales"].pk}" selected>' in html
    assert '<div id="id_department_helptext" class="form-text">包含其下级部门。</div>' in html
    assert '<label for="id_grade_to" class="form-label">职位等级（至）</label>' in html


def make_positions(count: int) -> None:
    department = DepartmentFactory(name="大部门")
    PositionFactory.create_batch(count, department=department)


def test_position_list_paginates_fifty_per_page(hr_client):
    make_positions(51)

    first = hr_client.get(list_url())
    second = hr_client.get(list_url(), {"page": "2"})

    assert len(_titles(first).split()) == 50
    assert len(_titles(second).split()) == 1
    assert "第51–51个，共51个" in compact(second)


@pytest.mark.parametrize(
    ("page", "notice", "shown"),
    [
        ("999", "第 999 页不存在，已显示最后一页（第 2 页）。", 1),
        ("abc", "页码“abc”无效，已显示第 1 页。", 50),
        ("0", "页码“0”无效，已显示第 1 页。", 50),
    ],
)
def test_position_list_bad_page_shows_a_sane_page(hr_client, page, notice, shown):
    make_positions(51)

    response = hr_client.get(list_url(), {"page": page})

    assert response.status_code == 200
    assert notice in page_text(response)
    assert len(_titles(response).split()) == shown


def test_position_list_anonymous_is_redirected_to_login(client):
    response = client.get(list_url(), {"q": "经理"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [1, 60])
def test_position_list_query_count_does_not_grow(hr_client, django_assert_num_queries, count):
    make_positions(count)

    # session, user with roles, the user's access (held positions, editor scopes),
    # departments, the number of positions per department (the total), the page's ids from the
    # departments the page spans, the page rows (with department, parent and superior), the
    # navigation's 待办 count.
    with django_assert_num_queries(9):
        response = hr_client.get(list_url())

    assert response.status_code == 200
    assert len(_titles(response).split()) == min(count, 50)  # fifty per page


def test_position_list_shows_filled_over_planned_headcount(hr_client, departments):
    clerk = PositionFactory(title="售楼员", code="FZ-XS-101", department=departments["sales"])
    clerk.headcount = 3
    clerk.save()
    EmployeeFactory(name="林员工", position=clerk)
    EmployeeFactory(name="吴新人", position=clerk)

    text = compact(hr_client.get(list_url()))

    assert "在岗/编制" in text
    assert "售楼员FZ-XS-101销售部福州公司—" in text
    assert "—2/3已生效" in text
