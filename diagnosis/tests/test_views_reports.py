"""The 组织诊断 pages: what HR and managers see, marking findings, bad input, jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from diagnosis.models import DiagnosisJob, FindingNote
from positions import permissions
from positions.models import Department
from positions.tests.factories import (
    DepartmentFactory,
    DutyFactory,
    EditorScopeFactory,
    EmployeeFactory,
    PositionFactory,
    UserFactory,
    published_together,
)
from positions.tests.text import compact, page_text, pdf_text
from printing.tests.book_helpers import run_worker

pytestmark = pytest.mark.django_db

RESEARCH = "负责组织楼盘市场调研，了解市场竞争情况和客户需求"
REWORDED = "组织开展楼盘市场调研，掌握市场竞争情况与客户需求"
OVERLAP = "“售楼员”与“置业顾问”对相似的职责都负全责（相似度 45%）"


@pytest.fixture
def sales():
    company = DepartmentFactory(name="福州项目公司", code="FZ", kind=Department.Kind.COMPANY)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=company)
    with published_together():
        boss = PositionFactory(title="销售经理", code="FZ-XS-001", department=sales)
        clerk = PositionFactory(title="售楼员", code="FZ-XS-101", department=sales, reports_to=boss)
        adviser = PositionFactory(
            title="置业顾问", code="FZ-XS-102", department=sales, reports_to=boss
        )
    DutyFactory(position=clerk, title="", tasks=RESEARCH)
    DutyFactory(position=adviser, title="", tasks=REWORDED)
    return sales


def overlap_key(client, department) -> str:
    response = client.get(reverse("diagnosis:report", args=[department.pk]))
    return next(
        entry.finding.key
        for section in response.context["report"].sections
        for entry in section.entries
        if entry.finding.kind == "overlap"
    )


def test_report_page_shows_findings_linked_to_the_sheets(hr_client, sales):
    response = hr_client.get(reverse("diagnosis:report", args=[sales.pk]))

    assert response.status_code == 200
    text = page_text(response)
    assert OVERLAP in text
    assert "“销售经理”有 2 个直接下属，但说明书中没有部门管理类职责" in text
    html = response.content.decode()
    clerk = sales.positions.get(title="售楼员")
    assert f'href="{reverse("positions:position-sheet", args=[clerk.pk])}"' in html
    # Both texts side by side, the shared part marked.
    assert "<mark>楼盘市场调研，了解市场竞争情况</mark>" not in html  # punctuation splits runs
    assert "<mark>组织楼盘市场调研</mark>" in html and "<mark>客户需求</mark>" in html
    assert "标记为已知悉/不适用" in text


def test_manager_reads_the_report_of_the_department_read_only(client, sales):
    manager = UserFactory(username="manager")
    manager.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=manager, position=sales.positions.get(title="销售经理"))
    client.force_login(manager)

    response = client.get(reverse("diagnosis:report", args=[sales.pk]))

    assert response.status_code == 200
    assert OVERLAP in page_text(response)
    assert "标记为已知悉/不适用" not in page_text(response)


def test_mark_then_the_finding_is_listed_as_handled_with_its_reason(hr_client, sales):
    key = overlap_key(hr_client, sales)

    response = hr_client.post(
        reverse("diagnosis:mark"),
        {"department": sales.pk, "key": key, "status": "not_applicable", "reason": "轮班岗位"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("diagnosis:report", args=[sales.pk]) + f"#{key}"
    page = page_text(hr_client.get(response["Location"]))
    assert f"已标记为“不适用”：{OVERLAP}" in page
    assert "已处理 1 项（已知悉/不适用）" in page
    assert "说明：轮班岗位" in page


def test_mark_without_a_reason_is_refused_and_changes_nothing(hr_client, sales):
    key = overlap_key(hr_client, sales)

    response = hr_client.post(
        reverse("diagnosis:mark"),
        {"department": sales.pk, "key": key, "status": "acknowledged", "reason": ""},
    )

    assert response.status_code == 400
    assert "请填写说明（为什么已知悉或不适用）。" in page_text(response)
    assert not FindingNote.objects.exists()


def test_mark_of_an_unknown_finding_is_refused(hr_client, sales):
    response = hr_client.post(
        reverse("diagnosis:mark"),
        {"department": sales.pk, "key": "overlap-1-2-abc", "status": "acknowledged", "reason": "x"},
    )

    assert response.status_code == 400
    assert "该诊断项已不存在（可能已经修正），请刷新页面。" in page_text(response)
    assert not FindingNote.objects.exists()


def test_unmark_opens_the_finding_again(hr_client, sales):
    key = overlap_key(hr_client, sales)
    hr_client.post(
        reverse("diagnosis:mark"),
        {"department": sales.pk, "key": key, "status": "acknowledged", "reason": "已安排调整"},
    )

    response = hr_client.post(reverse("diagnosis:unmark"), {"department": sales.pk, "key": key})

    assert response.status_code == 302
    assert not FindingNote.objects.exists()
    assert "已处理" not in page_text(hr_client.get(reverse("diagnosis:report", args=[sales.pk])))


def test_report_pdf_and_xlsx_downloads(hr_client, sales):
    pdf = hr_client.get(reverse("diagnosis:report-pdf", args=[sales.pk]))
    xlsx = hr_client.get(reverse("diagnosis:report-xlsx", args=[sales.pk]))

    assert pdf["Content-Type"] == "application/pdf"
    assert compact(OVERLAP) in compact(pdf_text(pdf.content))
    assert (
        "销售部-组织诊断-" in pdf["Content-Disposition"]
        or "filename*=" in pdf["Content-Disposition"]
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_large_scope_runs_as_a_job_with_progress(
    hr_client, sales, settings, django_capture_on_commit_callbacks
):
    settings.DIAGNOSIS_INLINE_MAX_POSITIONS = 2
    page = hr_client.get(reverse("diagnosis:report", args=[sales.pk]))
    assert "该范围共有 3 个职位，诊断在后台生成。" in page_text(page)
    assert OVERLAP not in page_text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("diagnosis:job-create"), {"department": sales.pk})
    job = DiagnosisJob.objects.get()
    assert response["Location"] == reverse("diagnosis:job", args=[job.pk])
    queued = hr_client.get(reverse("diagnosis:job-status", args=[job.pk])).json()
    assert (queued["status_label"], queued["percent"], queued["stage"]) == (
        "排队中",
        0,
        "排队中，等待后台任务开始处理…",
    )

    run_worker()

    done = hr_client.get(reverse("diagnosis:job-status", args=[job.pk])).json()
    assert (done["status_label"], done["percent"], done["finished"]) == ("已完成", 100, True)
    assert OVERLAP in page_text(hr_client.get(reverse("diagnosis:job", args=[job.pk])))
    # The department's page now shows the job's report; a finding is marked from the job's page.
    assert OVERLAP in page_text(hr_client.get(reverse("diagnosis:report", args=[sales.pk])))
    key = next(
        e.finding.key
        for s in hr_client.get(reverse("diagnosis:job", args=[job.pk])).context["report"].sections
        for e in s.entries
        if e.finding.kind == "overlap"
    )
    marked = hr_client.post(
        reverse("diagnosis:mark"),
        {"job": job.pk, "key": key, "status": "acknowledged", "reason": "已安排调整"},
    )
    assert marked["Location"] == reverse("diagnosis:job", args=[job.pk]) + f"#{key}"
    assert "已处理 1 项（已知悉/不适用）" in page_text(hr_client.get(marked["Location"]))


def test_job_create_with_a_bad_department_is_refused(hr_client, sales):
    response = hr_client.post(reverse("diagnosis:job-create"), {"department": "销售部"})

    assert response.status_code == 400
    assert "请选择要诊断的部门。" in page_text(response)
    assert not DiagnosisJob.objects.exists()


def test_scoped_hr_editor_may_not_diagnose_outside_the_scope(client, sales):
    other = DepartmentFactory(name="财务部", code="FZ-CW", parent=sales.parent)
    hr = UserFactory(username="hr-scoped")
    hr.groups.add(permissions.role_group(permissions.HR_EDITOR))
    EditorScopeFactory(user=hr, department=sales)
    client.force_login(hr)

    assert client.get(reverse("diagnosis:report", args=[sales.pk])).status_code == 200
    assert client.get(reverse("diagnosis:report", args=[other.pk])).status_code == 403
    index = page_text(client.get(reverse("diagnosis:index")))
    assert "销售部" in index and "财务部" not in index and "生成全公司诊断" not in index


def test_menu_offers_the_diagnosis_to_hr_and_managers_only(client, hr_user, sales):
    employee = UserFactory(username="employee")
    employee.groups.add(permissions.role_group(permissions.EMPLOYEE))
    client.force_login(employee)
    assert (
        'id="nav-diagnosis"'
        not in client.get(reverse("positions:department-tree")).content.decode()
    )
    assert client.get(reverse("diagnosis:index")).status_code == 403

    client.force_login(hr_user)
    page = client.get(reverse("positions:department-tree")).content.decode()
    assert f'href="{reverse("diagnosis:index")}" id="nav-diagnosis"' in page
