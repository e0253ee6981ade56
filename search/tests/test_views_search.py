"""The search page: what each reader sees, and bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from positions.models import Position
from positions.tests.factories import DepartmentFactory, PositionFactory, published_together
from search.services import reindex_position

pytestmark = pytest.mark.django_db

URL = reverse("positions:search")


def test_search_page_shows_results_with_sections_and_marks(seed, user_client):
    response = user_client.get(URL, {"q": "售楼"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '找到 <strong class="text-body">2</strong> 个与“售楼”相关的职位' in html
    assert "<mark>售楼</mark>员" in html
    assert "负责公司自营项目的<mark>售楼</mark>处管理" in html
    assert "职位概要" in html
    clerk = Position.objects.get(code="FZ-XS-101")
    assert f'href="{clerk.get_absolute_url()}"' in html


def test_search_page_pinyin(seed, user_client):
    html = user_client.get(URL, {"q": "xsjl"}).content.decode()
    assert "<mark>销售经理</mark>" in html


def test_search_page_requires_login(seed, client):
    response = client.get(URL, {"q": "售楼"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_page_empty_query_shows_the_hint(seed, user_client):
    html = user_client.get(URL, {"q": "  "}).content.decode()
    assert "输入职位名称、职责中的词" in html
    assert "找到" not in html


def test_search_page_too_long_query_keeps_what_was_typed(seed, user_client):
    query = "销售" * 100
    response = user_client.get(URL, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "搜索词不能超过 50 个字，请缩短后再试。" in html
    assert f'value="{query}"' in html


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_search_page_wildcards_are_literal(seed, user_client, wildcard):
    html = user_client.get(URL, {"q": wildcard}).content.decode()
    assert "没有找到与“" + wildcard + "”相关的职位" in html


def test_search_page_escapes_the_query(seed, user_client):
    html = user_client.get(URL, {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_search_box_in_navigation_points_at_search(seed, user_client):
    html = user_client.get(reverse("positions:department-tree")).content.decode()
    assert f'action="{URL}"' in html


def test_search_page_bad_page_number_shows_first_page(seed, user_client):
    response = user_client.get(URL, {"q": "售楼", "page": "abc"})
    assert response.status_code == 200
    assert "<mark>售楼</mark>员" in response.content.decode()


# --- the editor's pickers accept pinyin initials ------------------------------------------------


def picker(client, name: str, q: str) -> list[str]:
    response = client.get(reverse(f"positions:{name}-picker"), {"q": q})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_position_picker_accepts_pinyin_initials(seed, hr_client):
    assert "销售部 · 销售经理（FZ-XS-001）" in picker(hr_client, "position", "xsjl")
    assert "销售部 · 售楼员（FZ-XS-101）" in picker(hr_client, "position", "SLY")
    assert picker(hr_client, "position", "zzzzq") == []


def test_department_picker_accepts_pinyin_initials(seed, hr_client):
    assert any(text.endswith("销售部（FZ-XS）") for text in picker(hr_client, "department", "xsb"))
    assert picker(hr_client, "department", "qqqq") == []


def test_search_page_query_count_does_not_grow_with_results(db, user_client):

    department = DepartmentFactory(name="客服中心", code="KF")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = user_client.get(URL, {"q": "客服"})
        return len(response.context["page"].results), len(captured)

    with published_together():
        for i in range(5):
            PositionFactory(title=f"客服专员{i}", code=f"KF-{i:03d}", department=department)
    rows_5, count_5 = queries()
    with published_together():
        for i in range(5, 50):
            PositionFactory(title=f"客服专员{i}", code=f"KF-{i:03d}", department=department)
    rows_20, count_20 = queries()
    assert (rows_5, rows_20) == (5, 20)  # 20 results a page
    assert count_5 == count_20


@pytest.mark.parametrize(
    "page", ["9" * 40, "9" * 18, "²"], ids=["huge", "18-digits", "superscript"]
)
def test_search_page_number_past_any_page_shows_the_last_page(seed, user_client, page):
    response = user_client.get(URL, {"q": "售楼", "page": page})
    assert response.status_code == 200
    assert "<mark>售楼</mark>员" in response.content.decode()


def test_search_page_badges_the_version_in_force_green_for_an_employee(seed, user_client):
    draft = PositionFactory(title="售楼助理", code="FZ-XS-901", status=Position.Status.DRAFT)
    reindex_position(draft)
    html = user_client.get(URL, {"q": "售楼"}).content.decode()
    assert '<span class="badge text-bg-success ms-auto">已生效 V1</span>' in html
    assert "草稿" not in html  # an employee does not find the draft


def test_search_page_badges_a_draft_grey_for_hr(seed, hr_client):
    draft = PositionFactory(title="售楼助理", code="FZ-XS-901", status=Position.Status.DRAFT)
    reindex_position(draft)
    html = hr_client.get(URL, {"q": "售楼助理"}).content.decode()
    assert '<span class="badge text-bg-secondary ms-auto">草稿</span>' in html
