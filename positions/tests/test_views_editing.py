"""The editor pages: new, edit (validation, conflicts), copy, archive, and the pickers."""

import re

import pytest
from django.urls import reverse

from positions.models import Duty, Position
from positions.permissions import HR_EDITOR, role_group
from positions.tests.editing_helpers import add_duty, duty_index, editor_data
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible text, tags stripped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def edit_url(position) -> str:
    return reverse("positions:position-edit", args=[position.pk])


@pytest.fixture
def sales(departments):
    return departments["sales"]


@pytest.fixture
def manager(sales):
    """销售经理 in 销售部 (福州公司), with 销售计划1..4 and the other sections."""
    return FullPositionFactory(department=sales, code="FZ-XS-001")


@pytest.fixture
def xiamen_position(departments):
    return PositionFactory(title="厦门案场经理", code="XM-001", department=departments["xiamen"])


@pytest.fixture
def scoped_hr(departments):
    user = UserFactory(username="hr-fuzhou")
    user.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=user, department=departments["fuzhou"])
    return user


# --- who may ------------------------------------------------------------------------------------


def test_position_edit_anonymous_is_sent_to_login(client, manager):
    response = client.get(edit_url(manager))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_position_edit_employee_is_forbidden(user_client, manager):
    assert user_client.get(edit_url(manager)).status_code == 403
    assert user_client.post(edit_url(manager), {"title": "改名"}).status_code == 403
    manager.refresh_from_db()
    assert manager.title == "销售经理"


def test_position_edit_scoped_hr_outside_scope_is_forbidden(client, scoped_hr, xiamen_position):
    client.force_login(scoped_hr)
    assert client.get(edit_url(xiamen_position)).status_code == 403


def test_position_edit_scoped_hr_in_scope_sees_the_whole_sheet(client, scoped_hr, manager):
    client.force_login(scoped_hr)
    response = client.get(edit_url(manager))
    assert response.status_code == 200
    page = text(response)
    sections = ["一、基本信息", "二、职位概要与设岗目的", "三、工作内容与主要职责", "四、主要责任"]
    sections += ["五、工作权限", "六、任职资格", "七、工作关系", "八、关键指标"]
    positions_in_page = [page.index(section) for section in sections]
    assert positions_in_page == sorted(positions_in_page)  # the sheet's order
    assert "销售业务管理" in page and "销售服务管理" in page  # duty group headings
    html = response.content.decode()
    assert 'name="lock_version" value="1"' in html
    assert '<template id="duties-template">' in html
    assert "编制人" not in page  # the sign-off is not edited here


def test_position_edit_draft_outside_scope_is_not_found(client, scoped_hr, departments):
    draft = PositionFactory(department=departments["xiamen"], status=Position.Status.DRAFT)
    client.force_login(scoped_hr)
    assert client.get(edit_url(draft)).status_code == 404


def test_position_create_permissions(client, user_client, scoped_hr):
    url = reverse("positions:position-create")
    assert user_client.get(url).status_code == 403
    client.force_login(scoped_hr)
    assert client.get(url).status_code == 200


def test_position_editor_select_holds_only_current_values(hr_client, manager):
    PositionFactory.create_batch(30, department=manager.department)
    html = hr_client.get(edit_url(manager)).content.decode()
    reports_to = html.split('name="reports_to"', 1)[1].split("</select>", 1)[0]
    assert reports_to.count("<option") == 2  # 未选择 and the current superior
    assert "副总经理" in reports_to


# --- saving -------------------------------------------------------------------------------------


def test_position_create_saves_and_shows_the_sheet(hr_client, hr_user, sales):
    data = editor_data(hr_user)
    data |= {"title": "案场主管", "code": "FZ-XS-050", "department": str(sales.pk)}
    data |= {"duties-0-title": "案场管理", "duties-0-tasks": "组织案场接待；\n检查案场秩序；"}
    add_duty(data, title="团队培训", tasks="组织销售培训；")

    response = hr_client.post(reverse("positions:position-create"), data, follow=True)

    position = Position.objects.get(code="FZ-XS-050")
    assert response.redirect_chain[-1][0] == position.get_absolute_url()
    page = text(response)
    assert "已新建职位“案场主管”（草稿）。" in page
    assert page.index("组织案场接待；") < page.index("组织销售培训；")
    assert position.status == Position.Status.DRAFT


def test_position_edit_saves_reordered_duties(hr_client, hr_user, manager):
    data = editor_data(hr_user, manager)
    data[f"duties-{duty_index(data, '销售计划1')}-rank"] = "2"
    data[f"duties-{duty_index(data, '销售计划2')}-rank"] = "1"

    response = hr_client.post(edit_url(manager), data)

    assert response.status_code == 302
    assert list(manager.duties.order_by("rank").values_list("title", flat=True)) == [
        "销售计划2",
        "销售计划1",
        "销售计划3",
        "销售计划4",
    ]


def test_position_edit_duplicate_code_keeps_typed_duties(hr_client, hr_user, manager):
    PositionFactory(title="置业顾问", code="FZ-XS-002")
    data = editor_data(hr_user, manager)
    data["code"] = "FZ-XS-002"
    data[f"duties-{duty_index(data, '销售计划1')}-tasks"] = "我刚输入的任务；"
    add_duty(data, title="新加的职责", tasks="新加的任务；")

    response = hr_client.post(edit_url(manager), data)

    assert response.status_code == 200
    page = text(response)
    assert "保存未成功。" in page
    assert "职位编号：职位编号“FZ-XS-002”已被“置业顾问”使用。" in page  # the summary
    assert 'href="#id_code"' in response.content.decode()
    assert "我刚输入的任务；" in page
    assert 'value="新加的职责"' in response.content.decode()
    manager.refresh_from_db()
    assert manager.code == "FZ-XS-001"
    assert not Duty.objects.filter(title="新加的职责").exists()


def test_position_edit_invalid_duty_row_keeps_everything(hr_client, hr_user, manager):
    data = editor_data(hr_user, manager)
    data["summary"] = "新的概要。"
    data["relationships-0-party"] = "新的对象"
    add_duty(data, title="只写了标题", tasks="")

    response = hr_client.post(edit_url(manager), data)

    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('value="只写了标题"', 1)[1].split("data-deleted-note", 1)[0]
    assert "请填写工作内容（每行一项工作任务）。" in row  # next to the field
    assert "工作职责第 5 行 · 工作内容：请填写工作内容" in text(response)  # and in the summary
    assert "新的概要。" in html
    assert 'value="新的对象"' in html
    assert 'name="duties-TOTAL_FORMS" value="5"' in html
    manager.refresh_from_db()
    assert manager.summary != "新的概要。"


def test_position_edit_stores_textareas_with_unix_newlines(hr_client, hr_user, manager):
    data = editor_data(hr_user, manager)
    data["commitments"] = "保证计划按时完成；\r\n保证数据准确；"
    data[f"duties-{duty_index(data, '销售计划1')}-tasks"] = "第一项；\r\n第二项；"

    assert hr_client.post(edit_url(manager), data).status_code == 302

    manager.refresh_from_db()
    assert manager.commitments == "保证计划按时完成；\n保证数据准确；"
    assert manager.duties.get(title="销售计划1").tasks == "第一项；\n第二项；"


def test_position_edit_grade_range_and_cycle_messages(hr_client, hr_user, manager):
    clerk = manager.direct_reports.get(title="售楼员")
    data = editor_data(hr_user, manager)
    data |= {"grade_min": "9", "grade_max": "5", "reports_to": str(clerk.pk)}

    page = text(hr_client.post(edit_url(manager), data))

    assert "职位等级范围无效：最低等级 9 高于最高等级 5。" in page
    assert "汇报关系形成循环：销售经理 → 售楼员 → 销售经理。" in page


def test_position_edit_scoped_hr_cannot_move_position_out_of_scope(
    client, scoped_hr, manager, departments
):
    client.force_login(scoped_hr)
    data = editor_data(scoped_hr, manager)
    data["department"] = str(departments["xiamen"].pk)

    response = client.post(edit_url(manager), data)

    assert "只能选择您负责范围内的部门。" in text(response)
    manager.refresh_from_db()
    assert manager.department == departments["sales"]


def test_position_edit_add_row_without_javascript(hr_client, hr_user, manager):
    data = editor_data(hr_user, manager)
    data["summary"] = "还没保存的概要。"
    data["_add"] = "duties"

    response = hr_client.post(edit_url(manager), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="duties-TOTAL_FORMS" value="5"' in html
    assert 'name="duties-4-tasks"' in html
    assert "还没保存的概要。" in html
    assert "保存未成功" not in html
    manager.refresh_from_db()
    assert manager.summary != "还没保存的概要。"


def test_position_edit_picker_text_without_javascript(hr_client, hr_user, manager, sales):
    boss = PositionFactory(title="营销总监", code="YX-001", department=sales)
    PositionFactory(title="销售助理甲", department=sales)
    PositionFactory(title="销售助理乙", department=sales)
    data = editor_data(hr_user, manager)
    data["reports_to_q"] = "营销总监"
    data["related_positions_q"] = "销售助理"

    response = hr_client.post(edit_url(manager), data)

    assert response.status_code == 200  # one picker needs a choice
    page = text(response)
    assert "找到2个与“销售助理”匹配的职位，请在上方列表中选择一个后再保存。" in page
    related = response.content.decode().split('name="related_positions"', 1)[1]
    assert "销售助理甲" in related.split("</select>", 1)[0]
    query_input = related.split('name="related_positions_q"', 1)[1].split(">", 1)[0]
    assert "value=" not in query_input  # cleared: choose in the list, then save
    data["reports_to_q"] = ""
    data["related_positions_q"] = "销售助理甲"
    data["reports_to"] = str(boss.pk)
    assert hr_client.post(edit_url(manager), data).status_code == 302
    manager.refresh_from_db()
    assert manager.reports_to == boss
    assert {p.title for p in manager.related_positions.all()} == {"营销策划专员", "销售助理甲"}


# --- conflicts ----------------------------------------------------------------------------------


def test_position_edit_stale_save_shows_conflict_and_keeps_my_text(hr_client, hr_user, manager):
    other = UserFactory(username="li", first_name="李编辑")
    other.groups.add(role_group(HR_EDITOR))
    mine = editor_data(hr_user, manager)  # opened at version 1
    theirs = editor_data(other, manager)
    theirs[f"duties-{duty_index(theirs, '销售计划2')}-tasks"] = "对方写的任务；"
    hr_client.force_login(other)
    assert hr_client.post(edit_url(manager), theirs).status_code == 302
    hr_client.force_login(hr_user)
    mine[f"duties-{duty_index(mine, '销售计划3')}-tasks"] = "我写的任务；"

    response = hr_client.post(edit_url(manager), mine)

    assert response.status_code == 409
    page = text(response)
    assert "保存未成功：此职位已被他人修改" in page
    assert "李编辑" in page
    conflict = page.split("保存未成功：此职位已被他人修改", 1)[1].split("一、基本信息", 1)[0]
    assert "对方写的任务；" in conflict  # what the other person changed
    html = response.content.decode()
    assert 'name="lock_version" value="2"' in html
    form = html.split('id="position-editor"', 1)[1]
    assert "我写的任务；" in form  # my text is still in the form
    manager.refresh_from_db()
    assert manager.duties.get(title="销售计划3").tasks != "我写的任务；"

    mine["lock_version"] = "2"  # saving the merged form again succeeds
    assert hr_client.post(edit_url(manager), mine).status_code == 302
    assert manager.duties.get(title="销售计划3").tasks == "我写的任务；"


def test_position_edit_conflict_keeps_rows_the_other_person_deleted(hr_client, hr_user, manager):
    mine = editor_data(hr_user, manager)
    theirs = editor_data(hr_user, manager)
    theirs[f"duties-{duty_index(theirs, '销售计划4')}-DELETE"] = "on"
    assert hr_client.post(edit_url(manager), theirs).status_code == 302
    mine[f"duties-{duty_index(mine, '销售计划4')}-tasks"] = "我仍要保留的任务；"

    response = hr_client.post(edit_url(manager), mine)

    assert response.status_code == 409
    assert "删除" in text(response).split("一、基本信息", 1)[0]
    assert "我仍要保留的任务；" in response.content.decode().split('id="position-editor"', 1)[1]


# --- copy ---------------------------------------------------------------------------------------


def test_position_copy_creates_draft_and_opens_editor(hr_client, manager):
    url = reverse("positions:position-copy", args=[manager.pk])
    assert "以“销售经理”为模板新建" in text(hr_client.get(url))

    response = hr_client.post(
        url, {"code": "FZ-XS-009", "title": "", "department": manager.department_id}
    )

    copy = Position.objects.get(code="FZ-XS-009")
    assert response["Location"] == edit_url(copy)
    assert copy.title == "销售经理（副本）"
    assert copy.duties.count() == 4


def test_position_copy_requires_unique_code(hr_client, manager):
    url = reverse("positions:position-copy", args=[manager.pk])
    page = text(hr_client.post(url, {"code": "", "department": manager.department_id}))
    assert "请填写新职位的职位编号。" in page
    page = text(hr_client.post(url, {"code": "FZ-XS-001", "department": manager.department_id}))
    assert "职位编号“FZ-XS-001”已被“销售经理”使用。" in page
    assert Position.objects.filter(title="销售经理（副本）").count() == 0


def test_position_copy_permissions(client, user_client, scoped_hr, xiamen_position, sales):
    url = reverse("positions:position-copy", args=[xiamen_position.pk])
    assert user_client.get(url).status_code == 403
    client.force_login(scoped_hr)  # may copy a published position it sees into its own scope
    response = client.post(url, {"code": "FZ-XS-077", "department": sales.pk})
    assert response.status_code == 302
    assert Position.objects.get(code="FZ-XS-077").department == sales
    refused = client.post(url, {"code": "XM-002", "department": xiamen_position.department_id})
    assert "只能选择您负责范围内的部门。" in text(refused)


# --- archive ------------------------------------------------------------------------------------


def test_position_delete_refused_names_reports_and_holders(hr_client, manager):
    EmployeeFactory(name="张三", position=manager)
    url = reverse("positions:position-delete", args=[manager.pk])
    page = text(hr_client.get(url))
    assert "售楼员、收款文员" in page and "张三" in page
    assert "确认归档" not in page

    response = hr_client.post(url)

    assert response.status_code == 409
    assert "仍有职位向其汇报（售楼员、收款文员）" in text(response)
    manager.refresh_from_db()
    assert manager.status == Position.Status.PUBLISHED


def test_position_delete_archives(hr_client, sales):
    position = PositionFactory(title="销售内勤", department=sales)
    url = reverse("positions:position-delete", args=[position.pk])
    assert "确认归档" in text(hr_client.get(url))

    response = hr_client.post(url, follow=True)

    assert "职位“销售内勤”已归档" in text(response)
    position.refresh_from_db()
    assert position.status == Position.Status.ARCHIVED


def test_position_delete_permissions(client, user_client, scoped_hr, xiamen_position):
    url = reverse("positions:position-delete", args=[xiamen_position.pk])
    assert user_client.post(url).status_code == 403
    client.force_login(scoped_hr)
    assert client.post(url).status_code == 403
    xiamen_position.refresh_from_db()
    assert xiamen_position.status == Position.Status.PUBLISHED


# --- the sheet's buttons ------------------------------------------------------------------------


def test_position_sheet_offers_editor_copy_and_archive_to_editors_only(
    client, hr_user, user, manager
):
    sheet = reverse("positions:position-sheet", args=[manager.pk])
    client.force_login(hr_user)
    html = client.get(sheet).content.decode()
    assert f'href="{edit_url(manager)}"' in html
    assert "以此为模板新建" in html and "删除/归档" in html
    client.force_login(user)
    html = client.get(sheet).content.decode()
    assert "以此为模板新建" not in html and "删除/归档" not in html


# --- pickers ------------------------------------------------------------------------------------


def picker(client, name: str, q: str) -> list[str]:
    response = client.get(reverse(f"positions:{name}-picker"), {"q": q})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_position_picker_finds_by_title_code_and_department(hr_client, manager, sales):
    assert picker(hr_client, "position", "销售经理") == ["销售部 · 销售经理（FZ-XS-001）"]
    assert picker(hr_client, "position", "FZ-XS-001") == ["销售部 · 销售经理（FZ-XS-001）"]
    assert "销售部 · 售楼员" in picker(hr_client, "position", "销售部")


def test_position_picker_returns_only_permitted_rows_capped_at_20(client, scoped_hr, departments):
    PositionFactory(title="厦门草稿", department=departments["xiamen"], status="draft")
    PositionFactory(title="厦门已生效", code="XM-101", department=departments["xiamen"])
    PositionFactory(title="已归档职位", department=departments["sales"], status="archived")
    PositionFactory.create_batch(25, title="福州专员", department=departments["sales"])
    client.force_login(scoped_hr)

    assert picker(client, "position", "厦门") == ["厦门公司 · 厦门已生效（XM-101）"]
    assert picker(client, "position", "已归档") == []
    assert len(picker(client, "position", "福州专员")) == 20


def test_department_picker_returns_only_editable_departments(client, scoped_hr, departments):
    DepartmentFactory(name="厦门销售部", code="XM-XS", parent=departments["xiamen"])
    client.force_login(scoped_hr)

    # by name, code or the parent's name; never 厦门销售部, outside the scope
    assert picker(client, "department", "销售") == [
        "福州公司 / 销售部（FZ-XS）",
        "销售部 / 渠道组（FZ-XS-QD）",
    ]
    assert picker(client, "department", "FZ-XS-QD") == ["销售部 / 渠道组（FZ-XS-QD）"]


def test_pickers_forbidden_without_editor_role(user_client):
    for name in ("position", "department"):
        assert user_client.get(reverse(f"positions:{name}-picker")).status_code == 403


@pytest.mark.parametrize("bad", ["²", "9" * 19, "9" * 40], ids=["superscript", "19-digits", "huge"])
def test_related_position_that_is_not_an_id_is_refused_in_chinese(hr_client, hr_user, manager, bad):
    related = set(manager.related_positions.all())
    data = editor_data(hr_user, manager) | {"related_positions": [bad]}
    response = hr_client.post(reverse("positions:position-edit", kwargs={"pk": manager.pk}), data)
    assert response.status_code == 200  # the editor again, with the error
    assert "所选职位不存在，请重新选择。" in text(response)
    assert set(manager.related_positions.all()) == related  # nothing saved


def test_position_edit_with_a_forged_row_count_answers_and_saves_nothing(
    hr_client, hr_user, manager
):
    """A forged 工作职责 TOTAL_FORMS (10^40, or more rows than sent) builds no form and saves
    nothing."""
    data = editor_data(hr_user, manager)
    data["summary"] = "不应保存的概要"
    for forged in ("9" * 40, "5000", "²"):
        data["duties-TOTAL_FORMS"] = forged

        response = hr_client.post(reverse("positions:position-edit", args=[manager.pk]), data)

        assert response.status_code == 400
        assert "提交的表单不完整（行数与内容不符），未保存任何内容。" in response.content.decode()
    manager.refresh_from_db()
    assert manager.summary != "不应保存的概要"
    assert manager.lock_version == 1
