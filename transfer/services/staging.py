"""Uploads kept between an import's preview and its confirmation, per user, for a day at most.

Every import (Excel positions, the 花名册, Word 职位说明书) is two steps: the checked upload is
staged here and the preview shows what confirming would do; confirming (or cancelling) reads it
back with its token and discards it. Everything goes through Django's storage API
(``default_storage``: MEDIA_ROOT by default, an object store shared by several app servers
later)::

    staged-uploads/<user pk>/<token>/manifest.json   kind, staged at, the files' names
    staged-uploads/<user pk>/<token>/<n>.upload      the files' bytes

* A token is looked up under its own user's folder only: another user's token finds nothing.
* A token must look like one this module issues (checked before any storage name is built
  from it); anything else is refused.
* An upload is gone after ``LIFETIME``: ``staged`` no longer returns it, ``stage`` removes the
  user's expired uploads, ``clean_expired`` (``manage.py clean_staged_uploads``, daily) removes
  everyone's — and whatever is left in the folders used before this module (``imports/``,
  ``word-imports/``).
* When the storage cannot be reached, ``stage`` and ``staged`` raise ``StorageUnavailable``
  (the views say so: 「文件存储暂时不可用，请稍后再试」); ``discard`` leaves the upload to expire.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobdesc.storage import StorageUnavailable

FOLDER = "staged-uploads"
LIFETIME = datetime.timedelta(hours=24)
MANIFEST = "manifest.json"
# Where uploads waited before: the Excel import's flat files and the Word import's folders.
LEGACY_FLAT_FOLDER = "imports"
LEGACY_USER_FOLDER = "word-imports"

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class StagedFile(NamedTuple):
    name: str  # as uploaded (after conversion, e.g. 旧.doc → 旧.docx); never a storage name
    data: bytes


def _user_folder(user: AbstractBaseUser) -> str:
    return f"{FOLDER}/{int(user.pk)}"


def _upload_folder(user: AbstractBaseUser, token: str) -> str | None:
    """The storage folder of ``token``, or None for anything that is not a token of ours."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return f"{_user_folder(user)}/{token}"


def _listdir(folder: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, NotImplementedError):
        return [], []


def _delete_folder(folder: str) -> None:
    """Delete the files of one upload folder, then the folder (FileSystemStorage removes an
    empty directory; an object store has none)."""
    _folders, files = _listdir(folder)
    for name in files:
        with contextlib.suppress(OSError):
            default_storage.delete(f"{folder}/{name}")
    with contextlib.suppress(OSError):
        default_storage.delete(folder)


def _read_manifest(folder: str) -> dict:
    with default_storage.open(f"{folder}/{MANIFEST}", "rb") as handle:
        manifest = json.loads(handle.read().decode("utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("not a manifest")
    return manifest


def _staged_at(folder: str, files: list[str]) -> datetime.datetime | None:
    """When the upload in ``folder`` was staged: its manifest says; a folder without one (an
    interrupted upload, the former layout) goes by its files' modification times."""
    if MANIFEST in files:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return datetime.datetime.fromisoformat(_read_manifest(folder)["staged_at"])
    times = []
    for name in files:
        with contextlib.suppress(OSError, NotImplementedError):
            times.append(default_storage.get_modified_time(f"{folder}/{name}"))
    return max(times, default=None)


def _expired(staged_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    # None: an empty folder, perhaps one being staged into right now; it holds nothing.
    return staged_at is not None and now - staged_at > LIFETIME


def _clean_user_folder(folder: str, now: datetime.datetime) -> int:
    """Remove the expired uploads of one user's folder; how many were removed."""
    tokens, _files = _listdir(folder)
    removed = 0
    for token in tokens:
        upload = f"{folder}/{token}"
        _subfolders, files = _listdir(upload)
        if _expired(_staged_at(upload, files), now):
            _delete_folder(upload)
            removed += 1
    return removed


def stage(user: AbstractBaseUser, files: Iterable[tuple[str, bytes]], *, kind: str) -> str:
    """Keep checked uploads until ``user`` confirms or cancels; returns the token.

    ``kind`` names the import (``"positions"``, ``"roster"``, ``"word"``): a token is read back
    only by the same kind of import.
    """
    _clean_user_folder(_user_folder(user), timezone.now())
    token = secrets.token_urlsafe(24)
    folder = f"{_user_folder(user)}/{token}"
    names = []
    for index, (name, data) in enumerate(files):
        path = f"{folder}/{index}.upload"
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # the token is fresh: storage never renames inside it
            raise RuntimeError(f"staged upload stored as {saved!r}, not {path!r}")
        names.append(name)
    manifest = {"kind": kind, "staged_at": timezone.now().isoformat(), "names": names}
    # Written last: an upload without its manifest is never read, only cleaned up.
    default_storage.save(
        f"{folder}/{MANIFEST}",
        ContentFile(json.dumps(manifest, ensure_ascii=False).encode("utf-8")),
    )
    return token


def staged(user: AbstractBaseUser, token: str, *, kind: str) -> list[StagedFile] | None:
    """The files ``user`` staged under ``token`` for this kind of import, or None: a malformed
    token, someone else's, another import's, expired, confirmed or cancelled."""
    folder = _upload_folder(user, token)
    if folder is None:
        return None
    try:
        manifest = _read_manifest(folder)
        staged_at = datetime.datetime.fromisoformat(manifest["staged_at"])
        if manifest["kind"] != kind:
            return None
        if _expired(staged_at, timezone.now()):
            _delete_folder(folder)
            return None
        files = []
        for index, name in enumerate(manifest["names"]):
            with default_storage.open(f"{folder}/{index}.upload", "rb") as handle:
                files.append(StagedFile(str(name), handle.read()))
    except StorageUnavailable:
        raise
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return files


def discard(user: AbstractBaseUser, token: str) -> None:
    """Forget an upload (confirmed or cancelled); a malformed or unknown token does nothing."""
    folder = _upload_folder(user, token)
    if folder is not None:
        with contextlib.suppress(StorageUnavailable):  # then it expires (clean_expired)
            _delete_folder(folder)


def _legacy_uploads() -> Iterator[tuple[str, list[str]]]:
    """(folder, files) of each upload left in the former layouts: every file of ``imports/``
    alone, every ``word-imports/<user>/<token>/`` folder."""
    _folders, files = _listdir(LEGACY_FLAT_FOLDER)
    for name in files:
        yield LEGACY_FLAT_FOLDER, [name]
    users, _files = _listdir(LEGACY_USER_FOLDER)
    for user in users:
        tokens, _files = _listdir(f"{LEGACY_USER_FOLDER}/{user}")
        for token in tokens:
            folder = f"{LEGACY_USER_FOLDER}/{user}/{token}"
            yield folder, _listdir(folder)[1]
        with contextlib.suppress(OSError):
            default_storage.delete(f"{LEGACY_USER_FOLDER}/{user}")  # only goes when empty


def clean_expired(now: datetime.datetime | None = None) -> int:
    """Remove every user's uploads older than ``LIFETIME``; how many uploads were removed."""
    now = now or timezone.now()
    users, _files = _listdir(FOLDER)
    removed = 0
    for user in users:
        removed += _clean_user_folder(f"{FOLDER}/{user}", now)
        with contextlib.suppress(OSError):
            default_storage.delete(f"{FOLDER}/{user}")  # only goes when empty
    for folder, files in _legacy_uploads():
        if files and _expired(_staged_at(folder, files), now):
            for name in files:
                with contextlib.suppress(OSError):
                    default_storage.delete(f"{folder}/{name}")
            if folder != LEGACY_FLAT_FOLDER:
                with contextlib.suppress(OSError):
                    default_storage.delete(folder)
            removed += 1
    return removed
