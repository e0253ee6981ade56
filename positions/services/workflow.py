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
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from positions import hooks, permissions
from positions.models import Position, WorkflowEvent
from positions.services import sheets
from positions.services.review import next_review_date
from positions.services.versions import next_version_number, publish_version

Status = Position.Status
Action = WorkflowEvent.Action


def _display_name(user: AbstractBaseUser) -> str:
    return (user.get_full_name() or user.get_username()).strip()[:50]


def _state_refusal(stored: Position, expected: tuple[Status, ...]) -> None:
    if stored.status not in expected:
        raise ValidationError(
            f"职位“{stored.title}”当前状态为“{stored.get_status_display()}”，"
            f"不能执行此操作（可能已被他人处理，请刷新页面）。",
            code="state",
        )


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise PermissionDenied(reason)


def _step(
    *,
    user: AbstractBaseUser,
    position: Position,
    action: Action,
    check: Callable[[Position], None],
    changes: Callable[[Position], dict[str, Any]],
    revision_comment: str | Callable[[Position], str],
    comment: str = "",
) -> tuple[Position, Status]:
    """One step through the writer (``sheets.change_state``) and its ``WorkflowEvent``."""
    before: list[Status] = []

    def checked(stored: Position) -> None:
        before.append(Status(stored.status))
        check(stored)

    with transaction.atomic():
        stored = sheets.change_state(
            user=user, position=position, check=checked, changes=changes, comment=revision_comment
        )
        WorkflowEvent.objects.create(
            position=stored,
            action=action,
            actor=user,
            from_status=before[0],
            to_status=stored.status,
            comment=comment,
        )
        hooks.workflow_decided(
            hooks.WorkflowDecision(
                user=user,
                position=stored,
                action=action,
                from_status=before[0],
                to_status=stored.status,
                comment=comment,
            )
        )
    return stored, before[0]


def _signed(role: str, user: AbstractBaseUser, on: datetime.date | None = None) -> dict[str, Any]:
    return {
        f"{role}_by_id": user.pk,
        f"{role}_by_name": _display_name(user),
        f"{role}_at": on or timezone.localdate(),
    }


_UNSIGNED = {
    "reviewed_by_id": None,
    "reviewed_by_name": "",
    "reviewed_at": None,
    "approved_by_id": None,
    "approved_by_name": "",
    "approved_at": None,
}


def submit(*, user: AbstractBaseUser, position: Position) -> Position:
    """草稿 → 待审核, by an HR editor in scope; the submitter becomes the 编制人."""

    def check(stored: Position) -> None:
        _state_refusal(stored, (Status.DRAFT,))
        if not permissions.can_edit_position(user, stored):
            raise PermissionDenied("只有负责此职位的 HR 编辑可以提交审核。")

    stored, _ = _step(
        user=user,
        position=position,
        action=Action.SUBMIT,
        check=check,
        changes=lambda stored: {"status": Status.SUBMITTED} | _signed("prepared", user),
        revision_comment="提交审核",
    )
    return stored


def review(*, user: AbstractBaseUser, position: Position, comment: str = "") -> Position:
    """待审核 → 待审批, by the department's reviewer (see ``permissions.review_refusal``);
    an optional comment (审核意见) is kept on the ``WorkflowEvent``."""

    def check(stored: Position) -> None:
        _state_refusal(stored, (Status.SUBMITTED,))
        _refuse(permissions.review_refusal(user, stored))

    stored, _ = _step(
        user=user,
        position=position,
        action=Action.REVIEW,
        check=check,
        changes=lambda stored: {"status": Status.REVIEWED} | _signed("reviewed", user),
        revision_comment="审核通过",
        comment=(comment or "").strip(),
    )
    return stored


def approve(*, user: AbstractBaseUser, position: Position, comment: str = "") -> Position:
    """待审批 → 已生效, by an approver (see ``permissions.approval_refusal``); an optional
    comment (审批意见) is kept on the ``WorkflowEvent``.

    Publishing freezes the sheet as the next version (``services.publish_version``) and
    schedules the next periodic review one review interval later.
    """

    def check(stored: Position) -> None:
        _state_refusal(stored, (Status.REVIEWED,))
        _refuse(permissions.approval_refusal(user, stored))

    def changes(stored: Position) -> dict[str, Any]:
        today = timezone.localdate()
        return (
            {"status": Status.PUBLISHED}
            | _signed("approved", user, today)
            | {"next_review_on": next_review_date(stored, published_on=today)}
        )

    with transaction.atomic():
        stored, _ = _step(
            user=user,
            position=position,
            action=Action.APPROVE,
            check=check,
            changes=changes,
            revision_comment=lambda stored: f"审批通过，V{next_version_number(stored)} 生效",
            comment=(comment or "").strip(),
        )
        publish_version(stored)
    return stored


def reject(*, user: AbstractBaseUser, position: Position, comment: str) -> Position:
    """待审核 or 待审批 → 草稿 with a required comment; clears this round's 审核/审批."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见。"}, code="required")

    def check(stored: Position) -> None:
        _state_refusal(stored, (Status.SUBMITTED, Status.REVIEWED))
        if stored.status == Status.SUBMITTED:
            _refuse(permissions.review_refusal(user, stored))
        else:
            _refuse(permissions.approval_refusal(user, stored))

    stored, _ = _step(
        user=user,
        position=position,
        action=Action.REJECT,
        check=check,
        changes=lambda stored: {"status": Status.DRAFT} | _UNSIGNED,
        revision_comment=f"退回：{comment}",
        comment=comment,
    )
    return stored


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


MAX_NAMED = 3  # more people than this who may act: name the role and department instead


@dataclass(frozen=True)
class NextActors:
    """Who may take a position's next step, as the workflow page and 待办 say it."""

    step: str  # 审核 / 审批
    names: tuple[str, ...]  # everyone who may act, when at most MAX_NAMED
    group: str  # the role and department: 销售部 部门经理 …
    nobody: bool  # no one holds the role there: the sheet cannot move on

    @property
    def label(self) -> str:
        """「待 陈经理 审核」, or 「待 销售部 部门经理 审核」 for more than three people."""
        return f"待 {'、'.join(self.names) or self.group} {self.step}"


def _group(position: Position) -> str:
    department = position.department
    if position.status == Status.REVIEWED:
        return f"{department.name}及上级部门 部门经理"
    if department.reviewer_role == department.ReviewerRole.MANAGER:
        return f"{department.name} 部门经理"
    return f"负责{department.name}的 HR 编辑"


def next_actors(positions: Iterable[Position]) -> dict[int, NextActors]:
    """The next step of each 待审核 / 待审批 position and who may take it (the rules are
    ``permissions.next_actors``); other positions are left out. A constant number of queries,
    however many positions; ``department`` should be selected with them."""
    positions = [p for p in positions if p.status in (Status.SUBMITTED, Status.REVIEWED)]
    people = permissions.next_actors(positions)
    result = {}
    for position in positions:
        users = people[position.pk]
        result[position.pk] = NextActors(
            step="审批" if position.status == Status.REVIEWED else "审核",
            names=tuple(_display_name(u) for u in users) if len(users) <= MAX_NAMED else (),
            group=_group(position),
            nobody=not users,
        )
    return result


@dataclass(frozen=True)
class WorkflowQueue:
    to_review: tuple[Position, ...]
    to_approve: tuple[Position, ...]
    returned: tuple[Position, ...]  # the user's drafts sent back, ``last_comment`` annotated
    # Sheets the user prepared or reviewed that now wait for someone else (not counted).
    waiting: tuple[Position, ...] = ()

    @property
    def count(self) -> int:
        """Everything waiting for the user, as the navigation badge counts it
        (``permissions.workflow_queue_count``): returned drafts included."""
        return len(self.to_review) + len(self.to_approve) + len(self.returned)


def workflow_queue(user: AbstractBaseUser) -> WorkflowQueue:
    """What waits for the user: sheets to review, to approve, and their own returned drafts;
    and what the user sent on that waits for others. Each 待审核 / 待审批 sheet carries
    ``next_actors`` (``NextActors``)."""
    base = Position.objects.select_related("department__parent", "prepared_by", "reviewed_by")
    latest = WorkflowEvent.objects.filter(
        position=OuterRef("pk"), action__in=permissions.STEP_ACTIONS
    ).order_by("-created_at", "-pk")
    returned = (
        base.filter(permissions.returned_drafts_q(user))
        .annotate(
            last_comment=Subquery(latest.values("comment")[:1]),
            returned_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-returned_at")
    )
    to_review = tuple(
        base.filter(permissions.awaiting_review_q(user)).order_by("prepared_at", "code")
    )
    to_approve = tuple(
        base.filter(permissions.awaiting_approval_q(user)).order_by("reviewed_at", "code")
    )
    mine = set(to_review) | set(to_approve)
    waiting = tuple(
        position
        for position in base.filter(
            Q(prepared_by=user.pk) | Q(reviewed_by=user.pk),
            status__in=(Status.SUBMITTED, Status.REVIEWED),
        ).order_by("-prepared_at", "code")
        if position not in mine
    )
    actors = next_actors((*to_review, *to_approve, *waiting))
    for position in (*to_review, *to_approve, *waiting):
        position.next_actors = actors[position.pk]
    return WorkflowQueue(
        to_review=to_review,
        to_approve=to_approve,
        returned=tuple(returned),
        waiting=waiting,
    )


# --- batch steps (待办 and the position list) ---------------------------------------------------

MAX_BATCH = 500  # sheets in one batch
BATCH_SECONDS = 20.0  # stop taking steps after this long; the rest is reported as not done


@dataclass(frozen=True)
class BatchStep:
    label: str  # 提交审核 / 审核通过 / 审批通过 / 退回
    run: Callable[..., Position]
    takes_comment: bool


BATCH_STEPS: dict[str, BatchStep] = {
    "submit": BatchStep("提交审核", submit, takes_comment=False),
    "review": BatchStep("审核通过", review, takes_comment=True),
    "approve": BatchStep("审批通过", approve, takes_comment=True),
    "reject": BatchStep("退回", reject, takes_comment=True),
}


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one selected sheet: its new state, or why it was refused."""

    position_id: int
    title: str  # "" when the user may not see the position
    code: str
    done: bool
    message: str  # the state it reached, or the refusal (Chinese)


@dataclass(frozen=True)
class BatchResult:
    action: str
    label: str
    outcomes: tuple[BatchOutcome, ...]

    @property
    def done(self) -> tuple[BatchOutcome, ...]:
        return tuple(o for o in self.outcomes if o.done)

    @property
    def refused(self) -> tuple[BatchOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.done)


def batch_positions(user: AbstractBaseUser, ids: Iterable[int]) -> dict[int, Position]:
    """The selected positions the user may see, by id (the others are left out), with their
    department and ``last_number`` (their latest version's number, None before V1)."""
    visible = Position.objects.filter(permissions.visible_positions_q(user))
    return (
        visible.filter(pk__in=list(ids))
        .select_related("department")
        .annotate(last_number=Max("versions__number"))
        .in_bulk()
    )


def batch_refusal(action: str, ids: Sequence[int], comment: str) -> str | None:
    """Why the batch cannot start at all (Chinese); None when it can."""
    if action not in BATCH_STEPS:
        return "未知的操作，请重新选择。"
    if not ids:
        return "请至少选择一份职位说明书。"
    if len(ids) > MAX_BATCH:
        return f"一次最多批量办理 {MAX_BATCH} 份职位说明书，您选择了 {len(ids)} 份，请分批办理。"
    if action == "reject" and not (comment or "").strip():
        return "请填写退回意见。"
    return None


def batch(
    *, user: AbstractBaseUser, action: str, ids: Sequence[int], comment: str = ""
) -> BatchResult:
    """Take one step (``BATCH_STEPS``) on each selected sheet, with one comment.

    Not all or nothing: each sheet is a step of its own (its own transaction), checked on its
    own by ``permissions`` (scope, reviewer, approver, and the separation of duties — the
    preparer neither reviews nor approves, the reviewer does not approve), so one refused sheet
    never holds up the others, and the result lists each sheet with what became of it.
    ``ValidationError`` when the batch cannot start (``batch_refusal``); nothing is done then.
    Steps stop after ``BATCH_SECONDS``; the sheets left are reported as not done.
    """
    ids = list(dict.fromkeys(ids))
    refusal = batch_refusal(action, ids, comment)
    if refusal is not None:
        raise ValidationError(refusal)
    step = BATCH_STEPS[action]
    kwargs = {"comment": comment} if step.takes_comment else {}
    found = batch_positions(user, ids)
    deadline = time.monotonic() + BATCH_SECONDS
    outcomes = []
    with hooks.sheets_written_once():  # one search reindex for the whole batch
        for pk in ids:
            _batch_step(user, step, kwargs, pk, found.get(pk), deadline, outcomes)
    return BatchResult(action=action, label=step.label, outcomes=tuple(outcomes))


def _batch_step(
    user: AbstractBaseUser,
    step: BatchStep,
    kwargs: dict[str, str],
    pk: int,
    position: Position | None,
    deadline: float,
    outcomes: list[BatchOutcome],
) -> None:
    """One sheet of a batch: its step taken, or why not, appended to ``outcomes``."""
    if position is None:
        outcomes.append(BatchOutcome(pk, "", "", False, "职位不存在或您无权查看。"))
        return
    if time.monotonic() > deadline:
        message = "未办理：本次批量办理已超过时间限制，请再次选择后办理。"
        outcomes.append(BatchOutcome(pk, position.title, position.code, False, message))
        return
    try:
        stored = step.run(user=user, position=position, **kwargs)
    except PermissionDenied as exc:
        message = str(exc) or "您无权执行此操作。"
    except ValidationError as exc:
        message = " ".join(exc.messages)
    else:
        state = stored.get_status_display()
        if stored.status == Status.PUBLISHED and stored.current_version is not None:
            state += f" {stored.current_version.label}"  # 已生效 V2
        outcomes.append(BatchOutcome(pk, stored.title, stored.code, True, state))
        return
    outcomes.append(BatchOutcome(pk, position.title, position.code, False, message))
