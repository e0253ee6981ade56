"""Legacy Office files (Word / Excel 97–2003, .doc / .xls) → .docx / .xlsx via LibreOffice.

Many 职位说明书 date from 2006 and were saved as .doc or .xls. Where LibreOffice is installed
(``settings.LIBREOFFICE_BINARY``, ``soffice`` by default) the file is converted in headless mode
in a private temporary directory, with a timeout; otherwise the user is asked, in Chinese, to
save the file as .docx / .xlsx.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from transfer.services.uploads import UploadError

TARGETS = {"docx": ("doc", "Word", ".docx"), "xlsx": ("xls", "Excel", ".xlsx")}


def libreoffice_binary() -> str | None:
    """The LibreOffice executable's full path, or None when it is not installed."""
    return shutil.which(settings.LIBREOFFICE_BINARY)


def not_installed_message(target: str) -> str:
    legacy, program, suffix = TARGETS[target]
    return (
        f"这是旧版 {program} 97–2003 格式（.{legacy}）的文件，服务器上未安装 LibreOffice，"
        f"无法自动转换。请在 {program} 中打开该文件，另存为 {suffix} 格式后重新上传。"
    )


def convert_legacy(data: bytes, target: str) -> bytes:
    """Convert .doc → .docx (``target="docx"``) or .xls → .xlsx; ``UploadError`` on failure."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    legacy, program, suffix = TARGETS[target]
    binary = libreoffice_binary()
    if binary is None:
        raise UploadError(not_installed_message(target))
    failed = (
        f"旧版 {program} 文件（.{legacy}）转换失败，文件可能已损坏。"
        f"请在 {program} 中另存为 {suffix} 格式后重新上传。"
    )
    with tempfile.TemporaryDirectory(prefix="jobdesc-convert-") as folder:
        work = Path(folder)
        source = work / f"upload.{legacy}"
        source.write_bytes(data)
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            # A profile of its own: a running desktop LibreOffice must not take the job over.
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=settings.LIBREOFFICE_TIMEOUT,
                cwd=work,
            )
        except subprocess.TimeoutExpired as exc:
            raise UploadError(
                f"旧版 {program} 文件转换超时。请在 {program} 中另存为 {suffix} 格式后重新上传。"
            ) from exc
        except (subprocess.CalledProcessError, OSError) as exc:
            raise UploadError(failed) from exc
        result = work / f"upload.{target}"
        if not result.is_file():
            raise UploadError(failed)
        return result.read_bytes()


def batch_timeout(count: int) -> int:
    """Seconds one ``soffice`` call may take for ``count`` files: the start-up once, then a
    share per file (LibreOffice converts a short .doc in well under a second)."""
    return settings.LIBREOFFICE_TIMEOUT + 2 * max(count - 1, 0)


def convert_batch(files: list[tuple[str, bytes]], target: str) -> list[bytes | UploadError]:
    """Convert many legacy files in ONE ``soffice`` call (one start-up, one private profile).

    Returns, for each file in order, its converted bytes or the ``UploadError`` saying why it
    could not be converted (a damaged file fails alone; the others still convert). A timeout or
    a missing LibreOffice refuses every file.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    if not files:
        return []
    legacy, program, suffix = TARGETS[target]
    binary = libreoffice_binary()
    if binary is None:
        return [UploadError(not_installed_message(target)) for _file in files]
    failed = (
        f"旧版 {program} 文件（.{legacy}）转换失败，文件可能已损坏。"
        f"请在 {program} 中另存为 {suffix} 格式后重新上传。"
    )
    with tempfile.TemporaryDirectory(prefix="jobdesc-convert-") as folder:
        work = Path(folder)
        inbox, outbox = work / "in", work / "out"
        inbox.mkdir()
        outbox.mkdir()
        sources = []
        for index, (_name, data) in enumerate(files):
            # Our own names: the uploaded ones may collide, hold path parts or odd characters.
            source = inbox / f"{index:04d}.{legacy}"
            source.write_bytes(data)
            sources.append(source)
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outbox),
            *map(str, sources),
        ]
        try:
            subprocess.run(
                command,
                check=False,
                capture_output=True,
                timeout=batch_timeout(len(files)),
                cwd=work,
            )
        except subprocess.TimeoutExpired:
            timeout = UploadError(
                f"旧版 {program} 文件转换超时（{batch_timeout(len(files))} 秒）。"
                f"请在 {program} 中另存为 {suffix} 格式后重新上传。"
            )
            return [timeout for _file in files]
        except OSError:
            return [UploadError(failed) for _file in files]
        results: list[bytes | UploadError] = []
        for source in sources:
            result = outbox / f"{source.stem}.{target}"
            results.append(result.read_bytes() if result.is_file() else UploadError(failed))
        return results
