"""Change history: entries, states read from revisions, the diff, restore, initial revisions."""

from __future__ import annotations

import datetime

import pytest
import reversion
from django.core.exceptions import ValidationError
from reversion.models import Version as Revision

from positions.models import Duty, Position, Qualification
from positions.permissions import HR_EDITOR, role_group
from positions.services import history, seed
from positions.services.history import FieldDiff
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    PositionFactory,
    QualificationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(hour: int, minute: int = 0) -> datetime.datetime:
    """A revision time on 2025-03-01, in UTC (Shanghai is 8 hours ahead)."""
    return datetime.datetime(2025, 3, 1, hour, minute, tzinfo=UTC)


def revise(user, comment: str, *objects, when: datetime.datetime | None = None) -> None:
    """Save the objects in one revision, as the editor and the admin do."""
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        if when is not None:
            reversion.set_date_created(when)
        for obj in objects:
            obj.save()


def latest_version(position: Position) -> Revision:
    return Revision.objects.get_for_object(position).order_by("-revision_id").first()


@pytest.fixture
def editor(db):
    user = UserFactory(username="wang", first_name="王人事")
    user.groups.add(role_group(HR_EDITOR))
    return user


@pytest.fixture
def position(editor):
    """销售经理 with two duties, recorded once (version 1)."""
    position = PositionFactory(title="销售经理", code="FZ-XS-001")
    first = DutyFactory(
        position=position,
        rank=1,
        title="销售计划",
        tasks="制定年度销售计划；\n跟踪执行；",
        responsibility=Duty.Responsibility.PARTIAL,
    )
    second = DutyFactory(position=position, rank=2, title="客户服务", tasks="处理客户投诉；")
    revise(editor, "新建职位", position, first, second, when=at(1))
    return position


def second_revision(editor, position: Position) -> tuple[int, Duty]:
    """Rename the position, 部分→全责 on duty 1, delete duty 2, add duty 3 (version 2).

    Returns the deleted duty's pk and the new duty."""
    first, second = position.duties.order_by("rank")
    removed_pk = second.pk
    second.delete()
    position.title = "销售总监"
    first.responsibility = Duty.Responsibility.FULL
    third = Duty(position=position, rank=2, title="渠道拓展", tasks="拓展分销渠道；")
    revise(editor, "调整职责", position, first, third, when=at(2))
    return removed_pk, third


# --- history entries ---------------------------------------------------------------------------


def test_position_history_lists_newest_first_with_who_when_comment_and_summary(editor, position):
    second_revision(editor, position)
    entries = history.position_history(position)
    assert [(e.number, e.user, e.comment, e.is_latest) for e in entries] == [
        (2, "王人事", "调整职责", True),
        (1, "王人事", "新建职位", False),
    ]
    assert entries[0].created_at.strftime("%Y-%m-%d %H:%M") == "2025-03-01 10:00"
    assert str(entries[0].created_at.tzinfo) == "Asia/Shanghai"
    assert entries[0].summary == "修改：职位名称；工作职责 新增 1、修改 1、删除 1"
    assert entries[1].summary == "首条记录：工作职责 2 项"
    assert entries[0].previous_version_id == entries[1].version_id
    assert entries[1].previous_version_id is None


def test_position_history_names_username_or_system_when_no_full_name(position):
    revise(UserFactory(username="li"), "改名", position)
    revise(None, "批量导入", position)
    assert [e.user for e in history.position_history(position)][:2] == ["系统", "li"]


def test_position_history_of_unrecorded_position_is_empty(db):
    assert history.position_history(PositionFactory()) == []


# --- states and diffs ----------------------------------------------------------------------------


def test_position_state_reads_deleted_duty_from_its_revision(editor, position):
    old = latest_version(position)
    second_revision(editor, position)
    state = history.position_state(old)
    assert state.fields["title"] == "销售经理"
    assert sorted(d["title"] for d in state.rows("duties").values()) == ["客户服务", "销售计划"]
    assert not Duty.objects.filter(title="客户服务").exists()


def test_diff_states_shows_title_responsibility_and_duties_added_and_removed(editor, position):
    old = latest_version(position)
    removed, added = second_revision(editor, position)
    diff = history.diff_states(
        history.position_state(old), history.position_state(latest_version(position))
    )
    assert diff.fields == (FieldDiff("title", "职位名称", "销售经理", "销售总监"),)
    duties = diff.section("duties")
    assert duties.label == "工作职责"
    by_status = {row.status: row for row in duties.rows}
    assert by_status["changed"].label == "1. 销售计划"
    assert by_status["changed"].fields == (FieldDiff("responsibility", "负责程度", "部分", "全责"),)
    assert by_status["removed"].pk == removed
    assert by_status["removed"].label == "2. 客户服务"
    assert ("主要职责", "客户服务", "") in [
        (f.label, f.old, f.new) for f in by_status["removed"].fields
    ]
    assert by_status["added"].pk == added.pk
    assert ("工作内容", "", "拓展分销渠道；") in [
        (f.label, f.old, f.new) for f in by_status["added"].fields
    ]
    assert [row.status_label for row in duties.rows] == ["修改", "删除", "新增"]


def test_diff_states_shows_department_superior_and_choices_by_name(editor, position):
    old = latest_version(position)
    position.department = DepartmentFactory(name="营销策划部")
    position.reports_to = PositionFactory(title="营销总监", code="")
    position.status = Position.Status.ARCHIVED
    qualification = QualificationFactory(position=position, education="bachelor")
    revise(editor, "调岗", position, qualification)
    middle = latest_version(position)
    qualification.education = Qualification.Education.MASTER
    revise(editor, "提高学历", qualification)

    diff = history.diff_states(history.position_state(old), history.position_state(middle))
    changes = {change.label: (change.old, change.new) for change in diff.fields}
    assert changes["所在部门"][1] == "营销策划部"
    assert changes["直接上级"] == ("", "营销总监")
    assert "状态" not in changes and diff.step == "归档"  # the workflow's, not a field edit
    assert diff.section("qualification").rows[0].status == "added"
    assert diff.summary == "修改：所在部门、直接上级；任职资格 新增（归档）"

    later = history.diff_states(
        history.position_state(middle), history.position_state(latest_version(position))
    )
    assert later.section("qualification").rows[0].fields == (
        FieldDiff("education", "最低学历", "本科", "硕士"),
    )
    assert later.summary == "任职资格 修改"


def test_diff_states_of_identical_states_is_empty(editor, position):
    state = history.position_state(latest_version(position))
    diff = history.diff_states(state, state)
    assert diff.is_empty
    assert diff.summary == "内容无变化"


# --- restore ---------------------------------------------------------------------------------


def test_restore_version_brings_deleted_duty_back_with_text_and_rank(editor, position):
    old = latest_version(position)
    removed, added = second_revision(editor, position)

    restored = history.restore_version(user=editor, position=position, version_id=old.pk)

    duties = list(restored.duties.order_by("rank"))
    assert [(d.pk, d.rank, d.title, d.tasks) for d in duties] == [
        (duties[0].pk, 1, "销售计划", "制定年度销售计划；\n跟踪执行；"),
        (removed, 2, "客户服务", "处理客户投诉；"),
    ]
    assert duties[0].responsibility == Duty.Responsibility.PARTIAL
    assert restored.title == "销售经理"
    assert not Duty.objects.filter(pk=added.pk).exists()


def test_restore_version_becomes_a_new_history_entry_and_bumps_lock_version(editor, position):
    old = latest_version(position)
    second_revision(editor, position)
    lock_before = Position.objects.get(pk=position.pk).lock_version

    restored = history.restore_version(user=editor, position=position, version_id=old.pk)

    assert restored.lock_version == lock_before + 1
    entries = history.position_history(position)
    assert len(entries) == 3
    assert entries[0].comment == "恢复到 2025-03-01 09:00 的内容"
    assert entries[0].user == "王人事"
    assert entries[0].summary == "修改：职位名称；工作职责 新增 1、修改 1、删除 1（开始编制新版本）"
    latest = history.position_state(latest_version(position))
    assert latest.fields["lock_version"] == lock_before + 1
    assert sorted(d["title"] for d in latest.rows("duties").values()) == ["客户服务", "销售计划"]


def test_restore_version_of_reordered_duties_swaps_ranks_back(editor, position):
    old = latest_version(position)
    first, second = position.duties.order_by("rank")
    first.rank, second.rank = 99, 1
    first.save()
    second.save()
    first.rank = 2
    revise(editor, "调整顺序", position, first, second)

    restored = history.restore_version(user=editor, position=position, version_id=old.pk)

    assert list(restored.duties.order_by("rank").values_list("title", flat=True)) == [
        "销售计划",
        "客户服务",
    ]


def test_restore_version_keeps_the_current_status(editor, position):
    old = latest_version(position)
    position.status = Position.Status.ARCHIVED
    position.summary = "新的概要"
    revise(editor, "归档", position)
    restored = history.restore_version(user=editor, position=position, version_id=old.pk)
    assert restored.summary == "负责本职位的日常工作。"
    assert restored.status == Position.Status.ARCHIVED


def test_restore_version_leaves_other_positions_of_the_same_revision_alone(editor, position):
    other = PositionFactory(title="售楼员")
    other_duty = DutyFactory(position=other, rank=1, title="接待客户")
    position.summary = "两个职位一起保存"
    revise(editor, "一起保存", position, other, other_duty)
    shared = latest_version(position)
    other.title = "置业顾问"
    other_duty.title = "接待来访客户"
    position.summary = "之后的修改"
    revise(editor, "分别修改", position, other, other_duty)

    history.restore_version(user=editor, position=position, version_id=shared.pk)

    other.refresh_from_db()
    other_duty.refresh_from_db()
    assert (other.title, other_duty.title) == ("置业顾问", "接待来访客户")
    assert Position.objects.get(pk=position.pk).summary == "两个职位一起保存"


def test_restore_version_refuses_a_version_of_another_position(editor, position):
    other = PositionFactory(title="售楼员")
    revise(editor, "新建", other)
    with pytest.raises(ValidationError) as refused:
        history.restore_version(user=editor, position=position, version_id=latest_version(other).pk)
    assert refused.value.messages == ["该修改记录不存在，或不属于此职位。"]
    assert len(history.position_history(position)) == 1


def test_restore_version_refuses_the_current_content(editor, position):
    with pytest.raises(ValidationError) as refused:
        history.restore_version(
            user=editor, position=position, version_id=latest_version(position).pk
        )
    assert refused.value.messages == ["所选修改记录与当前内容相同，无需恢复。"]


def test_restore_version_refuses_a_code_now_used_by_another_position(editor, position):
    old = latest_version(position)
    position.code = "FZ-XS-009"
    revise(editor, "改编号", position)
    PositionFactory(title="新销售经理", code="FZ-XS-001")
    with pytest.raises(ValidationError) as refused:
        history.restore_version(user=editor, position=position, version_id=old.pk)
    assert refused.value.messages == ["无法恢复：职位编号“FZ-XS-001”已被“新销售经理”使用。"]


def test_restore_preview_lists_what_the_restore_changes(editor, position):
    old = latest_version(position)
    second_revision(editor, position)
    preview = history.restore_preview(position, old)
    assert preview.summary == "修改：职位名称；工作职责 新增 1、修改 1、删除 1"
    assert preview.fields == (FieldDiff("title", "职位名称", "销售总监", "销售经理"),)


# --- initial revisions ---------------------------------------------------------------------------


def test_ensure_initial_revisions_records_unrecorded_positions_once(editor, position):
    fresh = PositionFactory(title="售楼员")
    DutyFactory(position=fresh, rank=1)
    assert history.ensure_initial_revisions() == 1
    assert history.ensure_initial_revisions() == 0
    [entry] = history.position_history(fresh)
    assert (entry.user, entry.comment, entry.summary) == (
        "系统",
        "初始数据",
        "首条记录：工作职责 1 项",
    )
    assert len(history.position_history(position)) == 1


def test_load_seed_starts_every_position_with_an_initial_entry(db):
    loaded = seed.load_seed()
    assert loaded == Position.objects.count() > 0
    manager = Position.objects.get(code="FZ-XS-001")
    [entry] = history.position_history(manager)
    assert entry.comment == "初始数据"
    state = history.position_state(Revision.objects.get(pk=entry.version_id))
    assert len(state.rows("duties")) == manager.duties.count() > 0


def test_diff_states_ignores_line_endings_a_browser_submits(editor, position):
    old = latest_version(position)
    duty = position.duties.get(rank=1)
    duty.tasks = duty.tasks.replace("\n", "\r\n")
    revise(editor, "在管理后台保存", position, duty)
    diff = history.diff_states(
        history.position_state(old), history.position_state(latest_version(position))
    )
    assert diff.is_empty
