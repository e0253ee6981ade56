"""The report: findings by type, HR's notes applied (the report converges), stored as JSON,
read back as PDF and xlsx, and built as a job with progress."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from diagnosis.models import DiagnosisJob, FindingNote
from diagnosis.services import exports, jobs
from diagnosis.services.report import Report, build_report, mark_finding, unmark_finding
from positions.models import Department
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    PositionFactory,
    UserFactory,
    published_together,
)
from positions.tests.text import compact, pdf_text
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

RESEARCH = "负责组织楼盘市场调研，了解市场竞争情况和客户需求"


@pytest.fixture
def sales():
    company = DepartmentFactory(name="福州项目公司", code="FZ", kind=Department.Kind.COMPANY)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=company)
    boss = PositionFactory(title="销售经理", department=sales)
    for title in ("售楼员", "置业顾问"):
        position = PositionFactory(title=title, department=sales, reports_to=boss)
        DutyFactory(position=position, title="市场调研", tasks=RESEARCH)
    return sales


def section(report: Report, kind: str):
    return next(s for s in report.sections if s.kind == kind)


def test_build_report_groups_findings_by_type(sales):
    report = build_report(sales)

    assert report.scope == "福州项目公司 / 销售部"
    assert report.positions == 3
    overlap = section(report, "overlap")
    assert [e.finding.message for e in overlap.open] == [
        "“售楼员”与“置业顾问”对相似的职责都负全责（相似度 100%）"
    ]
    assert [e.finding.message for e in section(report, "no_management_duty").open] == [
        "“销售经理”有 2 个直接下属，但说明书中没有部门管理类职责"
    ]


def test_marked_finding_leaves_the_open_list_and_comes_back_when_unmarked(sales):
    hr = UserFactory(username="hr", first_name="王人事")
    finding = section(build_report(sales), "overlap").open[0].finding

    mark_finding(user=hr, finding=finding, status="not_applicable", reason="两个职位轮班，职责相同")

    report = build_report(sales)
    overlap = section(report, "overlap")
    assert overlap.open == ()
    assert [(e.note.status_label, e.note.reason, e.note.marked_by) for e in overlap.marked] == [
        ("不适用", "两个职位轮班，职责相同", "王人事")
    ]
    unmark_finding(key=finding.key)
    assert len(section(build_report(sales), "overlap").open) == 1


def test_mark_finding_refuses_an_empty_reason_and_changes_nothing(sales):
    finding = section(build_report(sales), "overlap").open[0].finding

    with pytest.raises(ValidationError) as error:
        mark_finding(user=UserFactory(), finding=finding, status="acknowledged", reason="  ")

    assert error.value.messages == ["请填写说明（为什么已知悉或不适用）。"]
    assert not FindingNote.objects.exists()


def test_report_round_trips_through_json_with_current_notes(sales):
    report = build_report(sales)
    stored = report.as_dict()
    finding = section(report, "overlap").open[0].finding
    mark_finding(user=UserFactory(), finding=finding, status="acknowledged", reason="已安排调整")

    again = Report.from_dict(stored)

    assert again.positions == 3
    assert section(again, "overlap").marked[0].finding == finding
    assert again.open_count == report.open_count - 1


def test_report_xlsx_reads_back_every_finding(sales):
    report = build_report(sales)

    sheet = load_workbook(io.BytesIO(exports.report_xlsx(report))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert rows[0] == exports.XLSX_HEADERS
    overlap = next(row for row in rows if row[1] == "职责重叠（同级或相近职位）")
    assert overlap[2].startswith(
        "“售楼员”与“置业顾问”对相似的职责都负全责（相似度 100%）\n市场调研："
    )
    assert overlap[3].startswith("售楼员（P-") and "、置业顾问（P-" in overlap[3]
    assert overlap[4] == "销售部"
    assert overlap[5] == "100%"
    assert overlap[6] == "待处理"
    assert len(rows) - 1 == sum(len(s.entries) for s in report.sections)


def test_report_pdf_reads_back(sales):
    report = build_report(sales)

    text = compact(pdf_text(exports.report_pdf(report, printed_by="王人事")))

    assert "福州项目公司/销售部·组织诊断报告" in text
    assert "“售楼员”与“置业顾问”对相似的职责都负全责（相似度100%）" in text
    assert "“销售经理”有2个直接下属，但说明书中没有部门管理类职责" in text


def test_build_report_reports_progress_check_by_check(sales):
    seen = []

    build_report(sales, progress=lambda done, total, label: seen.append((done, total, label)))

    assert seen[0] == (0, 11, "职责重叠（同级或相近职位）, 职责重叠（上级与直接下属）")
    assert seen[-1] == (11, 11, "汇总")
    assert [done for done, _total, _label in seen] == list(range(12))


def test_job_runs_in_the_worker_and_stores_the_report(sales, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(department=sales, user=UserFactory())
    assert job.status == DiagnosisJob.Status.QUEUED
    assert job.total == 11

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.stage) == ("done", 11, 11, "已完成")
    report = jobs.job_report(job)
    assert [e.finding.message for e in section(report, "overlap").open] == [
        "“售楼员”与“置业顾问”对相似的职责都负全责（相似度 100%）"
    ]


def test_request_job_reuses_a_job_of_the_same_scope_still_running(sales):
    first = jobs.request_job(department=sales, user=None)

    assert jobs.request_job(department=sales, user=None) == first
    assert DiagnosisJob.objects.count() == 1


def test_build_report_query_count_does_not_grow_with_the_scope(sales):
    with CaptureQueriesContext(connection) as small:
        build_report(sales)
    boss = sales.positions.get(title="销售经理")
    for n in range(12):
        position = PositionFactory(title=f"置业顾问{n}", department=sales, reports_to=boss)
        DutyFactory(position=position, title="市场调研", tasks=RESEARCH)
    with CaptureQueriesContext(connection) as large:
        report = build_report(sales)

    assert report.positions == 15
    assert len(large) == len(small)


def test_report_pdf_lists_sixty_findings_of_a_type_and_sends_to_the_xlsx_for_the_rest():
    department = DepartmentFactory(name="客服部", code="KF")
    with published_together():
        for n in range(31):  # each without 考核要点 and without 关键指标: 62 findings of one type
            PositionFactory(title=f"客服专员{n:02d}", department=department)
    report = build_report(department)

    text = compact(pdf_text(exports.report_pdf(report, printed_by="王人事")))

    assert "缺口·缺少考核要点或关键指标（待处理62项）" in text
    assert "另有2项未列出，完整清单见Excel。" in text
    assert "“客服专员29”没有关键指标" in text and "“客服专员30”" not in text
    sheet = load_workbook(io.BytesIO(exports.report_xlsx(report))).active
    assert sheet.max_row == 2 + 62
