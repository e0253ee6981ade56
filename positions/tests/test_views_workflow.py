"""The workflow page, the 待办 queue, the 流程/审批 button and the navigation badge."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from positions.models import Department, Position, WorkflowEvent
from positions.services import workflow
from positions.tests.editing_helpers import editor_data
from positions.tests.factories import PositionFactory
from positions.tests.text import compact, page_text
from positions.tests.workflow_helpers import Demo, demo_world, marketing_manager

pytestmark = pytest.mark.django_db
Status = Position.Status


@pytest.fixture
def demo(seed, settings) -> Demo:
    return demo_world(settings)


def url(position: Position) -> str:
    return reverse("positions:position-workflow", kwargs={"pk": position.pk})


def as_user(client, user):
    client.force_login(user)
    return client


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_full_path_through_the_pages_shows_names_and_dates_on_sheet_and_pdf(client, demo):
    today = timezone.localdate().isoformat()
    page = url(demo.draft)
    for user, action, message in (
        (demo.hr, "submit", "已提交审核"),
        (demo.manager, "review", "已审核通过"),
        (demo.director, "approve", "已审批通过"),
    ):
        as_user(client, user)
        response = client.get(page)
        assert f'id="action-{action}"' in response.content.decode()
        confirmed = {"confirmed": "1"} if action == "approve" else {}
        response = client.post(page, {"action": action, **confirmed}, follow=True)
        assert response.redirect_chain == [(page, 302)]
        assert message in response.content.decode()
    assert Position.objects.get(pk=demo.draft.pk).status == Status.PUBLISHED

    as_user(client, demo.employee)
    sheet = client.get(demo.draft.get_absolute_url()).content.decode()
    for name in ("王人事", "陈经理", "赵总"):
        assert name in sheet
    assert sheet.count(today) >= 3
    response = client.get(reverse("positions:position-pdf", kwargs={"pk": demo.draft.pk}))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for name in ("王人事", "陈经理", "赵总"):
        assert name in text
    assert text.count(today) >= 3
    assert "V1" in text and "草稿" not in text  # published as V1: no watermark


def test_page_shows_stepper_log_and_only_the_users_actions(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    as_user(client, demo.hr)
    html = client.get(url(position)).content.decode()
    assert 'id="workflow-stepper"' in html and "王人事" in html
    assert "提交审核" in html  # the log
    assert 'id="action-review"' not in html and 'id="reject-form"' not in html
    assert 'id="workflow-no-actions"' in html
    as_user(client, demo.manager)
    html = client.get(url(position)).content.decode()
    assert 'id="action-review"' in html and 'id="reject-form"' in html
    assert 'id="action-approve"' not in html


def test_preparer_posting_review_is_refused(client, demo):
    demo.sales.reviewer_role = Department.ReviewerRole.HR_EDITOR
    demo.sales.save()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    response = as_user(client, demo.hr).post(url(position), {"action": "review"})
    assert response.status_code == 403
    assert "编制人不能审核自己编制的职位说明书" in response.content.decode()
    assert Position.objects.get(pk=position.pk).status == Status.SUBMITTED


def test_reviewer_posting_approve_is_refused(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    response = as_user(client, demo.manager).post(url(position), {"action": "approve"})
    assert response.status_code == 403
    assert "审核人不能同时审批" in response.content.decode()


def test_manager_of_another_department_gets_404_on_a_draft_and_403_on_published(client, demo):
    other = marketing_manager()
    position = workflow.submit(user=demo.hr, position=demo.draft)
    as_user(client, other)
    assert client.get(url(position)).status_code == 404
    assert client.post(url(position), {"action": "review"}).status_code == 404
    published = Position.objects.get(code="FZ-XS-001")
    assert client.get(url(published)).status_code == 403


def test_reject_without_comment_is_refused_and_with_comment_shown(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    as_user(client, demo.manager)
    response = client.post(url(position), {"action": "reject", "comment": "  "})
    assert response.status_code == 400
    assert "请填写退回意见" in response.content.decode()
    assert Position.objects.get(pk=position.pk).status == Status.SUBMITTED
    response = client.post(
        url(position), {"action": "reject", "comment": "请补充<考核要点>"}, follow=True
    )
    html = response.content.decode()
    assert "已退回编制人修改" in html
    assert "请补充&lt;考核要点&gt;" in html
    assert Position.objects.get(pk=position.pk).status == Status.DRAFT


def test_error_keeps_the_typed_comment(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    # 陈经理 reviewed it, so may not reject at approval: the page keeps what was typed.
    response = as_user(client, demo.manager).post(
        url(position), {"action": "reject", "comment": "我的意见"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "审核人不能同时审批" in html
    assert 'id="workflow-typed-comment"' in html and "我的意见" in html


def test_unknown_action_and_stale_state(client, demo):
    as_user(client, demo.hr)
    response = client.post(url(demo.draft), {"action": "publish-now"})
    assert response.status_code == 400
    assert "未知的操作" in response.content.decode()
    assert client.post(url(demo.draft), {}).status_code == 400
    workflow.submit(user=demo.hr, position=demo.draft)
    response = client.post(url(demo.draft), {"action": "submit"})
    assert response.status_code == 409
    assert "当前状态为“待审核”" in response.content.decode()


def test_permissions_of_the_workflow_page(client, demo):
    assert client.get(url(demo.draft)).status_code == 302  # anonymous → login
    assert "login" in client.get(url(demo.draft))["Location"]
    as_user(client, demo.employee)
    assert client.get(url(demo.draft)).status_code == 404
    assert client.post(url(demo.draft), {"action": "submit"}).status_code == 404
    published = Position.objects.get(code="FZ-XS-001")
    assert client.get(url(published)).status_code == 403
    # The director sees it (their subtree) but may not submit.
    as_user(client, demo.director)
    assert client.get(url(demo.draft)).status_code == 200
    assert client.post(url(demo.draft), {"action": "submit"}).status_code == 403
    assert Position.objects.get(pk=demo.draft.pk).status == Status.DRAFT


def test_queue_page_for_each_account(client, demo):
    queue_url = reverse("positions:workflow-queue")
    assert client.get(queue_url).status_code == 302
    position = workflow.submit(user=demo.hr, position=demo.draft)
    html = as_user(client, demo.manager).get(queue_url).content.decode()
    assert 'id="queue-review"' in html and position.title in html
    html = as_user(client, demo.director).get(queue_url).content.decode()
    assert 'id="queue-review"' not in html and 'id="queue-approve"' not in html
    position = workflow.review(user=demo.manager, position=position)
    html = as_user(client, demo.director).get(queue_url).content.decode()
    assert 'id="queue-approve"' in html and url(position) in html
    workflow.reject(user=demo.director, position=position, comment="请补充任职资格")
    html = as_user(client, demo.hr).get(queue_url).content.decode()
    assert 'id="queue-returned"' in html and "请补充任职资格" in html
    response = as_user(client, demo.employee).get(queue_url)
    assert response.status_code == 200 and 'id="queue-none"' in response.content.decode()


def test_nav_badge_counts_what_waits(client, demo):
    as_user(client, demo.employee)
    assert 'id="nav-queue"' not in client.get(reverse("positions:position-list")).content.decode()
    as_user(client, demo.manager)
    html = client.get(reverse("positions:position-list")).content.decode()
    assert 'id="nav-queue"' in html and 'id="nav-queue-count"' not in html
    workflow.submit(user=demo.hr, position=demo.draft)
    other = Position.objects.get(code="FZ-XS-001")
    Position.objects.filter(pk=other.pk).update(status=Status.DRAFT)
    workflow.submit(user=demo.hr, position=Position.objects.get(pk=other.pk))
    html = client.get(reverse("positions:position-list")).content.decode()
    assert 'id="nav-queue-count" aria-label="2 项待办">2</span>' in html


def test_nav_badge_and_queue_count_returned_drafts(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    workflow.reject(user=demo.manager, position=position, comment="请补充考核要点")
    as_user(client, demo.hr)
    html = client.get(reverse("positions:workflow-queue")).content.decode()
    assert 'id="queue-returned"' in html and "请补充考核要点" in html
    assert '<span class="badge rounded-pill text-bg-primary" id="queue-count">1</span>' in html
    assert 'id="nav-queue-count" aria-label="1 项待办">1</span>' in html
    # Submitted again, it waits for the manager: nothing left for HR.
    workflow.submit(user=demo.hr, position=Position.objects.get(pk=position.pk))
    html = client.get(reverse("positions:workflow-queue")).content.decode()
    assert 'id="queue-count">0</span>' in html and 'id="nav-queue-count"' not in html


def test_nav_bar_links_my_position_for_people_holding_one(client, demo):
    for user in (demo.employee, demo.manager, demo.hr):
        html = as_user(client, user).get(reverse("positions:position-list")).content.decode()
        assert 'id="nav-my-position"' in html, user.username
    as_user(client, demo.admin)  # holds no position: no link in the bar, the page as before
    assert (
        'id="nav-my-position"'
        not in client.get(reverse("positions:position-list")).content.decode()
    )
    assert "您尚未分配职位" in page_text(client.get(reverse("positions:my-position")))


def test_sheet_toolbar_workflow_button(client, demo):
    as_user(client, demo.hr)
    assert 'id="workflow-button"' in client.get(demo.draft.get_absolute_url()).content.decode()
    as_user(client, demo.employee)
    published = Position.objects.get(code="FZ-XS-001")
    assert 'id="workflow-button"' not in client.get(published.get_absolute_url()).content.decode()


def test_editing_a_sheet_under_review_returns_it_to_draft(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    position = workflow.review(user=demo.manager, position=position)
    as_user(client, demo.hr)
    data = editor_data(demo.hr, position)
    data["summary"] = "修改后的职位概要。"
    response = client.post(
        reverse("positions:position-edit", kwargs={"pk": position.pk}), data, follow=True
    )
    assert "退回草稿，请重新提交审核" in response.content.decode()
    stored = Position.objects.get(pk=position.pk)
    assert stored.status == Status.DRAFT
    assert (stored.reviewed_by, stored.reviewed_by_name, stored.reviewed_at) == (None, "", None)
    assert stored.prepared_by == demo.hr
    assert WorkflowEvent.objects.filter(position=stored).count() == 2


def test_editing_a_published_sheet_starts_a_draft_of_the_next_version(client, demo):
    as_user(client, demo.hr)
    published = Position.objects.get(code="FZ-XS-001")
    v1 = published.current_version
    response = client.post(
        reverse("positions:position-edit", kwargs={"pk": published.pk}),
        editor_data(demo.hr, published),
        follow=True,
    )
    html = response.content.decode()
    assert "退回草稿" not in html
    assert "修改已存为新版本草稿；现行版本 V1 继续有效" in html
    stored = Position.objects.get(pk=published.pk)
    assert stored.status == Status.DRAFT
    assert stored.current_version == v1
    assert stored.versions.count() == 1


def seen(response) -> str:
    """The page's text without whitespace (names sit in their own elements)."""
    return compact(page_text(response))


def test_workflow_page_and_queue_show_who_acts_next(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    as_user(client, demo.hr)
    page = client.get(url(position))
    assert "下一步：待陈经理审核" in seen(page)
    queue = seen(client.get(reverse("positions:workflow-queue")))
    assert "等待他人办理" in queue and "待陈经理审核" in queue
    as_user(client, demo.manager)
    assert "待陈经理审核" in seen(client.get(reverse("positions:workflow-queue")))
    workflow.review(user=demo.manager, position=position)
    assert "下一步：待赵总审批" in seen(client.get(url(position)))
    queue = seen(as_user(client, demo.director).get(reverse("positions:workflow-queue")))
    assert "待赵总审批" in queue


def test_review_comment_is_shown_in_the_log(client, demo):
    position = workflow.submit(user=demo.hr, position=demo.draft)
    as_user(client, demo.manager)
    assert 'id="review-comment"' in client.get(url(position)).content.decode()
    response = client.post(
        url(position), {"action": "review", "comment": "职责与考核要点清楚。"}, follow=True
    )
    assert "已审核通过" in page_text(response)
    log = response.content.decode().split('id="workflow-events"', 1)[1]
    assert "审核通过" in log and "职责与考核要点清楚。" in log


def test_approve_asks_for_confirmation_before_publishing(client, demo):
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    as_user(client, demo.director)
    response = client.post(url(position), {"action": "approve", "comment": "同意生效。"})
    text = page_text(response)
    assert response.status_code == 200
    assert "确认审批通过并生效？" in text and "V1 立即生效" in text
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert "同意生效。" in response.content.decode()  # the typed comment is kept
    assert Position.objects.get(pk=position.pk).status == Status.REVIEWED
    assert not WorkflowEvent.objects.filter(position=position, action="approve").exists()

    response = client.post(
        url(position), {"action": "approve", "comment": "同意生效。", "confirmed": "1"}, follow=True
    )
    assert "已审批通过" in page_text(response)
    assert Position.objects.get(pk=position.pk).status == Status.PUBLISHED
    assert WorkflowEvent.objects.get(position=position, action="approve").comment == "同意生效。"
    assert "同意生效。" in response.content.decode().split('id="workflow-events"', 1)[1]


def test_approve_confirmation_is_not_offered_to_who_may_not_approve(client, demo):
    position = workflow.review(
        user=demo.manager, position=workflow.submit(user=demo.hr, position=demo.draft)
    )
    response = as_user(client, demo.manager).post(url(position), {"action": "approve"})
    assert response.status_code == 403
    assert "确认审批通过并生效" not in page_text(response)


# --- batch steps from 待办 and the list -----------------------------------------------------

BATCH = reverse("positions:workflow-batch")


def batch_drafts(demo: Demo, count: int) -> list[Position]:
    return [demo.draft] + [
        PositionFactory(
            title=f"批量岗位{n}", code=f"FZ-XS-2{n:02d}", department=demo.sales, status=Status.DRAFT
        )
        for n in range(1, count)
    ]


def test_batch_from_the_list_submits_the_ticked_drafts_and_lists_each_result(client, demo):
    drafts = batch_drafts(demo, 2)
    published = Position.objects.get(code="FZ-XS-001")
    as_user(client, demo.hr)
    listing = client.get(reverse("positions:position-list")).content.decode()
    assert 'id="batch-form"' in listing and 'aria-label="全选"' in listing
    assert f'name="positions" value="{drafts[1].pk}" form="batch-form"' in listing

    response = client.post(
        BATCH,
        {
            "positions": [p.pk for p in drafts] + [published.pk],
            "action": "submit",
            "next": reverse("positions:position-list") + "?status=draft",
        },
    )

    text = compact(page_text(response))
    assert response.status_code == 200
    assert "提交审核：成功2份，未办理1份。" in text
    assert "售楼员FZ-XS-101待审核" in text and "批量岗位1FZ-XS-201待审核" in text
    assert "销售经理FZ-XS-001职位“销售经理”当前状态为“已生效”，不能执行此操作" in text
    assert 'href="/positions/?status=draft"' in response.content.decode()
    assert set(
        Position.objects.filter(pk__in=[p.pk for p in drafts]).values_list("status", flat=True)
    ) == {"submitted"}


def test_batch_from_the_queue_reviews_and_approves_after_confirmation(client, demo):
    drafts = batch_drafts(demo, 3)
    ids = [p.pk for p in drafts]
    workflow.batch(user=demo.hr, action="submit", ids=ids)
    as_user(client, demo.manager)
    queue = client.get(reverse("positions:workflow-queue")).content.decode()
    assert 'id="batch-review"' in queue
    assert all(f'name="positions" value="{pk}" form="batch-form"' in queue for pk in ids)
    response = client.post(BATCH, {"positions": ids, "action": "review", "comment": "同意"})
    assert "审核通过：成功3份，未办理0份。" in compact(page_text(response))

    as_user(client, demo.director)
    confirm = client.post(BATCH, {"positions": ids, "action": "approve", "comment": "准予"})
    text = compact(page_text(confirm))
    assert "下列3份职位说明书的新版本立即生效" in text and "售楼员FZ-XS-101销售部V1" in text
    assert Position.objects.get(pk=drafts[0].pk).status == Status.REVIEWED  # not yet

    response = client.post(
        BATCH, {"positions": ids, "action": "approve", "comment": "准予", "confirmed": "1"}
    )
    assert "审批通过：成功3份，未办理0份。" in compact(page_text(response))
    assert Position.objects.filter(pk__in=ids, status=Status.PUBLISHED).count() == 3
    assert set(
        WorkflowEvent.objects.filter(position_id__in=ids, action="approve").values_list(
            "comment", flat=True
        )
    ) == {"准予"}


def test_batch_reviewer_may_not_approve_listed_as_refused(client, demo):
    drafts = batch_drafts(demo, 1)
    workflow.submit(user=demo.hr, position=drafts[0])
    workflow.review(user=demo.manager, position=drafts[0])
    as_user(client, demo.manager)

    response = client.post(
        BATCH, {"positions": [drafts[0].pk], "action": "approve", "confirmed": "1"}
    )

    text = compact(page_text(response))
    assert "审批通过：成功0份，未办理1份。" in text
    assert "审核人不能同时审批同一份职位说明书。" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "submit"}, "请至少选择一份职位说明书。"),
        ({"action": "publish", "positions": ["1"]}, "未知的操作，请重新选择。"),
        ({"action": "", "positions": ["1"]}, "未知的操作，请重新选择。"),
        ({"action": "submit", "positions": ["abc"]}, "所选职位无效，请刷新页面后重新选择。"),
        ({"action": "reject", "positions": ["1"]}, "请填写退回意见。"),
    ],
)
def test_batch_bad_input_says_why_and_changes_nothing(client, demo, data, message):
    before = (WorkflowEvent.objects.count(), Position.objects.get(pk=demo.draft.pk).status)
    as_user(client, demo.hr)

    response = client.post(BATCH, data)

    assert response.status_code == 400
    text = page_text(response)
    assert "未办理任何职位说明书" in text and message in text
    after = (WorkflowEvent.objects.count(), Position.objects.get(pk=demo.draft.pk).status)
    assert after == before


def test_batch_refused_to_an_employee(client, demo):
    as_user(client, demo.employee)

    response = client.post(BATCH, {"positions": [demo.draft.pk], "action": "submit"})

    assert response.status_code == 403
    assert "您不参与职位说明书的审核与审批，不能批量办理。" in page_text(response)


def test_batch_goes_back_only_to_this_site(client, demo):
    as_user(client, demo.hr)

    response = client.post(BATCH, {"action": "submit", "next": "https://evil.example/"})

    assert 'href="/todo/"' in response.content.decode()
