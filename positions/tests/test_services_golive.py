"""Go-live: files' own sign-off kept as 「原文件签核」, and files imported as historical V1s."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from reversion.models import Version as Revision

from audit.models import AuditEvent
from positions import permissions
from positions.models import Department, Position, SearchEntry, Version, WorkflowEvent
from positions.services import golive, sheets, workflow
from positions.services.versions import read_sheet
from positions.sheet import build_sheet
from positions.tests.factories import EditorScopeFactory, UserFactory
from positions.tests.workflow_helpers import demo_world

pytestmark = pytest.mark.django_db

D = datetime.date


def new_sheet(title: str, department: Department, label: str = "") -> sheets.SheetWrite:
    return sheets.SheetWrite(
        position=None,
        content=sheets.SheetContent(
            fields={"title": title, "department_id": department.pk},
            sections={"duties": [{"tasks": f"{title}的日常工作"}]},
        ),
        label=label or f"{title}.docx",
    )


SIGNED = golive.OriginalSignoff(
    prepared_by_name="李鸿飞",
    prepared_at=D(2006, 8, 16),
    reviewed_by_name="郑长胜",
    reviewed_at=D(2006, 8, 20),
    approved_by_name="赵总",
    approved_at=D(2006, 8, 28),
    source="案场主管.docx",
)


@pytest.fixture
def sales(seed) -> Department:
    return Department.objects.get(name="销售部")


def entries(position: Position) -> list[tuple[str, str, str, datetime.date | None]]:
    return [
        (e.get_action_display(), e.get_signoff_step_display(), e.signer_name, e.signed_on)
        for e in position.workflow_events.filter(action="original_signoff").order_by("pk")
    ]


def test_import_in_force_makes_each_sheet_a_historical_v1_with_the_file_signatures(sales, hr_user):
    (version,) = golive.import_in_force(hr_user, [new_sheet("案场主管", sales)], [SIGNED])

    position = Position.objects.with_sheet().get(pk=version.position_id)
    assert (position.status, position.current_version, version.number) == (
        Position.Status.PUBLISHED,
        version,
        1,
    )
    assert version.is_historical
    assert (version.prepared_by_name, version.reviewed_by_name, version.approved_by_name) == (
        "李鸿飞",
        "郑长胜",
        "赵总",
    )
    assert version.effective_date == D(2006, 8, 28)
    printed = read_sheet(UserFactory(), position).sheet  # a reader without draft rights
    assert [(box.label, box.name, box.date) for box in printed.sign_offs] == [
        ("编制", "李鸿飞", "2006-08-16"),
        ("审核", "郑长胜", "2006-08-20"),
        ("审批", "赵总", "2006-08-28"),
    ]
    assert (printed.version_label, printed.effective_date) == ("V1", "2006-08-28")
    assert position.prepared_by is None  # signed on paper, by nobody's account


def test_import_in_force_logs_historical_import_in_the_records_history_and_audit(sales, hr_user):
    (version,) = golive.import_in_force(hr_user, [new_sheet("案场主管", sales)], [SIGNED])
    position = version.position

    logged = position.workflow_events.get(action="historical_import")
    assert (logged.get_action_display(), logged.actor, logged.comment) == (
        "历史文件导入",
        hr_user,
        "案场主管.docx：V1 生效",
    )
    assert (logged.get_from_status_display(), logged.get_to_status_display()) == (
        "草稿",
        "已生效",
    )
    (revision,) = Revision.objects.get_for_object(position)
    assert revision.revision.comment == "历史文件导入"
    event = AuditEvent.objects.get(object_id=str(position.pk), object_type="positions.position")
    assert (event.get_action_display(), event.user, event.object_label) == (
        "历史文件导入",
        hr_user,
        "案场主管",
    )


def test_import_in_force_records_the_original_signoff_with_exact_names_and_dates(sales, hr_user):
    (version,) = golive.import_in_force(hr_user, [new_sheet("案场主管", sales)], [SIGNED])

    assert entries(version.position) == [
        ("原文件签核", "编制", "李鸿飞", D(2006, 8, 16)),
        ("原文件签核", "审核", "郑长胜", D(2006, 8, 20)),
        ("原文件签核", "审批", "赵总", D(2006, 8, 28)),
    ]
    first = version.position.workflow_events.filter(action="original_signoff").first()
    assert first.comment == "来自文件 案场主管.docx"


def test_import_in_force_of_a_batch_writes_every_sheet_as_v1(sales, hr_user):
    writes = [new_sheet(f"上线岗位{n:03d}", sales) for n in range(40)]
    signed = [golive.OriginalSignoff(prepared_by_name=f"编制人{n}") for n in range(40)]

    versions = golive.import_in_force(hr_user, writes, signed)

    assert [v.number for v in versions] == [1] * 40
    stored = Position.objects.filter(title__startswith="上线岗位")
    assert stored.filter(status="published", current_version__number=1).count() == 40
    assert Version.objects.get(title="上线岗位007").prepared_by_name == "编制人7"
    # The search was reindexed once, after the versions existed: readers find the V1s.
    indexed = SearchEntry.objects.filter(position__in=stored, source="version", section="title")
    assert indexed.count() == 40


def test_import_in_force_refused_to_a_scoped_hr_editor_in_chinese(sales):
    scoped = UserFactory(username="hr-scoped")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=sales)
    before = (Position.objects.count(), Version.objects.count(), WorkflowEvent.objects.count())

    with pytest.raises(PermissionDenied) as refused:
        golive.import_in_force(scoped, [new_sheet("案场主管", sales)], [SIGNED])

    assert str(refused.value) == (
        "只有不限部门范围的 HR 编辑可以作为已生效版本导入；请导入为草稿后提交审核。"
    )
    assert (
        Position.objects.count(),
        Version.objects.count(),
        WorkflowEvent.objects.count(),
    ) == before


def test_writer_refuses_a_signed_state_to_a_scoped_hr_editor(sales):
    scoped = UserFactory(username="hr-scoped")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=sales)
    write = new_sheet("案场主管", sales)
    signed = sheets.SheetWrite(write.position, write.content, state={"status": "published"})

    with pytest.raises(PermissionDenied, match="只有不限部门范围的 HR 编辑"):
        sheets.write_sheets(user=scoped, writes=[signed], comment="x")
    assert not Position.objects.filter(title="案场主管").exists()


def test_import_in_force_refuses_a_position_with_a_version_in_force(sales, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    update = sheets.SheetWrite(
        position=clerk,
        content=sheets.SheetContent(fields={"title": "售楼员"}),
        label="售楼员.docx",
    )
    new = new_sheet("案场主管", sales)

    with pytest.raises(ValidationError) as refused:
        golive.import_in_force(hr_user, [new, update], [SIGNED, SIGNED])

    assert refused.value.messages == [
        "售楼员.docx：职位“售楼员”已有生效版本 V1，不能再作为历史文件导入；请导入为草稿后提交审核。"
    ]
    assert not Position.objects.filter(title="案场主管").exists()


def test_record_original_signoffs_keeps_the_draft_unsigned_and_records_once(sales, hr_user):
    position = sheets.write_sheet(
        user=hr_user, position=None, content=new_sheet("案场主管", sales).content, comment="导入"
    )
    partly = golive.OriginalSignoff(
        prepared_by_name="李鸿飞", prepared_at=D(2006, 8, 16), reviewed_by_name="郑长胜"
    )

    golive.record_original_signoffs(hr_user, [(position, partly)])
    golive.record_original_signoffs(hr_user, [(position, partly)])  # the same file again

    assert entries(position) == [
        ("原文件签核", "编制", "李鸿飞", D(2006, 8, 16)),
        ("原文件签核", "审核", "郑长胜", None),
    ]
    position.refresh_from_db()
    assert (position.status, position.prepared_by_name, position.reviewed_by_name) == (
        Position.Status.DRAFT,
        "",
        "",
    )
    assert build_sheet(Position.objects.with_sheet().get(pk=position.pk)).sign_offs[0].name == ""


def test_a_returned_draft_stays_in_the_queue_after_its_file_signoff_is_recorded(seed, settings):
    demo = demo_world(settings)
    workflow.submit(user=demo.hr, position=demo.draft)
    workflow.reject(user=demo.manager, position=demo.draft, comment="请补充职责")
    draft = Position.objects.get(pk=demo.draft.pk)

    golive.record_original_signoffs(demo.hr, [(draft, SIGNED)])

    (returned,) = workflow.workflow_queue(demo.hr).returned
    assert (returned, returned.last_comment) == (draft, "请补充职责")
