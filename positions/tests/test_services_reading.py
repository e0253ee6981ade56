"""The sheet page's HTML of a published version, rendered once and kept in Django's cache."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from positions import permissions
from positions.models import Position
from positions.services import editing, organisation, reading, versions, workflow
from positions.tests.editing_helpers import editor_data
from positions.tests.factories import EmployeeFactory, UserFactory
from positions.tests.text import compact, page_text
from positions.tests.workflow_helpers import Demo, demo_world

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def demo(seed, settings) -> Demo:
    return demo_world(settings)


@pytest.fixture
def sales_manager(demo) -> Position:
    return Position.objects.get(code="FZ-XS-001")


@pytest.fixture
def reader(sales_manager):
    """吴员工, an 员工 who holds 销售经理 (the seed's V1 is in force)."""
    user = UserFactory(username="wu", first_name="吴员工")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    EmployeeFactory(user=user, name="吴员工", employee_no="E9001", position=sales_manager)
    return user


def sheet_url(position: Position, number: int | None = None) -> str:
    if number is None:
        return reverse("positions:position-sheet", kwargs={"pk": position.pk})
    return reverse("positions:version-sheet", kwargs={"pk": position.pk, "number": number})


def read_as(user, position: Position) -> versions.ReadSheet:
    stored = Position.objects.with_sheet().get(pk=position.pk)
    return versions.read_sheet(user, stored)


def test_sheet_html_cached_page_reads_as_the_uncached_one(client, settings, reader, sales_manager):
    client.force_login(reader)
    settings.CACHES = NO_CACHE
    uncached = page_text(client.get(sheet_url(sales_manager)))
    settings.CACHES = LOCMEM
    cold = page_text(client.get(sheet_url(sales_manager)))
    warm = page_text(client.get(sheet_url(sales_manager)))
    assert uncached == cold == warm
    assert "销售经理职位说明书" in compact(warm) and "李鸿飞" in warm


def test_sheet_html_version_is_served_from_the_cache(settings, reader, sales_manager):
    settings.CACHES = LOCMEM
    read = read_as(reader, sales_manager)
    current = sales_manager.current_version_id
    first = reading.sheet_html(read.sheet, read.version, current_version_id=current)
    # The same version again: the stored rendering, whatever sheet object is passed.
    tampered = dataclasses.replace(read.sheet, title="篡改标题")
    again = reading.sheet_html(tampered, read.version, current_version_id=current)
    assert again == first and "篡改标题" not in again


def test_sheet_html_each_print_layout_is_cached_apart(client, settings, reader, sales_manager):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    standard = page_text(client.get(sheet_url(sales_manager)))  # warms the standard rendering
    assert "职位概要描述" not in standard and "直属上级" not in standard

    form_b = page_text(client.get(sheet_url(sales_manager), {"layout": "b"}))
    form_a = page_text(client.get(sheet_url(sales_manager), {"layout": "a"}))

    assert "职位代码" in form_b and "直属上级" in form_b and "职位概要描述" not in form_b
    assert "职位概要描述" in form_a and "直属上级" not in form_a
    assert page_text(client.get(sheet_url(sales_manager))) == standard


def test_sheet_html_cached_fragment_holds_nothing_of_the_reader(
    client, settings, demo, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    client.get(sheet_url(sales_manager))  # warms the cache as 吴员工
    read = read_as(demo.employee, sales_manager)
    current = sales_manager.current_version_id
    html = reading.sheet_html(read.sheet, read.version, current_version_id=current)
    assert "csrfmiddlewaretoken" not in html
    assert "吴员工" not in html and "wu" not in html.split()
    client.force_login(demo.employee)
    text = page_text(client.get(sheet_url(sales_manager)))
    assert "林员工" in text and "吴员工" in text  # the navbar's name, the page's 任职者


def test_sheet_html_working_copy_is_never_cached(settings, demo, sales_manager):
    settings.CACHES = LOCMEM
    read = read_as(demo.hr, sales_manager)
    assert read.version is None
    current = sales_manager.current_version_id
    first = reading.sheet_html(read.sheet, None, current_version_id=current)
    changed = dataclasses.replace(read.sheet, title="新标题")
    again = reading.sheet_html(changed, None, current_version_id=current)
    assert "新标题" in again and "新标题" not in first


def test_sheet_html_new_version_shows_its_content_with_the_cache_warm(
    client, settings, demo, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    assert "销售总监" not in page_text(client.get(sheet_url(sales_manager)))

    client.force_login(demo.hr)
    data = editor_data(demo.hr, sales_manager) | {"title": "销售总监"}
    client.post(reverse("positions:position-edit", kwargs={"pk": sales_manager.pk}), data)
    position = workflow.submit(user=demo.hr, position=Position.objects.get(pk=sales_manager.pk))
    position = workflow.review(user=demo.manager, position=position)
    workflow.approve(user=demo.director, position=position)

    client.force_login(reader)
    text = page_text(client.get(sheet_url(sales_manager)))
    assert "销售总监职位说明书" in compact(text) and "V2" in text
    v1 = page_text(client.get(sheet_url(sales_manager, 1)))
    assert "销售经理职位说明书" in compact(v1) and "已被 V2 取代" in v1


def test_sheet_html_warm_cache_still_refuses_readers_without_access(client, settings, demo, reader):
    settings.CACHES = LOCMEM
    assistant = Position.objects.get(code="MK106")  # 营销策划助理: nobody holds it
    client.force_login(reader)
    assert "营销策划助理职位说明书" in compact(page_text(client.get(sheet_url(assistant))))
    assert "营销策划助理职位说明书" in compact(page_text(client.get(sheet_url(assistant, 1))))

    editing.archive_position(user=demo.hr, position=assistant)
    settings.DEBUG = False  # the site's 404 page, not Django's debug page
    for url in (sheet_url(assistant), sheet_url(assistant, 1)):
        response = client.get(url)
        assert response.status_code == 404
        text = compact(page_text(response))
        assert "页面不存在" in text and "营销策划助理职位说明书" not in text

    client.logout()
    response = client.get(sheet_url(Position.objects.get(code="FZ-XS-001")))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_sheet_html_my_position_cached_reads_as_the_uncached_one(client, settings, reader):
    client.force_login(reader)
    settings.CACHES = NO_CACHE
    uncached = page_text(client.get(reverse("positions:my-position")))
    settings.CACHES = LOCMEM
    cold = page_text(client.get(reverse("positions:my-position")))
    warm = page_text(client.get(reverse("positions:my-position")))
    assert uncached == cold == warm
    assert "销售经理职位说明书" in compact(warm) and "吴员工" in warm


def test_sheet_html_new_company_name_shows_at_once_with_the_cache_warm(
    client, settings, demo, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    assert "海峡新名称有限公司" not in page_text(client.get(sheet_url(sales_manager)))

    client.force_login(demo.hr)
    settings_url = reverse("positions:company-settings")
    client.post(settings_url, {"name": "海峡新名称有限公司", "document_prefix": "HX"})

    client.force_login(reader)
    assert "海峡新名称有限公司" in page_text(client.get(sheet_url(sales_manager)))


def test_sheet_html_department_layout_change_shows_at_once_with_the_cache_warm(
    client, settings, demo, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    assert "直属上级" not in page_text(client.get(sheet_url(sales_manager)))  # standard, warm

    organisation.set_sheet_layout(
        user=demo.hr, department=sales_manager.department, sheet_layout="b"
    )

    text = page_text(client.get(sheet_url(sales_manager)))
    assert "职位代码" in text and "直属上级" in text


def test_paper_state_reads_settings_in_one_query(django_assert_num_queries, demo, sales_manager):
    with django_assert_num_queries(1):
        state = reading.paper_state(sales_manager.department_id)
    assert state.manual_source == "依据权责手册 V1"
    assert state.department_layout == "" and state.company_layout == ""
    assert reading.paper_state(None) is None


def test_paper_state_company_key_agrees_with_the_rendering(client, demo, sales_manager):
    before = reading.paper_state(sales_manager.department_id)
    assert before.company_key == reading._company()[1]  # no 公司信息 yet: the root's name
    client.force_login(demo.hr)
    client.post(reverse("positions:company-settings"), {"name": "海峡地产", "document_prefix": ""})

    after = reading.paper_state(sales_manager.department_id)
    assert after.company_key == reading._company()[1] != before.company_key


def test_sheet_page_body_warm_cache_shows_no_editor_buttons_to_a_reader(
    client, settings, demo, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(demo.hr)  # reads V1 by number: a cacheable body, with HR's buttons
    hr_page = client.get(sheet_url(sales_manager, 1)).content.decode()
    assert 'id="history-button"' in hr_page and "编辑" in page_text(
        client.get(sheet_url(sales_manager, 1))
    )

    client.force_login(reader)
    reader_page = client.get(sheet_url(sales_manager, 1))
    html = reader_page.content.decode()
    assert 'id="history-button"' not in html and "position-edit" not in html
    assert "以此为模板新建" not in page_text(reader_page)
    assert "销售经理职位说明书" in compact(page_text(reader_page))

    client.force_login(demo.hr)  # and HR still gets its own body, not the reader's
    assert 'id="history-button"' in client.get(sheet_url(sales_manager, 1)).content.decode()


def test_sheet_page_body_new_holder_shows_at_once_with_the_cache_warm(
    client, settings, reader, sales_manager
):
    settings.CACHES = LOCMEM
    client.force_login(reader)
    assert "郑新人" not in page_text(client.get(sheet_url(sales_manager)))

    EmployeeFactory(name="郑新人", employee_no="E9002", position=sales_manager)

    text = page_text(client.get(sheet_url(sales_manager)))
    assert "任职者：吴员工、郑新人" in text or "任职者：郑新人、吴员工" in text
