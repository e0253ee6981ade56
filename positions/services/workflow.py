"""The 编制 → 审核 → 审批 workflow: submit, review, approve and reject a position.

Who may do each step is decided by ``positions.permissions``; this module checks the state,
records the sign-off (the user, the name as printed and today's date in Asia/Shanghai),
writes a ``WorkflowEvent`` and a django-reversion revision, and moves ``lock_version`` on —
with the same conditional ``UPDATE`` as the editor (``services.editing``), so an editor
opened on the earlier state gets an edit conflict instead of silently overwriting the step.

Refusals: ``ValidationError`` when the position is not in the state the step needs or the
input is wrong (a rejection without a comment); ``PermissionDenied`` when the user may not
take the step. Both carry a Chinese message naming the reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from positions import permissions
from positions.models import Position, WorkflowEvent

Status = Position.Status
Action = WorkflowEvent.Action


def _display_name(user: AbstractBaseUser) -> str:
    return (user.get_full_name() or user.get_username()).strip()[:50]


def _locked(position: Position, expected: Status) -> Position:
    """The stored position, its lock moved on; refused when it is no longer ``expected``."""
    moved_on = Position.objects.filter(pk=position.pk, status=expected).update(
        lock_version=F("lock_version") + 1
    )
    current = Position.objects.select_related("department").get(pk=position.pk)
    if not moved_on:
        raise ValidationError(
            f"职位“{current.title}”当前状态为“{current.get_status_display()}”，"
            f"不能执行此操作（可能已被他人处理，请刷新页面）。",
            code="state",
        )
    return current


def _record(
    *,
    user: AbstractBaseUser,
    position: Position,
    action: Action,
    from_status: Status,
    comment: str = "",
    revision_comment: str,
) -> None:
    position.save()
    WorkflowEvent.objects.create(
        position=position,
        action=action,
        actor=user,
        from_status=from_status,
        to_status=position.status,
        comment=comment,
    )
    reversion.add_to_revision(position)
    reversion.set_user(user)
    reversion.set_comment(revision_comment)


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise PermissionDenied(reason)


def submit(*, user: AbstractBaseUser, position: Position) -> Position:
    """草稿 → 待审核, by an HR editor in scope; the submitter becomes the 编制人."""
    with transaction.atomic(), reversion.create_revision():
        position = _locked(position, Status.DRAFT)
        if not permissions.can_edit_position(user, position):
            raise PermissionDenied("只有负责此职位的 HR 编辑可以提交审核。")
        position.status = Status.SUBMITTED
        position.prepared_by = user
        position.prepared_by_name = _display_name(user)
        position.prepared_at = timezone.localdate()
        _record(
            user=user,
            position=position,
            action=Action.SUBMIT,
            from_status=Status.DRAFT,
            revision_comment="提交审核",
        )
    return position


def review(*, user: AbstractBaseUser, position: Position) -> Position:
    """待审核 → 待审批, by the department's reviewer (see ``permissions.review_refusal``)."""
    with transaction.atomic(), reversion.create_revision():
        position = _locked(position, Status.SUBMITTED)
        _refuse(permissions.review_refusal(user, position))
        position.status = Status.REVIEWED
        position.reviewed_by = user
        position.reviewed_by_name = _display_name(user)
        position.reviewed_at = timezone.localdate()
        _record(
            user=user,
            position=position,
            action=Action.REVIEW,
            from_status=Status.SUBMITTED,
            revision_comment="审核通过",
        )
    return position


def approve(*, user: AbstractBaseUser, position: Position) -> Position:
    """待审批 → 已生效, by an approver (see ``permissions.approval_refusal``).

    Publishing freezes the sheet as the next version (``services.publish_version``) and
    schedules the next periodic review (``services.schedule_next_review``).
    """
    from positions.services.review import schedule_next_review
    from positions.services.versions import publish_version

    with transaction.atomic(), reversion.create_revision():
        position = _locked(position, Status.REVIEWED)
        _refuse(permissions.approval_refusal(user, position))
        today = timezone.localdate()
        position.status = Status.PUBLISHED
        position.approved_by = user
        position.approved_by_name = _display_name(user)
        position.approved_at = today
        schedule_next_review(position, published_on=today)
        _record(
            user=user,
            position=position,
            action=Action.APPROVE,
            from_status=Status.REVIEWED,
            revision_comment="审批通过，生效",
        )
        version = publish_version(position)
        reversion.set_comment(f"审批通过，{version.label} 生效")
    return position


def reject(*, user: AbstractBaseUser, position: Position, comment: str) -> Position:
    """待审核 or 待审批 → 草稿 with a required comment; clears this round's 审核/审批."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见。"}, code="required")
    with transaction.atomic(), reversion.create_revision():
        stored = Position.objects.filter(pk=position.pk).values_list("status", flat=True).first()
        if stored not in (Status.SUBMITTED, Status.REVIEWED):
            stored = Status.SUBMITTED  # let _locked report the actual state
        from_status = Status(stored)
        position = _locked(position, from_status)
        if from_status == Status.SUBMITTED:
            _refuse(permissions.review_refusal(user, position))
        else:
            _refuse(permissions.approval_refusal(user, position))
        position.status = Status.DRAFT
        position.reviewed_by = None
        position.reviewed_by_name = ""
        position.reviewed_at = None
        position.approved_by = None
        position.approved_by_name = ""
        position.approved_at = None
        _record(
            user=user,
            position=position,
            action=Action.REJECT,
            from_status=from_status,
            comment=comment,
            revision_comment=f"退回：{comment}",
        )
    return position


# --- reading the workflow ---------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowStep:
    key: str  # prepare / review / approve / publish
    label: str  # 编制 / 审核 / 审批 / 生效
    state: str  # done / current / pending
    name: str  # who ("" when not yet)
    date: datetime.date | None


def workflow_steps(position: Position) -> tuple[WorkflowStep, ...]:
    """The stepper 编制 → 审核 → 审批 → 生效 for the position's current state."""
    reached = {
        Status.DRAFT: 0,
        Status.SUBMITTED: 1,
        Status.REVIEWED: 2,
        Status.PUBLISHED: 4,
        Status.ARCHIVED: 4,
    }.get(Status(position.status), 0)
    rows = (
        ("prepare", "编制", position.prepared_by_name, position.prepared_at),
        ("review", "审核", position.reviewed_by_name, position.reviewed_at),
        ("approve", "审批", position.approved_by_name, position.approved_at),
        ("publish", "生效", "", position.approved_at if reached == 4 else None),
    )
    steps = []
    for index, (key, label, name, date) in enumerate(rows):
        state = "done" if index < reached else ("current" if index == reached else "pending")
        if key == "publish" and reached == 4:
            state = "done"
        keep = state == "done" or (state == "current" and index == 0)
        steps.append(
            WorkflowStep(
                key=key,
                label=label,
                state=state,
                name=name if keep else "",
                date=date if keep else None,
            )
        )
    return tuple(steps)


def workflow_events(position: Position) -> QuerySet[WorkflowEvent]:
    """The position's workflow log, newest first."""
    return position.workflow_events.select_related("actor").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class WorkflowQueue:
    to_review: tuple[Position, ...]
    to_approve: tuple[Position, ...]
    returned: tuple[Position, ...]  # the user's drafts sent back, ``last_comment`` annotated

    @property
    def count(self) -> int:
        return len(self.to_review) + len(self.to_approve)


def workflow_queue(user: AbstractBaseUser) -> WorkflowQueue:
    """What waits for the user: sheets to review, to approve, and their own returned drafts."""
    base = Position.objects.select_related("department__parent", "prepared_by", "reviewed_by")
    latest = WorkflowEvent.objects.filter(position=OuterRef("pk")).order_by("-created_at", "-pk")
    returned = (
        base.filter(status=Status.DRAFT, prepared_by=user.pk)
        .annotate(
            last_action=Subquery(latest.values("action")[:1]),
            last_comment=Subquery(latest.values("comment")[:1]),
            returned_at=Subquery(latest.values("created_at")[:1]),
        )
        .filter(last_action=Action.REJECT)
        .order_by("-returned_at")
    )
    return WorkflowQueue(
        to_review=tuple(
            base.filter(permissions.awaiting_review_q(user)).order_by("prepared_at", "code")
        ),
        to_approve=tuple(
            base.filter(permissions.awaiting_approval_q(user)).order_by("reviewed_at", "code")
        ),
        returned=tuple(returned) if permissions.access(user).is_hr_editor else (),
    )
