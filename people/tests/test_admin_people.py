"""The admin's people section: employees, their history, assignments and HR editors' scopes."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from people.services import people
from positions.models import Assignment, EditorScope, Employee, Position
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

CHANGELIST = reverse("admin:positions_employee_changelist")


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def column_headers(response) -> list[str]:
    table = response.content.decode().split('id="result_list"', 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, flags=re.S)
    return [t for t in (text(c) for c in cells) if t]


def result_rows(response) -> list[list[str]]:
    """The changelist's rows as cell texts (the selection checkbox left out)."""
    html = response.content.decode()
    if 'id="result_list"' not in html:
        return []
    body = html.split('id="result_list"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in rows]
    return [[text(cell) for cell in row if 'name="_selected_action"' not in cell] for row in cells]


def boolean_icons(response) -> list[str]:
    return re.findall(r'<img src="[^"]*icon-(yes|no)\.svg"', response.content.decode())


def form_data(response) -> dict[str, str]:
    """The values a browser would post back from the admin's change form, unchanged."""
    html = response.content.decode().split('id="employee_form"', 1)[1].split("</form>", 1)[0]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def hr_editor(username: str, *scopes):
    # is_staff until the admin's access rule becomes permissions.can_use_admin.
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(role_group(HR_EDITOR))
    for department in scopes:
        EditorScopeFactory(user=user, department=department)
    return user


@pytest.fixture
def org(departments):
    with published_together():
        manager = PositionFactory(
            title="销售经理", code="FZ-XS-001", department=departments["sales"]
        )
        accountant = PositionFactory(
            title="会计", code="FZ-CW-001", department=departments["finance"]
        )
        adviser = PositionFactory(
            title="置业顾问", code="FZ-XS-002", department=departments["sales"]
        )
    zhang = EmployeeFactory(
        name="张三", employee_no="E0001", hired_on=D(2024, 3, 1), position=manager
    )
    li = EmployeeFactory(
        name="李四", employee_no="E0002", hired_on=D(2023, 7, 15), position=accountant
    )
    return {
        **departments,
        "manager": manager,
        "accountant": accountant,
        "adviser": adviser,
        "zhang": zhang,
        "li": li,
    }


@pytest.fixture
def hr_admin(client):
    client.force_login(hr_editor("hr-admin"))
    return client


@pytest.fixture
def sales_hr(client, departments):
    client.force_login(hr_editor("hr-sales", departments["sales"]))
    return client


def test_employee_changelist_shows_chinese_columns_and_employees(hr_admin, org):
    people.employee_leaves(employee=org["li"], left_on=D(2025, 1, 31))

    response = hr_admin.get(CHANGELIST)

    assert response.status_code == 200
    assert column_headers(response) == ["工号", "姓名", "当前职位", "入职日期", "离职日期", "在职"]
    assert [row[:5] for row in result_rows(response)] == [
        ["E0001", "张三", "销售经理", "2024年3月1日", "-"],
        ["E0002", "李四", "—", "2023年7月15日", "2025年1月31日"],
    ]
    assert boolean_icons(response) == ["yes", "no"]


def test_employee_changelist_searches_name_and_employee_no(hr_admin, org):
    by_name = hr_admin.get(CHANGELIST, {"q": "李四"})
    by_number = hr_admin.get(CHANGELIST, {"q": "E0001"})

    assert [row[1] for row in result_rows(by_name)] == ["李四"]
    assert [row[1] for row in result_rows(by_number)] == ["张三"]


def test_employee_changelist_filters_by_status(hr_admin, org):
    people.employee_leaves(employee=org["li"], left_on=D(2025, 1, 31))

    current = hr_admin.get(CHANGELIST, {"status": "current"})
    left = hr_admin.get(CHANGELIST, {"status": "left"})

    assert [row[1] for row in result_rows(current)] == ["张三"]
    assert [row[1] for row in result_rows(left)] == ["李四"]
    assert "在职状态" in text(current.content.decode())


def test_employee_change_page_shows_read_only_history_and_links(hr_admin, org):
    zhang = org["zhang"]
    people.transfer_employee(employee=zhang, position=org["adviser"], effective_date=D(2025, 7, 1))

    response = hr_admin.get(reverse("admin:positions_employee_change", args=[zhang.pk]))

    assert response.status_code == 200
    page = text(response.content.decode())
    assert "任职记录（通过“调岗”“离职”办理）" in page
    assert "置业顾问（FZ-XS-002） 销售部 2025年7月1日 - 调岗" in page
    assert "销售经理（FZ-XS-001） 销售部 2024年3月1日 2025年6月30日 入职" in page
    html = response.content.decode()
    assert 'name="assignments-0-start_date"' not in html
    assert 'name="left_on"' not in html
    assert reverse("positions:employee-transfer", args=[zhang.pk]) in html
    assert reverse("positions:employee-leave", args=[zhang.pk]) in html


def test_hr_edits_an_employee_in_the_admin(hr_admin, org):
    zhang = org["zhang"]
    change_url = reverse("admin:positions_employee_change", args=[zhang.pk])
    data = form_data(hr_admin.get(change_url))
    data.update(name="张叁", employee_no="E0101")

    response = hr_admin.post(change_url, data)

    assert response.status_code == 302, text(response.content.decode())[:2000]
    zhang.refresh_from_db()
    assert (zhang.name, zhang.employee_no) == ("张叁", "E0101")
    assert zhang.assignments.count() == 1


def test_adding_an_employee_in_the_admin_hires_them(hr_admin, org):
    user = UserFactory(username="wangwu")
    response = hr_admin.post(
        reverse("admin:positions_employee_add"),
        {
            "user": user.pk,
            "name": "王五",
            "employee_no": "E0003",
            "hired_on": "2025-02-10",
            "position": org["adviser"].pk,
        },
    )

    assert response.status_code == 302, text(response.content.decode())[:2000]
    wang = Employee.objects.get(employee_no="E0003")
    assert (wang.user, wang.name, wang.hired_on) == (user, "王五", D(2025, 2, 10))
    assert [(a.position, a.start_date, a.end_date, a.reason) for a in wang.assignments.all()] == [
        (org["adviser"], D(2025, 2, 10), None, Assignment.Reason.HIRE)
    ]


def test_add_form_offers_no_archived_position(hr_admin, org):
    PositionFactory(title="案场文员", department=org["sales"], status=Position.Status.ARCHIVED)

    response = hr_admin.get(reverse("admin:positions_employee_add"))

    html = response.content.decode()
    assert "置业顾问" in html
    assert "案场文员" not in html


def test_scoped_hr_sees_only_employees_in_scope(sales_hr, org):
    response = sales_hr.get(CHANGELIST)

    assert [row[1] for row in result_rows(response)] == ["张三"]


def test_scoped_hr_cannot_open_or_change_employee_out_of_scope(sales_hr, org):
    li = org["li"]
    change_url = reverse("admin:positions_employee_change", args=[li.pk])

    opened = sales_hr.get(change_url)
    posted = sales_hr.post(
        change_url, {"name": "改名", "employee_no": "X", "hired_on": "2023-07-15"}
    )

    assert opened.status_code == 302
    assert opened["Location"] == reverse("admin:index")
    assert posted.status_code == 302
    li.refresh_from_db()
    assert li.name == "李四"


def test_scoped_hr_add_form_offers_positions_in_scope_only(sales_hr, org):
    response = sales_hr.get(reverse("admin:positions_employee_add"))

    html = response.content.decode()
    assert "销售经理" in html
    assert "会计" not in html


def test_assignment_admin_is_scoped_and_offers_no_add(sales_hr, org):
    response = sales_hr.get(reverse("admin:positions_assignment_changelist"))

    assert response.status_code == 200
    assert [row[:3] for row in result_rows(response)] == [
        ["张三（E0001）", "销售经理（FZ-XS-001）", "销售部"]
    ]
    assert sales_hr.get(reverse("admin:positions_assignment_add")).status_code == 403


def test_editor_scopes_are_managed_by_unscoped_hr_only(client, org):
    scoped = hr_editor("hr-sales", org["sales"])
    scopes_url = reverse("admin:positions_editorscope_changelist")

    client.force_login(scoped)
    assert client.get(scopes_url).status_code == 403
    assert "HR 编辑范围" not in text(client.get(reverse("admin:index")).content.decode())
    added = client.post(
        reverse("admin:positions_editorscope_add"),
        {"user": scoped.pk, "department": org["finance"].pk},
    )
    assert added.status_code == 403
    assert EditorScope.objects.filter(user=scoped).count() == 1

    client.force_login(hr_editor("hr-admin"))
    response = client.get(scopes_url)
    assert response.status_code == 200
    assert result_rows(response) == [["hr-sales", "销售部"]]


def test_admin_employee_delete_refused_for_hr_editor_history_kept(client):
    hr = UserFactory(username="hr-deleter")
    hr.groups.add(role_group(HR_EDITOR))
    employee = EmployeeFactory(name="林员工")
    client.force_login(hr)
    url = reverse("admin:positions_employee_delete", args=[employee.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Employee.objects.filter(pk=employee.pk).exists()
