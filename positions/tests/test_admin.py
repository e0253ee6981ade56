"""The admin: departments edited by HR, sheets read-only (the editor writes them), labels,
filters and model errors."""

import re
from html import unescape

import pytest
import reversion
from django.urls import NoReverseMatch, reverse
from reversion.models import Version as Revision

from positions.models import (
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)
from positions.tests.factories import DepartmentFactory, DutyFactory, PositionFactory

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = ("duties", "relationships", "qualification", "indicators")


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def column_headers(response) -> list[str]:
    """The changelist's column titles, in order (the selection checkbox column left out)."""
    table = response.content.decode().split('id="result_list"', 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, flags=re.S)
    texts = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip() for c in cells]
    return [re.sub(r"^\d+ ", "", t) for t in texts if t]


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def position_form(department: Department, **fields) -> dict[str, str]:
    """A complete admin change-form POST for a position without inline rows."""
    data = {
        "title": "新职位",
        "code": "",
        "department": str(department.pk),
        "reports_to": "",
        "grade_min": "",
        "grade_max": "",
        "headcount": "",
        "location": "",
        "status": Position.Status.DRAFT,
        "purpose": "",
        "summary": "",
        "commitments": "",
        "work_environment": "",
        "other_requirements": "",
        "prepared_by_name": "",
        "prepared_at": "",
        "reviewed_by_name": "",
        "reviewed_at": "",
        "approved_by_name": "",
        "approved_at": "",
    }
    for prefix in INLINE_PREFIXES:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    data |= {key: str(value) for key, value in fields.items()}
    return data


def change_url(position: Position) -> str:
    return reverse("admin:positions_position_change", args=[position.pk])


def test_admin_index_links_every_sheet_model_to_its_list(admin_client):
    index = admin_client.get(reverse("admin:index")).content.decode()

    for model in (Department, Position, Duty, Qualification, Relationship, Indicator):
        url = reverse(f"admin:positions_{model._meta.model_name}_changelist")
        assert f'href="{url}"' in index, model
        listing = visible_text(admin_client.get(url))
        # 「选择职位查看」 (read-only) or 「选择部门来修改」, as Django titles a changelist
        assert re.search(rf"选择\s*{model._meta.verbose_name}\s*来?(查看|修改)", listing), model


def test_admin_index_lists_models_in_chinese(admin_client):
    text = visible_text(admin_client.get(reverse("admin:index")))

    for label in ("部门", "职位", "工作职责", "任职资格", "工作关系", "关键指标"):
        assert label in text


def test_admin_position_changelist_shows_columns_and_rows(admin_client):
    sales = DepartmentFactory(name="销售部")
    boss = PositionFactory(title="销售经理", code="FZ-XS-001", department=sales, grade_min=10)
    PositionFactory(
        title="置业顾问",
        code="FZ-XS-002",
        department=sales,
        reports_to=boss,
        grade_min=4,
        grade_max=6,
        status=Position.Status.DRAFT,
    )

    response = admin_client.get(reverse("admin:positions_position_changelist"))
    text = visible_text(response)

    assert column_headers(response) == [
        "职位名称",
        "职位编号",
        "所在部门",
        "直接上级",
        "职位等级",
        "状态",
        "编辑",
    ]
    assert "置业顾问 FZ-XS-002 销售部 销售经理（FZ-XS-001） 4–6 草稿 在编辑器中打开" in text
    editor = reverse("positions:position-edit", args=[boss.pk])
    assert f'href="{editor}"' in response.content.decode()


def test_admin_position_search_by_department_name(admin_client):
    PositionFactory(title="会计", department=DepartmentFactory(name="财务部"))
    PositionFactory(title="置业顾问", department=DepartmentFactory(name="销售部"))

    response = admin_client.get(reverse("admin:positions_position_changelist"), {"q": "财务"})

    text = visible_text(response)
    assert "会计" in text
    assert "置业顾问" not in text


def test_admin_position_grade_band_filter(admin_client):
    department = DepartmentFactory()
    PositionFactory(title="基层职位", department=department, grade_min=2, grade_max=4)
    PositionFactory(title="中层职位", department=department, grade_min=7, grade_max=9)
    PositionFactory(title="未定等级", department=department)
    url = reverse("admin:positions_position_changelist")

    band = visible_text(admin_client.get(url, {"grade": "4-6"}))
    unset = visible_text(admin_client.get(url, {"grade": "none"}))

    assert "基层职位" in band and "中层职位" not in band and "未定等级" not in band
    assert "未定等级" in unset and "基层职位" not in unset
    assert "4–6 级" in band and "13 级及以上" in band


def test_admin_position_change_form_has_sheet_sections_and_inlines(admin_client):
    position = PositionFactory(title="销售经理")

    response = admin_client.get(change_url(position))
    form = response.content.decode().split('id="content-main"', 1)[1]  # not the sidebar
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", form)))

    sections = ["基本信息", "职位概要", "主要责任", "工作环境与其他要求", "签核"]
    inlines = ["工作职责", "工作关系", "任职资格", "关键指标"]
    positions_in_page = [text.index(name) for name in sections + inlines]
    assert positions_in_page == sorted(positions_in_page)


def test_admin_position_add_refused_even_for_superuser_nothing_created(admin_client):
    department = DepartmentFactory()
    data = position_form(department, title="招聘经理", code="HR-001", grade_min=8, grade_max=9)
    data |= {
        "duties-TOTAL_FORMS": "1",
        "duties-0-rank": "1",
        "duties-0-title": "招聘管理",
        "duties-0-tasks": "制定招聘计划；\n组织面试；",
        "duties-0-kind": "key",
        "duties-0-responsibility": "full",
    }
    before = Position.objects.count()

    assert admin_client.get(reverse("admin:positions_position_add")).status_code == 403
    response = admin_client.post(reverse("admin:positions_position_add"), data)

    assert response.status_code == 403
    assert Position.objects.count() == before
    assert not Position.objects.filter(code="HR-001").exists()


def test_admin_position_change_page_is_read_only_even_for_superuser(admin_client):
    position = PositionFactory(title="置业顾问", code="FZ-XS-002")

    html = admin_client.get(change_url(position)).content.decode()

    assert "查看 职位" in html
    assert 'name="_save"' not in html
    assert 'name="title"' not in html
    assert reverse("admin:positions_position_delete", args=[position.pk]) not in html


def test_admin_position_change_post_refused_even_for_superuser_nothing_changed(admin_client):
    position = PositionFactory(title="置业顾问", code="FZ-XS-002")
    lock = position.lock_version
    data = position_form(position.department, title="高级置业顾问", code="FZ-XS-009")

    response = admin_client.post(change_url(position), data)

    assert response.status_code == 403
    position.refresh_from_db()
    assert (position.title, position.code, position.status, position.lock_version) == (
        "置业顾问",
        "FZ-XS-002",
        Position.Status.PUBLISHED,
        lock,
    )


def test_admin_sheet_sections_and_positions_cannot_be_deleted_in_admin(admin_client):
    position = PositionFactory(title="置业顾问")
    duty = DutyFactory(position=position, title="接待客户")

    refused = [
        admin_client.post(
            reverse("admin:positions_position_delete", args=[position.pk]), {"post": "yes"}
        ).status_code,
        admin_client.post(
            reverse("admin:positions_duty_delete", args=[duty.pk]), {"post": "yes"}
        ).status_code,
        admin_client.post(
            reverse("admin:positions_duty_change", args=[duty.pk]), {"title": "改了"}
        ).status_code,
    ]

    assert refused == [403, 403, 403]
    duty.refresh_from_db()
    assert duty.title == "接待客户"
    assert Position.objects.filter(pk=position.pk).exists()


def test_admin_department_cycle_shows_chinese_error(admin_client):
    company = DepartmentFactory(name="福州公司", code="FZ", kind=Department.Kind.COMPANY)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=company)
    data = {
        "name": "福州公司",
        "code": "FZ",
        "kind": Department.Kind.COMPANY,
        "parent": str(sales.pk),
        "order": "0",
    }

    response = admin_client.post(
        reverse("admin:positions_department_change", args=[company.pk]), data
    )

    assert response.status_code == 200
    assert "上级部门不能是本部门的下级部门。" in visible_text(response)


def test_admin_department_changelist_shows_parent(admin_client):
    company = DepartmentFactory(name="福州公司", code="FZ", kind=Department.Kind.COMPANY)
    DepartmentFactory(name="销售部", code="FZ-XS", parent=company)

    response = admin_client.get(reverse("admin:positions_department_changelist"))
    text = visible_text(response)

    assert column_headers(response) == ["部门名称", "部门编号", "类型", "上级部门", "排序"]
    assert "销售部 FZ-XS 部门 福州公司" in text


def test_admin_department_autocomplete_finds_by_name(admin_client):
    DepartmentFactory(name="销售部", code="FZ-XS")
    DepartmentFactory(name="财务部", code="FZ-CW")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "positions",
            "model_name": "position",
            "field_name": "department",
            "term": "销售",
        },
    )

    assert [item["text"] for item in response.json()["results"]] == ["销售部"]


def test_admin_anonymous_is_redirected_to_login(client):
    response = client.get(reverse("admin:positions_position_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_non_staff_user_cannot_open_position_admin(user_client):
    response = user_client.get(reverse("admin:positions_position_changelist"))

    assert response.status_code == 403
    assert "您没有访问管理后台的权限。" in response.content.decode()


def test_admin_post_to_a_published_position_keeps_it_published_and_its_version(admin_client):
    position = PositionFactory(title="销售经理", code="FZ-XS-001")
    v1 = position.current_version

    data = position_form(position.department, title="销售总监", code="FZ-XS-001")
    response = admin_client.post(change_url(position), data)

    assert response.status_code == 403
    stored = Position.objects.get(pk=position.pk)
    assert (stored.title, stored.status, stored.current_version) == (
        "销售经理",
        Position.Status.PUBLISHED,
        v1,
    )


def test_admin_old_reversion_revert_and_recover_urls_change_nothing(admin_client):
    """django-reversion's 恢复 (revert) and recover pages rewound published positions and
    overwrote other departments' sheets; they are gone, and posting to them changes nothing."""
    position = PositionFactory(title="销售经理", code="FZ-XS-001")
    duty = DutyFactory(position=position, title="接待客户")
    with reversion.create_revision():
        position.save()
    old = Revision.objects.get_for_object(position).earliest("pk")
    duty_version = Revision.objects.get_for_object(duty).earliest("pk")
    duty.delete()
    Position.objects.filter(pk=position.pk).update(title="销售总监")
    before = Position.objects.values("title", "status", "current_version", "lock_version").get(
        pk=position.pk
    )

    for name, args in (
        ("admin:positions_position_revision", [position.pk, old.pk]),
        ("admin:positions_position_recoverlist", []),
        ("admin:positions_duty_recover", [duty_version.pk]),
    ):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=args)
    posts = [
        admin_client.post(f"{change_url(position).removesuffix('change/')}history/{old.pk}/"),
        admin_client.post(f"/admin/positions/duty/recover/{duty_version.pk}/"),
    ]

    assert all(r.status_code != 200 for r in posts)
    after = Position.objects.values("title", "status", "current_version", "lock_version").get(
        pk=position.pk
    )
    assert after == before and after["title"] == "销售总监"
    assert not Duty.objects.filter(position=position).exists()
