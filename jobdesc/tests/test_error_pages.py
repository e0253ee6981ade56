"""The error pages (400, 403, 404, 500) as a reader sees them with DEBUG off: Chinese, the
navigation for a signed-in person, the reason the code gave, and a way back."""

import pytest
from django.urls import reverse

from positions.tests.factories import UserFactory
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

HOME = reverse("positions:department-tree")


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def li(db):
    return UserFactory(username="lisi", first_name="李四")


@pytest.fixture
def li_client(client, li):
    client.force_login(li)
    return client


def assert_navigation_for(page: str, html: str, name: str) -> None:
    assert name in page
    assert "组织架构" in page and "职位列表" in page and "退出登录" in page
    assert f'href="{reverse("logout")}"' in html or 'action="/accounts/logout/"' in html


def assert_way_home(html: str) -> None:
    assert f'href="{HOME}"' in html
    assert "返回首页" in html


# --- 404 -----------------------------------------------------------------------------------------


def test_error_page_404_unknown_address_is_chinese_with_navigation(li_client):
    response = li_client.get("/no-such-page/")

    assert response.status_code == 404
    page, html = page_text(response), response.content.decode()
    assert "错误代码 404 页面不存在" in page
    assert "您要找的页面不存在，可能已被删除，或者链接地址有误。" in page
    assert_navigation_for(page, html, "李四")
    assert_way_home(html)
    assert "/no-such-page/" not in page  # neither the address nor the patterns tried
    assert "positions/" not in page


def test_error_page_404_shows_the_reason_the_view_gave(li_client):
    response = li_client.get(reverse("positions:department-detail", args=[999999]))

    assert response.status_code == 404
    assert "页面不存在 部门不存在。" in page_text(response)


def test_error_page_404_hides_djangos_english_message(li_client):
    # get_object_or_404 says "No Position matches the given query.": not for the reader.
    response = li_client.get(reverse("positions:position-sheet", args=[999999]))

    assert response.status_code == 404
    page = page_text(response)
    assert "您要找的页面不存在，可能已被删除，或者链接地址有误。" in page
    assert "matches" not in page and "Position" not in page


def test_error_page_404_offers_the_way_back_to_the_page_before(li_client):
    before = "http://testserver" + reverse("positions:position-list")

    html = li_client.get("/no-such-page/", HTTP_REFERER=before).content.decode()

    assert f'href="{before}"' in html and "返回上一页" in html


def test_error_page_404_offers_no_way_back_to_another_site(li_client):
    html = li_client.get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()

    assert "evil.example" not in html and "返回上一页" not in html
    assert_way_home(html)


def test_error_page_404_for_a_visitor_has_no_menu(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = page_text(response)
    assert "页面不存在" in page
    assert "退出登录" not in page and "职位列表" not in page


# --- 403 -----------------------------------------------------------------------------------------


def test_error_page_403_shows_the_reason_with_navigation(li_client):
    response = li_client.get(reverse("positions:position-create"))

    assert response.status_code == 403
    page, html = page_text(response), response.content.decode()
    assert "错误代码 403 没有权限 只有 HR 编辑可以新建职位。" in page
    assert "如需此权限，请联系人力资源部。" in page
    assert_navigation_for(page, html, "李四")
    assert_way_home(html)


def test_error_page_403_admin_signed_in_without_rights_is_told_so(li_client):
    for url in (reverse("admin:index"), reverse("admin:positions_position_changelist")):
        response = li_client.get(url)

        assert response.status_code == 403, url
        page, html = page_text(response), response.content.decode()
        assert "没有权限 您没有访问管理后台的权限。" in page
        assert 'name="password"' not in html  # no login form
        assert_navigation_for(page, html, "李四")


def test_error_page_403_admin_login_page_signed_in_without_rights(li_client):
    response = li_client.get(reverse("admin:login"))

    assert response.status_code == 403
    assert "您没有访问管理后台的权限。" in page_text(response)


def test_admin_visitor_is_still_sent_to_the_login_page(client):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response.status_code == 200
    assert "您没有访问管理后台的权限" not in page_text(response)


def test_admin_hr_editor_still_reaches_the_admin(hr_client):
    response = hr_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "数据管理" in page_text(response)


# --- 400 -----------------------------------------------------------------------------------------


def test_error_page_400_bad_host_is_chinese_without_a_user(client, li):
    # Refused before the authentication middleware ran: no user, so no navigation.
    client.force_login(li)

    response = client.get(HOME, HTTP_HOST="evil.example")

    assert response.status_code == 400
    page = page_text(response)
    assert "错误代码 400 请求有误 服务器无法处理这个请求，未保存任何内容。" in page
    assert "李四" not in page and "退出登录" not in page
    assert_way_home(response.content.decode())


# --- 500 -----------------------------------------------------------------------------------------


def test_error_page_500_needs_neither_database_nor_user(li_client, django_db_blocker, caplog):
    li_client.raise_request_exception = False

    with django_db_blocker.block():  # every query fails, the session's and the user's first
        response = li_client.get(HOME)

    # one failure, logged once: nothing on the way out asks the database again
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Internal Server Error: /"
    ]

    assert response.status_code == 500
    page, html = page_text(response), response.content.decode()
    assert "错误代码 500 服务器出错" in page
    assert "系统处理您的请求时出现了意外错误，本次操作可能没有完成。" in page
    assert '<a class="btn btn-primary" href="/">返回首页</a>' in html
    assert "李四" not in page and "退出登录" not in page
    assert "Traceback" not in html and "RuntimeError" not in html
