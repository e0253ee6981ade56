"""The people pages as HR and employees see them: list, employee page, 调岗 and 离职."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from people.services import people
from positions.models import Assignment, Position
from positions.permissions import HR_EDITOR, role_group
from positions.tests.factories import (
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
    published_together,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def text(html: str) -> str:
    """Text as read aloud: no tags, no scripts, no aria-hidden duplicates (mobile-only 工号)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<(div|span)[^>]*aria-hidden="true"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def visible_text(response) -> str:
    return text(response.content.decode())


def table_rows(response, table_id: str) -> list[list[str]]:
    """The body rows of the table with this id, each a list of cell texts."""
    html = response.content.decode()
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)] for row in rows
    ]


def selected_option(response, name: str) -> str:
    html = response.content.decode()
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    found = re.findall(r"<option[^>]*selected[^>]*>(.*?)</option>", select, flags=re.S)
    return text(found[0]) if found else ""


def option_labels(response, name: str) -> list[str]:
    html = response.content.decode()
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [text(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select, flags=re.S)]


def input_value(response, name: str) -> str:
    html = response.content.decode()
    # The page's own form field (id_<name>), not the navigation bar's search box.
    tag = re.search(rf'<input[^>]*id="id_{name}"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return unescape(value.group(1)) if value else ""


def hr_editor(username: str, *scopes) -> object:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(role_group(HR_EDITOR))
    for department in scopes:
        EditorScopeFactory(user=user, department=department)
    return user


@pytest.fixture
def org(departments):
    sales, finance, channel = departments["sales"], departments["finance"], departments["channel"]
    with published_together():
        manager = PositionFactory(title="销售经理", code="FZ-XS-001", department=sales, headcount=3)
        adviser = PositionFactory(
            title="置业顾问", code="FZ-XS-002", department=sales, reports_to=manager
        )
        channel_clerk = PositionFactory(title="渠道专员", code="FZ-XS-QD-001", department=channel)
        accountant = PositionFactory(title="会计", code="FZ-CW-001", department=finance)
        finance_draft = PositionFactory(
            title="出纳", code="FZ-CW-002", department=finance, status=Position.Status.DRAFT
        )
        sales_draft = PositionFactory(
            title="案场主管", code="FZ-XS-003", department=sales, status=Position.Status.DRAFT
        )
        archived = PositionFactory(
            title="案场文员", code="FZ-XS-009", department=sales, status=Position.Status.ARCHIVED
        )
    zhang = EmployeeFactory(
        user=UserFactory(username="zhang.san"),
        name="张三",
        employee_no="E0001",
        hired_on=D(2024, 3, 1),
        position=manager,
    )
    li = EmployeeFactory(
        user=UserFactory(username="lisi"),
        name="李四",
        employee_no="E0002",
        hired_on=D(2023, 7, 15),
        position=accountant,
    )
    zhao = EmployeeFactory(
        user=UserFactory(username="zhaoliu"),
        name="赵六",
        employee_no="E0004",
        hired_on=D(2024, 9, 1),
        position=channel_clerk,
    )
    wang = EmployeeFactory(
        user=UserFactory(username="wangwu"),
        name="王五",
        employee_no="E0003",
        hired_on=D(2022, 1, 10),
        position=adviser,
    )
    people.employee_leaves(employee=wang, left_on=D(2024, 12, 31))
    return {
        **departments,
        "manager": manager,
        "adviser": adviser,
        "channel_clerk": channel_clerk,
        "accountant": accountant,
        "finance_draft": finance_draft,
        "sales_draft": sales_draft,
        "archived": archived,
        "zhang": zhang,
        "li": li,
        "zhao": zhao,
        "wang": wang,
    }


def url(name: str, employee=None) -> str:
    if employee is None:
        return reverse(f"positions:{name}")
    return reverse(f"positions:{name}", kwargs={"pk": employee.pk})


# -- the list ----------------------------------------------------------------------------------


def test_employee_list_shows_current_employees_with_position_and_department(hr_client, org):
    response = hr_client.get(url("employee-list"))

    assert response.status_code == 200
    assert table_rows(response, "employee-table") == [
        ["E0001", "张三", "销售经理 FZ-XS-001", "销售部", "2024-03-01", "在职"],
        ["E0002", "李四", "会计 FZ-CW-001", "财务部", "2023-07-15", "在职"],
        ["E0004", "赵六", "渠道专员 FZ-XS-QD-001", "渠道组", "2024-09-01", "在职"],
    ]
    assert "共 3 名在职员工" in visible_text(response)
    html = response.content.decode()
    assert f'href="{org["zhang"].get_absolute_url()}"' in html
    assert f'href="{org["manager"].get_absolute_url()}"' in html


def test_employee_list_includes_leavers_when_asked(hr_client, org):
    response = hr_client.get(url("employee-list"), {"left": "on"})

    rows = table_rows(response, "employee-table")
    assert [row[1] for row in rows] == ["张三", "李四", "王五", "赵六"]
    assert rows[2] == ["E0003", "王五", "—", "—", "2022-01-10", "已离职 2024-12-31"]
    assert "共 4 名员工（含已离职）" in visible_text(response)


@pytest.mark.parametrize(
    ("query", "names"), [("李", ["李四"]), ("e0004", ["赵六"]), ("无此人", [])]
)
def test_employee_list_filters_by_name_or_employee_no(hr_client, org, query, names):
    response = hr_client.get(url("employee-list"), {"q": query})

    if names:
        assert [row[1] for row in table_rows(response, "employee-table")] == names
    else:
        assert "没有符合条件的员工" in visible_text(response)
    assert input_value(response, "q") == query


def test_employee_list_filters_by_department_subtree(hr_client, org):
    response = hr_client.get(url("employee-list"), {"department": org["sales"].pk})

    assert [row[1] for row in table_rows(response, "employee-table")] == ["张三", "赵六"]
    assert selected_option(response, "department") == "销售部"


def test_employee_list_ignores_unknown_department_and_says_so(hr_client, org):
    response = hr_client.get(url("employee-list"), {"department": "99999"})

    assert response.status_code == 200
    assert [row[1] for row in table_rows(response, "employee-table")] == ["张三", "李四", "赵六"]
    assert "所选部门不存在，请从列表中重新选择。" in visible_text(response)


def test_employee_list_pages_by_fifty(hr_client, departments):
    position = PositionFactory(department=departments["sales"])
    for number in range(51):
        EmployeeFactory(name=f"员工{number:02d}", employee_no=f"N{number:03d}", position=position)

    first = hr_client.get(url("employee-list"))
    second = hr_client.get(url("employee-list"), {"page": "2"})

    assert len(table_rows(first, "employee-table")) == 50
    assert table_rows(second, "employee-table")[0][:2] == ["N050", "员工50"]
    assert "第 51–51 名，共 51 名" in visible_text(second)


def test_employee_list_query_count_does_not_grow_with_employees(
    hr_client, departments, django_assert_max_num_queries
):
    position = PositionFactory(department=departments["sales"])
    for number in range(30):
        EmployeeFactory(employee_no=f"N{number:03d}", position=position)

    with django_assert_max_num_queries(12):
        response = hr_client.get(url("employee-list"))

    assert len(table_rows(response, "employee-table")) == 30


def test_employee_list_sends_anonymous_visitors_to_login(client, org):
    response = client.get(url("employee-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_employee_list_is_forbidden_to_users_and_employees(client, user_client, org):
    assert user_client.get(url("employee-list")).status_code == 403
    client.force_login(org["zhang"].user)
    assert client.get(url("employee-list")).status_code == 403


def test_employee_list_of_scoped_hr_lists_only_their_departments(client, org):
    client.force_login(hr_editor("hr-finance", org["finance"]))

    response = client.get(url("employee-list"))

    assert [row[1] for row in table_rows(response, "employee-table")] == ["李四"]
    assert "张三" not in visible_text(response)


def test_navbar_offers_employees_link_to_hr_only(hr_client, client, org):
    link = f'href="{url("employee-list")}"'
    assert link in hr_client.get(url("position-list")).content.decode()
    client.force_login(org["zhang"].user)
    assert link not in client.get(url("position-list")).content.decode()


# -- an employee's page ------------------------------------------------------------------------


def test_employee_detail_shows_facts_current_position_and_history(hr_client, org):
    zhang, adviser = org["zhang"], org["adviser"]
    people.transfer_employee(employee=zhang, position=adviser, effective_date=D(2025, 7, 1))

    response = hr_client.get(url("employee-detail", zhang))

    assert response.status_code == 200
    page = visible_text(response)
    assert "姓名 张三 工号 E0001 入职日期 2024-03-01 登录账号 zhang.san" in page
    assert "当前职位 置业顾问 海峡集团 / 福州公司 / 销售部 · FZ-XS-002" in page
    assert "任职日期 自 2025-07-01 起 在岗 / 编制 1" in page
    assert table_rows(response, "assignment-history") == [
        ["置业顾问", "销售部", "2025-07-01", "至今", "调岗"],
        ["销售经理", "销售部", "2024-03-01", "2025-06-30", "入职"],
    ]
    html = response.content.decode()
    assert f'href="{url("employee-transfer", zhang)}"' in html
    assert f'href="{url("employee-leave", zhang)}"' in html


def test_employee_detail_shows_filled_over_planned_headcount(hr_client, org):
    EmployeeFactory(name="孙八", position=org["manager"])

    response = hr_client.get(url("employee-detail", org["zhang"]))

    assert "在岗 / 编制 2/3" in visible_text(response)


def test_employee_detail_of_leaver_shows_history_and_no_buttons(hr_client, org):
    wang = org["wang"]

    response = hr_client.get(url("employee-detail", wang))

    page = visible_text(response)
    assert "王五已于 2024-12-31 离职，登录账号已停用；任职记录保留如下。" in page
    assert "离职日期 2024-12-31" in page
    assert "已离职，无当前职位。" in page
    assert table_rows(response, "assignment-history") == [
        ["置业顾问", "销售部", "2022-01-10", "2024-12-31", "入职 → 离职"],
    ]
    html = response.content.decode()
    assert url("employee-transfer", wang) not in html
    assert url("employee-leave", wang) not in html


def test_employee_sees_own_details_without_hr_buttons(client, org):
    zhang = org["zhang"]
    client.force_login(zhang.user)

    response = client.get(url("employee-detail", zhang))

    assert response.status_code == 200
    assert "工号 E0001 入职日期 2024-03-01" in visible_text(response)
    assert table_rows(response, "assignment-history") == [
        ["销售经理", "销售部", "2024-03-01", "至今", "入职"],
    ]
    assert url("employee-transfer", zhang) not in response.content.decode()


def test_employee_detail_is_forbidden_to_other_employees_and_plain_users(client, user_client, org):
    assert user_client.get(url("employee-detail", org["zhang"])).status_code == 403
    client.force_login(org["li"].user)
    assert client.get(url("employee-detail", org["zhang"])).status_code == 403
    assert client.get(url("employee-detail", org["li"])).status_code == 200


def test_employee_detail_is_forbidden_to_hr_scoped_elsewhere(client, org):
    client.force_login(hr_editor("hr-finance", org["finance"]))

    assert client.get(url("employee-detail", org["zhang"])).status_code == 403
    assert client.get(url("employee-detail", org["li"])).status_code == 200


def test_employee_detail_of_unknown_employee_is_404(hr_client, org):
    assert (
        hr_client.get(reverse("positions:employee-detail", kwargs={"pk": 99999})).status_code == 404
    )


def test_employee_detail_sends_anonymous_visitors_to_login(client, org):
    response = client.get(url("employee-detail", org["zhang"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- 调岗 --------------------------------------------------------------------------------------


def test_transfer_form_lists_editable_unarchived_positions_with_headcount(hr_client, org):
    response = hr_client.get(url("employee-transfer", org["zhang"]))

    assert response.status_code == 200
    assert sorted(option_labels(response, "position")) == sorted(
        [
            "请选择职位",
            "销售部 · 销售经理（FZ-XS-001） — 在岗 1/3",
            "销售部 · 置业顾问（FZ-XS-002） — 在岗 0",
            "销售部 · 案场主管（FZ-XS-003） — 在岗 0",
            "渠道组 · 渠道专员（FZ-XS-QD-001） — 在岗 1",
            "财务部 · 会计（FZ-CW-001） — 在岗 1",
            "财务部 · 出纳（FZ-CW-002） — 在岗 0",
        ]
    )
    page = visible_text(response)
    assert "调岗：张三" in page
    assert "仅列出您有权编辑的未归档职位。" in page


def test_transfer_form_of_scoped_hr_lists_only_positions_in_scope(client, org):
    client.force_login(hr_editor("hr-sales", org["sales"]))

    response = client.get(url("employee-transfer", org["zhang"]))

    # 销售部 and its 渠道组; neither 财务部's positions (visible, not editable) nor the archived.
    assert sorted(option_labels(response, "position")) == sorted(
        [
            "请选择职位",
            "销售部 · 销售经理（FZ-XS-001） — 在岗 1/3",
            "销售部 · 置业顾问（FZ-XS-002） — 在岗 0",
            "销售部 · 案场主管（FZ-XS-003） — 在岗 0",
            "渠道组 · 渠道专员（FZ-XS-QD-001） — 在岗 1",
        ]
    )


def assignments_of(*employees) -> list[tuple]:
    """Every assignment of these employees, as stored."""

    return list(
        Assignment.objects.filter(employee__in=employees)
        .order_by("pk")
        .values_list("employee__name", "position__title", "start_date", "end_date", "reason")
    )


def test_transfer_by_scoped_hr_moves_employee_within_scope(client, org):
    zhang = org["zhang"]
    client.force_login(hr_editor("hr-sales", org["sales"]))

    response = client.post(
        url("employee-transfer", zhang),
        {"position": org["sales_draft"].pk, "effective_date": "2025-07-01"},
        follow=True,
    )

    assert response.redirect_chain == [(url("employee-detail", zhang), 302)]
    assert "张三已调至“案场主管”，自 2025-07-01 起生效。" in visible_text(response)
    assert table_rows(response, "assignment-history") == [
        ["案场主管", "销售部", "2025-07-01", "至今", "调岗"],
        ["销售经理", "销售部", "2024-03-01", "2025-06-30", "入职"],
    ]


def test_transfer_by_scoped_hr_out_of_scope_is_refused_and_changes_nothing(client, org):
    zhang, accountant = org["zhang"], org["accountant"]
    client.force_login(hr_editor("hr-sales", org["sales"]))
    before = assignments_of(zhang, org["li"])

    response = client.post(
        url("employee-transfer", zhang),
        {"position": accountant.pk, "effective_date": "2025-07-01"},
    )

    assert response.status_code == 200
    assert "所选职位不存在、已归档或不在您的编辑范围内，请重新选择。" in visible_text(response)
    assert selected_option(response, "position") == ""  # nothing out of scope selected
    assert not any("会计" in label for label in option_labels(response, "position"))
    assert input_value(response, "effective_date") == "2025-07-01"
    assert assignments_of(zhang, org["li"]) == before


def test_transfer_moves_employee_and_says_so(hr_client, org):
    zhang, adviser = org["zhang"], org["adviser"]

    response = hr_client.post(
        url("employee-transfer", zhang),
        {"position": adviser.pk, "effective_date": "2025-07-01"},
        follow=True,
    )

    assert response.redirect_chain == [(url("employee-detail", zhang), 302)]
    assert "张三已调至“置业顾问”，自 2025-07-01 起生效。" in visible_text(response)
    assert table_rows(response, "assignment-history") == [
        ["置业顾问", "销售部", "2025-07-01", "至今", "调岗"],
        ["销售经理", "销售部", "2024-03-01", "2025-06-30", "入职"],
    ]


def test_transfer_to_same_position_shows_error_and_keeps_values(hr_client, org):
    zhang = org["zhang"]

    response = hr_client.post(
        url("employee-transfer", zhang),
        {"position": org["manager"].pk, "effective_date": "2025-07-01"},
    )

    assert response.status_code == 200
    assert "张三目前已在“销售经理”任职，请选择其他职位。" in visible_text(response)
    assert selected_option(response, "position") == "销售部 · 销售经理（FZ-XS-001） — 在岗 1/3"
    assert input_value(response, "effective_date") == "2025-07-01"
    assert zhang.assignments.count() == 1


def test_transfer_with_invalid_date_shows_error_and_keeps_values(hr_client, org):
    zhang, adviser = org["zhang"], org["adviser"]

    response = hr_client.post(
        url("employee-transfer", zhang), {"position": adviser.pk, "effective_date": "2025-02-30"}
    )

    assert response.status_code == 200
    assert "请输入有效的日期，格式如 2025-03-01。" in visible_text(response)
    assert input_value(response, "effective_date") == "2025-02-30"
    assert selected_option(response, "position") == "销售部 · 置业顾问（FZ-XS-002） — 在岗 0"
    assert zhang.assignments.count() == 1


def test_transfer_with_date_before_current_start_shows_error(hr_client, org):
    response = hr_client.post(
        url("employee-transfer", org["zhang"]),
        {"position": org["adviser"].pk, "effective_date": "2024-02-01"},
    )

    assert "调岗生效日期须晚于当前任职开始日期（2024-03-01）。" in visible_text(response)
    assert input_value(response, "effective_date") == "2024-02-01"


def test_transfer_without_position_asks_for_one(hr_client, org):
    response = hr_client.post(
        url("employee-transfer", org["zhang"]), {"position": "", "effective_date": "2025-07-01"}
    )

    assert "请选择调入职位。" in visible_text(response)


def test_transfer_to_archived_position_is_refused_by_the_picker(hr_client, org):
    response = hr_client.post(
        url("employee-transfer", org["zhang"]),
        {"position": org["archived"].pk, "effective_date": "2025-07-01"},
    )

    assert "所选职位不存在、已归档或不在您的编辑范围内，请重新选择。" in visible_text(response)
    assert org["zhang"].assignments.count() == 1


def test_transfer_of_leaver_redirects_with_warning(hr_client, org):
    response = hr_client.get(url("employee-transfer", org["wang"]), follow=True)

    assert response.redirect_chain == [(url("employee-detail", org["wang"]), 302)]
    assert "王五已离职，不能调岗。" in visible_text(response)


def test_transfer_permissions(user_client, org):
    zhang = org["zhang"]
    data = {"position": org["adviser"].pk, "effective_date": "2025-07-01"}
    anonymous = Client().get(url("employee-transfer", zhang))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    assert user_client.get(url("employee-transfer", zhang)).status_code == 403
    user_client.force_login(zhang.user)
    assert user_client.get(url("employee-transfer", zhang)).status_code == 403
    assert user_client.post(url("employee-transfer", zhang), data).status_code == 403
    user_client.force_login(hr_editor("hr-finance", org["finance"]))
    assert user_client.get(url("employee-transfer", zhang)).status_code == 403
    assert user_client.post(url("employee-transfer", zhang), data).status_code == 403
    missing = reverse("positions:employee-transfer", kwargs={"pk": 99999})
    assert user_client.get(missing).status_code == 404
    assert zhang.assignments.count() == 1


# -- 离职 --------------------------------------------------------------------------------------


def test_leave_form_warns_that_the_account_will_be_closed(hr_client, org):
    response = hr_client.get(url("employee-leave", org["zhang"]))

    assert response.status_code == 200
    page = visible_text(response)
    assert "办理离职：张三" in page
    assert "办理离职后，张三的登录账号将被停用，无法再登录本系统；任职记录保留。" in page


def test_leave_closes_assignment_deactivates_account_and_says_so(hr_client, org):
    zhang = org["zhang"]

    response = hr_client.post(url("employee-leave", zhang), {"left_on": "2025-03-31"}, follow=True)

    assert response.redirect_chain == [(url("employee-detail", zhang), 302)]
    assert "已为张三办理离职（离职日期 2025-03-31），登录账号已停用。" in visible_text(response)
    assert table_rows(response, "assignment-history") == [
        ["销售经理", "销售部", "2024-03-01", "2025-03-31", "入职 → 离职"],
    ]
    zhang.user.refresh_from_db()
    assert zhang.user.is_active is False


def test_leave_before_hire_shows_error_and_keeps_value(hr_client, org):
    zhang = org["zhang"]

    response = hr_client.post(url("employee-leave", zhang), {"left_on": "2024-02-28"})

    assert response.status_code == 200
    assert "离职日期不能早于入职日期（2024-03-01）。" in visible_text(response)
    assert input_value(response, "left_on") == "2024-02-28"
    zhang.user.refresh_from_db()
    assert zhang.user.is_active is True


def test_leave_with_invalid_date_shows_error_and_keeps_value(hr_client, org):
    response = hr_client.post(url("employee-leave", org["zhang"]), {"left_on": "明天"})

    assert "请输入有效的日期，格式如 2025-03-01。" in visible_text(response)
    assert input_value(response, "left_on") == "明天"


def test_leave_of_leaver_redirects_with_notice(hr_client, org):
    response = hr_client.post(
        url("employee-leave", org["wang"]), {"left_on": "2025-01-31"}, follow=True
    )

    assert "王五已于 2024-12-31 离职，无需重复办理。" in visible_text(response)
    org["wang"].refresh_from_db()
    assert org["wang"].left_on == D(2024, 12, 31)


def test_leave_permissions(user_client, org):
    zhang = org["zhang"]
    anonymous = Client().post(url("employee-leave", zhang), {"left_on": "2025-03-31"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    assert user_client.get(url("employee-leave", zhang)).status_code == 403
    user_client.force_login(zhang.user)
    assert (
        user_client.post(url("employee-leave", zhang), {"left_on": "2025-03-31"}).status_code == 403
    )
    user_client.force_login(hr_editor("hr-finance", org["finance"]))
    assert (
        user_client.post(url("employee-leave", zhang), {"left_on": "2025-03-31"}).status_code == 403
    )
    assert user_client.get(url("employee-leave", org["li"])).status_code == 200
    missing = reverse("positions:employee-leave", kwargs={"pk": 99999})
    assert user_client.get(missing).status_code == 404
    zhang.refresh_from_db()
    assert zhang.left_on is None
