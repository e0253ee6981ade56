"""Checking uploads by content: type, size, corrupt and password-protected files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import Workbook

from transfer.services.uploads import (
    OLE_MAGIC,
    FileKind,
    UploadError,
    check_bytes,
    sniff,
    validate_upload,
)
from transfer.tests.excel_helpers import encrypted_office_file, save

XLSX = {FileKind.XLSX}


def xlsx_bytes() -> bytes:
    return save(Workbook())


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def refusal(data: bytes, accept=XLSX) -> str:
    with pytest.raises(UploadError) as raised:
        check_bytes("upload", data, accept)
    return raised.value.message


def test_sniff_tells_xlsx_docx_and_encrypted_apart():
    assert sniff(xlsx_bytes()) is FileKind.XLSX
    assert sniff(docx_bytes()) is FileKind.DOCX
    assert sniff(encrypted_office_file()) is FileKind.ENCRYPTED
    assert sniff(b"%PDF-1.7 ...") is FileKind.OTHER


def test_check_bytes_accepts_a_workbook():
    checked = check_bytes("职位.xlsx", xlsx_bytes(), XLSX)
    assert checked.kind is FileKind.XLSX and checked.name == "职位.xlsx"


def test_check_bytes_refuses_encrypted_file():
    assert refusal(encrypted_office_file()).startswith("文件已加密")


def test_check_bytes_refuses_wrong_type_named_xlsx():
    assert (
        refusal("姓名,工号\n张三,E1\n".encode()) == "文件类型不支持：请上传Excel 工作簿（.xlsx）。"
    )


def test_check_bytes_refuses_docx_where_xlsx_is_expected():
    message = refusal(docx_bytes())
    assert message == "文件类型不符：上传的是Word 文档（.docx），这里需要Excel 工作簿（.xlsx）。"


def test_check_bytes_refuses_truncated_workbook_as_corrupt():
    data = xlsx_bytes()
    assert "已损坏" in refusal(data[: len(data) // 2])


def test_check_bytes_refuses_workbook_with_bad_checksum_as_corrupt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook>" + "x" * 200 + "</workbook>")
    data = bytearray(buffer.getvalue())
    spot = data.index(b"xxxxx")
    data[spot] = ord("y")  # the stored CRC no longer matches
    assert refusal(bytes(data)) == "文件已损坏，无法读取。请用 Office 打开检查后重新保存再上传。"


def test_check_bytes_refuses_legacy_excel_with_save_as_hint():
    legacy = OLE_MAGIC + b"\0" * 100 + "Workbook".encode("utf-16-le")
    assert "另存为 .xlsx" in refusal(legacy)


def test_check_bytes_accepts_legacy_word_when_asked_for():
    legacy = OLE_MAGIC + b"\0" * 100 + "WordDocument".encode("utf-16-le")
    assert check_bytes("old.doc", legacy, {FileKind.DOCX, FileKind.DOC}).kind is FileKind.DOC


def test_check_bytes_refuses_empty_file():
    assert refusal(b"") == "文件是空的（0 字节），请选择要导入的文件。"


def test_validate_upload_refuses_file_over_limit_naming_it_in_mb(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.xlsx", b"x" * (1024 * 1024 + 1))
    with pytest.raises(UploadError) as raised:
        validate_upload(upload, XLSX)
    assert raised.value.message == "文件过大（1.0 MB）：上传上限为 1 MB。"
