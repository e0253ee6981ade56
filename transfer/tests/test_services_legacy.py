"""Legacy .doc / .xls files converted by LibreOffice: a batch in one soffice call."""

from __future__ import annotations

from pathlib import Path

import pytest

from positions.models import ImportJob
from transfer.services.legacy import convert_batch
from transfer.services.uploads import FileKind, UploadError, sniff
from transfer.services.word_import.parser import parse_docx
from transfer.tests.test_services_import_jobs import parsed, start

LEGACY = Path(__file__).parent / "fixtures" / "legacy"


def legacy(name: str) -> bytes:
    return (LEGACY / name).read_bytes()


def test_legacy_fixtures_are_real_word_and_excel_97_files():
    kinds = [sniff(legacy(name)) for name in ("售楼员.doc", "营销策划专员.doc", "职位.xls")]
    assert kinds == [FileKind.DOC, FileKind.DOC, FileKind.XLS]


def test_convert_batch_without_libreoffice_refuses_each_file_with_the_save_as_hint(settings):
    settings.LIBREOFFICE_BINARY = "no-such-soffice"

    results = convert_batch([("a.doc", legacy("售楼员.doc"))], "docx")

    assert [str(r) for r in results] == [
        "这是旧版 Word 97–2003 格式（.doc）的文件，服务器上未安装 LibreOffice，无法自动转换。"
        "请在 Word 中打开该文件，另存为 .docx 格式后重新上传。"
    ]


@pytest.mark.libreoffice
def test_convert_batch_converts_many_doc_files_in_one_call_and_a_damaged_one_fails_alone():
    damaged = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 500 + "WordDocument".encode("utf-16-le")

    results = convert_batch(
        [
            ("售楼员.doc", legacy("售楼员.doc")),
            ("坏文件.doc", damaged),
            ("营销策划专员.doc", legacy("营销策划专员.doc")),
        ],
        "docx",
    )

    assert parse_docx(results[0], "售楼员.docx").code == "FZ-XS-101"
    assert isinstance(results[1], UploadError)
    assert "转换失败" in results[1].message
    assert parse_docx(results[2], "营销策划专员.docx").position_title


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_word_job_of_doc_files_converts_them_and_lists_them_as_docx(seed, hr_user):
    files = [("售楼员.doc", legacy("售楼员.doc")), ("营销策划专员.doc", legacy("营销策划专员.doc"))]

    job = parsed(start(hr_user, ImportJob.Kind.WORD, files))

    assert job.status == ImportJob.Status.READY, job.error
    assert [item["label"] for item in job.preview["items"]] == ["售楼员.docx", "营销策划专员.docx"]
    assert job.preview["items"][0]["code"] == "FZ-XS-101"


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_xls_roster_job_reads_the_converted_roster_and_ignores_the_id_card_column(seed, hr_user):
    job = parsed(start(hr_user, ImportJob.Kind.ROSTER, [("花名册.xls", legacy("花名册.xls"))]))

    assert job.status == ImportJob.Status.READY, job.error
    assert job.preview["notes"] == ["已忽略以下列（系统不保存这些个人信息）：身份证号。"]
    (item,) = job.preview["items"]
    assert (item["title"], item["detail"], item["action_label"]) == (
        "陈旧表（E8801）",
        "销售经理",
        "入职（新建员工）",
    )
