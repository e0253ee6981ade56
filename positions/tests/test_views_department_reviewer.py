"""Who reviews a department's sheets, set by HR on the department page."""

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
MANAGER = Department.ReviewerRole.MANAGER
HR = Department.ReviewerRole.HR_EDITOR


def setting_url(department: Department) -> str:
    return reverse("positions:department-reviewer", kwargs={"pk": department.pk})


def stored(department: Department) -> str:
    return Department.objects.get(pk=department.pk).reviewer_role


def test_hr_editor_sets_the_reviewer_on_the_department_page(hr_client, departments):
    sales = departments["sales"]
    page = hr_client.get(sales.get_absolute_url())
    assert 'id="reviewer-form"' in page.content.decode()
    assert "由负责本部门的HR编辑审核" in compact(page_text(page))

    response = hr_client.post(setting_url(sales), {"reviewer_role": MANAGER}, follow=True)

    assert response.redirect_chain == [(sales.get_absolute_url(), 302)]
    assert "已设置：“销售部”的职位说明书由部门经理审核。" in page_text(response)
    assert "由本部门的部门经理审核" in compact(page_text(response))
    assert stored(sales) == MANAGER


def test_reviewer_setting_refuses_bad_input(hr_client, departments):
    sales = departments["sales"]
    for data, message in (
        ({"reviewer_role": "boss"}, "请选择有效的审核人"),
        ({}, "请选择审核人。"),
    ):
        response = hr_client.post(setting_url(sales), data)
        assert response.status_code == 400
        assert message in page_text(response)
        assert stored(sales) == HR


def test_reviewer_setting_is_for_hr_in_scope_only(client, departments, user):
    sales = departments["sales"]
    scoped = UserFactory(username="hr-xiamen")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=departments["xiamen"])
    for someone in (user, scoped):
        client.force_login(someone)
        assert 'id="reviewer-form"' not in client.get(sales.get_absolute_url()).content.decode()
        response = client.post(setting_url(sales), {"reviewer_role": MANAGER})
        assert response.status_code == 403
        assert stored(sales) == HR
    assert "不在您负责的范围内" in permissions.reviewer_setting_refusal(scoped, sales)
    assert "只有 HR 编辑" in permissions.reviewer_setting_refusal(user, sales)
    client.force_login(scoped)  # in its own scope it may
    client.post(setting_url(departments["xiamen"]), {"reviewer_role": MANAGER})
    assert stored(departments["xiamen"]) == MANAGER


def test_set_reviewer_role_service_checks_permission_and_value(departments, hr_user, user):
    sales = departments["sales"]
    with pytest.raises(PermissionDenied):
        organisation.set_reviewer_role(user=user, department=sales, reviewer_role=MANAGER)
    with pytest.raises(ValidationError):
        organisation.set_reviewer_role(user=hr_user, department=sales, reviewer_role="boss")
    assert stored(sales) == HR
    organisation.set_reviewer_role(user=hr_user, department=sales, reviewer_role=MANAGER)
    assert stored(sales) == MANAGER


def test_admin_department_form_edits_the_reviewer(hr_client, departments):
    url = reverse("admin:positions_department_change", args=[departments["sales"].pk])
    assert 'name="reviewer_role"' in hr_client.get(url).content.decode()
