"""Restoring backups on a new server, step by step as deploy/README.md tells an administrator:
a new, empty database, `manage.py migrate`, then `manage.py import_all backup.zip` (or, on
PostgreSQL, `pg_dump` / `pg_restore`) — each its own process. Every sheet reads the same after.

The database engine is the suite's: PostgreSQL in the PostgreSQL suite (DATABASE_URL), SQLite
otherwise.
"""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string

from people.services import demo
from positions.models import Position, Version
from positions.services import seed as seed_service
from positions.sheet import build_sheet
from positions.tests.factories import create_role_groups
from positions.tests.text import html_text

PROJECT = Path(__file__).resolve().parents[2]


def sheet_texts() -> dict[str, str]:
    """What a reader sees of every working copy and every published version, by name."""
    texts = {}
    for position in Position.objects.with_sheet().order_by("pk"):
        html = render_to_string("positions/_sheet.html", {"sheet": build_sheet(position)})
        texts[f"{position.pk} {position.title} 工作副本"] = html_text(html)
    for version in Version.objects.select_related("position").order_by("pk"):
        html = render_to_string("positions/_sheet.html", {"sheet": build_sheet(version)})
        texts[f"{version.position_id} {version.position.title} V{version.number}"] = html_text(html)
    return texts


def manage(database_url: str, *args: str, media: Path) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DEBUG="1", DATABASE_URL=database_url, MEDIA_ROOT=str(media))
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def restored_sheet_texts(database_url: str, media: Path) -> dict[str, str]:
    script = (
        "import json; from transfer.tests.test_commands_import_all import sheet_texts; "
        "print(json.dumps(sheet_texts(), ensure_ascii=False))"
    )
    out = manage(database_url, "shell", "--no-imports", "-c", script, media=media)
    return json.loads(out.strip().splitlines()[-1])


def postgres_url(settings_dict: dict, name: str) -> str:
    user, password = quote(settings_dict["USER"]), quote(settings_dict["PASSWORD"])
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{name}"


def run_sql_as_owner(settings_dict: dict, *statements: str) -> None:
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        admin.close()


@pytest.fixture
def new_database(tmp_path):
    """The URL of a new, empty database on the suite's engine, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    run_sql_as_owner(
        settings_dict, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'
    )
    yield postgres_url(settings_dict, name)
    run_sql_as_owner(settings_dict, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_import_all_into_new_migrated_database_restores_every_sheet(seed, tmp_path, new_database):
    create_role_groups()  # what migrate made, should a transactional test have flushed it
    archive = tmp_path / "jobdesc-backup.zip"
    call_command("export_all", str(archive), stdout=io.StringIO())
    before = sheet_texts()
    media = tmp_path / "media"

    manage(new_database, "migrate", "--noinput", media=media)
    out = manage(new_database, "import_all", str(archive), media=media)

    assert "已恢复" in out
    after = restored_sheet_texts(new_database, media)
    assert len(before) == Position.objects.with_sheet().count() + Version.objects.count()
    assert "售楼员" in " ".join(before) and any("V1" in name for name in before)
    assert after == before


@pytest.fixture
def committed_seed(transactional_db):
    """pg_dump reads what is committed, from its own session: the seed is loaded for real."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump / pg_restore back up PostgreSQL only (the PostgreSQL suite runs it)")
    create_role_groups()
    seed_service.load_seed()
    demo.ensure_demo_accounts()


@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_into_new_database_restore_every_sheet(
    committed_seed, tmp_path, new_database
):
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} not found: install postgresql-client")
    dump = tmp_path / "jobdesc.dump"
    source = postgres_url(connection.settings_dict, connection.settings_dict["NAME"])
    before = sheet_texts()

    # The commands of deploy/README.md (custom format; no owner, so any role may restore).
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={source}"],
        check=True,
        timeout=300,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={new_database}", str(dump)],
        check=True,
        timeout=300,
    )

    after = restored_sheet_texts(new_database, tmp_path / "media")
    assert len(after) == Position.objects.with_sheet().count() + Version.objects.count()
    assert after == before
