"""Dead-worker recovery: heartbeats, the reaper, and real workers killed with SIGKILL.

The subprocess tests run ``manage.py worker`` (the real command, its own process and database
connection) on the test database — on SQLite a file copy of the in-memory test database (the
sqlite3 backup API, copied back at the end), on PostgreSQL the test database itself — and kill it
with ``kill -9`` while it renders a book.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from positions.models import BookJob, Department, TaskWorker
from positions.services import seed as seed_service
from positions.services import task_leases
from printing.services import books

ROOT = Path(__file__).resolve().parents[2]
LEASE = 3  # seconds: TASK_LEASE_SECONDS of the workers started here (beats every 0.75 s)


# --- the reaper, in this process -------------------------------------------------------------


def _running_task(worker_ids: list[str], started_ago: float = 60) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [0], "kwargs": {}},
        task_path="printing.tasks.build_book",
        backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        worker_ids=worker_ids,
        started_at=timezone.now() - datetime.timedelta(seconds=started_ago),
    )
    return task


def _silent(worker_id: str, seconds: float) -> None:
    TaskWorker.objects.create(
        worker_id=worker_id, beat_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_reap_requeues_a_task_whose_worker_stopped_beating(settings):
    settings.TASK_LEASE_SECONDS = LEASE
    _silent("dead", 30)
    task_leases.beat("alive")
    task = _running_task(["dead"])
    kept = _running_task(["alive"])

    reaped = task_leases.reap()

    assert reaped.requeued == (str(task.pk),) and reaped.failed == ()
    task.refresh_from_db()
    kept.refresh_from_db()
    assert (task.status, task.started_at) == ("READY", None)
    assert kept.status == "RUNNING"


@pytest.mark.django_db
def test_reap_fails_a_task_that_lost_its_worker_twice_and_its_book(settings, user):
    settings.TASK_LEASE_SECONDS = LEASE
    _silent("first", 60)
    _silent("second", 30)
    task_leases.beat("me")
    task = _running_task(["first", "second"])
    job = BookJob.objects.create(
        key="x" * 64, kind="department", title="销售部", total=3, status="running", task_id=task.pk
    )

    reaped = task_leases.reap()

    assert reaped.failed == (str(task.pk),)
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "FAILED"
    assert (job.status, job.error) == ("failed", "生成任务中断（处理进程已停止），请重新生成")


@pytest.mark.django_db
def test_reap_leaves_a_task_just_claimed_by_a_worker_not_yet_beating(settings):
    settings.TASK_LEASE_SECONDS = LEASE
    task_leases.beat("me")
    task = _running_task(["new-worker"], started_ago=1)

    assert task_leases.reap().requeued == ()
    task.refresh_from_db()
    assert task.status == "RUNNING"


# --- real workers, killed ----------------------------------------------------------------------


class SharedDatabase:
    """The test database as another process reaches it."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        self.log = tmp_path / "workers.log"
        if self.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            self.url = (
                f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
                f"{s['PORT'] or 5432}/{s['NAME']}"
            )

    def hand_over(self) -> None:
        """Our committed rows, visible to the worker."""
        if self.vendor == "sqlite":
            target = sqlite3.connect(self.path)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        """The worker's writes, visible to the ORM here."""
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()

    def row(self, sql: str, *params):
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchone()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def _start_worker(db: SharedDatabase, media: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "TASK_LEASE_SECONDS": str(LEASE),
        "MEDIA_ROOT": str(media),
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(db.log.open("a") if db.log else subprocess.DEVNULL),
    )


def _wait(what: str, check, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _job(db: SharedDatabase, job_id: int) -> tuple[str, str]:
    return db.row("SELECT status, error FROM positions_bookjob WHERE id = %s", job_id)


def _claims(db: SharedDatabase, task_id: str) -> int:
    task_id = task_id.replace("-", "") if db.vendor == "sqlite" else task_id
    (worker_ids,) = db.row(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", task_id
    )
    return len(json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids)


def _kill_when_rendering(db, worker, job_id, task_id, claims: int) -> None:
    _wait(
        f"claim {claims} to render",
        lambda: _job(db, job_id)[0] == "running" and _claims(db, task_id) == claims,
    )
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)


@pytest.fixture
def book_job(transactional_db, tmp_path):
    seed_service.load_seed()
    top = Department.objects.filter(parent=None).first()
    job = books.request_book(books.department_selection(top, include_subdepartments=True))
    db = SharedDatabase(tmp_path)
    db.hand_over()
    return db, job


@pytest.mark.scale
def test_worker_killed_mid_book_is_requeued_and_another_worker_finishes_it(book_job):
    db, job = book_job
    media = Path(settings.MEDIA_ROOT)
    first = _start_worker(db, media)
    _kill_when_rendering(db, first, job.pk, job.task_id, claims=1)
    second = _start_worker(db, media)
    try:
        _wait("the book to be built again", lambda: _job(db, job.pk)[0] == "done")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert _claims(db, job.task_id) == 2
    db.take_back()
    job.refresh_from_db()
    assert (job.status, job.error, job.done) == ("done", "", job.total)
    assert job.file.storage.exists(job.file.name)
    # The stopped worker took its heartbeat with it; the killed one's is forgotten by the reaper
    # (later, or already when the machine is slow): at most that one is left.
    assert TaskWorker.objects.count() <= 1


@pytest.mark.scale
def test_book_whose_worker_dies_twice_fails_with_a_message(book_job):
    db, job = book_job
    media = Path(settings.MEDIA_ROOT)
    first = _start_worker(db, media)
    _kill_when_rendering(db, first, job.pk, job.task_id, claims=1)
    second = _start_worker(db, media)
    _kill_when_rendering(db, second, job.pk, job.task_id, claims=2)
    # Whatever became of the book's key meanwhile, the job is found by its task.
    db.row("UPDATE positions_bookjob SET key = %s WHERE id = %s RETURNING id", "k" * 64, job.pk)
    third = _start_worker(db, media)
    try:
        status = _wait(
            "the book to fail", lambda: _job(db, job.pk)[0] == "failed" and _job(db, job.pk)
        )
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(30)
    assert status == ("failed", "生成任务中断（处理进程已停止），请重新生成")
