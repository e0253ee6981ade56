"""What the core tells us (``positions.hooks``), turned into notices and webhook deliveries.

No logic lives in the hooks: each handler calls the typed services that enqueue.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from notifications.models import Message
from notifications.services import messages, webhooks
from notifications.services.messages import Notice
from positions import hooks, permissions
from positions.models import Assignment, Position, Version, WorkflowEvent

Action = WorkflowEvent.Action


def link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _label(position: Position) -> str:
    return f"{position.title}（{position.code}）" if position.code else position.title


def workflow_notices(decision: hooks.WorkflowDecision) -> list[Notice]:
    """提交 → the reviewers; 审核通过 → the approvers; 退回 → the preparer."""
    position = decision.position
    url = link("positions:position-workflow", pk=position.pk)
    actor = decision.user.get_full_name() or decision.user.get_username()
    if decision.action in (Action.SUBMIT, Action.REVIEW):
        event = (
            Message.Event.REVIEW_WAITING
            if decision.action == Action.SUBMIT
            else Message.Event.APPROVAL_WAITING
        )
        step = "审核" if decision.action == Action.SUBMIT else "审批"
        people = permissions.next_actors([position]).get(position.pk, ())
        return [
            Notice(
                recipient=person,
                event=event,
                subject=f"待您{step}：{_label(position)}",
                body=f"{actor} 已将职位说明书“{_label(position)}”提交，等待您{step}。\n{url}",
                position_id=position.pk,
            )
            for person in people
        ]
    if decision.action == Action.REJECT and position.prepared_by_id:
        preparer = User.objects.filter(pk=position.prepared_by_id).first()
        if preparer is None:
            return []
        return [
            Notice(
                recipient=preparer,
                event=Message.Event.RETURNED,
                subject=f"已退回：{_label(position)}",
                body=(
                    f"{actor} 退回了职位说明书“{_label(position)}”。\n"
                    f"退回意见：{decision.comment}\n{url}"
                ),
                position_id=position.pk,
            )
        ]
    return []


def acknowledgement_notices(versions: list[Version], *, reminder: bool = False) -> list[Notice]:
    """The current holders of each version's position, asked to confirm it (员工确认)."""
    by_position = {version.position_id: version for version in versions}
    holders = (
        Assignment.objects.current()
        .filter(position_id__in=by_position, employee__left_on__isnull=True)
        .select_related("employee__user")
    )
    url = link("positions:my-position")
    notices = []
    for assignment in holders:
        version = by_position[assignment.position_id]
        title = f"{version.title} {version.label}"
        notices.append(
            Notice(
                recipient=assignment.employee.user,
                event=Message.Event.ACK_REMINDER if reminder else Message.Event.ACK_WAITING,
                subject=("提醒：请确认职位说明书 " if reminder else "请确认新版职位说明书 ")
                + title,
                body=(
                    f"您的职位说明书“{title}”已于 {version.effective_date:%Y-%m-%d} 生效，"
                    f"请阅读后在“我的职位”页面点击确认。\n{url}"
                ),
                position_id=assignment.position_id,
                reference=f"version:{version.pk}",
            )
        )
    return notices


def on_workflow_decided(decision: hooks.WorkflowDecision) -> None:
    messages.notify(workflow_notices(decision))


def on_occurred(occurrences: list[hooks.Occurrence]) -> None:
    webhooks.record(occurrences)
    published = [
        o.subject
        for o in occurrences
        if o.kind == hooks.VERSION_PUBLISHED and not o.historical and isinstance(o.subject, Version)
    ]
    if published:
        messages.notify(acknowledgement_notices(published))


def register_hooks() -> None:
    hooks.on_workflow_decided(on_workflow_decided)
    hooks.on_occurred(on_occurred)
