"""The one writer: every door that changes a sheet keeps the same invariants.

Each writer below (the editor, restore from the history, the Excel import, the Word import) is
asked to change the 职位概要 of the same published 销售经理, and must: move ``lock_version`` on by
one, record exactly one revision by the user holding the position with every section, reindex
the search, start the draft of V2 while V1 stays in force, return a sheet under review to 草稿,
and refuse an editor scoped to another department with nothing changed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version as Revision

from positions.models import (
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
    SearchEntry,
)
from positions.permissions import HR_EDITOR, role_group
from positions.services import editing, history, sheets, workflow
from positions.sheet import build_sheet
from positions.tests.editing_helpers import build, editor_data
from positions.tests.factories import (
    DepartmentFactory,
    EditorScopeFactory,
    FullPositionFactory,
    UserFactory,
)
from transfer.services import excel
from transfer.services.importing import ImportRefused, apply_plan, plan_position_import
from transfer.services.word import render_docx
from transfer.services.word_import.parser import parse_docx
from transfer.services.word_import.resolve import resolve_import
from transfer.services.word_import.write import import_sheets

pytestmark = pytest.mark.django_db

NEW_SUMMARY = "负责销售团队的目标管理与客户关系维护（由各写入口修改）。"

Run = Callable[[], object]


def _editor(user, position: Position, summary: str) -> Run:
    data = editor_data(user, position)
    data["summary"] = summary
    editor = build(user, position, data)

    def run():
        if not editor.is_valid():  # the page refuses what the form already knows is wrong
            raise ValidationError(str(editor.form.errors))
        return editing.save_position(
            user=user,
            position=position,
            content=editor.content(),
            expected_lock_version=editor.form.cleaned_data["lock_version"],
        )

    return run


def _restore(user, position: Position, summary: str) -> Run:
    """An earlier state with ``summary`` is recorded (by the system), then put back."""
    stored = Position.objects.get(pk=position.pk)
    sheets.write_sheet(
        user=None,
        position=stored,
        content=sheets.SheetContent(fields={"summary": summary}),
        comment="较早的内容",
    )
    target = Revision.objects.get_for_object(stored).first()
    sheets.write_sheet(
        user=None,
        position=Position.objects.get(pk=position.pk),
        content=sheets.SheetContent(fields={"summary": position.summary}),
        comment="又改回来",
    )
    current = Position.objects.get(pk=position.pk)

    def run():
        return history.restore_version(user=user, position=current, version_id=target.pk)

    return run


def _excel(user, position: Position, summary: str) -> Run:
    hr = UserFactory(username="exporter")
    hr.groups.add(role_group(HR_EDITOR))
    (content,) = excel.contents_for(hr, Position.objects.filter(pk=position.pk))
    content.position["summary"] = summary
    data = excel.position_workbook([content])

    def run():
        plan = plan_position_import(data, user)
        return apply_plan(plan, user)

    return run


def _word(user, position: Position, summary: str) -> Run:
    sheet = dataclasses.replace(
        build_sheet(Position.objects.with_sheet().get(pk=position.pk)), summary=(summary,)
    )
    data = render_docx(sheet)

    def run():
        plan = resolve_import(user, parse_docx(data, "销售经理.docx"))
        return import_sheets(user, [plan])

    return run


WRITERS = {"editor": _editor, "restore": _restore, "excel": _excel, "word": _word}


@pytest.fixture
def hr(db):
    user = UserFactory(username="wang", first_name="王人事")
    user.groups.add(role_group(HR_EDITOR))
    return user


@pytest.fixture
def manager(db) -> Position:
    """销售经理, published as V1, with every section filled."""
    return FullPositionFactory(code="FZ-XS-001")


def _revisions(position: Position):
    return Revision.objects.get_for_object(position).select_related("revision__user")


def _section_rows(position: Position) -> int:
    return sum(
        model.objects.filter(position=position).count()
        for model in (Duty, Relationship, Indicator, Qualification)
    )


def _snapshot(position: Position) -> tuple:
    fresh = Position.objects.get(pk=position.pk)
    return (
        fresh.lock_version,
        fresh.status,
        fresh.summary,
        fresh.current_version_id,
        _revisions(fresh).count(),
        list(Duty.objects.filter(position=fresh).order_by("rank").values_list("title", "tasks")),
        list(SearchEntry.objects.filter(position=fresh).values_list("source", "section", "text")),
    )


@pytest.mark.parametrize("writer", WRITERS)
def test_writer_edit_moves_lock_records_one_revision_and_reindexes(writer, hr, manager):
    run = WRITERS[writer](hr, manager, NEW_SUMMARY)
    before = Position.objects.get(pk=manager.pk)
    revisions_before = _revisions(manager).count()

    run()

    after = Position.objects.get(pk=manager.pk)
    assert after.lock_version == before.lock_version + 1
    assert after.summary == NEW_SUMMARY
    # Editing a published sheet starts V2's draft; V1 stays in force, unchanged.
    assert after.status == Position.Status.DRAFT
    assert after.current_version_id == before.current_version_id
    assert NEW_SUMMARY not in str(after.current_version.sheet)
    # Exactly one new revision, by the user, holding the position with every section row.
    assert _revisions(manager).count() == revisions_before + 1
    latest = _revisions(manager).first()
    assert latest.revision.user == hr
    held = latest.revision.version_set.count()
    assert held == 1 + _section_rows(after)
    # The search reads the new wording of the working copy, and V1's for readers.
    entries = SearchEntry.objects.filter(position=manager, section=SearchEntry.Section.SUMMARY)
    texts = dict(entries.values_list("source", "text"))
    assert texts[SearchEntry.Source.WORKING] == NEW_SUMMARY
    assert texts[SearchEntry.Source.VERSION] == before.summary


@pytest.mark.parametrize("writer", WRITERS)
def test_writer_returns_a_sheet_under_review_to_draft(writer, hr, manager):
    run = WRITERS[writer](hr, manager, NEW_SUMMARY)
    Position.objects.filter(pk=manager.pk).update(
        status=Position.Status.REVIEWED, reviewed_by_name="陈经理", prepared_by_name="李鸿飞"
    )

    run()

    after = Position.objects.get(pk=manager.pk)
    assert (after.status, after.reviewed_by_name, after.approved_by_name) == (
        Position.Status.DRAFT,
        "",
        "",
    )
    assert _revisions(manager).first().revision.comment.endswith("（退回草稿，需重新提交审核）")


@pytest.mark.parametrize("writer", WRITERS)
def test_writer_refuses_an_editor_scoped_elsewhere_with_nothing_changed(writer, manager):
    elsewhere = DepartmentFactory(name="财务部", code="FZ-CW")
    scoped = UserFactory(username="scoped", first_name="周人事")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=elsewhere)
    run = WRITERS[writer](scoped, manager, NEW_SUMMARY)
    before = _snapshot(manager)

    with pytest.raises((PermissionDenied, ValidationError, ImportRefused)):
        run()

    assert _snapshot(manager) == before


def test_writer_refuses_moving_a_sheet_out_of_the_editors_scope(manager):
    scoped = UserFactory(username="scoped")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=manager.department)
    elsewhere = DepartmentFactory(name="财务部", code="FZ-CW")
    before = _snapshot(manager)

    with pytest.raises(PermissionDenied) as refusal:
        sheets.write_sheet(
            user=scoped,
            position=Position.objects.get(pk=manager.pk),
            content=sheets.SheetContent(fields={"department_id": elsewhere.pk}),
            comment="移到财务部",
        )

    assert str(refusal.value) == "部门“财务部”不在您负责的范围内，不能把职位放入该部门。"
    assert _snapshot(manager) == before


def test_writer_refusal_does_not_name_a_draft_the_editor_cannot_read(db):
    draft = FullPositionFactory(title="保密岗位", code="SECRET-1", status=Position.Status.DRAFT)
    scoped = UserFactory(username="scoped")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=DepartmentFactory(name="财务部"))

    with pytest.raises(PermissionDenied) as refusal:
        sheets.write_sheet(
            user=scoped,
            position=draft,
            content=sheets.SheetContent(fields={"summary": "x"}),
            comment="",
        )

    assert str(refusal.value) == "该职位不存在或您无权修改。"


def test_writer_refuses_an_overlong_title_in_chinese_and_writes_nothing(hr, manager):
    before = _snapshot(manager)

    with pytest.raises(ValidationError) as refusal:
        sheets.write_sheets(
            user=hr,
            writes=[
                sheets.SheetWrite(
                    Position.objects.get(pk=manager.pk),
                    sheets.SheetContent(
                        fields={"title": "长" * 101},
                        sections={"relationships": [{"kind": "external", "party": "方" * 101}]},
                    ),
                    label="职位第 2 行",
                )
            ],
            comment="",
        )

    assert refusal.value.messages == [
        "职位第 2 行：职位名称：确保该变量包含不超过 100 字符 (目前字符数 101)。"
    ]
    assert _snapshot(manager) == before


def test_writer_refuses_an_overlong_section_row_naming_the_row(hr, manager):
    rows = [{"kind": "external", "party": "客户"}, {"kind": "x", "party": "方" * 101}]

    with pytest.raises(ValidationError) as refusal:
        sheets.write_sheet(
            user=hr,
            position=Position.objects.get(pk=manager.pk),
            content=sheets.SheetContent(sections={"relationships": rows}),
            comment="",
        )

    assert sorted(refusal.value.messages) == sorted(
        [
            "工作关系第 2 行：对象：确保该变量包含不超过 100 字符 (目前字符数 101)。",
            "工作关系第 2 行：关系类型：值 'x' 不是有效选项。",
        ]
    )
    assert list(Relationship.objects.filter(position=manager).values_list("party", flat=True)) == [
        "客户",
        "财务部",
        "营销总监",
    ]


def test_writer_refuses_a_stale_lock_version_with_nothing_changed(hr, manager):
    stale = manager.lock_version
    sheets.write_sheet(
        user=hr,
        position=Position.objects.get(pk=manager.pk),
        content=sheets.SheetContent(fields={"location": "厦门市"}),
        expected_lock_version=stale,
        comment="先保存",
    )
    before = _snapshot(manager)

    with pytest.raises(sheets.EditConflict):
        sheets.write_sheet(
            user=hr,
            position=Position.objects.get(pk=manager.pk),
            content=sheets.SheetContent(fields={"summary": NEW_SUMMARY}),
            expected_lock_version=stale,
            comment="后保存",
        )

    assert _snapshot(manager) == before


def test_excel_import_of_a_sheet_changed_since_the_preview_conflicts(hr, manager):
    plan = plan_position_import(_excel_data(manager, NEW_SUMMARY), hr)
    assert plan.ok
    sheets.write_sheet(
        user=hr,
        position=Position.objects.get(pk=manager.pk),
        content=sheets.SheetContent(fields={"location": "厦门市"}),
        comment="他人在预览后保存",
    )
    before = _snapshot(manager)

    with pytest.raises(sheets.EditConflict):
        apply_plan(plan, hr)

    assert _snapshot(manager) == before


def _excel_data(position: Position, summary: str) -> bytes:
    admin = UserFactory(username="admin-export", is_superuser=True)
    (content,) = excel.contents_for(admin, Position.objects.filter(pk=position.pk))
    content.position["summary"] = summary
    return excel.position_workbook([content])


def test_writer_replaces_sections_keeping_row_identity(hr, manager):
    duties = list(Duty.objects.filter(position=manager).order_by("rank"))
    rows = [
        {"id": duties[2].pk, "title": "第三项提到最前", "tasks": "任务"},
        {"id": duties[0].pk},
        {"title": "新增职责", "tasks": "新任务"},
    ]

    sheets.write_sheet(
        user=hr,
        position=Position.objects.get(pk=manager.pk),
        content=sheets.SheetContent(sections={"duties": rows}),
        comment="调整职责",
    )

    stored = list(Duty.objects.filter(position=manager).order_by("rank"))
    assert [(d.rank, d.title) for d in stored] == [
        (1, "第三项提到最前"),
        (2, "销售计划1"),
        (3, "新增职责"),
    ]
    assert [stored[0].pk, stored[1].pk] == [duties[2].pk, duties[0].pk]
    assert not Duty.objects.filter(pk__in=[duties[1].pk, duties[3].pk]).exists()


@pytest.mark.parametrize("step", ["submit", "archive"])
def test_state_change_moves_lock_and_records_one_revision(step, hr, db):
    position = FullPositionFactory(status=Position.Status.DRAFT, reports_to=None)
    for report in Position.objects.filter(reports_to=position):
        report.reports_to = None
        report.save()
    before = Position.objects.get(pk=position.pk)
    revisions_before = _revisions(position).count()

    if step == "submit":
        workflow.submit(user=hr, position=position)
    else:
        editing.archive_position(user=hr, position=position)

    after = Position.objects.get(pk=position.pk)
    assert after.status == {"submit": "submitted", "archive": "archived"}[step]
    assert after.lock_version == before.lock_version + 1
    assert _revisions(position).count() == revisions_before + 1
    assert _revisions(position).first().revision.user == hr
    # The index follows the state: an archived sheet is not searched.
    indexed = SearchEntry.objects.filter(position=position).exists()
    assert indexed is (step == "submit")


def test_restore_of_a_state_outside_the_editors_scope_is_refused(manager):
    scoped = UserFactory(username="scoped")
    scoped.groups.add(role_group(HR_EDITOR))
    EditorScopeFactory(user=scoped, department=manager.department)
    elsewhere = DepartmentFactory(name="财务部", code="FZ-CW")
    home = manager.department_id
    for department_id in (elsewhere.pk, home):  # once in 财务部, then back
        sheets.write_sheet(
            user=None,
            position=Position.objects.get(pk=manager.pk),
            content=sheets.SheetContent(fields={"department_id": department_id}),
            comment="调整部门",
        )
    in_finance = _revisions(manager)[1]
    current = Position.objects.get(pk=manager.pk)
    before = _snapshot(manager)

    with pytest.raises(PermissionDenied) as refusal:
        history.restore_version(user=scoped, position=current, version_id=in_finance.pk)

    assert str(refusal.value) == "部门“财务部”不在您负责的范围内，不能把职位放入该部门。"
    assert _snapshot(manager) == before


# --- bulk writes: one revision per sheet, the checks answered for the whole batch -------------


def _held(revision) -> list[tuple[str, str, object]]:
    """What a revision holds: (model, object id, serialised fields) in the order stored."""
    return [
        (v.content_type.model, v.object_id, json.loads(v.serialized_data)[0]["fields"])
        for v in revision.version_set.order_by("pk")
    ]


def test_bulk_write_records_what_django_reversion_records(hr, manager):
    sheets.write_sheet(
        user=hr,
        position=Position.objects.get(pk=manager.pk),
        content=sheets.SheetContent(fields={"summary": NEW_SUMMARY}),
        comment="改职位概要",
    )
    written = _revisions(manager).first().revision
    # The same position recorded by django-reversion itself, for comparison.
    position = Position.objects.get(pk=manager.pk)
    with reversion.create_revision(manage_manually=True):
        reversion.add_to_revision(position)
        reversion.set_user(hr)
        reversion.set_comment("改职位概要")
    recorded = _revisions(manager).first().revision

    assert recorded.pk != written.pk
    assert (written.user, written.comment) == (hr, "改职位概要")
    assert _held(written) == _held(recorded)

    def stored(revision):
        rows = revision.version_set.order_by("pk")
        fields = ("content_type", "object_id", "db", "format", "serialized_data", "object_repr")
        return list(rows.values_list(*fields))

    assert stored(written) == stored(recorded)  # the very same text
    assert len(_held(written)) == 1 + _section_rows(position)


def _new_sheet(code: str, title: str, department_id: int, **fields) -> sheets.SheetWrite:
    content = sheets.SheetContent(
        fields={"code": code, "title": title, "department_id": department_id, **fields},
        sections={"duties": [{"title": "日常工作", "tasks": "按时完成。"}]},
    )
    return sheets.SheetWrite(None, content, label=f"{code}行")


def test_bulk_write_records_one_revision_per_sheet_with_its_rows(hr, manager):
    department = manager.department_id
    writes = [_new_sheet(f"FZ-NEW-{n}", f"新职位{n}", department) for n in range(1, 4)]

    written = sheets.write_sheets(user=hr, writes=writes, comment="批量新建")

    for position in written:
        (revision,) = [version.revision for version in _revisions(position)]
        assert (revision.user, revision.comment) == (hr, "批量新建")
        held = _held(revision)
        assert [model for model, _pk, _fields in held] == ["position", "duty"]
        assert held[0][2]["title"] == position.title
        assert held[1][2]["tasks"] == "按时完成。"


def test_bulk_write_refuses_a_code_taken_earlier_in_the_same_batch(hr, manager):
    department = manager.department_id
    writes = [
        _new_sheet("FZ-NEW-1", "新职位甲", department),
        _new_sheet("FZ-NEW-1", "新职位乙", department),
    ]
    count = Position.objects.count()

    with pytest.raises(ValidationError) as refusal:
        sheets.write_sheets(user=hr, writes=writes, comment="批量新建")

    assert refusal.value.messages == [
        "FZ-NEW-1行：职位编号：职位编号“FZ-NEW-1”已被“新职位甲”使用。"
    ]
    assert Position.objects.count() == count


def test_bulk_write_refuses_a_code_held_by_a_stored_position(hr, manager):
    writes = [_new_sheet(manager.code, "新职位", manager.department_id)]

    with pytest.raises(ValidationError) as refusal:
        sheets.write_sheets(user=hr, writes=writes, comment="批量新建")

    assert refusal.value.messages == [
        f"{manager.code}行：职位编号：职位编号“{manager.code}”已被“{manager.title}”使用。"
    ]


def test_bulk_write_lets_a_code_pass_to_another_sheet_once_released(hr, manager):
    old_code = manager.code
    release = sheets.SheetWrite(
        Position.objects.get(pk=manager.pk),
        sheets.SheetContent(fields={"code": "FZ-XS-RENAMED"}),
    )
    take = _new_sheet(old_code, "接任编号的职位", manager.department_id)

    sheets.write_sheets(user=hr, writes=[release, take], comment="调整编号")

    assert Position.objects.get(code=old_code).title == "接任编号的职位"


def test_bulk_write_refuses_a_superior_that_does_not_exist(hr, manager):
    writes = [_new_sheet("FZ-NEW-1", "新职位", manager.department_id, reports_to_id=999999)]

    with pytest.raises(ValidationError) as refusal:
        sheets.write_sheets(user=hr, writes=writes, comment="批量新建")

    (message,) = refusal.value.messages
    assert message.startswith("FZ-NEW-1行：直接上级：")
    assert "999999" in message


# --- create_sheets: the bulk entry point for new sheets (the data generator) -------------------


def _new_created_sheet(
    department, code: str, *, title: str = "置业顾问", key: str = "", boss: str = ""
):
    return sheets.SheetWrite(
        position=None,
        content=sheets.SheetContent(
            fields={"title": title, "code": code, "department_id": department.pk},
            sections={
                "duties": [{"title": "客户接待", "tasks": "接待来访客户", "kind": "key"}],
                "indicators": [{"name": "成交率"}],
                "qualification": [{"education": "bachelor", "experience_years": 2}],
            },
            reports_to_key=boss,
        ),
        key=key,
        label=f"第 {code} 号",
    )


def test_create_sheets_records_the_revision_reversion_itself_records(db):
    department = DepartmentFactory()
    boss, staff = sheets.create_sheets(
        writes=[
            _new_created_sheet(department, "BULK-1", title="销售经理", key="b"),
            _new_created_sheet(department, "BULK-2", boss="b"),
        ],
        comment="生成模拟数据",
    )

    assert Position.objects.get(pk=staff.pk).reports_to_id == boss.pk
    for position in (boss, staff):
        (bulk,) = _revisions(position)
        assert bulk.revision.comment == "生成模拟数据" and bulk.revision.user is None
        # The same objects recorded by django-reversion's own create_revision (the writer's
        # one-by-one path) give the same versions, byte for byte.
        sheets._record_revision(None, Position.objects.with_sheet().get(pk=position.pk), "对照")
        reference = _revisions(position).get(revision__comment="对照")

        def recorded(revision):
            return sorted(
                (v.content_type.model, v.object_id, v.serialized_data, v.object_repr)
                for v in revision.version_set.all()
            )

        assert recorded(bulk.revision) == recorded(reference.revision)
        assert len(recorded(bulk.revision)) == 4  # the position, a duty, an indicator, 任职资格
        assert SearchEntry.objects.filter(position=position, text=position.title).exists()


def test_create_sheets_refuses_a_code_used_twice_in_the_batch_and_writes_nothing(db):
    department = DepartmentFactory()
    with pytest.raises(ValidationError, match="第 DUP-1 号：职位编号“DUP-1”已被“置业顾问”使用"):
        sheets.create_sheets(
            writes=[
                _new_created_sheet(department, "DUP-1"),
                _new_created_sheet(department, "DUP-1"),
            ],
            comment="生成模拟数据",
        )
    assert not Position.objects.filter(code="DUP-1").exists()


def test_create_sheets_refuses_an_overlong_title_in_chinese_and_writes_nothing(db):
    department = DepartmentFactory()
    with pytest.raises(ValidationError, match="第 LONG-2 号：职位名称"):
        sheets.create_sheets(
            writes=[
                _new_created_sheet(department, "LONG-1"),
                _new_created_sheet(department, "LONG-2", title="长" * 300),
            ],
            comment="生成模拟数据",
        )
    assert not Position.objects.filter(code__startswith="LONG-").exists()


def test_create_sheets_only_creates(hr, manager):
    write = sheets.SheetWrite(position=manager, content=sheets.SheetContent(fields={"title": "x"}))
    with pytest.raises(ValueError, match="only creates"):
        sheets.create_sheets(writes=[write], comment="生成模拟数据")


def test_create_sheets_refuses_a_superior_that_does_not_exist(db):
    department = DepartmentFactory()
    write = _new_created_sheet(department, "NOBOSS-1")
    write = dataclasses.replace(
        write,
        content=dataclasses.replace(
            write.content, fields={**write.content.fields, "reports_to_id": 987654}
        ),
    )
    with pytest.raises(ValidationError, match="第 NOBOSS-1 号：所选直接上级职位不存在。"):
        sheets.create_sheets(writes=[write], comment="生成模拟数据")
    assert not Position.objects.filter(code="NOBOSS-1").exists()


def test_create_sheets_refuses_a_code_already_stored_in_chinese_and_writes_nothing(db):
    department = DepartmentFactory()
    FullPositionFactory(code="HELD-1", title="销售经理", department=department)
    with pytest.raises(
        ValidationError, match=r"第 HELD-1 号：.*职位编号“HELD-1”已被“销售经理”使用。"
    ):
        sheets.create_sheets(
            writes=[
                _new_created_sheet(department, "NEW-1"),
                _new_created_sheet(department, "HELD-1"),
            ],
            comment="生成模拟数据",
        )
    assert not Position.objects.filter(code="NEW-1").exists()


def test_create_sheets_refuses_a_department_that_does_not_exist(db):
    department = DepartmentFactory()
    gone = DepartmentFactory()
    gone_id = gone.pk
    gone.delete()
    missing = _new_created_sheet(department, "NODEPT-1")
    missing.content.fields["department_id"] = gone_id
    with pytest.raises(ValidationError, match="第 NODEPT-1 号：所选部门不存在。"):
        sheets.create_sheets(writes=[missing], comment="生成模拟数据")
    assert not Position.objects.filter(code="NODEPT-1").exists()


def test_create_sheets_query_count_does_not_grow_with_the_batch(db):
    department = DepartmentFactory()
    sheets.create_sheets(writes=[_new_created_sheet(department, "WARM-1")], comment="预热")
    with CaptureQueriesContext(connection) as two:
        sheets.create_sheets(
            writes=[_new_created_sheet(department, f"TWO-{n}") for n in range(2)], comment="两份"
        )
    with CaptureQueriesContext(connection) as many:
        sheets.create_sheets(
            writes=[_new_created_sheet(department, f"MANY-{n}") for n in range(30)], comment="多份"
        )

    def lookups(context):  # SQLite splits a long INSERT by its variable limit: not counted
        return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("INSERT")]

    assert len(lookups(many)) == len(lookups(two))
    assert Position.objects.filter(code__startswith="MANY-").count() == 30
