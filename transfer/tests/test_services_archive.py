"""Unpacking a batch: .zip names, skipped system files, and every limit."""

from __future__ import annotations

import io
import zipfile

import pytest

from transfer.services.archive import expand, skip_reason
from transfer.services.uploads import UploadError
from transfer.tests.test_views_jobs import gbk_zip, zipped


def test_expand_keeps_plain_files_and_unpacks_archives_in_order():
    result = expand([("a.docx", b"a"), ("b.zip", zipped({"sub/c.docx": b"c"}))])

    assert result.files == [("a.docx", b"a"), ("c.docx", b"c")]
    assert result.skipped == []


def test_expand_reads_names_without_the_utf8_flag_as_gbk():
    result = expand([("旧.zip", gbk_zip("销售经理职位说明书.docx", b"doc"))])

    assert result.files == [("销售经理职位说明书.docx", b"doc")]


def test_expand_keeps_utf8_flagged_names():
    archive = zipped({"营销策划专员.docx": b"doc"})
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.infolist()[0].flag_bits & 0x800

    assert expand([("新.zip", archive)]).files == [("营销策划专员.docx", b"doc")]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("~$售楼员.docx", "Office 临时锁定文件（~$ 开头）"),
        ("说明书/~$售楼员.docx", "Office 临时锁定文件（~$ 开头）"),
        ("__MACOSX/说明书/._售楼员.docx", "macOS 附加信息（__MACOSX）"),
        ("说明书/Thumbs.db", "Windows 缩略图缓存"),
        (".DS_Store", "macOS 文件夹信息"),
        ("售楼员.docx", None),
    ],
)
def test_skip_reason_names_system_and_lock_files(path, reason):
    assert skip_reason(path) == reason


def test_expand_refuses_a_lying_entry_size():
    """An entry whose header claims fewer bytes than it inflates to is refused."""
    archive = bytearray(zipped({"a.docx": b"x" * 1000}))
    central = archive.rindex(b"PK\x01\x02")
    # The central directory's uncompressed size (offset 24) says 10 instead of 1000.
    archive[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(UploadError):
        expand([("a.zip", bytes(archive))])
