"""The 历史记录 pages as HR, managers and employees see them: list, compare, restore."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version as Revision

from positions import permissions
from positions.models import Duty, Position
from positions.services import workflow
from positions.tests.editing_helpers import add_duty, duty_count, editor_data
from positions.tests.factories import (
    DutyFactory,
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
)
from positions.tests.workflow_helpers import demo_world

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def visible_text(response) -> str:
    return text(response.content.decode())


def table_rows(response, table_id: str) -> list[list[str]]:
    html = response.content.decode()
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [
        [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        for row in rows
    ]


def section(response, element_id: str) -> str:
    """The text of the element with this id, up to the end of its section."""
    html = response.content.decode()
    inside = html.split(f'id="{element_id}"', 1)[1].split(">", 1)[1]
    return text(inside.split("</section>", 1)[0])


def in_group(user, role: str):
    user.groups.add(permissions.role_group(role))
    return user


def revise(user, comment: str, *objects, when: datetime.datetime) -> None:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.set_date_created(when)
        for obj in objects:
            obj.save()


def versions(position: Position) -> list[Revision]:
    """Oldest first."""
    return list(Revision.objects.get_for_object(position).order_by("revision_id"))


@pytest.fixture
def sales_position(departments, hr_user):
    """销售经理 in 销售部 (published): version 1 with two duties, version 2 renames it,
    makes duty 1 全责 and deletes duty 2."""
    position = PositionFactory(title="销售经理", code="FZ-XS-001", department=departments["sales"])
    first = DutyFactory(
        position=position,
        rank=1,
        title="销售计划",
        tasks="制定年度销售计划；",
        responsibility=Duty.Responsibility.PARTIAL,
    )
    second = DutyFactory(position=position, rank=2, title="客户服务", tasks="处理客户投诉；")
    revise(
        hr_user,
        "新建职位",
        position,
        first,
        second,
        when=datetime.datetime(2025, 3, 1, 1, 30, tzinfo=datetime.UTC),
    )
    second.delete()
    position.title = "销售总监"
    first.responsibility = Duty.Responsibility.FULL
    revise(
        hr_user,
        "调整职责",
        position,
        first,
        when=datetime.datetime(2025, 3, 2, 6, 5, tzinfo=datetime.UTC),
    )
    return position


def history_url(position: Position) -> str:
    return reverse("positions:position-history", kwargs={"pk": position.pk})


def compare_url(position: Position, old=None, new=None) -> str:
    url = reverse("positions:position-history-compare", kwargs={"pk": position.pk})
    if old is None and new is None:
        return url
    return f"{url}?from={old}&to={new}"


def restore_url(position: Position, version_id: int) -> str:
    return reverse(
        "positions:position-restore", kwargs={"pk": position.pk, "version_id": version_id}
    )


@pytest.fixture
def manager_client(client, departments):
    """部门经理 holding a position in 销售部."""
    user = in_group(UserFactory(username="chen", first_name="陈经理"), permissions.MANAGER)
    EmployeeFactory(user=user, position=PositionFactory(department=departments["sales"]))
    client.force_login(user)
    return client


@pytest.fixture
def other_manager_client(client, departments):
    """部门经理 holding a position in 财务部."""
    user = in_group(UserFactory(username="zhou"), permissions.MANAGER)
    EmployeeFactory(user=user, position=PositionFactory(department=departments["finance"]))
    client.force_login(user)
    return client


def scoped_hr_client(client, department):
    user = in_group(UserFactory(username=f"hr-{department.code}"), permissions.HR_EDITOR)
    EditorScopeFactory(user=user, department=department)
    client.force_login(user)
    return client


# --- the history list ----------------------------------------------------------------------------


def test_history_lists_versions_newest_first_with_who_when_comment_and_summary(
    hr_client, sales_position
):
    response = hr_client.get(history_url(sales_position))
    assert response.status_code == 200
    rows = table_rows(response, "history-table")
    assert [row[2:7] for row in rows] == [
        [
            "修改记录 #2 最新",
            "2025-03-02 14:05",
            "王人事",
            "调整职责",
            "修改：职位名称；工作职责 修改 1、删除 1",
        ],
        ["修改记录 #1", "2025-03-01 09:30", "王人事", "新建职位", "首条记录：工作职责 2 项"],
    ]
    assert "与上一条比较" in rows[0][7] and "恢复到此记录" in rows[1][7]


def test_history_preselects_the_two_newest_versions_for_the_compare_form(hr_client, sales_position):
    old, new = versions(sales_position)
    html = hr_client.get(history_url(sales_position)).content.decode()
    assert re.search(rf'name="from" value="{old.pk}"[^>]*checked', html)
    assert re.search(rf'name="to" value="{new.pk}"[^>]*checked', html)
    assert f'action="{compare_url(sales_position)}"' in html
    assert f"?from={old.pk}&amp;to={new.pk}" in html  # 与上一条比较


def test_history_for_manager_of_the_department_has_no_restore(manager_client, sales_position):
    response = manager_client.get(history_url(sales_position))
    assert response.status_code == 200
    assert "恢复到此记录" not in visible_text(response)


def test_history_of_position_without_revisions_says_so(hr_client, departments):
    position = PositionFactory(department=departments["sales"])
    response = hr_client.get(history_url(position))
    assert "此职位尚无变更记录。" in visible_text(response)


def test_history_anonymous_is_sent_to_login(client, sales_position):
    response = client.get(history_url(sales_position))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_history_employee_is_refused_and_draft_is_not_found(user_client, sales_position):
    assert user_client.get(history_url(sales_position)).status_code == 403
    draft = PositionFactory(title="案场主管", status=Position.Status.DRAFT)
    assert user_client.get(history_url(draft)).status_code == 404


def test_history_manager_of_other_department_is_refused(other_manager_client, sales_position):
    assert other_manager_client.get(history_url(sales_position)).status_code == 403


def test_history_scoped_hr_outside_is_refused_and_inside_sees_it(
    client, departments, sales_position
):
    assert scoped_hr_client(client, departments["xiamen"]).get(
        history_url(sales_position)
    ).status_code == (403)
    assert scoped_hr_client(client, departments["fuzhou"]).get(
        history_url(sales_position)
    ).status_code == (200)


def test_sheet_shows_history_button_only_to_those_who_may_see_history(
    client, hr_client, sales_position
):
    sheet = reverse("positions:position-sheet", kwargs={"pk": sales_position.pk})
    assert 'id="history-button"' in hr_client.get(sheet).content.decode()
    client.force_login(UserFactory(username="reader"))
    assert 'id="history-button"' not in client.get(sheet).content.decode()


# --- compare ---------------------------------------------------------------------------------


def test_compare_shows_changed_fields_and_added_removed_duties(hr_client, sales_position):
    old, new = versions(sales_position)
    response = hr_client.get(compare_url(sales_position, old.pk, new.pk))
    assert response.status_code == 200
    assert table_rows(response, "diff-position") == [["职位名称", "销售经理", "销售总监"]]
    duties = section(response, "diff-duties")
    assert duties.startswith("工作职责 删除 1 修改 1")
    assert "修改 1. 销售计划 字段 原内容 新内容 负责程度 部分 全责" in duties
    assert (
        "删除 2. 客户服务 字段 删除前内容 重要性 2 主要职责 客户服务 工作内容 处理客户投诉；"
        in (duties)
    )
    page = visible_text(response)
    assert "较早的记录 修改记录 #1" in page and "较新的记录 修改记录 #2 最新" in page


def test_compare_orders_the_two_versions_oldest_first(hr_client, sales_position):
    old, new = versions(sales_position)
    response = hr_client.get(compare_url(sales_position, new.pk, old.pk))
    assert table_rows(response, "diff-position") == [["职位名称", "销售经理", "销售总监"]]


def test_compare_without_choice_shows_the_latest_change(hr_client, sales_position):
    response = hr_client.get(compare_url(sales_position))
    assert response.status_code == 200
    assert table_rows(response, "diff-position") == [["职位名称", "销售经理", "销售总监"]]


def test_compare_with_a_single_version_says_there_is_nothing_to_compare(
    hr_client, departments, hr_user
):
    position = PositionFactory(department=departments["sales"])
    revise(hr_user, "新建", position, when=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    response = hr_client.get(compare_url(position))
    assert response.status_code == 200
    assert "此职位的修改记录少于两条，暂无可比较的内容。" in visible_text(response)


def test_compare_with_malformed_version_is_a_clear_error(hr_client, sales_position):
    response = hr_client.get(compare_url(sales_position, "abc", versions(sales_position)[0].pk))
    assert response.status_code == 400
    assert "无法比较：修改记录编号无效。请在历史记录中重新选择两条修改记录。" in visible_text(
        response
    )


def test_compare_with_unknown_or_foreign_version_is_not_found(
    hr_client, hr_user, departments, sales_position
):
    other = PositionFactory(department=departments["sales"])
    revise(hr_user, "新建", other, when=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    old = versions(sales_position)[0].pk
    for bad in (999999, versions(other)[0].pk):
        response = hr_client.get(compare_url(sales_position, old, bad))
        assert response.status_code == 404
        assert "无法比较：该修改记录不存在，或不属于此职位。" in visible_text(response)


def test_compare_permissions_follow_the_history(
    client, user_client, other_manager_client, sales_position
):
    url = compare_url(sales_position)
    assert user_client.get(url).status_code == 403
    assert other_manager_client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_compare_for_manager_of_the_department_works(manager_client, sales_position):
    assert manager_client.get(compare_url(sales_position)).status_code == 200


# --- restore ---------------------------------------------------------------------------------


def test_restore_get_shows_what_changes_and_does_not_restore(hr_client, sales_position):
    old = versions(sales_position)[0]
    response = hr_client.get(restore_url(sales_position, old.pk))
    assert response.status_code == 200
    page = visible_text(response)
    assert "确认将“销售总监”的职位说明书恢复到修改记录 #1（2025-03-01 09:30）的内容吗？" in page
    assert table_rows(response, "diff-position") == [["职位名称", "销售总监", "销售经理"]]
    assert "新增 2. 客户服务" in section(response, "diff-duties")
    sales_position.refresh_from_db()
    assert sales_position.title == "销售总监"
    assert len(versions(sales_position)) == 2


def test_restore_post_restores_and_returns_to_history_with_message(hr_client, sales_position):
    old = versions(sales_position)[0]
    response = hr_client.post(restore_url(sales_position, old.pk), follow=True)
    assert response.redirect_chain == [(history_url(sales_position), 302)]
    page = visible_text(response)
    assert (
        "已将“销售总监”恢复到修改记录 #1（2025-03-01 09:30）的内容，此次恢复已记入历史记录。"
        in page
    )
    rows = table_rows(response, "history-table")
    assert rows[0][2] == "修改记录 #3 最新"
    assert rows[0][5] == "恢复到 2025-03-01 09:30 的内容"
    assert list(sales_position.duties.order_by("rank").values_list("title", flat=True)) == [
        "销售计划",
        "客户服务",
    ]


def test_restore_of_current_content_is_refused_with_a_message(hr_client, sales_position):
    new = versions(sales_position)[1]
    page = hr_client.get(restore_url(sales_position, new.pk))
    assert "所选修改记录与当前内容相同，无需恢复。" in visible_text(page)
    response = hr_client.post(restore_url(sales_position, new.pk), follow=True)
    assert "所选修改记录与当前内容相同，无需恢复。" in visible_text(response)
    assert len(versions(sales_position)) == 2


def test_restore_unknown_version_is_not_found(hr_client, sales_position):
    response = hr_client.get(restore_url(sales_position, 999999))
    assert response.status_code == 404
    assert "无法恢复：该修改记录不存在，或不属于此职位。" in visible_text(response)
    assert hr_client.post(restore_url(sales_position, 999999)).status_code == 404


def test_restore_is_refused_to_non_editors(
    client, user_client, manager_client, departments, sales_position
):
    url = restore_url(sales_position, versions(sales_position)[0].pk)
    assert manager_client.post(url).status_code == 403
    assert user_client.get(url).status_code == 403
    assert scoped_hr_client(client, departments["xiamen"]).post(url).status_code == 403
    sales_position.refresh_from_db()
    assert sales_position.title == "销售总监"


def test_restore_scoped_hr_in_scope_may_restore(client, departments, sales_position):
    url = restore_url(sales_position, versions(sales_position)[0].pk)
    response = scoped_hr_client(client, departments["sales"]).post(url)
    assert response.status_code == 302
    sales_position.refresh_from_db()
    assert sales_position.title == "销售经理"


NEW_DUTY = "每月编制销售分析报告，向副总经理汇报"


def test_history_entry_says_what_hr_changed_not_what_the_workflow_set(client, seed, settings):
    """HR adds one duty to a published sheet: the entry is that duty, not the sign-off cleared,
    the status or the version in force; the workflow's own steps read as steps."""
    demo = demo_world(settings)
    position = Position.objects.get(code="FZ-XS-001")
    client.force_login(demo.hr)
    data = editor_data(demo.hr, position)
    add_duty(data, rank=str(duty_count(data) + 1), tasks=NEW_DUTY)
    url = reverse("positions:position-edit", kwargs={"pk": position.pk})
    assert client.post(url, data).status_code == 302

    rows = table_rows(client.get(history_url(position)), "history-table")
    count = len(rows)
    newest = " ".join(rows[0])
    assert rows[0][2] == f"修改记录 #{count} 最新"
    assert rows[0][6] == "工作职责 新增 1（开始编制新版本）"
    for bookkeeping in ("编制人", "编制日期", "状态", "现行版本", "编辑版本号", "lock_version"):
        assert bookkeeping not in newest

    workflow.submit(user=demo.hr, position=Position.objects.get(pk=position.pk))
    response = client.get(history_url(position))
    rows = table_rows(response, "history-table")
    assert rows[0][2] == f"修改记录 #{count + 1} 最新"
    assert rows[0][6] == "提交审核"  # the step, not 状态 / 编制人 edits
    page = visible_text(response)
    assert "修改记录 #2" in page
    assert not re.search(r"第 ?\d+ ?版", page)
