"""Task workers' heartbeats and the reaper of tasks whose worker died.

django-tasks-db's ``db_worker`` marks a task 运行中 when it claims it and finished when it ends;
a worker killed in between (``kill -9``, out of memory, a machine lost) leaves the task running
for ever, and with it the book or import job that waits on it. Every ``manage.py worker``
(``printing/management/commands/worker.py``) therefore

* beats: writes its ``TaskWorker.beat_at`` every ``TASK_LEASE_SECONDS / 4``;
* reaps, as often: a running task whose last worker has been silent for ``TASK_LEASE_SECONDS``
  (or never beat and started that long ago) is queued again once — the next worker to claim it
  runs it afresh — and, when it was already re-queued once, failed, together with the book or
  import job that points at it (by task id, whatever became of the book's key meanwhile).

Claims and the reaper lock the task rows (``select_for_update(skip_locked=True)`` on
PostgreSQL), so any number of workers on any number of machines reap without stepping on each
other. The clock is the database's own (``Now()``), so machines' clocks need not agree.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from positions.models import BookJob, ImportJob, TaskWorker

logger = logging.getLogger(__name__)

BOOK_INTERRUPTED = "生成任务中断（处理进程已停止），请重新生成"
IMPORT_INTERRUPTED = "导入任务中断（处理进程已停止），请重新导入"
# A task runs at most this many times (claims) before a lost worker fails it.
MAX_CLAIMS = 2


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker stopped beating."""


@dataclass(frozen=True)
class Reaped:
    requeued: tuple[str, ...]
    failed: tuple[str, ...]


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def beat_interval() -> float:
    return settings.TASK_LEASE_SECONDS / 4


def beat(worker_id: str) -> None:
    """This worker is alive (one short write)."""
    updated = TaskWorker.objects.filter(worker_id=worker_id).update(beat_at=Now())
    if not updated:
        TaskWorker.objects.update_or_create(
            worker_id=worker_id,
            defaults={"hostname": socket.gethostname()[:200], "pid": os.getpid(), "beat_at": Now()},
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly leaves no heartbeat behind."""
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def _silent_workers(now: datetime.datetime) -> tuple[set[str], set[str]]:
    """(worker ids beating recently, all worker ids known)."""
    rows = list(TaskWorker.objects.values_list("worker_id", "beat_at"))
    alive = {worker for worker, beat_at in rows if now - beat_at <= lease()}
    return alive, {worker for worker, _ in rows}


def _db_now() -> datetime.datetime | None:
    """The database's clock (every machine's worker compares against the same one)."""
    return TaskWorker.objects.annotate(now=Now()).values_list("now", flat=True).first()


def _requeue_jobs(task_id: str) -> None:
    BookJob.objects.filter(task_id=task_id, status=BookJob.Status.RUNNING).update(
        status=BookJob.Status.QUEUED, done=0, started_at=None
    )
    ImportJob.objects.filter(task_id=task_id, status=ImportJob.Status.PARSING).update(
        status=ImportJob.Status.QUEUED, stage="处理进程已停止，重新排队"
    )
    ImportJob.objects.filter(task_id=task_id, status=ImportJob.Status.CONFIRMING).update(
        status=ImportJob.Status.CONFIRM_QUEUED, done=0, stage="处理进程已停止，重新排队"
    )


def _fail_jobs(task_id: str) -> None:
    BookJob.objects.filter(task_id=task_id).exclude(status=BookJob.Status.DONE).update(
        status=BookJob.Status.FAILED, error=BOOK_INTERRUPTED, finished_at=Now()
    )
    ImportJob.objects.filter(task_id=task_id).exclude(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.CANCELLED, ImportJob.Status.READY]
    ).update(status=ImportJob.Status.FAILED, error=IMPORT_INTERRUPTED, stage="", finished_at=Now())


def _lost(task: DBTaskResult) -> bool:
    """Queue a task whose run was lost again (True), or fail it after its last claim."""
    task_id = str(task.id)
    if len(task.worker_ids) < MAX_CLAIMS:
        task.status = TaskResultStatus.READY
        task.started_at = None
        task.save(update_fields=["status", "started_at"])
        _requeue_jobs(task_id)
        return True
    task.set_failed(WorkerLost(BOOK_INTERRUPTED))
    _fail_jobs(task_id)
    return False


def release(task_id: str) -> None:
    """A task this worker was running when the database went away: queue it again (once)."""
    with transaction.atomic():
        task = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
        if task is not None and task.status == TaskResultStatus.RUNNING:
            _lost(task)


def reap() -> Reaped:
    """Queue again (once) or fail the running tasks whose worker stopped beating."""
    requeued: list[str] = []
    failed: list[str] = []
    with transaction.atomic():
        now = _db_now()
        if now is None:  # no worker has ever beaten: nothing can have lost one
            return Reaped((), ())
        alive, known = _silent_workers(now)
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            owner = task.worker_ids[-1] if task.worker_ids else ""
            if owner in alive:
                continue
            if owner not in known and task.started_at and now - task.started_at <= lease():
                continue  # claimed a moment ago by a worker that has not beaten yet
            (requeued if _lost(task) else failed).append(str(task.id))
        # Workers silent for ten leases are gone for good: forget them.
        TaskWorker.objects.filter(beat_at__lt=now - 10 * lease()).delete()
    for task_id in requeued:
        logger.warning("Task %s lost its worker: queued again", task_id)
    for task_id in failed:
        logger.warning("Task %s lost its worker a second time: failed", task_id)
    return Reaped(tuple(requeued), tuple(failed))
