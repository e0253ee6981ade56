"""我的职位: the signed-in person's own sheet, superior, direct reports and who holds them."""

import datetime

import pytest
from django.urls import reverse

from positions.models import Position
from positions.permissions import EMPLOYEE, MANAGER, role_group
from positions.tests.factories import (
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

ME = reverse("positions:my-position")


def person(username: str, name: str, role: str, position=None, **kwargs):
    user = UserFactory(username=username, first_name=name)
    user.groups.add(role_group(role))
    employee = EmployeeFactory(user=user, name=name, position=position, **kwargs)
    return user, employee


@pytest.fixture
def sales_manager_position(db):
    """副总经理 → 销售经理 (FZ-XS-001) → 售楼员, 收款文员."""
    position = FullPositionFactory(code="FZ-XS-001")
    return position


@pytest.fixture
def team(sales_manager_position):
    manager = sales_manager_position
    director = manager.reports_to
    seller = Position.objects.get(title="售楼员")
    cashier = Position.objects.get(title="收款文员")
    person("director", "赵总", MANAGER, position=director)
    chen, _ = person("manager", "陈经理", MANAGER, position=manager, employee_no="FZ0003")
    person("employee", "林员工", EMPLOYEE, position=seller)
    person("employee2", "黄置业", EMPLOYEE, position=seller)
    # Someone who held 收款文员 and left: the position is vacant now.
    person("leaver", "周离职", EMPLOYEE, position=cashier, left_on=datetime.date(2024, 12, 31))
    cashier.assignments.update(end_date=datetime.date(2024, 12, 31))
    return {"chen": chen, "director": director, "seller": seller, "cashier": cashier}


def test_my_position_shows_own_sheet_superior_and_its_holder(client, team):
    client.force_login(team["chen"])

    response = client.get(ME)

    assert response.status_code == 200
    page = page_text(response)
    html = response.content.decode()
    # The full sheet of 销售经理.
    assert "销售经理 职位说明书" in page
    assert "FZ-XS-001" in page
    assert "销售计划1" in page and "优惠申请权" in page
    # 我的上级: 副总经理, linked, held by 赵总.
    superior = html.split('data-testid="my-superior"')[1].split("</ul>")[0]
    assert f'href="{team["director"].get_absolute_url()}"' in superior
    assert "副总经理" in superior and "赵总" in superior
    # 我的信息: the person's own 工号.
    assert "陈经理" in page and "FZ0003" in page


def test_my_position_lists_direct_reports_with_holders_and_vacancy(client, team):
    client.force_login(team["chen"])

    html = client.get(ME).content.decode()

    reports = html.split('data-testid="my-reports"')[1].split("</ul>")[0]
    items = reports.split('<li class="list-group-item')[1:]
    assert len(items) == 2
    by_title = {("售楼员" if "售楼员" in item else "收款文员"): item for item in items}
    seller, cashier = by_title["售楼员"], by_title["收款文员"]
    assert f'href="{team["seller"].get_absolute_url()}"' in seller
    assert "林员工" in seller and "黄置业" in seller and "空缺" not in seller
    assert f'href="{team["cashier"].get_absolute_url()}"' in cashier
    assert "空缺" in cashier and "周离职" not in cashier


def test_my_position_offers_pdf_of_own_sheet(client, team, sales_manager_position):
    client.force_login(team["chen"])

    html = client.get(ME).content.decode()

    # 我的职位 is the version in force, so its PDF is that version's.
    pdf_url = reverse(
        "positions:version-pdf", kwargs={"pk": sales_manager_position.pk, "number": 1}
    )
    assert f'href="{pdf_url}"' in html
    assert "下载 PDF" in html


def test_my_position_employee_sees_manager_name_as_superior(client, team):
    user = team["seller"].assignments.get(employee__name="林员工").employee.user
    client.force_login(user)

    page = page_text(client.get(ME))

    assert "售楼员 职位说明书" in page
    assert "我的上级" in page and "销售经理" in page and "陈经理" in page
    assert "本职位没有直接下属。" in page


def test_my_position_queries_do_not_grow_with_reports(
    client, team, sales_manager_position, django_assert_max_num_queries
):
    client.force_login(team["chen"])
    client.get(ME)  # warm up: session, content types
    with django_assert_max_num_queries(25) as few:
        client.get(ME)
    for index in range(6):
        report = PositionFactory(
            title=f"置业顾问{index}",
            department=sales_manager_position.department,
            reports_to=sales_manager_position,
        )
        EmployeeFactory(name=f"顾问{index}", position=report)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ME)

    assert "顾问5" in page_text(response)


def test_my_position_draft_position_is_not_shown_to_an_employee(client, db):
    draft = PositionFactory(title="新媒体专员", status=Position.Status.DRAFT)
    user, _ = person("newbie", "吴新人", EMPLOYEE, position=draft)
    client.force_login(user)

    response = client.get(ME)

    page = page_text(response)
    assert response.status_code == 200
    assert "您的职位说明书暂未发布" in page
    assert "新媒体专员" in page and "草稿" in page
    assert "jd-sheet" not in response.content.decode()
    assert "下载 PDF" not in page


def test_my_position_manager_sees_own_draft_sheet(client, db):
    draft = PositionFactory(title="渠道经理", status=Position.Status.DRAFT)
    user, _ = person("qudao", "郑经理", MANAGER, position=draft)
    client.force_login(user)

    page = page_text(client.get(ME))

    assert "渠道经理 职位说明书" in page
    assert "草稿" in page


def test_my_position_without_employee_record_names_hr_contact(client, db, settings):
    settings.HR_CONTACT = "人力行政部 王人事（分机 8001）"
    client.force_login(UserFactory(username="visitor"))

    response = client.get(ME)

    page = page_text(response)
    assert response.status_code == 200
    assert "您尚未分配职位" in page
    assert "visitor" in page and "尚未关联员工档案" in page
    assert "请联系 人力行政部 王人事（分机 8001）" in page
    assert f'href="{reverse("positions:department-tree")}"' in response.content.decode()


def test_my_position_employee_without_current_position(client, db):
    old = PositionFactory(title="前台")
    user, employee = person("between", "孙待岗", EMPLOYEE, position=old)
    employee.assignments.update(end_date=datetime.date(2025, 1, 31))
    client.force_login(user)

    page = page_text(client.get(ME))

    assert "您尚未分配职位" in page
    assert "孙待岗，系统中暂无您当前任职的职位" in page
    assert "请联系 人力资源部" in page
    assert "前台" not in page


def test_my_position_hr_editor_without_position_gets_links(client, hr_user):
    client.force_login(hr_user)

    response = client.get(ME)

    html = response.content.decode()
    assert "您尚未分配职位" in page_text(response)
    assert "浏览组织架构" in html
    assert f'href="{reverse("positions:employee-list")}"' in html


def test_my_position_anonymous_is_redirected_to_login(client):
    response = client.get(ME)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_lands_on_my_position(client, team):
    response = client.post(
        reverse("login"),
        {"username": "manager", "password": "jobdesc-pass-123"},
        follow=True,
    )

    assert response.redirect_chain == [(ME, 302)]
    assert "销售经理 职位说明书" in page_text(response)
