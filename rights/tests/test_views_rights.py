"""The 权责手册 pages: the matrix in force, the working copy and its checks, the workflow buttons,
the versions; bad input gets a Chinese error and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from positions import permissions
from positions.models import Department, Manual, ManualVersion, Position
from positions.services import manual as manual_service
from positions.tests.factories import EmployeeFactory, UserFactory
from positions.tests.workflow_helpers import second_hr

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def leader():
    user = UserFactory(username="boss", first_name="赵总")
    user.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=user, name="赵总", position=Position.objects.get(title="总经理"))
    return user


def edit_working_copy(user) -> None:
    document = manual_service.manual_document()
    document["doc_no"] = "FZXM-QZ-2026-01"
    manual_service.write_manual(
        user=user, document=document, lock_version=document["lock_version"], source="测试"
    )


def test_manual_page_shows_the_version_in_force_to_an_employee(seed, client):
    client.force_login(UserFactory(username="reader"))
    response = client.get(reverse("rights:manual"))
    page = text(response)
    assert response.status_code == 200
    assert "现行版本 V1 ，文号 FZXM-QZ-2006-01" in page
    assert (
        "类别 事项 档位/条件 营销总监 营销中心 总经理 福州项目公司 案场经理 销售部 销售经理 销售部"
        " 售楼员 销售部 董事会 营销管理 优惠申请 原职位说明书（售楼员）：优惠申请权，执行"
        " 折扣 ≥ 99% 审批 知情 执行"
    ) in page
    assert "权限级别：提议、审核、会签、审批、执行、知情。" in page
    assert "工作稿与检查" not in page  # not for an employee


def test_working_copy_shows_checks_and_submit_to_hr(seed, client):
    client.force_login(second_hr())
    page = text(client.get(reverse("rights:working-copy")))
    assert "未发现问题。" in page
    assert "提交审核" not in page  # in force: nothing to submit before an edit
    edit_working_copy(second_hr("hr-other"))
    page = text(client.get(reverse("rights:working-copy")))
    assert "状态 草稿" in page and "提交审核" in page


def test_working_copy_lists_a_failed_check_beside_the_matrix(seed, client):
    document = manual_service.manual_document()
    band = document["categories"][0]["matters"][1]["bands"][0]  # 认购书退换
    band["cells"] = {k: v for k, v in band["cells"].items() if v != "approve"}
    manual_service.write_manual(
        user=None, document=document, lock_version=document["lock_version"], source="测试"
    )
    client.force_login(second_hr())
    assert "“认购书退换”没有审批。" in text(client.get(reverse("rights:working-copy")))


def test_working_copy_scoped_to_a_department(seed, client):
    sales = Department.objects.get(name="销售部")
    client.force_login(second_hr())
    page = text(client.get(reverse("rights:working-copy") + f"?department={sales.pk}"))
    assert "工作稿（销售部）" in page
    assert "营销总监" not in page and "售楼员" in page


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_working_copy_bad_department_is_not_found(seed, client, value):
    client.force_login(second_hr())
    response = client.get(reverse("rights:working-copy") + f"?department={value}")
    assert response.status_code == 404


def test_workflow_buttons_take_the_manual_to_v2(seed, client):
    preparer, reviewer, approver = second_hr("hr-a"), second_hr("hr-b"), leader()
    edit_working_copy(preparer)
    url = reverse("rights:workflow")

    client.force_login(preparer)
    assert client.post(url, {"action": "submit"}).status_code == 302
    refused = client.post(url, {"action": "review"})
    assert refused.status_code == 403
    assert "编制人不能审核自己编制的权责手册。" in text(refused)

    client.force_login(reviewer)
    assert client.post(url, {"action": "review", "comment": "同意"}).status_code == 302

    client.force_login(approver)
    confirm = client.post(url, {"action": "approve"})
    assert confirm.status_code == 200
    assert "权责手册将作为 V2 立即生效" in text(confirm)
    assert not ManualVersion.objects.filter(number=2).exists()
    assert client.post(url, {"action": "approve", "confirmed": "1"}).status_code == 302

    version = ManualVersion.objects.get(number=2)
    assert (version.doc_no, version.prepared_by_name, version.approved_by_name) == (
        "FZXM-QZ-2026-01",
        "李人事",
        "赵总",
    )
    listing = text(client.get(reverse("rights:version-list")))
    assert "V2 现行 FZXM-QZ-2026-01" in listing
    old = text(client.get(reverse("rights:version-detail", args=[1])))
    assert "权责手册 V1 已被取代" in old


def test_workflow_reject_without_comment_is_refused_and_changes_nothing(seed, client):
    preparer = second_hr("hr-a")
    edit_working_copy(preparer)
    manual_service.submit(user=preparer)
    client.force_login(second_hr("hr-b"))
    response = client.post(reverse("rights:workflow"), {"action": "reject", "comment": " "})
    assert response.status_code == 400
    assert "请填写退回意见。" in text(response)
    assert Manual.objects.get().status == Manual.Status.SUBMITTED


def test_workflow_unknown_action_and_long_comment_refused(seed, client):
    client.force_login(second_hr())
    response = client.post(reverse("rights:workflow"), {"action": "publish"})
    assert (response.status_code, "未知的操作，请重新选择。" in text(response)) == (400, True)
    response = client.post(reverse("rights:workflow"), {"action": "review", "comment": "长" * 501})
    assert (response.status_code, "意见不能超过 500 个字。" in text(response)) == (400, True)
    assert Manual.objects.get().status == Manual.Status.PUBLISHED


def test_workflow_step_in_the_wrong_state_is_a_conflict(seed, client):
    client.force_login(second_hr())
    response = client.post(reverse("rights:workflow"), {"action": "review"})
    assert response.status_code == 409
    assert "权责手册当前状态为“已生效”，不能执行此操作" in text(response)


def test_nav_links_to_the_manual(seed, client):
    client.force_login(UserFactory(username="reader"))
    page = client.get(reverse("positions:department-tree")).content.decode()
    assert f'href="{reverse("rights:manual")}" id="nav-manual"' in page


def links(response) -> dict[str, str]:
    """The manual links block: its link ids → hrefs (HTML-escaped ampersands undone)."""
    found = re.findall(r'href="([^"]+)" id="(link-manual-[a-z]+)"', response.content.decode())
    return {key: href.replace("&amp;", "&") for href, key in found}


def test_manual_page_links_an_employee_to_the_version_pdf_and_excel_only(seed, client):
    client.force_login(UserFactory(username="reader"))
    response = client.get(reverse("rights:manual"))
    assert links(response) == {
        "link-manual-pdf": reverse("positions:manual-version-pdf", args=[1]),
        "link-manual-excel": reverse("positions:manual-export") + "?version=1",
    }
    assert "A3 PDF（V1）" in text(response)
    assert "表格编辑" not in text(response)


def test_manual_pages_link_hr_to_the_grid_and_excel_import(seed, client):
    client.force_login(second_hr())
    for name, kwargs in (("rights:manual", {}), ("rights:version-detail", {"number": 1})):
        found = links(client.get(reverse(name, kwargs=kwargs)))
        assert found["link-manual-grid"] == reverse("rights:grid")
        assert found["link-manual-import"] == reverse("positions:manual-import")
        assert found["link-manual-pdf"] == reverse("positions:manual-version-pdf", args=[1])


def test_working_copy_links_to_the_draft_pdf_and_the_grid_of_its_scope(seed, client):
    client.force_login(second_hr())
    sales = Department.objects.get(name="销售部")
    response = client.get(reverse("rights:working-copy"), {"department": sales.pk})
    assert links(response) == {
        "link-manual-pdf": f"{reverse('positions:manual-draft-pdf')}?department={sales.pk}",
        "link-manual-excel": f"{reverse('positions:manual-export')}?department={sales.pk}",
        "link-manual-grid": f"{reverse('rights:grid')}?department={sales.pk}",
        "link-manual-import": reverse("positions:manual-import"),
    }
    assert "A3 PDF（工作稿）" in text(response)
