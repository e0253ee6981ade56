"""Go-live: a company's existing, paper-signed 职位说明书 coming into jobdesc.

* **原文件签核**: the 编制/审核/审批 names and dates written in an imported file are kept in the
  position's 审批记录 (``WorkflowEvent``, action ``ORIGINAL_SIGNOFF``, one entry per box that
  names someone or gives a date) — never as the draft's own sign-off: a paper signature does not
  approve a draft edited in jobdesc. ``record_original_signoffs``.
* **作为已生效版本导入**: an unscoped HR editor (``permissions.in_force_import_refusal``) may
  import files as the versions in force: each sheet is written through the one writer already
  signed with the file's names and dates, frozen as a historical V1 (as the seed's paper sheets
  are), and logged 「历史文件导入」 in the 审批记录, the history (revision comment) and the audit
  trail. ``import_in_force``: all or nothing, in a fixed number of bulk statements per step
  (hundreds of sheets at once).

The importers (``transfer``) hand over plain data: the writer's ``SheetWrite`` and an
``OriginalSignoff`` per file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from positions import hooks, permissions
from positions.models import Position, Version, WorkflowEvent
from positions.services import sheets
from positions.services.review import add_months
from positions.services.versions import publish_versions

Step = WorkflowEvent.SignoffStep
Action = WorkflowEvent.Action
HISTORICAL_IMPORT_COMMENT = "历史文件导入"


@dataclass(frozen=True)
class OriginalSignoff:
    """The 编制 / 审核 / 审批 boxes of one imported file: names and dates as written there."""

    prepared_by_name: str = ""
    prepared_at: datetime.date | None = None
    reviewed_by_name: str = ""
    reviewed_at: datetime.date | None = None
    approved_by_name: str = ""
    approved_at: datetime.date | None = None
    source: str = ""  # the file it came from, kept as the entry's comment

    def entries(self) -> Iterator[tuple[Step, str, datetime.date | None]]:
        """``(step, name, date)`` of each box that names someone or gives a date, in order."""
        for step in (Step.PREPARED, Step.REVIEWED, Step.APPROVED):
            name = getattr(self, f"{step.value}_by_name").strip()
            date = getattr(self, f"{step.value}_at")
            if name or date:
                yield step, name, date

    def state(self) -> dict[str, object]:
        """The sign-off fields of a sheet signed like this (the writer's ``STATE_FIELDS``)."""
        return {
            f"{step}_{suffix}": value
            for step in ("prepared", "reviewed", "approved")
            for suffix, value in (
                ("by_id", None),
                ("by_name", getattr(self, f"{step}_by_name").strip()),
                ("at", getattr(self, f"{step}_at")),
            )
        }


def record_original_signoffs(
    user: AbstractBaseUser, signed: Sequence[tuple[Position, OriginalSignoff]]
) -> list[WorkflowEvent]:
    """Add a 「原文件签核」 entry to each position's 审批记录 for each box its file fills.

    An entry the position already has (same box, name and date) is not added again, so
    importing the same file twice records it once. One query and one bulk insert.
    """
    wanted = [
        (position, step, name, date, signoff.source)
        for position, signoff in signed
        for step, name, date in signoff.entries()
    ]
    if not wanted:
        return []
    known = set(
        WorkflowEvent.objects.filter(
            action=Action.ORIGINAL_SIGNOFF,
            position_id__in={position.pk for position, *_ in wanted},
        ).values_list("position_id", "signoff_step", "signer_name", "signed_on")
    )
    events = []
    for position, step, name, date, source in wanted:
        key = (position.pk, step.value, name, date)
        if key in known:
            continue
        known.add(key)
        events.append(
            WorkflowEvent(
                position=position,
                action=Action.ORIGINAL_SIGNOFF,
                actor=user,
                from_status=position.status,
                to_status=position.status,
                signoff_step=step,
                signer_name=name,
                signed_on=date,
                comment=f"来自文件 {source}" if source else "",
            )
        )
    return WorkflowEvent.objects.bulk_create(events, batch_size=500)


def in_force_refusals(writes: Sequence[sheets.SheetWrite]) -> list[str]:
    """Why some of these sheets cannot go live as historical V1s (Chinese, named by file)."""
    stored = [write.position for write in writes if write.position is not None]
    published = {
        position.pk: position
        for position in Position.objects.filter(
            pk__in=[p.pk for p in stored], current_version__isnull=False
        ).select_related("current_version")
    }
    problems = []
    for write in writes:
        position = published.get(getattr(write.position, "pk", None))
        if position is not None:
            where = f"{write.label}：" if write.label else ""
            problems.append(
                f"{where}职位“{position.title}”已有生效版本 {position.current_version.label}，"
                "不能再作为历史文件导入；请导入为草稿后提交审核。"
            )
    return problems


def import_in_force(
    user: AbstractBaseUser,
    writes: Sequence[sheets.SheetWrite],
    signoffs: Sequence[OriginalSignoff],
) -> list[Version]:
    """Write every sheet signed with its file's 编制/审核/审批 and publish each as a historical
    V1, all or nothing; returns the versions in the order of ``writes``.

    Refused with ``PermissionDenied`` to anyone but an unscoped HR editor (or a superuser), and
    with ``ValidationError`` (naming the files) when a sheet already has a version in force or
    the writer refuses one; nothing is written then.
    """
    reason = permissions.in_force_import_refusal(user)
    if reason is not None:
        raise PermissionDenied(reason)
    if len(writes) != len(signoffs):
        raise ValueError("one OriginalSignoff per write")
    problems = in_force_refusals(writes)
    if problems:
        raise ValidationError(problems)
    today = timezone.localdate()
    default_interval = Position._meta.get_field("review_interval_months").default
    signed = [
        replace(
            write,
            state={
                "status": Position.Status.PUBLISHED,
                **signoff.state(),
                # The review cycle starts on the day the sheet goes live in jobdesc.
                "next_review_on": add_months(
                    today,
                    write.position.review_interval_months
                    if write.position is not None
                    else default_interval,
                ),
            },
            comment=HISTORICAL_IMPORT_COMMENT,
        )
        for write, signoff in zip(writes, signoffs, strict=True)
    ]
    with transaction.atomic(), hooks.sheets_written_once():  # one search reindex, at the end
        written = sheets.write_sheets(user=user, writes=signed, comment=HISTORICAL_IMPORT_COMMENT)
        versions = publish_versions(written, historical=True)
        record_original_signoffs(user, list(zip(written, signoffs, strict=True)))
        WorkflowEvent.objects.bulk_create(
            [
                WorkflowEvent(
                    position=position,
                    action=Action.HISTORICAL_IMPORT,
                    actor=user,
                    from_status=Position.Status.DRAFT,
                    to_status=Position.Status.PUBLISHED,
                    comment=f"{write.label}：{version.label} 生效" if write.label else "",
                )
                for write, position, version in zip(writes, written, versions, strict=True)
            ],
            batch_size=500,
        )
        for position in written:
            hooks.workflow_decided(
                hooks.WorkflowDecision(
                    user=user,
                    position=position,
                    action=Action.HISTORICAL_IMPORT,
                    from_status=Position.Status.DRAFT,
                    to_status=Position.Status.PUBLISHED,
                )
            )
    return versions
