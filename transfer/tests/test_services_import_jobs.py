"""The import job: staged files, parsing and confirming in the real task worker."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from positions.models import Department, Employee, ImportJob, Position
from printing.tests.book_helpers import run_worker
from transfer.services import import_jobs, staging
from transfer.services.archive import expand
from transfer.tests import word_helpers
from transfer.tests.excel_helpers import (
    duty_row,
    filled_template,
    position_row,
    roster_book,
    save,
)

pytestmark = pytest.mark.django_db


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def start(user, kind, files):
    expanded = expand(files)
    return import_jobs.start(user, kind, expanded.files, expanded.skipped)


def parsed(job: ImportJob) -> ImportJob:
    run_worker()
    job.refresh_from_db()
    return job


def confirmed(job: ImportJob, user, choices=None) -> ImportJob:
    import_jobs.request_confirm(job, user, job.fingerprint, choices or {})
    run_worker()
    job.refresh_from_db()
    return job


def test_word_batch_zip_is_parsed_listed_and_confirmed_all_at_once(seed, hr_user):
    archive = zipped(
        {
            "说明书/售楼员.docx": word_helpers.layout_a(),
            "说明书/营销策划.docx": word_helpers.layout_b(),
            "说明书/~$售楼员.docx": b"lock",
            "__MACOSX/说明书/._售楼员.docx": b"meta",
            "说明书/Thumbs.db": b"thumbs",
        }
    )
    job = start(hr_user, ImportJob.Kind.WORD, [("批量.zip", archive)])
    assert (job.status, job.total) == (ImportJob.Status.QUEUED, 2)

    job = parsed(job)

    assert job.status == ImportJob.Status.READY, job.error
    labels = [item["label"] for item in job.preview["items"]]
    assert labels == ["售楼员.docx", "营销策划.docx"]
    assert [s["name"] for s in job.preview["skipped"]] == [
        "说明书/~$售楼员.docx",
        "__MACOSX/说明书/._售楼员.docx",
        "说明书/Thumbs.db",
    ]
    assert job.preview["skipped"][0]["reason"] == "Office 临时锁定文件（~$ 开头）"
    assert [item["action_label"] for item in job.preview["items"]] == ["更新", "更新"]
    clerk_diff = job.preview["items"][0]["diff"]["sections"]
    assert "工作职责" in [section["label"] for section in clerk_diff]  # as 版本比较 shows it
    before = Position.objects.count()

    job = confirmed(job, hr_user)

    assert job.status == ImportJob.Status.DONE, job.error
    assert job.result.startswith("已从 Word 导入 2 份职位说明书")
    assert Position.objects.count() == before
    assert Position.objects.get(code="FZ-XS-101").status == Position.Status.DRAFT
    assert staging.staged(hr_user, job.token, kind="job-word") is None


def test_excel_job_lists_the_sheets_and_shows_the_ordered_diff_of_an_update(seed, hr_user):
    clerk = Position.objects.get(code="FZ-XS-101")
    workbook = filled_template(
        {
            "职位": [position_row("FZ-XS-101", "售楼员", "FZ-XS", "FZ-XS-001")],
            "工作职责": [duty_row("FZ-XS-101", 1, "接待来访客户")],
        }
    )
    job = parsed(start(hr_user, ImportJob.Kind.POSITIONS, [("职位.xlsx", save(workbook))]))

    assert job.status == ImportJob.Status.READY, job.error
    assert [sheet["name"] for sheet in job.preview["sheets"]][:2] == ["职位", "工作职责"]
    (item,) = job.preview["items"]
    assert (item["code"], item["action_label"]) == ("FZ-XS-101", "更新")
    sections = {section["label"]: section for section in item["diff"]["sections"]}
    assert "工作职责" in sections
    statuses = {entry["status_label"] for entry in sections["工作职责"]["items"]}
    assert "删除" in statuses or "修改" in statuses

    job = confirmed(job, hr_user)

    assert job.status == ImportJob.Status.DONE, job.error
    clerk.refresh_from_db()
    assert clerk.status == Position.Status.DRAFT
    assert [d.tasks for d in clerk.duties.all()] == ["接待来访客户"]


def test_confirm_refuses_a_preview_whose_data_changed_meanwhile(seed, hr_user):
    workbook = filled_template({"职位": [position_row("NEW-1", "新职位", "FZ-XS")]})
    job = parsed(start(hr_user, ImportJob.Kind.POSITIONS, [("职位.xlsx", save(workbook))]))
    Position.objects.create(code="NEW-1", title="别人新建的", department=clerk_department())

    job = confirmed(job, hr_user)

    assert job.status == ImportJob.Status.READY
    assert job.error == "预览之后数据有变化，已重新生成预览。请重新核对后再确认。"
    assert Position.objects.filter(code="NEW-1").get().title == "别人新建的"


def clerk_department():
    return Position.objects.get(code="FZ-XS-101").department


def test_request_confirm_refuses_a_stale_fingerprint(seed, hr_user):
    workbook = filled_template({"职位": [position_row("NEW-2", "新职位", "FZ-XS")]})
    job = parsed(start(hr_user, ImportJob.Kind.POSITIONS, [("职位.xlsx", save(workbook))]))

    with pytest.raises(import_jobs.ImportJobError, match="预览已更新，请重新核对后再确认。"):
        import_jobs.request_confirm(job, hr_user, "0" * 32, {})


def test_roster_job_asks_to_choose_between_two_positions_of_the_same_title(seed, hr_user):
    sales = clerk_department()
    Position.objects.create(title="售楼员", code="FZ-XS-109", department=sales)
    data = roster_workbook(
        ["序号", "员工姓名", "员工编号", "所属部门", "职位", "入职时间", "手机号"],
        [[1, "林小华", "E7001", "福州项目公司/销售部", "售楼员", "2024年3月1日", "13800000000"]],
    )
    job = parsed(start(hr_user, ImportJob.Kind.ROSTER, [("花名册.xlsx", data)]))

    assert job.status == ImportJob.Status.READY, job.error
    assert job.preview["notes"] == ["已忽略以下列（系统不保存这些个人信息）：手机号。"]
    assert job.preview["problems"] == [
        "工作表“员工花名册” 第 3 行 “岗位”列："
        "“销售部 / 售楼员”对应 2 个职位，请在预览中选择一个。".replace(
            "销售部 / 售楼员", "福州项目公司/销售部 / 售楼员"
        )
    ]
    (item,) = job.preview["items"]
    chosen = Position.objects.get(code="FZ-XS-109")
    assert chosen.pk in [option[0] for option in item["choice"]["options"]]

    job = confirmed(job, hr_user, {"positions": {"3": chosen.pk}})

    assert job.status == ImportJob.Status.DONE, job.error
    employee = Employee.objects.get(employee_no="E7001")
    assert employee.name == "林小华" and str(employee.hired_on) == "2024-03-01"
    assert employee.assignments.get().position == chosen


def roster_workbook(headers: list, rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "员工花名册"
    sheet.append(["福州项目公司员工花名册"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_cancel_discards_the_staged_files(seed, hr_user):
    job = parsed(start(hr_user, ImportJob.Kind.ROSTER, [("花名册.xlsx", roster_book([]))]))

    import_jobs.cancel(job, hr_user)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert staging.staged(hr_user, job.token, kind="job-roster") is None


def test_word_job_asks_for_a_department_and_confirms_with_the_choice(seed, hr_user):
    Position.objects.filter(code="MK105").update(code="MK105-OLD")  # a new sheet, not an update
    job = parsed(
        start(hr_user, ImportJob.Kind.WORD, [("营销策划专员.docx", word_helpers.layout_b())])
    )
    (item,) = job.preview["items"]
    assert "文件中没有所在部门，请选择所在部门。" in item["messages"]
    assert item["choice"]["name"] == "department-0" and job.preview["confirmable"]
    marketing = Department.objects.get(name="营销策划部")

    job = confirmed(job, hr_user, {"departments": {"0": marketing.pk}})

    assert job.status == ImportJob.Status.DONE, job.error
    assert Position.objects.get(code="MK105").department == marketing
