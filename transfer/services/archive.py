"""Many files at once: a .zip, several files, or both, unpacked and checked before staging.

``expand(files)`` takes what the browser sent (name, bytes) and returns the files to import and
the ones skipped (with why). A .zip is opened in memory; its names are decoded as GBK when the
entry's UTF-8 flag (bit 11) is unset — what Windows' 发送到 → 压缩文件夹 and WinRAR write on a
Chinese system — and kept as stored when the bytes are not GBK either. Office lock files
(``~$…``), macOS metadata (``__MACOSX/``, ``.DS_Store``) and ``Thumbs.db`` are skipped and
listed. Every refusal is an ``UploadError`` naming the limit in Chinese:

* at most ``settings.IMPORT_MAX_FILES`` files (500) in one batch;
* at most ``settings.IMPORT_MAX_BATCH_MB`` MB (200) uncompressed in all;
* a compression ratio of at most ``MAX_RATIO`` (100:1), for each entry and for the archive;
* no archive inside an archive.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings

from transfer.services.uploads import ZIP_MAGIC, UploadError, format_mb

MAX_RATIO = 100
UTF8_FLAG = 0x800
SKIPPED_NAMES = {"thumbs.db": "Windows 缩略图缓存", ".ds_store": "macOS 文件夹信息"}


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass
class Expanded:
    files: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def max_files() -> int:
    return int(settings.IMPORT_MAX_FILES)


def max_total_bytes() -> int:
    return int(settings.IMPORT_MAX_BATCH_MB) * 1024 * 1024


def is_zip(name: str, data: bytes) -> bool:
    """A .zip archive (not an Office file, which is a ZIP container too)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return name.lower().endswith(".zip")
    return "[Content_Types].xml" not in names


def decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry's name: UTF-8 when flagged, else the raw bytes read as GBK (as stored if not)."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return info.filename


def skip_reason(path: str) -> str | None:
    """Why a file is not imported (system and lock files), or None."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if any(part == "__MACOSX" for part in parts):
        return "macOS 附加信息（__MACOSX）"
    base = parts[-1] if parts else path
    if base.startswith("~$"):
        return "Office 临时锁定文件（~$ 开头）"
    if base.lower() in SKIPPED_NAMES:
        return SKIPPED_NAMES[base.lower()]
    return None


def _too_many(count: int) -> UploadError:
    return UploadError(
        f"文件过多：一次最多导入 {max_files()} 个文件，本次有 {count} 个。请分批导入。"
    )


def too_big(total: int) -> UploadError:
    limit = format_mb(max_total_bytes())
    return UploadError(
        f"文件总大小超过上限：解压后最多 {limit} MB，本次为 {format_mb(total)} MB。请分批导入。"
    )


def _ratio_refused(name: str) -> UploadError:
    return UploadError(
        f"压缩包“{name}”的压缩比超过 {MAX_RATIO}:1，可能是恶意构造的压缩包，已拒绝。"
    )


def _unzip(name: str, data: bytes, out: Expanded, total: int) -> int:
    """Add the archive's files to ``out``; returns the running uncompressed total."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadError(f"压缩包“{name}”已损坏，无法读取。") from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        wanted: list[tuple[zipfile.ZipInfo, str]] = []
        for info in infos:
            path = decoded_name(info)
            reason = skip_reason(path)
            if reason:
                out.skipped.append(Skipped(path, reason))
                continue
            wanted.append((info, path))
        if len(out.files) + len(wanted) > max_files():
            raise _too_many(len(out.files) + len(wanted))
        uncompressed = sum(info.file_size for info, _path in wanted)
        if total + uncompressed > max_total_bytes():
            raise too_big(total + uncompressed)
        compressed = sum(info.compress_size for info, _path in wanted)
        if uncompressed > MAX_RATIO * max(compressed, 1):
            raise _ratio_refused(name)
        for info, path in wanted:
            if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _ratio_refused(name)
            if path.lower().endswith((".zip", ".rar", ".7z")):
                raise UploadError(
                    f"压缩包“{name}”中含有压缩包“{path}”：不支持多层压缩包，请解压后重新打包。"
                )
            try:
                # Read no more than the entry declares (a lying header cannot inflate more).
                with archive.open(info) as handle:
                    content = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
                raise UploadError(f"压缩包“{name}”中的“{path}”已损坏，无法读取。") from error
            if len(content) > info.file_size:
                raise _ratio_refused(name)
            if is_zip(path, content):
                raise UploadError(
                    f"压缩包“{name}”中含有压缩包“{path}”：不支持多层压缩包，请解压后重新打包。"
                )
            out.files.append((PurePosixPath(path).name, content))
    return total + uncompressed


def expand(files: Iterable[tuple[str, bytes]]) -> Expanded:
    """The files of a batch, archives unpacked; ``UploadError`` naming the limit exceeded."""
    out = Expanded()
    total = 0
    for name, data in files:
        reason = skip_reason(name)
        if reason:
            out.skipped.append(Skipped(name, reason))
            continue
        if is_zip(name, data):
            total = _unzip(name, data, out, total)
            continue
        if len(out.files) + 1 > max_files():
            raise _too_many(len(out.files) + 1)
        total += len(data)
        if total > max_total_bytes():
            raise too_big(total)
        out.files.append((PurePosixPath(name.replace("\\", "/")).name, data))
    if not out.files:
        raise UploadError("没有可导入的文件：请选择 Word 或 Excel 文件，或包含它们的 .zip 压缩包。")
    return out
