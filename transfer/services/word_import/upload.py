"""An uploaded Word file: checked by its content, a legacy .doc converted, then parsed, and
kept until the user confirms the preview."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from transfer.services.legacy import convert_legacy
from transfer.services.uploads import FileKind, UploadError, UploadLike, validate_upload
from transfer.services.word_import.parser import ParsedSheet, parse_docx
from transfer.services.word_import.reader import WordImportError


def read_upload(upload: UploadLike) -> tuple[str, bytes, ParsedSheet]:
    """(name, .docx bytes, parsed sheet) of one uploaded file; ``WordImportError`` if refused.

    The file's type is decided by its content (``transfer.services.uploads``); a legacy .doc is
    converted with LibreOffice where installed.
    """
    name = Path(getattr(upload, "name", "") or "upload.docx").name
    try:
        checked = validate_upload(upload, accept={FileKind.DOCX, FileKind.DOC})
        data = checked.data
        if checked.kind is FileKind.DOC:
            data = convert_legacy(data, "docx")
            name = str(Path(name).with_suffix(".docx"))
    except UploadError as error:
        raise WordImportError(error.message) from error
    except zlib.error as error:  # a damaged deflate stream, met while checking the CRCs
        raise WordImportError("文件已损坏，无法读取。请在 Word 中重新保存后再上传。") from error
    return name, data, parse_docx(data, name)


STAGING_FOLDER = "word-imports"
STAGING_HOURS = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _staging_root(user: AbstractBaseUser) -> Path:
    return Path(settings.MEDIA_ROOT) / STAGING_FOLDER / str(user.pk)


def _forget_old_uploads(root: Path) -> None:
    limit = time.time() - STAGING_HOURS * 3600
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def stage_files(user: AbstractBaseUser, files: list[tuple[str, bytes]]) -> str:
    """Keep checked uploads until the user confirms the preview; returns the token."""
    root = _staging_root(user)
    _forget_old_uploads(root)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir(parents=True)
    names = []
    for index, (name, data) in enumerate(files):
        (folder / f"{index}.docx").write_bytes(data)
        names.append(name)
    (folder / "files.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return token


def staged_files(user: AbstractBaseUser, token: str) -> list[tuple[str, bytes]] | None:
    """The files staged under ``token`` by this user, or None (unknown, expired, someone else's)."""
    if not _TOKEN.match(token):
        return None
    folder = _staging_root(user) / token
    try:
        names = json.loads((folder / "files.json").read_text(encoding="utf-8"))
        return [(name, (folder / f"{index}.docx").read_bytes()) for index, name in enumerate(names)]
    except (OSError, ValueError):
        return None


def discard_staged(user: AbstractBaseUser, token: str) -> None:
    if _TOKEN.match(token):
        shutil.rmtree(_staging_root(user) / token, ignore_errors=True)
