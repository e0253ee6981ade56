"""The import job pages: upload (many files, .zip), progress, preview, confirm; bad input."""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from positions import permissions
from positions.models import Department, ImportJob, Position, Version
from positions.tests import golive_helpers
from positions.tests.factories import EditorScopeFactory, UserFactory
from positions.tests.text import page_text
from printing.tests.book_helpers import run_worker
from transfer.services import excel
from transfer.tests import word_helpers
from transfer.tests.excel_helpers import (
    filled_template,
    open_bytes,
    position_row,
    row_counts,
    save,
)

pytestmark = pytest.mark.django_db

CREATE = "positions:import-job-create"


def zipped(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def gbk_zip(name: str, data: bytes) -> bytes:
    """A zip as Windows' 压缩文件夹 writes it on a Chinese system: the name in GBK bytes, the
    UTF-8 flag unset (zipfile always flags non-ASCII names, so an ASCII stand-in of the same
    length is written and its bytes replaced)."""
    encoded = name.encode("gbk")
    stand_in = "x" * (len(encoded) - 5) + ".docx"
    raw = zipped({stand_in: data})
    assert raw.count(stand_in.encode()) == 2  # local header and central directory
    return raw.replace(stand_in.encode(), encoded)


def post(client, kind: str, *files: tuple[str, bytes]):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(reverse(CREATE), {"kind": kind, "files": uploads})


def fingerprint(page: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)


# --- the happy path ------------------------------------------------------------------------------


def test_word_zip_goes_from_progress_to_preview_to_confirmed(seed, hr_client):
    archive = zipped(
        {
            "售楼员.docx": word_helpers.layout_a(),
            "~$售楼员.docx": b"lock",
            "Thumbs.db": b"thumbs",
        }
    )
    response = post(hr_client, "word", ("说明书.zip", archive))
    assert response.status_code == 302
    job_url = response["Location"]

    waiting = page_text(hr_client.get(job_url))
    assert "排队中" in waiting and "在后台处理中，可以离开本页" in waiting
    status = hr_client.get(reverse("positions:import-job-status", args=[job_url.split("/")[-2]]))
    assert status.json()["status_label"] == "排队中"

    run_worker()
    preview = hr_client.get(job_url)
    text = page_text(preview)
    assert "待确认" in text and "售楼员.docx" in text
    assert "已跳过的文件（2）" in text
    assert "~$售楼员.docx — Office 临时锁定文件（~$ 开头）" in text
    assert "Thumbs.db — Windows 缩略图缓存" in text

    response = hr_client.post(
        job_url, {"action": "confirm", "fingerprint": fingerprint(preview.content.decode())}
    )
    assert response.status_code == 302
    assert "等待导入" in page_text(hr_client.get(job_url))
    run_worker()
    done = page_text(hr_client.get(job_url))
    assert "已导入" in done
    assert "已从 Word 导入 1 份职位说明书，均为草稿，需提交审核。" in done
    assert Position.objects.get(code="FZ-XS-101").status == Position.Status.DRAFT


def test_zip_names_without_the_utf8_flag_are_read_as_gbk(seed, hr_client):
    response = post(
        hr_client, "word", ("旧电脑.zip", gbk_zip("售楼员.docx", word_helpers.layout_a()))
    )
    run_worker()
    assert "售楼员.docx" in page_text(hr_client.get(response["Location"]))


def test_many_word_files_on_the_word_page_become_a_job(seed, hr_client, settings):
    files = [SimpleUploadedFile(f"说明书{n}.docx", word_helpers.layout_a()) for n in range(11)]
    response = hr_client.post(reverse("positions:word-import"), {"files": files})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.total) == (ImportJob.Kind.WORD, 11)


def test_big_excel_workbook_becomes_a_job(seed, hr_client, settings):
    settings.IMPORT_JOB_MIN_ROWS = 2
    workbook = filled_template(
        {"职位": [position_row("BIG-1", "甲", "FZ-XS"), position_row("BIG-2", "乙", "FZ-XS")]}
    )
    response = hr_client.post(
        reverse("positions:position-import"),
        {"positions-file": SimpleUploadedFile("大.xlsx", save(workbook))},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    run_worker()
    text = page_text(hr_client.get(job.get_absolute_url()))
    assert "新建 2 ，更新 0 ，无变化 0 。确认前不会写入任何数据。" in text
    assert "大.xlsx · 工作表“职位” 正常" in text


def test_only_changed_filter_hides_the_unchanged_rows(seed, hr_client, hr_user, settings):
    settings.IMPORT_JOB_MIN_ROWS = 1
    stored = Position.objects.filter(code="FZ-XS-001")
    workbook = open_bytes(excel.position_workbook(excel.contents_for(hr_user, stored)))
    workbook["职位"].append(position_row("NEW-9", "新职位", "FZ-XS"))
    response = hr_client.post(
        reverse("positions:position-import"),
        {"positions-file": SimpleUploadedFile("职位.xlsx", save(workbook))},
    )
    run_worker()
    url = response["Location"]

    everything = page_text(hr_client.get(url))
    only = page_text(hr_client.get(url + "?changed=1"))

    assert "新职位" in everything and "销售经理" in everything
    assert "全部（2）" in only and "只看有变化（1）" in only
    assert "新职位" in only and "销售经理" not in only.split("只看有变化（1）")[1]


# --- bad input: each limit named -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "files", "message"),
    [
        (
            {"IMPORT_MAX_FILES": 2},
            [("a.zip", zipped({f"{n}.docx": b"x" for n in range(3)}))],
            "文件过多：一次最多导入 2 个文件，本次有 3 个。请分批导入。",
        ),
        (
            {"IMPORT_MAX_BATCH_MB": 1},
            [("a.zip", zipped({"a.docx": os.urandom(1_200_000)}, zipfile.ZIP_STORED))],
            "文件总大小超过上限：解压后最多 1 MB，本次为 1.1 MB。请分批导入。",
        ),
        (
            {},
            [("炸弹.zip", zipped({"a.docx": b"\0" * 5_000_000}))],
            "压缩包“炸弹.zip”的压缩比超过 100:1，可能是恶意构造的压缩包，已拒绝。",
        ),
        (
            {},
            [("外层.zip", zipped({"内层.zip": zipped({"a.docx": b"x"})}))],
            "压缩包“外层.zip”中含有压缩包“内层.zip”：不支持多层压缩包，请解压后重新打包。",
        ),
        (
            {},
            [("a.zip", zipped({"~$a.docx": b"lock"}))],
            "没有可导入的文件：请选择 Word 或 Excel 文件，或包含它们的 .zip 压缩包。",
        ),
    ],
    ids=["too many files", "too big", "ratio", "nested", "only skipped"],
)
def test_zip_over_a_limit_is_refused_naming_it(hr_client, settings, setup, files, message):
    for name, value in setup.items():
        setattr(settings, name, value)
    before = row_counts()

    response = post(hr_client, "word", *files)

    assert response.status_code == 400
    assert message in page_text(response)
    assert not ImportJob.objects.exists()
    assert row_counts() == before


def test_too_many_files_at_once_are_refused(hr_client, settings):
    settings.IMPORT_MAX_FILES = 2
    response = post(hr_client, "word", *[(f"{n}.docx", b"x") for n in range(3)])
    assert response.status_code == 400
    assert "文件过多：一次最多导入 2 个文件，本次有 3 个。请分批导入。" in page_text(response)


def test_roster_job_takes_one_workbook(hr_client):
    response = post(hr_client, "roster", ("a.xlsx", b"x"), ("b.xlsx", b"y"))
    assert response.status_code == 400
    assert "花名册每次导入一个工作簿，本次有 2 个文件。" in page_text(response)


def test_upload_without_files_is_refused(hr_client):
    response = hr_client.post(reverse(CREATE), {"kind": "word"})
    assert response.status_code == 400
    assert "请选择要导入的文件。" in page_text(response)


def test_data_upload_max_number_files_is_the_batch_limit(settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == settings.IMPORT_MAX_FILES == 500


# --- permissions ---------------------------------------------------------------------------------


def test_another_hr_editor_cannot_open_or_confirm_someone_elses_job(hr_client, hr_user, client):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.WORD, token="t" * 32, total=1, requested_by=hr_user
    )
    other = UserFactory(username="hr-2")
    other.groups.add(*hr_user.groups.all())
    client.force_login(other)

    response = client.post(job.get_absolute_url(), {"action": "confirm"})

    assert response.status_code == 404
    assert "导入任务不存在。" in page_text(response)


def test_employee_may_not_start_an_import_job(user_client):
    response = user_client.get(reverse(CREATE))
    assert response.status_code == 403
    assert "只有 HR 编辑可以导入。" in page_text(response)


# --- go-live through the job: 作为已生效版本导入 ----------------------------------------------


def golive_zip(count: int) -> bytes:
    template = golive_helpers.template_docx()
    return zipped(
        {
            f"{golive_helpers.title(n)}.docx": golive_helpers.numbered_docx(template, n)
            for n in range(1, count + 1)
        }
    )


def test_word_zip_confirmed_in_force_becomes_historical_v1s(seed, hr_client):
    job_url = post(hr_client, "word", ("上线.zip", golive_zip(3)))["Location"]
    run_worker()
    preview = hr_client.get(job_url)
    assert "作为已生效版本导入" in page_text(preview)

    response = hr_client.post(
        job_url,
        {"action": "confirm-in-force", "fingerprint": fingerprint(preview.content.decode())},
    )
    assert response.status_code == 302
    run_worker()

    done = page_text(hr_client.get(job_url))
    assert "已将 3 份职位说明书作为已生效版本导入，均为历史文件 V1，按原文件签核。" in done
    versions = Version.objects.filter(
        position__code__in=[golive_helpers.code(n) for n in (1, 2, 3)]
    )
    assert (
        sorted(versions.values_list("number", "is_historical", "approved_by_name"))
        == [(1, True, "赵总")] * 3
    )


def test_word_zip_in_force_refused_to_a_scoped_hr_editor(seed, client):
    scoped = UserFactory(username="hr-scoped-job")
    scoped.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=scoped, department=Department.objects.get(name="营销策划部"))
    client.force_login(scoped)
    job_url = post(client, "word", ("上线.zip", golive_zip(1)))["Location"]
    run_worker()
    preview = client.get(job_url)
    assert "作为已生效版本导入" not in page_text(preview)

    refused = client.post(
        job_url,
        {"action": "confirm-in-force", "fingerprint": fingerprint(preview.content.decode())},
    )

    assert refused.status_code == 403
    assert "只有不限部门范围的 HR 编辑可以作为已生效版本导入；请导入为草稿后提交审核。" in (
        page_text(refused)
    )
    assert not Version.objects.filter(position__code=golive_helpers.code(1)).exists()
