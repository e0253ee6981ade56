"""The 权责手册 in the admin: read-only for everyone, superusers included (its one writer is
write_manual); a change, add or delete posted there is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from positions.models import Grant, Manual, ManualLevel, ManualVersion, Matter, MatterCategory
from positions.tests.manual_ui_helpers import build_org, hr, publish
from positions.tests.test_admin import column_headers, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    organisation = build_org()
    publish(organisation)  # V1 in force
    return organisation


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_admin_manual_models_listed_in_chinese_on_the_index(admin_client, org):
    page = visible_text(admin_client.get(reverse("admin:index")))
    for label in ("权责手册", "事项类别", "事项", "档位", "决策机构", "权责", "权责手册版本"):
        assert label in page


def test_admin_grant_changelist_shows_the_cells(admin_client, org):
    response = admin_client.get(reverse("admin:positions_grant_changelist"))
    assert response.status_code == 200
    assert column_headers(response) == ["档位", "职位", "机构", "权限级别"]
    page = visible_text(response)
    assert "销售经理" in page and "审批" in page


def test_admin_manual_version_change_page_is_read_only_without_the_document(admin_client, org):
    version = ManualVersion.objects.get(number=1)
    response = admin_client.get(reverse("admin:positions_manualversion_change", args=[version.pk]))
    page = visible_text(response)
    assert response.status_code == 200
    assert "HXJT-QZ-2026-01" in page
    assert 'name="_save"' not in response.content.decode()
    assert "权责手册内容" not in page


def test_admin_grant_change_post_refused_even_for_superuser_nothing_changed(admin_client, org):
    grant = Grant.objects.get(position=org["manager"], band__condition="折扣 ≤ 98%")
    lock = Manual.objects.get().lock_version
    url = reverse("admin:positions_grant_change", args=[grant.pk])

    response = admin_client.post(url, {"band": grant.band_id, "level": ManualLevel.INFORM})

    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.level == ManualLevel.APPROVE
    assert Manual.objects.get().lock_version == lock


def test_admin_manual_add_and_delete_refused_nothing_changed(admin_client, org):
    category = MatterCategory.objects.get(name="营销管理")
    before = (MatterCategory.objects.count(), Matter.objects.count(), Grant.objects.count())

    add = admin_client.post(
        reverse("admin:positions_mattercategory_add"), {"manual": 1, "name": "财务管理"}
    )
    delete = admin_client.post(
        reverse("admin:positions_mattercategory_delete", args=[category.pk]), {"post": "yes"}
    )

    assert add.status_code == delete.status_code == 403
    counts = (MatterCategory.objects.count(), Matter.objects.count(), Grant.objects.count())
    assert counts == before


def test_admin_manual_refused_to_an_employee_and_read_by_an_hr_editor(client, org, user):
    url = reverse("admin:positions_manualversionrow_changelist")
    client.force_login(user)
    assert client.get(url).status_code == 403
    client.force_login(hr("hr-reader", name="孙人事"))
    response = client.get(url)
    assert response.status_code == 200
    assert "售楼员" in visible_text(response)  # the clerk's rows of V1
