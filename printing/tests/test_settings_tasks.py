"""The task queue settings: django-tasks on the database, SQLite ready for two writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from positions.tasks import build_book  # the stored path of tasks queued before the split
from printing import tasks
from printing.tests.book_helpers import run_worker

BASE_DIR = Path(__file__).resolve().parent.parent.parent

PRINT_DATABASE = """
import json, django
django.setup()
from django.db import connection
options = connection.settings_dict.get("OPTIONS", {})
mode = None
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
print(json.dumps({"options": options, "journal_mode": mode}))
"""


def database_settings(url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobdesc.settings",
        "DEBUG": "1",
        "DATABASE_URL": url,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_a_queued_task_waits_in_the_database_until_the_worker_runs_it():
    """Enqueueing writes a row and runs nothing; the worker (db_worker) then runs it. An
    immediate or dummy backend, or another queue, fails here."""

    result = build_book.enqueue(0)  # no such book job: the task runs, and fails

    row = DBTaskResult.objects.get(id=result.id)
    assert (row.status, row.task_path, row.queue_name) == (
        "READY",
        "printing.tasks.build_book",
        "default",
    )
    run_worker()
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path.endswith("DoesNotExist")


def test_sqlite_file_database_uses_wal_and_immediate_transactions(tmp_path):
    found = database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert found["journal_mode"] == "wal"
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert found["options"]["timeout"] == 20


def test_postgres_database_options_are_left_alone():
    found = database_settings("postgres://jobdesc:secret@db.example:5432/jobdesc")
    assert "transaction_mode" not in found["options"]
    assert "init_command" not in found["options"]


def test_tasks_queued_before_the_split_still_find_their_task():
    """Rows queued before the split by area name ``positions.tasks.build_book``."""
    assert import_string("positions.tasks.build_book") is tasks.build_book
    assert tasks.build_book.module_path == "printing.tasks.build_book"
