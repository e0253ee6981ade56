"""A department's print layout, set by HR on the department page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from positions import permissions
from positions.models import Department
from positions.services import organisation
from positions.tests.factories import EditorScopeFactory, UserFactory
from positions.tests.text import compact, page_text

pytestmark = pytest.mark.django_db


def setting_url(department: Department) -> str:
    return reverse("positions:department-layout", kwargs={"pk": department.pk})


def stored(department: Department) -> str:
    return Department.objects.get(pk=department.pk).sheet_layout


def test_hr_editor_sets_the_layout_on_the_department_page(hr_client, departments):
    sales = departments["sales"]
    page = hr_client.get(sales.get_absolute_url())
    assert 'id="layout-form"' in page.content.decode()
    assert "按公司信息中设置的版式打印" in compact(page_text(page))

    response = hr_client.post(setting_url(sales), {"sheet_layout": "c"}, follow=True)

    assert response.redirect_chain == [(sales.get_absolute_url(), 302)]
    assert "已设置：“销售部”的职位说明书按版式 C：完整职位说明书(编制/审核/审批)打印。" in (
        page_text(response)
    )
    assert stored(sales) == "c"
    hr_client.post(setting_url(sales), {"sheet_layout": ""})
    assert stored(sales) == ""


def test_layout_setting_refuses_an_unknown_layout(hr_client, departments):
    sales = departments["sales"]

    response = hr_client.post(setting_url(sales), {"sheet_layout": "zz"})

    assert response.status_code == 400
    assert "请选择有效的打印版式。" in page_text(response)
    assert stored(sales) == ""


def test_layout_setting_is_for_hr_in_scope_only(client, departments, user):
    sales = departments["sales"]
    scoped = UserFactory(username="hr-xiamen")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=departments["xiamen"])
    for someone in (user, scoped):
        client.force_login(someone)
        assert 'id="layout-form"' not in client.get(sales.get_absolute_url()).content.decode()
        response = client.post(setting_url(sales), {"sheet_layout": "a"})
        assert response.status_code == 403
        assert stored(sales) == ""
    assert "不在您负责的范围内" in permissions.layout_setting_refusal(scoped, sales)
    assert "只有 HR 编辑" in permissions.layout_setting_refusal(user, sales)


def test_set_sheet_layout_service_checks_permission_and_value(departments, hr_user, user):
    sales = departments["sales"]
    with pytest.raises(PermissionDenied):
        organisation.set_sheet_layout(user=user, department=sales, sheet_layout="a")
    with pytest.raises(ValidationError):
        organisation.set_sheet_layout(user=hr_user, department=sales, sheet_layout="zz")
    assert stored(sales) == ""
    organisation.set_sheet_layout(user=hr_user, department=sales, sheet_layout="a")
    assert stored(sales) == "a"
