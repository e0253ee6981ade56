"""The editor's services: save (ranks, the lock), copy, archive, and the conflict report."""

import pytest
from django.core.exceptions import ValidationError
from reversion.models import Version as Revision

from positions.forms.editor import rebase
from positions.models import Duty, Position, Qualification, Relationship
from positions.permissions import HR_EDITOR, role_group
from positions.services import editing, sheets
from positions.sheet import manual_authorities
from positions.tests.editing_helpers import add_duty, as_querydict, build, duty_index, editor_data
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    EmployeeFactory,
    FullPositionFactory,
    PositionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def save(user, position, data, expected=None):
    editor = build(user, position, data)
    assert editor.is_valid(), (
        editor.form.errors,
        {n: f.errors for n, f in editor.formsets.items()},
    )
    lock = expected if expected is not None else editor.form.cleaned_data["lock_version"]
    return editing.save_position(
        user=user,
        position=position,
        content=editor.content(),
        expected_lock_version=lock,
    )


def titles(position):
    return list(
        Duty.objects.filter(position=position).order_by("rank").values_list("title", "rank")
    )


@pytest.fixture
def manager(db):
    return FullPositionFactory()  # 销售经理 with 销售计划1..4, ranks 1..4


# --- save ---------------------------------------------------------------------------------------


def test_save_position_creates_draft_with_duties_ranked_in_order(hr_user):
    department = DepartmentFactory(name="销售部")
    data = editor_data(hr_user)
    data |= {"title": "案场主管", "code": "FZ-XS-050", "department": str(department.pk)}
    data["duties-0-title"] = "案场管理"
    data["duties-0-tasks"] = "组织案场接待；\n检查案场秩序；"
    add_duty(data, title="团队培训", tasks="组织销售培训；")
    add_duty(data, title="数据汇总", tasks="汇总每日来访；")

    position = save(hr_user, None, data)

    assert position.status == Position.Status.DRAFT
    assert position.lock_version == 1
    assert titles(position) == [("案场管理", 1), ("团队培训", 2), ("数据汇总", 3)]
    assert Duty.objects.get(position=position, rank=1).task_lines == [
        "组织案场接待；",
        "检查案场秩序；",
    ]
    assert not Qualification.objects.filter(position=position).exists()  # blank: not stored
    version = Revision.objects.get_for_object(position).get()
    assert (version.revision.comment, version.revision.user) == ("新建职位", hr_user)


def test_save_position_renumbers_ranks_in_submitted_order(hr_user, manager):
    data = editor_data(hr_user, manager)
    # 销售计划4 moved to the top, 销售计划1 to the end; duplicates and gaps are fine
    data[f"duties-{duty_index(data, '销售计划4')}-rank"] = "1"
    data[f"duties-{duty_index(data, '销售计划1')}-rank"] = "9"
    data[f"duties-{duty_index(data, '销售计划2')}-rank"] = "2"
    data[f"duties-{duty_index(data, '销售计划3')}-rank"] = "2"

    save(hr_user, manager, data)

    assert titles(manager) == [
        ("销售计划4", 1),
        ("销售计划2", 2),
        ("销售计划3", 3),
        ("销售计划1", 4),
    ]


def test_save_position_deletes_marked_duty_and_closes_the_gap(hr_user, manager):
    data = editor_data(hr_user, manager)
    data[f"duties-{duty_index(data, '销售计划2')}-DELETE"] = "on"
    add_duty(data, title="新职责", tasks="新任务；", rank="")

    save(hr_user, manager, data)

    assert titles(manager) == [("销售计划1", 1), ("销售计划3", 2), ("销售计划4", 3), ("新职责", 4)]


def test_save_position_edits_sections_and_keeps_their_page_order(hr_user, manager):
    data = editor_data(hr_user, manager)
    data["relationships-0-party"] = "业主"
    data["qualification-0-major"] = "市场营销"

    save(hr_user, manager, data)

    assert Relationship.objects.filter(position=manager, party="业主", order=1).exists()
    assert Qualification.objects.get(position=manager).major == "市场营销"


def test_save_position_moves_lock_on_and_records_revision(hr_user, manager):
    data = editor_data(hr_user, manager)
    data["title"] = "销售部经理"

    saved = save(hr_user, manager, data)

    manager.refresh_from_db()
    assert saved.lock_version == manager.lock_version == 2
    assert manager.title == "销售部经理"
    version = Revision.objects.get_for_object(manager).get()
    assert version.revision.comment == "编辑职位"
    assert version.field_dict["lock_version"] == 2
    duty_versions = version.revision.version_set.filter(content_type__model="duty")
    assert duty_versions.count() == 4  # the sections are in the same revision


def test_save_position_refuses_stale_lock_and_saves_nothing(hr_user, manager):
    Position.objects.filter(pk=manager.pk).update(lock_version=5)  # someone saved meanwhile
    data = editor_data(hr_user, manager)
    data["title"] = "改了名称"

    with pytest.raises(sheets.EditConflict) as conflict:
        save(hr_user, manager, data, expected=1)

    assert conflict.value.current.lock_version == 5
    manager.refresh_from_db()
    assert (manager.title, manager.lock_version) == ("销售经理", 5)


def test_save_position_reorder_only_conflicts_when_stale(hr_user, manager):
    data = editor_data(hr_user, manager)  # opened at version 1
    first = editor_data(hr_user, manager)
    first["summary"] = "第一位编辑的概要。"
    save(hr_user, manager, first)  # version 2
    data[f"duties-{duty_index(data, '销售计划1')}-rank"] = "2"
    data[f"duties-{duty_index(data, '销售计划2')}-rank"] = "1"

    with pytest.raises(sheets.EditConflict):
        save(hr_user, Position.objects.get(pk=manager.pk), data)

    assert titles(manager)[:2] == [("销售计划1", 1), ("销售计划2", 2)]


def test_save_position_single_duty_edit_conflicts_when_other_saved_a_duty(hr_user, manager):
    data = editor_data(hr_user, manager)
    other = editor_data(hr_user, manager)
    other[f"duties-{duty_index(other, '销售计划3')}-tasks"] = "对方改的任务；"
    save(hr_user, manager, other)
    data[f"duties-{duty_index(data, '销售计划1')}-tasks"] = "我改的任务；"

    with pytest.raises(sheets.EditConflict):
        save(hr_user, Position.objects.get(pk=manager.pk), data)

    assert Duty.objects.get(position=manager, title="销售计划1").tasks != "我改的任务；"
    assert Duty.objects.get(position=manager, title="销售计划3").tasks == "对方改的任务；"


def test_save_position_two_saves_from_same_version_only_first_passes(hr_user, manager):
    first = build(hr_user, Position.objects.get(pk=manager.pk), editor_data(hr_user, manager))
    second = build(hr_user, Position.objects.get(pk=manager.pk), editor_data(hr_user, manager))
    assert first.is_valid() and second.is_valid()

    editing.save_position(
        user=hr_user,
        position=manager,
        content=first.content(),
        expected_lock_version=1,
    )
    with pytest.raises(sheets.EditConflict):
        editing.save_position(
            user=hr_user,
            position=manager,
            content=second.content(),
            expected_lock_version=1,
        )
    manager.refresh_from_db()
    assert manager.lock_version == 2


# --- the conflict report ------------------------------------------------------------------------


def test_conflict_report_lists_the_other_persons_changes_beside_mine(hr_user, manager):
    other_user = UserFactory(username="li", first_name="李编辑")
    other_user.groups.add(role_group(HR_EDITOR))
    save(hr_user, manager, editor_data(hr_user, manager))  # version 2, recorded by reversion
    mine = editor_data(hr_user, Position.objects.get(pk=manager.pk))
    theirs = editor_data(hr_user, Position.objects.get(pk=manager.pk))
    theirs["location"] = "厦门市"
    theirs[f"duties-{duty_index(theirs, '销售计划2')}-tasks"] = "对方改写的任务；"
    theirs[f"duties-{duty_index(theirs, '销售计划4')}-DELETE"] = "on"
    add_duty(theirs, title="对方新增", tasks="新增任务；")
    save(other_user, Position.objects.get(pk=manager.pk), theirs)  # version 3
    mine["summary"] = "我写的概要。"
    current = Position.objects.get(pk=manager.pk)
    editor = build(hr_user, current, rebase(as_querydict(mine), current))  # as the view does
    assert editor.is_valid()

    with pytest.raises(sheets.EditConflict) as conflict:
        editing.save_position(
            user=hr_user,
            position=manager,
            content=editor.content(),
            expected_lock_version=2,
        )
    report = editing.conflict_report(
        current=conflict.value.current,
        expected_lock_version=2,
        form=editor.form,
        formsets=editor.formsets,
    )

    assert report.has_base
    assert report.changed_by == "李编辑"
    fields = {change.label: change for change in report.fields}
    assert (fields["工作地点"].before, fields["工作地点"].current) == ("福州市", "厦门市")
    assert fields["工作地点"].mine == "福州市"
    assert "职位概要" not in fields  # my own change is not theirs
    duties = {(change.change, change.label) for change in report.duties}
    assert duties == {("修改", "销售计划2"), ("删除", "销售计划4"), ("新增", "对方新增")}
    changed = next(c for c in report.duties if c.change == "修改")
    assert "对方改写的任务；" in changed.current
    assert "根据公司年度目标制定销售计划第2项；" in changed.before


def test_conflict_report_without_recorded_start_compares_stored_with_submitted(hr_user, manager):
    mine = editor_data(hr_user, manager)
    mine["title"] = "我改的名称"
    Position.objects.filter(pk=manager.pk).update(location="厦门市", lock_version=7)
    editor = build(hr_user, Position.objects.get(pk=manager.pk), mine)
    assert editor.is_valid()

    report = editing.conflict_report(
        current=Position.objects.get(pk=manager.pk),
        expected_lock_version=1,
        form=editor.form,
        formsets=editor.formsets,
    )

    assert not report.has_base
    fields = {change.label: (change.current, change.mine) for change in report.fields}
    assert fields == {"职位名称": ("销售经理", "我改的名称"), "工作地点": ("厦门市", "福州市")}


# --- copy ---------------------------------------------------------------------------------------


def test_copy_position_copies_every_section_into_a_draft(hr_user, manager):
    copy = editing.copy_position(user=hr_user, source=manager, code="FZ-XS-900")

    assert (copy.title, copy.code, copy.status) == ("销售经理（副本）", "FZ-XS-900", "draft")
    assert copy.department == manager.department and copy.reports_to == manager.reports_to
    assert (copy.grade_min, copy.grade_max, copy.summary) == (5, 8, manager.summary)
    assert titles(copy) == titles(manager)
    assert [d.tasks for d in copy.duties.all()] == [d.tasks for d in manager.duties.all()]
    # 工作权限 are the 权责手册's cells: a copy holds none until the manual grants them.
    assert [a.name for a in manual_authorities(manager)[0]] == ["优惠申请权", "销售合同审核权"]
    assert manual_authorities(copy)[0] == ()
    assert copy.qualification.major == "营销、经济管理类专业"
    assert sorted(copy.relationships.values_list("kind", "party")) == sorted(
        manager.relationships.values_list("kind", "party")
    )
    assert list(copy.indicators.values_list("name", flat=True)) == ["服务及时性", "数据准确性"]
    assert [p.title for p in copy.related_positions.all()] == ["营销策划专员"]
    assert (copy.prepared_by_name, copy.prepared_at, copy.reviewed_by_name) == ("", None, "")
    assert manager.duties.count() == 4  # the source keeps its rows
    version = Revision.objects.get_for_object(copy).get()
    assert version.revision.comment == "以“销售经理”为模板新建"


def test_copy_position_takes_given_title_and_department(hr_user, manager):
    other = DepartmentFactory(name="渠道部")
    copy = editing.copy_position(
        user=hr_user, source=manager, code="QD-001", title="渠道经理", department=other
    )
    assert (copy.title, copy.department) == ("渠道经理", other)


def test_copy_position_requires_a_new_code(hr_user, manager):
    with pytest.raises(ValidationError) as missing:
        editing.copy_position(user=hr_user, source=manager, code="  ")
    assert missing.value.message_dict == {"code": ["请填写新职位的职位编号。"]}

    with pytest.raises(ValidationError) as taken:
        editing.copy_position(user=hr_user, source=manager, code=manager.code)
    assert taken.value.message_dict == {"code": [f"职位编号“{manager.code}”已被“销售经理”使用。"]}
    assert Position.objects.filter(title="销售经理（副本）").count() == 0


# --- archive ------------------------------------------------------------------------------------


def test_archive_position_refused_naming_reports_and_holders(hr_user, manager):
    EmployeeFactory(name="张三", position=manager)

    with pytest.raises(ValidationError) as refusal:
        editing.archive_position(user=hr_user, position=manager)

    message = refusal.value.messages[0]
    assert "无法归档职位“销售经理”" in message
    assert "仍有职位向其汇报（售楼员、收款文员）" in message
    assert "仍有员工在任（张三）" in message
    manager.refresh_from_db()
    assert manager.status == Position.Status.PUBLISHED


def test_archive_position_ignores_archived_reports_and_people_who_left(hr_user):
    boss = PositionFactory(title="总监")
    PositionFactory(title="旧职位", reports_to=boss, status=Position.Status.ARCHIVED)
    leaver = EmployeeFactory(name="离职者", position=boss)
    leaver.assignments.update(end_date="2025-01-31")

    archived = editing.archive_position(user=hr_user, position=boss)

    assert archived.status == Position.Status.ARCHIVED


def test_archive_position_archives_never_erases(hr_user):
    position = PositionFactory(title="销售内勤")
    DutyFactory(position=position)

    editing.archive_position(user=hr_user, position=position)

    position.refresh_from_db()
    assert position.status == Position.Status.ARCHIVED
    assert position.lock_version == 2
    assert position.duties.count() == 1
    version = Revision.objects.get_for_object(position).get()
    assert version.revision.comment == "归档职位"
    with pytest.raises(ValidationError, match="已归档"):
        editing.archive_position(user=hr_user, position=position)
