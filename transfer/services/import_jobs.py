"""The import job: Word batches, .zip uploads and big Excel / 花名册 workbooks in the worker.

One shape for every big import::

    start(user, kind, files)      stage the files (storage API), queue parse_import
    run_parse(job_id)             worker: convert .doc/.xls in one soffice call, plan, store the
                                  preview (every file or worksheet with its status) → 待确认
    request_confirm(job, ...)     the importer confirms what the preview showed → confirm_import
    run_confirm(job_id)           worker: plan again, refuse if anything changed since the
                                  preview, write everything through the one writer in ONE
                                  transaction → 已导入, or nothing written

The preview is stored as JSON on the job (``ImportJob.preview``), so the preview page renders
without parsing again. The confirmation is all or nothing. On SQLite, a confirmation holds the
database's single write lock for its whole transaction: ``confirm_running()`` tells the
middleware (``transfer.middleware``) to answer every other write 「正在导入，请稍后再保存」
instead of letting it wait for the lock and fail. The job row in 导入中 is that lock; a row older
than ``IMPORT_JOB_TIMEOUT_SECONDS`` is a dead worker's and no longer blocks anyone.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.services import roster
from positions import permissions
from positions.models import Department, ImportJob
from positions.org import department_index
from positions.services.sheets import EditConflict
from transfer.services import importing, staging
from transfer.services.archive import Skipped
from transfer.services.legacy import convert_batch
from transfer.services.preview_diff import word_diffs
from transfer.services.uploads import FileKind, UploadError, check_bytes
from transfer.services.word_import.parser import parse_docx
from transfer.services.word_import.resolve import resolve_import
from transfer.services.word_import.write import import_sheets
from transfer.tasks import confirm_import, parse_import

logger = logging.getLogger(__name__)

Kind = ImportJob.Kind
Status = ImportJob.Status
STAGED_KIND = "job"
# The preview of a huge workbook details the first updates field by field (the JSON stays small).
PREVIEW_DIFF_LIMIT = 200


class ImportJobError(Exception):
    """A job that cannot go on; the message is Chinese and shown to the user."""


# --- starting a job ---------------------------------------------------------------------------


def start(
    user: AbstractBaseUser,
    kind: str,
    files: list[tuple[str, bytes]],
    skipped: list[Skipped] | None = None,
) -> ImportJob:
    """Stage ``files`` and queue their parsing; the job page shows the progress."""
    token = staging.stage(user, files, kind=f"{STAGED_KIND}-{kind}")
    names = [name for name, _data in files]
    title = names[0] if len(names) == 1 else f"{names[0]} 等 {len(names)} 个文件"
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            token=token,
            title=title[:300],
            total=len(files),
            stage="排队等待解析",
            requested_by=user,
            preview={"skipped": [{"name": s.name, "reason": s.reason} for s in skipped or []]},
        )
        job.task_id = str(parse_import.enqueue(job.pk).id)
        job.save(update_fields=["task_id"])
    return job


def _staged(job: ImportJob) -> list[staging.StagedFile]:
    files = staging.staged(job.requested_by, job.token, kind=f"{STAGED_KIND}-{job.kind}")
    if not files:
        raise ImportJobError("上传的文件已过期或已删除（最多保留 24 小时），请重新上传。")
    return files


def _set(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


# --- reading the files: one plan per kind -------------------------------------------------------


def _converted(
    files: list[staging.StagedFile], accept: FileKind, legacy: FileKind, target: str
) -> list[tuple[str, bytes | None, str]]:
    """(name, bytes, refusal) of each file; the legacy ones converted in ONE soffice call."""
    out: list[tuple[str, bytes | None, str]] = []
    legacy_indexes = []
    for index, (name, data) in enumerate(files):
        try:
            checked = check_bytes(name, data, {accept, legacy})
        except UploadError as error:
            out.append((name, None, error.message))
            continue
        out.append((name, checked.data, ""))
        if checked.kind is legacy:
            legacy_indexes.append(index)
    if legacy_indexes:
        results = convert_batch([(out[i][0], out[i][1] or b"") for i in legacy_indexes], target)
        for index, result in zip(legacy_indexes, results, strict=True):
            name = out[index][0]
            new_name = name.rsplit(".", 1)[0] + f".{target}" if "." in name else name
            if isinstance(result, UploadError):
                out[index] = (name, None, result.message)
                continue
            try:
                checked = check_bytes(new_name, result, {accept})
            except UploadError as error:
                out[index] = (name, None, error.message)
            else:
                out[index] = (new_name, checked.data, "")
    return out


class _Plans:
    """What confirming would write, and its preview (JSON-ready)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.sheets: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.counts: list[tuple[str, int]] = []
        self.apply: Callable[[], str] | None = None
        self.choosable_problems = 0  # problems the importer settles by a choice in the preview
        self.digest = hashlib.sha256()

    @property
    def ok(self) -> bool:
        return not self.problems and all(item["ok"] for item in self.items)

    @property
    def has_changes(self) -> bool:
        return any(item["changed"] for item in self.items)

    @property
    def confirmable(self) -> bool:
        """Nothing blocks the confirmation but the choices the preview asks for."""
        refused = [item for item in self.items if not item["ok"] and not item.get("choice")]
        blocking = len(self.problems) - self.choosable_problems
        return self.has_changes and not refused and blocking == 0

    def fingerprint(self) -> str:
        return self.digest.hexdigest()[:32]

    def preview(self, skipped: list[dict]) -> dict[str, Any]:
        return {
            "items": self.items,
            "sheets": self.sheets,
            "problems": self.problems,
            "notes": self.notes,
            "counts": self.counts,
            "skipped": skipped,
            "ok": self.ok,
            "has_changes": self.has_changes,
            "confirmable": self.confirmable,
        }


def _diff_payload(diff: Any) -> list[dict[str, Any]]:
    """The changed sections of a ``SheetChanges`` as JSON, in the shape ``_sheet_changes.html``
    reads (so the job's preview shows the diff exactly as 版本比较 does)."""
    if diff is None:
        return []

    def pieces(parts: Any) -> list[dict[str, Any]]:
        return [{"text": piece.text, "marked": piece.marked} for piece in parts]

    return [
        {
            "key": section.key,
            "label": section.label,
            "change_count": section.change_count,
            "counts": [list(count) for count in section.counts],
            "items": [
                {
                    "status": item.status,
                    "status_label": item.status_label,
                    "is_change": True,
                    "label": item.label,
                    "old": item.old,
                    "new": item.new,
                    "old_pieces": pieces(item.old_pieces),
                    "new_pieces": pieces(item.new_pieces),
                }
                for item in section.changes
            ],
        }
        for section in diff.changed_sections
    ]


def _position_plans(
    user: AbstractBaseUser, files: list[staging.StagedFile], choices: dict, progress
) -> _Plans:
    plans = _Plans()
    (name, data, refusal), *_rest = _converted(files[:1], FileKind.XLSX, FileKind.XLS, "xlsx")
    if data is None:
        plans.problems.append(f"{name}：{refusal}")
        return plans
    progress(0, "正在读取工作簿")
    plan = importing.plan_position_import(data, user)
    progress(1, "正在比较现有职位")
    plans.digest.update(plan.fingerprint().encode())
    plans.problems = [str(problem) for problem in plan.problems]
    by_sheet: dict[str, int] = {}
    for problem in plan.problems:
        by_sheet[problem.sheet] = by_sheet.get(problem.sheet, 0) + 1
    for spec in importing.WORKBOOK:
        count = by_sheet.get(spec.name, 0)
        plans.sheets.append({"name": spec.name, "ok": count == 0, "problems": count, "file": name})
    diffs = importing.preview_diffs(plan, limit=PREVIEW_DIFF_LIMIT)
    for planned in plan.positions:
        changed = planned.action != importing.Action.UNCHANGED
        plans.items.append(
            {
                "label": f"{importing.POSITIONS.name}第 {planned.row} 行",
                "title": planned.title,
                "detail": planned.department.name if planned.department else "",
                "code": planned.key,
                "action": planned.action,
                "action_label": planned.action_label,
                "changed": changed,
                "ok": True,
                "messages": (["将退回草稿，现行版本不变"] if planned.becomes_draft else []),
                "changes": planned.changes,
                "diff": {"sections": _diff_payload(diffs.get(planned.key))},
            }
        )
    plans.counts = [("新建", plan.created), ("更新", plan.updated), ("无变化", plan.unchanged)]

    def apply() -> str:
        importing.apply_plan(plan, user)
        return (
            f"已导入“{name}”：新建 {plan.created} 个职位，更新 {plan.updated} 个，"
            f"{plan.unchanged} 个无变化。新建和更新的职位均为草稿，需提交审核。"
        )

    plans.apply = apply
    return plans


def _roster_plans(
    user: AbstractBaseUser, files: list[staging.StagedFile], choices: dict, progress
) -> _Plans:
    plans = _Plans()
    (name, data, refusal), *_rest = _converted(files[:1], FileKind.XLSX, FileKind.XLS, "xlsx")
    if data is None:
        plans.problems.append(f"{name}：{refusal}")
        return plans
    progress(0, "正在读取花名册")
    plan = roster.plan_roster_import(data, user, choices=choices.get("positions", {}))
    plans.digest.update(plan.fingerprint().encode())
    plans.problems = [str(problem) for problem in plan.problems]
    choice_rows = {row.row for row in plan.rows if row.candidates and row.position is None}
    plans.choosable_problems = sum(1 for p in plan.problems if p.row in choice_rows)
    plans.notes = list(plan.notes)
    plans.sheets.append(
        {"name": plan.sheet_name, "ok": plan.ok, "problems": len(plan.problems), "file": name}
    )
    for row in plan.rows:
        plans.items.append(
            {
                "label": f"第 {row.row} 行",
                "title": f"{row.name}（{row.employee_no}）",
                "detail": row.position.title if row.position else row.position_text,
                "code": row.employee_no,
                "action": row.action,
                "action_label": row.action_label,
                "changed": row.action != roster.RosterAction.UNCHANGED,
                "ok": not row.candidates or row.position is not None,
                "messages": [],
                "changes": [],
                "diff": {},
                "choice": (
                    {
                        "name": f"position-{row.row}",
                        "options": [
                            [c.pk, f"{c.department.name} / {c.title}"] for c in row.candidates
                        ],
                        "chosen": row.position.pk if row.position else None,
                    }
                    if row.candidates
                    else None
                ),
            }
        )
    plans.counts = [
        (roster.RosterAction.LABELS[action], plan.count(action))
        for action in (
            roster.RosterAction.HIRE,
            roster.RosterAction.TRANSFER,
            roster.RosterAction.RENAME,
            roster.RosterAction.UNCHANGED,
        )
    ]

    def apply() -> str:
        roster.apply_roster_plan(plan, user)
        return (
            f"已导入花名册“{name}”：新入职 {plan.count(roster.RosterAction.HIRE)} 人，"
            f"调岗 {plan.count(roster.RosterAction.TRANSFER)} 人。"
            "新员工的登录账号尚无密码，请在后台为其设置密码。"
        )

    plans.apply = apply
    return plans


def _word_plans(
    user: AbstractBaseUser, files: list[staging.StagedFile], choices: dict, progress
) -> _Plans:
    plans = _Plans()
    progress(0, "正在转换旧版 Word 文件")
    converted = _converted(files, FileKind.DOCX, FileKind.DOC, "docx")
    departments = department_index().in_tree_order(
        Department.objects.filter(permissions.editable_departments_q(user)).select_related(
            "parent__parent"
        )
    )
    allowed = {department.pk: department for department in departments}
    options = [[d.pk, d.name] for d in departments]
    chosen_departments = choices.get("departments", {})
    taken: set[str] = set()
    resolved = []
    for index, (name, data, refusal) in enumerate(converted):
        progress(index, f"正在解析 {name}")
        if data is None:
            plans.items.append(
                {
                    "label": name,
                    "title": "",
                    "detail": "",
                    "code": "",
                    "action": "refused",
                    "action_label": "无法导入",
                    "changed": False,
                    "ok": False,
                    "messages": [refusal],
                    "changes": [],
                    "diff": {},
                }
            )
            plans.digest.update(f"{name}:{refusal}".encode())
            continue
        chosen = allowed.get(chosen_departments.get(str(index)))
        try:
            parsed = parse_docx(data, name)
            plan = resolve_import(user, parsed, department=chosen, taken_codes=taken)
        except Exception as error:  # a parser failure refuses this file, never the batch
            logger.warning("word import: %s could not be read: %s", name, error)
            message = getattr(error, "message", None) or str(error) or "文件无法读取。"
            plans.items.append(
                {
                    "label": name,
                    "title": "",
                    "detail": "",
                    "code": "",
                    "action": "refused",
                    "action_label": "无法导入",
                    "changed": False,
                    "ok": False,
                    "messages": [message],
                    "changes": [],
                    "diff": {},
                }
            )
            plans.digest.update(f"{name}:{message}".encode())
            continue
        resolved.append(plan)
        existing = plan.existing
        department_missing = plan.department is None
        diff = None
        if existing is not None and not department_missing and len(resolved) <= PREVIEW_DIFF_LIMIT:
            diff = word_diffs([plan]).get(existing.pk)
        plans.items.append(
            {
                "label": name,
                "title": parsed.position_title,
                "detail": plan.department.name if plan.department else "",
                "code": parsed.code,
                "action": "update" if existing else "create",
                "action_label": "更新" if existing else "新建",
                "changed": True,
                "ok": plan.ok,
                "messages": [*plan.problems, *plan.warnings],
                "changes": [],
                "diff": {"sections": _diff_payload(diff)},
                "choice": (
                    {"name": f"department-{index}", "options": options, "chosen": None}
                    if department_missing
                    else None
                ),
            }
        )
        plans.digest.update(
            repr(
                (
                    name,
                    parsed.position_title,
                    parsed.code,
                    existing.pk if existing else None,
                    existing.lock_version if existing else None,
                    plan.problems,
                )
            ).encode()
        )
    progress(len(converted), "解析完成")
    created = sum(1 for item in plans.items if item["action"] == "create")
    updated = sum(1 for item in plans.items if item["action"] == "update")
    refused = sum(1 for item in plans.items if not item["ok"])
    plans.counts = [("新建", created), ("更新", updated), ("需处理", refused)]

    in_force = bool(choices.get("in_force"))

    def apply() -> str:
        # 作为已生效版本导入 (go-live): historical V1s signed as the files are, not drafts.
        written = import_sheets(user, resolved, in_force=in_force)
        if in_force:
            return (
                f"已将 {len(written)} 份职位说明书作为已生效版本导入，"
                "均为历史文件 V1，按原文件签核。"
            )
        return f"已从 Word 导入 {len(written)} 份职位说明书，均为草稿，需提交审核。"

    plans.apply = apply
    return plans


PLANNERS = {Kind.POSITIONS: _position_plans, Kind.ROSTER: _roster_plans, Kind.WORD: _word_plans}


def _plan(job: ImportJob, choices: dict, progress) -> _Plans:
    return PLANNERS[ImportJob.Kind(job.kind)](job.requested_by, _staged(job), choices, progress)


# --- the worker's steps -------------------------------------------------------------------------


def _progress(job: ImportJob, started: float):
    limit = settings.IMPORT_JOB_TIMEOUT_SECONDS

    def progress(done: int, stage: str) -> None:
        if time.monotonic() - started > limit:
            raise ImportJobError(
                f"解析超过时间限制（{limit} 秒），已中止。请分批导入，或联系系统管理员。"
            )
        _set(job.pk, done=min(done, job.total), stage=stage[:200])

    return progress


def _fail(job_id: int, message: str) -> None:
    # A job cancelled while the worker read it (its files gone) stays cancelled.
    ImportJob.objects.filter(pk=job_id).exclude(status=Status.CANCELLED).update(
        status=Status.FAILED, error=message, stage="", finished_at=timezone.now()
    )


def run_parse(job_id: int) -> ImportJob | None:
    """Worker: read the job's files and store the preview (状态 待确认)."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != Status.QUEUED:
        return job
    _set(job.pk, status=Status.PARSING, started_at=timezone.now(), stage="正在解析")
    started = time.monotonic()
    try:
        plans = _plan(job, job.choices, _progress(job, started))
    except ImportJobError as error:
        _fail(job.pk, str(error))
        return ImportJob.objects.get(pk=job.pk)
    except Exception:
        logger.exception("import job %s: parsing failed", job.pk)
        _fail(job.pk, "解析时出错，未写入任何数据。请检查文件后重新上传，或联系系统管理员。")
        return ImportJob.objects.get(pk=job.pk)
    # Only if still 解析中: a job cancelled meanwhile stays cancelled.
    ImportJob.objects.filter(pk=job.pk, status=Status.PARSING).update(
        status=Status.READY,
        done=job.total,
        stage="解析完成，请核对后确认导入",
        preview=plans.preview(job.preview.get("skipped", [])),
        fingerprint=plans.fingerprint(),
    )
    return ImportJob.objects.get(pk=job.pk)


def request_confirm(
    job: ImportJob, user: AbstractBaseUser, fingerprint: str, choices: dict
) -> None:
    """The importer confirms what the preview showed; the worker writes it."""
    if job.requested_by_id != user.pk:
        raise PermissionDenied("只有上传文件的人可以确认导入。")
    if choices.get("in_force"):
        refusal = (
            "只有 Word 文件可以作为已生效版本导入。"
            if job.kind != Kind.WORD
            else permissions.in_force_import_refusal(user)
        )
        if refusal:
            raise PermissionDenied(refusal)
    if job.status != Status.READY:
        raise ImportJobError("该导入当前不能确认（已导入、已取消或仍在处理中）。")
    if fingerprint != job.fingerprint:
        raise ImportJobError("预览已更新，请重新核对后再确认。")
    if not job.preview.get("has_changes"):
        raise ImportJobError("没有需要导入的变化。")
    if not job.preview.get("confirmable"):
        raise ImportJobError("还有文件或行无法导入，未写入任何数据：请更正后重新上传。")
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
            status=Status.CONFIRM_QUEUED, choices=choices, stage="排队等待导入", error=""
        )
        if not updated:
            raise ImportJobError("该导入当前不能确认（已导入、已取消或仍在处理中）。")
        task_id = str(confirm_import.enqueue(job.pk).id)
        ImportJob.objects.filter(pk=job.pk).update(task_id=task_id)


def run_confirm(job_id: int) -> ImportJob | None:
    """Worker: plan again with the importer's choices and write everything, or nothing."""
    job = ImportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != Status.CONFIRM_QUEUED:
        return job
    # Committed before the write transaction opens: this row is what the middleware reads.
    _set(job.pk, status=Status.CONFIRMING, started_at=timezone.now(), done=0, stage="正在导入")
    started = time.monotonic()
    try:
        progress = _progress(job, started)
        unchosen = job.kind != Kind.POSITIONS and job.choices
        if unchosen and _plan(job, {}, progress).fingerprint() != job.fingerprint:
            raise _Changed
        plans = _plan(job, job.choices, progress)
        if job.kind == Kind.POSITIONS and plans.fingerprint() != job.fingerprint:
            raise _Changed
        if not plans.ok:
            _set(
                job.pk,
                status=Status.READY,
                preview=plans.preview(job.preview.get("skipped", [])),
                stage="",
                error="还有问题未处理（见下方），未写入任何数据。请处理后再确认。",
            )
            return ImportJob.objects.get(pk=job.pk)
        writing = time.monotonic()
        with transaction.atomic():
            message = plans.apply()
        write_seconds = time.monotonic() - writing
    except _Changed:
        job.status = Status.QUEUED
        _set(job.pk, status=Status.QUEUED)
        run_parse(job.pk)
        _set(job.pk, error="预览之后数据有变化，已重新生成预览。请重新核对后再确认。")
        return ImportJob.objects.get(pk=job.pk)
    except (ValidationError, IntegrityError, EditConflict, PermissionDenied) as error:
        detail = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _fail(job.pk, f"导入失败，未写入任何数据：{detail or '数据冲突'}")
        return ImportJob.objects.get(pk=job.pk)
    except ImportJobError as error:
        _fail(job.pk, str(error))
        return ImportJob.objects.get(pk=job.pk)
    except Exception:
        logger.exception("import job %s: confirming failed", job.pk)
        _fail(job.pk, "导入时出错，未写入任何数据。请稍后重试，或联系系统管理员。")
        return ImportJob.objects.get(pk=job.pk)
    staging.discard(job.requested_by, job.token)
    # How long the write transaction took (on SQLite: how long other writers got the 503).
    preview = {**job.preview, "write_seconds": round(write_seconds, 2)}
    _set(
        job.pk,
        preview=preview,
        status=Status.DONE,
        done=job.total,
        stage="",
        result=message,
        finished_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job.pk)


class _Changed(Exception):
    """The data changed between the preview and the confirmation."""


def cancel(job: ImportJob, user: AbstractBaseUser) -> None:
    if job.requested_by_id != user.pk:
        raise PermissionDenied("只有上传文件的人可以取消导入。")
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.QUEUED, Status.PARSING, Status.READY, Status.FAILED]
    ).update(status=Status.CANCELLED, stage="", finished_at=timezone.now())
    if not updated:
        raise ImportJobError("该导入正在写入或已完成，不能取消。")
    staging.discard(user, job.token)


# --- what the job page shows ------------------------------------------------------------------


def state(job: ImportJob) -> dict[str, Any]:
    if job.status in (Status.QUEUED, Status.CONFIRM_QUEUED):
        percent = 0
    elif job.status in (Status.READY, Status.DONE):
        percent = 100
    elif job.total:
        percent = min(99, round(100 * job.done / job.total))
    else:
        percent = 0
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "step": percent // 5 * 5,  # the bar's width class before the script moves it
        "finished": not job.running,
    }
