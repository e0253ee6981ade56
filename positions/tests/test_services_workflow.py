"""The workflow services: submit → review → approve, reject, and who may do each step."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version as Revision

from positions import permissions
from positions.models import Department, Position, SearchEntry, WorkflowEvent
from positions.services import workflow
from positions.services.review import add_months
from positions.tests.factories import EmployeeFactory, PositionFactory, UserFactory
from positions.tests.workflow_helpers import Demo, demo_world, marketing_manager, second_hr

pytestmark = pytest.mark.django_db
Status = Position.Status


@pytest.fixture
def demo(seed, settings) -> Demo:
    return demo_world(settings)


def fresh(user):
    permissions.forget_access(user)
    return user


def test_full_path_publishes_with_names_dates_events_and_revisions(demo):
    today = timezone.localdate()
    lock = demo.draft.lock_version

    position = workflow.submit(user=demo.hr, position=demo.draft)
    assert position.status == Status.SUBMITTED
    assert (position.prepared_by, position.prepared_by_name, position.prepared_at) == (
        demo.hr,
        "王人事",
        today,
    )
    position = workflow.review(user=demo.manager, position=position)
    assert position.status == Status.REVIEWED
    assert (position.reviewed_by, position.reviewed_by_name, position.reviewed_at) == (
        demo.manager,
        "陈经理",
        today,
    )
    position = workflow.approve(user=demo.director, position=position)

    stored = Position.objects.get(pk=demo.draft.pk)
    assert stored.status == Status.PUBLISHED
    assert (stored.approved_by, stored.approved_by_name, stored.approved_at) == (
        demo.director,
        "赵总",
        today,
    )
    assert stored.next_review_on == add_months(today, stored.review_interval_months)
    assert stored.lock_version == lock + 3
    events = list(WorkflowEvent.objects.filter(position=stored).order_by("pk"))
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in events] == [
        ("submit", demo.hr, Status.DRAFT, Status.SUBMITTED),
        ("review", demo.manager, Status.SUBMITTED, Status.REVIEWED),
        ("approve", demo.director, Status.REVIEWED, Status.PUBLISHED),
    ]
    comments = [
        v.revision.comment
        for v in Revision.objects.get_for_object(stored).select_related("revision").order_by("pk")
    ]
    assert comments[-3:] == ["提交审核", "审核通过", "审批通过，V1 生效"]
    v1 = stored.current_version
    assert (v1.number, v1.title, v1.code, v1.effective_date) == (1, "售楼员", "FZ-XS-101", today)
    assert (v1.prepared_by, v1.reviewed_by, v1.approved_by) == (
        demo.hr,
        demo.manager,
        demo.director,
    )
    assert [(s["label"], s["name"], s["date"]) for s in v1.sheet["sign_offs"]] == [
        ("编制", "王人事", today.isoformat()),
        ("审核", "陈经理", today.isoformat()),
        ("审批", "赵总", today.isoformat()),
    ]
    assert v1.sheet["version"] == 1 and v1.sheet["is_published"] is True


def test_preparer_may_neither_review_nor_approve(demo):
    hr = demo.hr
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=hr, position=demo.draft)
    with pytest.raises(PermissionDenied, match="编制人不能审核自己编制的职位说明书"):
        workflow.review(user=hr, position=position)
    assert not permissions.can_review(hr, position)
    # Even a superuser who prepared it.
    admin_draft = Position.objects.get(code="FZ-XS-001")
    Position.objects.filter(pk=admin_draft.pk).update(status=Status.DRAFT)
    admin_draft.refresh_from_db()
    admin_draft = workflow.submit(user=demo.admin, position=admin_draft)
    with pytest.raises(PermissionDenied, match="编制人不能审核"):
        workflow.review(user=demo.admin, position=admin_draft)
    admin_draft = workflow.review(user=second_hr(), position=admin_draft)
    with pytest.raises(PermissionDenied, match="编制人不能审批自己编制的职位说明书"):
        workflow.approve(user=demo.admin, position=admin_draft)
    assert Position.objects.get(pk=admin_draft.pk).status == Status.REVIEWED


def test_reviewer_may_not_also_approve(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    # 陈经理 is a 部门经理 of 销售部 and would otherwise qualify as approver.
    with pytest.raises(PermissionDenied, match="审核人不能同时审批"):
        workflow.approve(user=demo.manager, position=position)
    assert not permissions.can_approve(demo.manager, position)
    assert permissions.can_approve(demo.director, position)


def test_superuser_reviewer_may_not_approve_either(demo):
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.admin, position=position)
    with pytest.raises(PermissionDenied, match="审核人不能同时审批"):
        workflow.approve(user=demo.admin, position=position)


def test_reviewer_and_approver_of_another_department_cannot_act(demo):
    other = marketing_manager()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    with pytest.raises(PermissionDenied, match="由本部门的部门经理审核"):
        workflow.review(user=other, position=position)
    with pytest.raises(PermissionDenied):
        workflow.reject(user=other, position=position, comment="不同意")
    position = workflow.review(user=demo.manager, position=position)
    with pytest.raises(PermissionDenied, match="由本部门或上级部门的部门经理审批"):
        workflow.approve(user=other, position=position)
    assert Position.objects.get(pk=position.pk).status == Status.REVIEWED


def test_director_may_not_review_a_sub_department_manager_reviewed_sheet(demo):
    """Manager review is by a manager of exactly the department, not of a parent."""
    position = workflow.submit(user=demo.hr, position=demo.draft)
    with pytest.raises(PermissionDenied):
        workflow.review(user=demo.director, position=position)


def test_hr_review_needs_scope(demo):
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    outsider = second_hr("hr-marketing", scope=Department.objects.get(name="营销策划部"))
    with pytest.raises(PermissionDenied, match="由负责该部门的 HR 编辑审核"):
        workflow.review(user=outsider, position=position)
    with pytest.raises(PermissionDenied):
        workflow.review(user=demo.manager, position=position)
    insider = second_hr("hr-fuzhou", scope=demo.sales.parent)
    position = workflow.review(user=insider, position=position)
    assert position.reviewed_by_name == "李人事"


def test_submit_needs_an_hr_editor_in_scope_and_a_draft(demo):
    with pytest.raises(PermissionDenied, match="HR 编辑"):
        workflow.submit(user=demo.manager, position=demo.draft)
    outsider = second_hr("hr-marketing", scope=Department.objects.get(name="营销策划部"))
    with pytest.raises(PermissionDenied):
        workflow.submit(user=outsider, position=demo.draft)
    position = workflow.submit(user=demo.hr, position=demo.draft)
    with pytest.raises(ValidationError, match="当前状态为“待审核”"):
        workflow.submit(user=demo.hr, position=position)
    with pytest.raises(ValidationError, match="待审核"):
        workflow.approve(user=demo.director, position=position)


def test_reject_requires_a_comment(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    for blank in ("", "   \n"):
        with pytest.raises(ValidationError, match="请填写退回意见"):
            workflow.reject(user=demo.manager, position=position, comment=blank)
    assert Position.objects.get(pk=position.pk).status == Status.SUBMITTED
    assert not WorkflowEvent.objects.filter(action="reject").exists()


def test_reject_at_approval_returns_to_draft_and_clears_the_round(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    lock = position.lock_version
    position = workflow.reject(
        user=demo.director, position=position, comment="  职责第3条请补充考核要点。 "
    )
    stored = Position.objects.get(pk=position.pk)
    assert stored.status == Status.DRAFT
    assert stored.lock_version == lock + 1
    assert (stored.reviewed_by, stored.reviewed_by_name, stored.reviewed_at) == (None, "", None)
    assert (stored.approved_by, stored.approved_by_name, stored.approved_at) == (None, "", None)
    assert stored.prepared_by == demo.hr  # the preparer keeps the returned draft
    event = WorkflowEvent.objects.get(action="reject")
    assert (event.from_status, event.to_status, event.comment) == (
        Status.REVIEWED,
        Status.DRAFT,
        "职责第3条请补充考核要点。",
    )
    revision = Revision.objects.get_for_object(stored).order_by("-pk").first().revision
    assert revision.comment == "退回：职责第3条请补充考核要点。"
    # Resubmitted, it goes round again.
    position = workflow.submit(user=demo.hr, position=stored)
    assert position.status == Status.SUBMITTED


def test_reject_at_review(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.reject(user=demo.manager, position=position, comment="请修改")
    assert position.status == Status.DRAFT
    with pytest.raises(ValidationError, match="草稿"):
        workflow.reject(user=demo.manager, position=position, comment="再退一次")


def test_transition_conflicts_with_an_editor_open_on_the_old_state(demo):
    opened_at = demo.draft.lock_version
    workflow.submit(user=demo.hr, position=demo.draft)
    assert not Position.objects.filter(pk=demo.draft.pk, lock_version=opened_at).update(
        lock_version=F("lock_version") + 1
    )


def test_queues_per_account(demo):
    other = marketing_manager()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    queue = workflow.workflow_queue
    assert queue(fresh(demo.manager)).to_review == (Position.objects.get(pk=position.pk),)
    for user in (demo.hr, demo.director, demo.employee, other):
        assert queue(fresh(user)).to_review == ()
    assert permissions.workflow_queue_count(demo.manager) == 1
    position = workflow.review(user=demo.manager, position=position)
    assert queue(demo.manager).to_review == () and queue(demo.manager).to_approve == ()
    assert [p.pk for p in queue(demo.director).to_approve] == [position.pk]
    assert queue(demo.admin).to_approve and queue(other).to_approve == ()
    assert permissions.workflow_queue_count(demo.director) == 1
    assert permissions.workflow_queue_count(demo.employee) == 0
    workflow.reject(user=demo.director, position=position, comment="请补充任职资格")
    returned = queue(demo.hr).returned
    assert [p.pk for p in returned] == [position.pk]
    assert returned[0].last_comment == "请补充任职资格"
    assert queue(demo.hr).count == 1  # the returned draft waits for its preparer
    assert permissions.workflow_queue_count(demo.hr) == 1
    assert queue(demo.director).to_approve == ()
    workflow.submit(user=demo.hr, position=Position.objects.get(pk=position.pk))
    assert queue(demo.hr).returned == ()


def test_hr_review_queue_respects_scope_and_preparer(demo):
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    assert workflow.workflow_queue(demo.hr).to_review == ()  # their own
    insider = second_hr("hr-fuzhou", scope=demo.sales.parent)
    outsider = second_hr("hr-marketing", scope=Department.objects.get(name="营销策划部"))
    assert [p.pk for p in workflow.workflow_queue(insider).to_review] == [position.pk]
    assert workflow.workflow_queue(outsider).to_review == ()
    assert workflow.workflow_queue(demo.manager).to_review == ()


def test_workflow_steps(demo):
    steps = workflow.workflow_steps(demo.draft)
    assert [(s.label, s.state) for s in steps] == [
        ("编制", "current"),
        ("审核", "pending"),
        ("审批", "pending"),
        ("生效", "pending"),
    ]
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    position = workflow.approve(user=demo.director, position=position)
    steps = workflow.workflow_steps(position)
    assert [s.state for s in steps] == ["done"] * 4
    assert [s.name for s in steps[:3]] == ["王人事", "陈经理", "赵总"]
    assert steps[3].date == timezone.localdate()


def test_dates_are_shanghai_dates(demo):
    # 2025-01-01 20:00 UTC is already 2 January in Shanghai.
    instant = datetime.datetime(2025, 1, 1, 20, 0, tzinfo=datetime.UTC)
    with time_machine.travel(instant, tick=False):
        position = workflow.submit(user=demo.hr, position=demo.draft)
    assert position.prepared_at == datetime.date(2025, 1, 2)


def test_review_and_approve_keep_an_optional_comment(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position, comment="  职责清楚，同意。 ")
    position = workflow.approve(user=demo.director, position=position, comment="同意生效。")
    comments = dict(
        WorkflowEvent.objects.filter(position=position).values_list("action", "comment")
    )
    assert comments == {"submit": "", "review": "职责清楚，同意。", "approve": "同意生效。"}


def test_review_and_approve_without_a_comment_record_none(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.approve(
        user=demo.director, position=workflow.review(user=demo.manager, position=position)
    )
    assert set(WorkflowEvent.objects.values_list("comment", flat=True)) == {""}


def test_next_actors_names_up_to_three_people_else_the_role_and_department(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    actors = workflow.next_actors([position])[position.pk]
    assert (actors.label, actors.nobody) == ("待 陈经理 审核", False)
    sales_manager = Position.objects.get(code="FZ-XS-001")

    def hire_manager(username: str, name: str) -> None:
        user = UserFactory(username=username, first_name=name)
        user.groups.add(permissions.role_group(permissions.MANAGER))
        EmployeeFactory(user=user, name=name, position=sales_manager)

    hire_manager("manager-wu", "吴经理")
    hire_manager("manager-zheng", "郑经理")
    assert workflow.next_actors([position])[position.pk].label == "待 吴经理、郑经理、陈经理 审核"
    hire_manager("manager-sun", "孙经理")
    assert workflow.next_actors([position])[position.pk].label == "待 销售部 部门经理 审核"
    # At 待审批: the managers of 销售部 and above (赵总), never the reviewer.
    position = workflow.review(user=demo.manager, position=position)
    assert (
        workflow.next_actors([position])[position.pk].label == "待 销售部及上级部门 部门经理 审批"
    )


def test_next_actors_follow_the_reviewer_role_scope_and_preparer(demo):
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    # The only HR editor prepared it: nobody may review — the dead end the page now shows.
    actors = workflow.next_actors([position])[position.pk]
    assert (actors.label, actors.nobody) == ("待 负责销售部的 HR 编辑 审核", True)
    second_hr("hr-fuzhou", scope=demo.sales.parent)
    second_hr("hr-marketing", scope=Department.objects.get(name="营销策划部"))
    actors = workflow.next_actors([position])[position.pk]
    assert (actors.label, actors.nobody) == ("待 李人事 审核", False)
    assert workflow.next_actors([Position.objects.get(code="FZ-XS-001")]) == {}  # published


def test_next_actors_take_the_same_queries_for_one_or_many_positions(demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    others = []
    for other in Position.objects.filter(department=demo.sales, title__in=("销售经理", "收款文员")):
        Position.objects.filter(pk=other.pk).update(status=Status.DRAFT)
        others.append(workflow.submit(user=demo.hr, position=Position.objects.get(pk=other.pk)))
    others[0] = workflow.review(user=demo.manager, position=others[0])
    assert len(others) == 2

    def count(positions) -> int:
        ids = [p.pk for p in positions]
        fetched = list(Position.objects.filter(pk__in=ids).select_related("department"))
        with CaptureQueriesContext(connection) as queries:
            workflow.next_actors(fetched)
        return len(queries)

    assert count([position]) == count([position, *others])


# --- batch steps ---------------------------------------------------------------------------------


def sales_drafts(demo: Demo, count: int) -> list[Position]:
    return [demo.draft] + [
        PositionFactory(
            title=f"批量岗位{n}", code=f"FZ-XS-2{n:02d}", department=demo.sales, status=Status.DRAFT
        )
        for n in range(1, count)
    ]


def outcomes(result: workflow.BatchResult) -> list[tuple[str, bool, str]]:
    return [(o.title, o.done, o.message) for o in result.outcomes]


def test_batch_takes_each_step_with_one_comment_and_reports_each_sheet(demo):
    drafts = sales_drafts(demo, 3)
    ids = [p.pk for p in drafts]

    submitted = workflow.batch(user=demo.hr, action="submit", ids=ids)
    reviewed = workflow.batch(user=demo.manager, action="review", ids=ids, comment="同意")
    approved = workflow.batch(user=demo.director, action="approve", ids=ids, comment="准予生效")

    assert [o.done for o in submitted.outcomes + reviewed.outcomes] == [True] * 6
    assert outcomes(approved) == [(p.title, True, "已生效 V1") for p in drafts]
    for position in Position.objects.filter(pk__in=ids):
        assert position.status == Status.PUBLISHED and position.current_version.number == 1
        assert (position.prepared_by, position.reviewed_by, position.approved_by) == (
            demo.hr,
            demo.manager,
            demo.director,
        )
    comments = WorkflowEvent.objects.filter(position_id__in=ids, action="review")
    assert set(comments.values_list("comment", flat=True)) == {"同意"}
    # The search was reindexed once at the end of each batch: readers find the versions.
    versions = SearchEntry.objects.filter(position_id__in=ids, source="version", section="title")
    assert versions.count() == 3


def test_batch_checks_separation_of_duties_per_sheet(demo):
    mine, other = sales_drafts(demo, 2)
    workflow.batch(user=demo.hr, action="submit", ids=[mine.pk, other.pk])
    # 陈经理 reviews one; the other is reviewed by the director (a superior holds no review
    # right in 销售部, so a superuser reviews it).
    workflow.review(user=demo.manager, position=mine)
    workflow.review(user=demo.admin, position=other)

    result = workflow.batch(user=demo.manager, action="approve", ids=[mine.pk, other.pk])

    assert outcomes(result) == [
        (mine.title, False, "审核人不能同时审批同一份职位说明书。"),
        (other.title, True, "已生效 V1"),
    ]
    assert Position.objects.get(pk=mine.pk).status == Status.REVIEWED


def test_batch_refuses_the_preparer_as_reviewer_and_a_sheet_in_another_state(demo):
    (draft,) = sales_drafts(demo, 1)
    published = Position.objects.get(code="FZ-XS-001")
    workflow.submit(user=demo.admin, position=draft)

    result = workflow.batch(user=demo.admin, action="review", ids=[draft.pk, published.pk])

    assert outcomes(result) == [
        (draft.title, False, "编制人不能审核自己编制的职位说明书。"),
        (
            "销售经理",
            False,
            "职位“销售经理”当前状态为“已生效”，不能执行此操作（可能已被他人处理，请刷新页面）。",
        ),
    ]


def test_batch_never_names_a_sheet_the_user_cannot_see(demo):
    hidden = Position.objects.create(
        title="保密岗位", department=Department.objects.get(name="营销策划部")
    )
    manager = fresh(demo.manager)

    result = workflow.batch(user=manager, action="review", ids=[hidden.pk])

    assert outcomes(result) == [("", False, "职位不存在或您无权查看。")]


@pytest.mark.parametrize(
    ("action", "ids", "comment", "message"),
    [
        ("publish", [1], "", "未知的操作，请重新选择。"),
        ("review", [], "", "请至少选择一份职位说明书。"),
        ("reject", [1], " ", "请填写退回意见。"),
        (
            "review",
            list(range(1, 502)),
            "",
            "一次最多批量办理 500 份职位说明书，您选择了 501 份，请分批办理。",
        ),
    ],
)
def test_batch_refuses_bad_input_with_nothing_done(demo, action, ids, comment, message):
    before = WorkflowEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        workflow.batch(user=demo.hr, action=action, ids=ids, comment=comment)

    assert refused.value.messages == [message]
    assert WorkflowEvent.objects.count() == before
