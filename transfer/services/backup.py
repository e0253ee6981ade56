"""A lossless backup: everything jobdesc holds, in one .zip, and back into an empty database.

The archive holds two files:

* ``data.json`` — Django's JSON serialisation (what ``dumpdata`` writes) of every model of the
  ``positions`` app (found through the app registry, so models added later are included), the
  auth users and groups (with their memberships and permissions), and django-reversion's
  revisions and versions (the 历史记录). Users, groups, permissions and content types are written
  by natural key (username, group name …), so the archive does not depend on the ids a fresh
  database gave them; every other row keeps its primary key, so links between rows, the
  history's stored object ids and the published versions' sheets stay exact.
* ``media/…`` — the uploaded files those rows point at (the company logo …), by stored name.
* ``manifest.json`` — format, when, the schema (latest migration of each app), row counts and
  the uploaded files.

``import_archive`` loads it with ``loaddata`` in one transaction: foreign keys are checked at
commit (Django creates them ``DEFERRABLE INITIALLY DEFERRED`` on SQLite and PostgreSQL), so the
cycle Position.current_version ↔ Version loads in any order; on PostgreSQL loaddata also resets
the id sequences. A database that already holds positions or users is refused.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from reversion.models import Revision as RevisionSet
from reversion.models import Version as Revision

from positions.models import Role

ARCHIVE_FORMAT = "jobdesc-backup/1"
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
SCHEMA_APPS = ("positions", "auth", "reversion", "contenttypes")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (Chinese, then English)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def backup_models() -> list[type[models.Model]]:
    """Every model the archive holds (concrete, managed), the positions app's found generically."""

    chosen: list[type[models.Model]] = [Group, get_user_model()]
    chosen += [
        model
        for model in apps.get_app_config("positions").get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    chosen += [RevisionSet, Revision]
    return chosen


def model_counts(chosen: Iterable[type[models.Model]] | None = None) -> dict[str, int]:
    counts = {}
    for model in chosen or backup_models():
        counts[model._meta.label] = model._base_manager.count()
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                counts[through._meta.label] = through._base_manager.count()
    return counts


MEDIA_FOLDER = "media/"


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _stored_files() -> list[tuple[models.FileField, str]]:
    """(field, stored name) of every uploaded file a backed-up row points at (company logo …)."""
    found: list[tuple[models.FileField, str]] = []
    for model in backup_models():
        for field in _file_fields(model):
            names = model._base_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
            found += [(field, name) for name in names if name]
    return found


def _schema() -> dict[str, str]:
    """The latest applied migration of each app the archive depends on."""
    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connection)
    for app_label, name in sorted(recorder.applied_migrations()):
        if app_label in SCHEMA_APPS:
            latest[app_label] = max(latest.get(app_label, ""), name)
    return latest


def export_archive(path: str | Path) -> BackupResult:
    """Write the whole database's jobdesc content to ``path`` (a .zip)."""
    path = Path(path)
    chosen = backup_models()
    labels = [model._meta.label for model in chosen]
    with tempfile.TemporaryDirectory(prefix="jobdesc-backup-") as folder:
        data_path = Path(folder) / DATA_NAME
        # One read transaction: every table as of the same moment.
        with transaction.atomic():
            call_command(
                "dumpdata",
                *labels,
                natural_foreign=True,
                natural_primary=True,
                use_base_manager=True,
                output=str(data_path),
                verbosity=0,
            )
            counts = model_counts(chosen)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "schema": _schema(),
            "models": labels,
            "counts": counts,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(data_path, DATA_NAME)
            files = []
            for field, name in _stored_files():
                try:
                    with field.storage.open(name, "rb") as handle:
                        archive.writestr(MEDIA_FOLDER + name, handle.read())
                except OSError as exc:
                    raise BackupError(
                        f"上传的文件“{name}”读取失败，备份未完成。\n"
                        f"Could not read the uploaded file {name!r}; no backup written."
                    ) from exc
                files.append(name)
            manifest["files"] = files
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2))
    return BackupResult(path=path, counts=counts)


def read_manifest(path: str | Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST_NAME))
            archive.getinfo(DATA_NAME)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件：{path}\nBackup file not found: {path}") from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(
            f"{path} 不是 jobdesc 备份文件或已损坏。\n"
            f"{path} is not a jobdesc backup archive, or it is damaged."
        ) from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(
            f"备份文件格式不受支持：{manifest.get('format')!r}。\n"
            f"Unsupported backup format: {manifest.get('format')!r}."
        )
    return manifest


def _check_schema(manifest: dict) -> None:
    recorder = MigrationRecorder(connection)
    applied = recorder.applied_migrations()
    missing = [
        f"{app}.{name}"
        for app, name in manifest.get("schema", {}).items()
        if (app, name) not in applied
    ]
    if missing:
        raise BackupError(
            "备份来自更新的数据库结构，本数据库缺少迁移："
            + "、".join(missing)
            + "。请先升级并执行 migrate。\n"
            "The backup comes from a newer schema; this database lacks: " + ", ".join(missing)
        )


def database_is_empty() -> bool:
    """No users and no jobdesc rows (groups, their roles, permissions and content types come
    with migrate)."""
    if get_user_model()._base_manager.exists():
        return False
    return not any(
        model._base_manager.exists()
        for model in backup_models()
        if model._meta.app_label in ("positions", "reversion") and model is not Role
    )


def import_archive(path: str | Path) -> BackupResult:
    """Load an archive written by ``export_archive`` into an empty database, all or nothing."""
    path = Path(path)
    manifest = read_manifest(path)
    if not database_is_empty():
        raise BackupError(
            "数据库不是空的：已有用户或职位数据。恢复备份只能在新建的空数据库中进行"
            "（先执行 migrate，不要载入示例数据）。\n"
            "The database is not empty (it has users or positions). Restore only into a new, "
            "migrated, empty database."
        )
    _check_schema(manifest)
    with tempfile.TemporaryDirectory(prefix="jobdesc-restore-") as folder:
        data_path = Path(folder) / DATA_NAME
        with zipfile.ZipFile(path) as archive:
            data_path.write_bytes(archive.read(DATA_NAME))
            media = {
                info.filename[len(MEDIA_FOLDER) :]: archive.read(info)
                for info in archive.infolist()
                if info.filename.startswith(MEDIA_FOLDER) and not info.is_dir()
            }
        with transaction.atomic():
            call_command("loaddata", str(data_path), verbosity=0)
            _restore_files(media)
            counts = model_counts()
            # Groups may exist before (migrations create the roles): they are merged by name.
            expected = {
                label: count
                for label, count in manifest.get("counts", {}).items()
                if not label.startswith("auth.Group")
            }
            wrong = {
                label: (expected[label], counts.get(label))
                for label in expected
                if counts.get(label) != expected[label]
            }
            if wrong:
                details = "、".join(f"{k}（应为 {a}，实为 {b}）" for k, (a, b) in wrong.items())
                raise BackupError(
                    f"恢复后的行数与备份清单不符，已撤销：{details}。\n"
                    f"Row counts differ from the manifest; nothing was restored: {wrong}"
                )
    return BackupResult(path=path, counts=counts)


def _restore_files(media: dict[str, bytes]) -> None:
    """Put the archived uploads back under their stored names (the rows point at them)."""
    storages = {name: field.storage for field, name in _stored_files()}
    for name, data in media.items():
        storage = storages.get(name)
        if storage is None:
            continue  # no restored row points at it
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(
                f"无法按原名恢复上传的文件“{name}”。\nCould not restore {name!r} under its name."
            )


def describe(manifest: dict) -> str:
    created = manifest.get("created_at", "")
    with contextlib.suppress(ValueError):
        created = datetime.datetime.fromisoformat(created).strftime("%Y-%m-%d %H:%M")
    return f"备份时间 {created}，共 {sum(manifest.get('counts', {}).values())} 行"
