"""Checking an uploaded file before any importer reads it.

Shared by the Excel (xlsx) and Word (docx) importers. The type is decided by the file's content
(its magic bytes and, for Office Open XML, the parts inside the ZIP container), never by the
name the browser sent. Every refusal is an ``UploadError`` whose ``message`` is a Chinese
sentence to show the user as-is.

Usage::

    try:
        checked = validate_upload(request.FILES["file"], accept={FileKind.XLSX})
    except UploadError as error:
        form.add_error("file", error.message)
    ...  # checked.data (bytes), checked.kind, checked.name

Detected cases: empty file, file over ``settings.IMPORT_MAX_UPLOAD_BYTES`` (message names the
limit in MB), password-protected / encrypted Office files (an OLE compound file holding an
``EncryptedPackage`` stream — what Excel and Word write when a password is set), legacy Excel /
Word 97–2003 files (.xls / .doc, also OLE compound files), corrupt ZIP containers (bad CRC,
truncated), ZIP bombs, and files of another type altogether.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# An uncompressed workbook / document may be at most this many times the upload limit.
MAX_EXPANSION = 20


class FileKind(StrEnum):
    XLSX = "xlsx", "Excel 工作簿（.xlsx）"
    DOCX = "docx", "Word 文档（.docx）"
    XLS = "xls", "Excel 97–2003 工作簿（.xls）"
    DOC = "doc", "Word 97–2003 文档（.doc）"
    ENCRYPTED = "encrypted", "加密的 Office 文件"
    OTHER = "other", "其他文件"

    def __new__(cls, value: str, label: str) -> FileKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    label: str


class UploadError(Exception):
    """An upload we refuse; ``message`` is the Chinese text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadLike(Protocol):
    name: str
    size: int

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    data: bytes = field(repr=False)
    kind: FileKind

    @property
    def size(self) -> int:
        return len(self.data)


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_BYTES)


def format_mb(size: int) -> str:
    """Bytes as megabytes for messages: ``10`` or ``12.5``."""
    value = size / (1024 * 1024)
    if value == int(value):
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2f}"


def too_big_message(size: int | None = None) -> str:
    limit = format_mb(max_upload_bytes())
    if size is None:
        return f"文件过大：上传上限为 {limit} MB。"
    return f"文件过大（{format_mb(size)} MB）：上传上限为 {limit} MB。"


def _has_ole_stream(data: bytes, name: str) -> bool:
    """The directory of an OLE compound file stores stream names in UTF-16LE; finding a name in
    the bytes is enough to tell an encrypted OOXML package from a .doc or .xls."""
    return name.encode("utf-16-le") in data


def sniff(data: bytes) -> FileKind:
    """The kind of file ``data`` is, from its content (no validation of a ZIP's integrity)."""
    if data.startswith(OLE_MAGIC):
        if _has_ole_stream(data, "EncryptedPackage") or _has_ole_stream(data, "EncryptionInfo"):
            return FileKind.ENCRYPTED
        if _has_ole_stream(data, "WordDocument"):
            return FileKind.DOC
        if _has_ole_stream(data, "Workbook") or _has_ole_stream(data, "Book"):
            return FileKind.XLS
        return FileKind.OTHER
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return FileKind.OTHER
        if "xl/workbook.xml" in names:
            return FileKind.XLSX
        if "word/document.xml" in names:
            return FileKind.DOCX
    return FileKind.OTHER


def _expected_text(accept: Iterable[FileKind]) -> str:
    return "、".join(kind.label for kind in accept)


def check_bytes(name: str, data: bytes, accept: Iterable[FileKind]) -> CheckedUpload:
    """Validate already-read bytes (see ``validate_upload``)."""
    wanted = set(accept)
    accept = tuple(kind for kind in FileKind if kind in wanted)  # a stable order for messages
    expected = _expected_text(accept)
    if not data:
        raise UploadError("文件是空的（0 字节），请选择要导入的文件。")
    if len(data) > max_upload_bytes():
        raise UploadError(too_big_message(len(data)))
    kind = sniff(data)
    if kind is FileKind.ENCRYPTED:
        raise UploadError(
            "文件已加密（设置了打开密码），无法读取。请在 Office 中取消密码后重新上传。"
        )
    if kind in accept:
        if kind in (FileKind.XLSX, FileKind.DOCX):
            _check_zip(data)
        return CheckedUpload(name=name, data=data, kind=kind)
    if kind is FileKind.XLS:
        raise UploadError(
            "这是 Excel 97–2003 格式（.xls）的文件，请在 Excel 中另存为 .xlsx 后重新上传。"
        )
    if kind is FileKind.DOC:
        raise UploadError(
            "这是 Word 97–2003 格式（.doc）的文件，请在 Word 中另存为 .docx 后重新上传。"
        )
    if kind in (FileKind.XLSX, FileKind.DOCX):
        raise UploadError(f"文件类型不符：上传的是{kind.label}，这里需要{expected}。")
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)) or data.startswith(OLE_MAGIC):
        raise UploadError(f"文件已损坏或不是有效的{expected}，无法读取。")
    raise UploadError(f"文件类型不支持：请上传{expected}。")


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > max_upload_bytes() * MAX_EXPANSION:
                raise UploadError("文件解压后过大，无法导入。")
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UploadError("文件已损坏，无法读取。请用 Office 打开检查后重新保存再上传。") from error
    if bad is not None:
        raise UploadError("文件已损坏，无法读取。请用 Office 打开检查后重新保存再上传。")


def validate_upload(upload: UploadLike, accept: Iterable[FileKind]) -> CheckedUpload:
    """Read and check an uploaded file; raise ``UploadError`` with a Chinese message.

    The size is checked before reading (the uploaded file's reported size) and again on the bytes.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_upload_bytes():
        raise UploadError(too_big_message(size))
    data = upload.read(max_upload_bytes() + 1)
    return check_bytes(getattr(upload, "name", "") or "", data, accept)
