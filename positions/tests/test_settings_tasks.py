"""The task queue settings: django-tasks on the database, SQLite ready for two writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

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


def test_tasks_run_on_the_database_backend():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_sqlite_file_database_uses_wal_and_immediate_transactions(tmp_path):
    found = database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert found["journal_mode"] == "wal"
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert found["options"]["timeout"] == 20


def test_postgres_database_options_are_left_alone():
    found = database_settings("postgres://jobdesc:secret@db.example:5432/jobdesc")
    assert "transaction_mode" not in found["options"]
    assert "init_command" not in found["options"]
