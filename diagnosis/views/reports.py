"""组织诊断 pages: the report of a department subtree, its PDF and xlsx, marking findings,
and the jobs that diagnose large scopes in the background."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from diagnosis.forms.marks import MarkForm, UnmarkForm
from diagnosis.models import DiagnosisJob
from diagnosis.services import exports, jobs
from diagnosis.services import report as reports
from diagnosis.services.findings import scope_positions
from positions import permissions
from positions.models import Department
from positions.org import department_index
from positions.views.common import attachment
from printing.pdf import CJKFontMissing, PdfRenderFailed, PdfRenderTimeout, PdfTooLarge


def _department(request: HttpRequest, pk: int) -> Department:
    department = get_object_or_404(Department.objects.select_related("parent"), pk=pk)
    if not permissions.can_view_diagnosis(request.user, department):
        raise PermissionDenied("您无权查看该部门的组织诊断。")
    return department


def _is_large(department: Department) -> tuple[bool, int]:
    count = scope_positions(department).count()
    return count > settings.DIAGNOSIS_INLINE_MAX_POSITIONS, count


def _report_of(department: Department) -> tuple[reports.Report | None, DiagnosisJob | None, int]:
    """The department's report: built now for a small scope; for a large one, the latest
    finished job's (None before any)."""
    large, count = _is_large(department)
    if not large:
        return reports.build_report(department), None, count
    job = jobs.latest_job(department)
    done = (
        DiagnosisJob.objects.filter(department=department, status=DiagnosisJob.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )
    return (jobs.job_report(done) if done else None), job, count


SHEET_PLACEHOLDER = 987654321


def _report_context(request: HttpRequest, report: reports.Report) -> dict:
    """The report and what its findings link to (addresses reversed once, not per finding)."""
    user = request.user
    sheet = reverse("positions:position-sheet", args=[SHEET_PLACEHOLDER])
    prefix, _, suffix = sheet.partition(str(SHEET_PLACEHOLDER))
    return {
        "report": report,
        "sheet_prefix": prefix,
        "sheet_suffix": suffix,
        "mark_url": reverse("diagnosis:mark"),
        "unmark_url": reverse("diagnosis:unmark"),
        "may_mark": {
            entry.finding.key
            for section in report.sections
            for entry in section.entries
            if permissions.can_mark_findings(user, entry.finding.department_id)
        },
    }


@require_GET
def diagnosis_index(request: HttpRequest) -> HttpResponse:
    """The departments whose report the user may read, as the tree lists them."""
    if not permissions.can_view_any_diagnosis(request.user):
        raise PermissionDenied("组织诊断仅对 HR 编辑和部门经理开放。")
    index = department_index()
    rows = [
        (department, depth)
        for department, depth in index.preorder()
        if permissions.can_view_diagnosis(request.user, department)
    ]
    whole = permissions.can_run_diagnosis_job(request.user, None)
    return render(
        request,
        "diagnosis/index.html",
        {"rows": rows, "whole": whole, "latest_whole": jobs.latest_job(None) if whole else None},
    )


@require_GET
def diagnosis_report(request: HttpRequest, pk: int) -> HttpResponse:
    department = _department(request, pk)
    report, job, count = _report_of(department)
    context = {
        "department": department,
        "count": count,
        "job": job,
        "large": report is None or job is not None,
        "may_run_job": permissions.can_run_diagnosis_job(request.user, department),
    }
    if report is not None:
        context |= _report_context(request, report)
    return render(request, "diagnosis/report.html", context)


def _download(request: HttpRequest, report: reports.Report | None, kind: str) -> HttpResponse:
    if report is None:
        raise Http404("该范围尚未生成诊断结果，请先在诊断页面生成。")
    if kind == "xlsx":
        return attachment(
            HttpResponse(
                exports.report_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            exports.filename(report, "xlsx"),
        )
    try:
        pdf = exports.report_pdf(
            report, printed_by=request.user.get_full_name() or request.user.get_username()
        )
    except (CJKFontMissing, PdfTooLarge, PdfRenderTimeout, PdfRenderFailed) as error:
        message = (
            str(error)
            if isinstance(error, PdfTooLarge)
            else ("诊断报告 PDF 未能生成，请稍后重试，或下载 Excel。")
        )
        return render(request, "diagnosis/error.html", {"message": message}, status=503)
    return attachment(
        HttpResponse(pdf, content_type="application/pdf"), exports.filename(report, "pdf")
    )


@require_GET
def diagnosis_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report, _job, _count = _report_of(_department(request, pk))
    return _download(request, report, "pdf")


@require_GET
def diagnosis_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report, _job, _count = _report_of(_department(request, pk))
    return _download(request, report, "xlsx")


def _bad_mark(request: HttpRequest, back_url: str, message: str) -> HttpResponse:
    return render(
        request, "diagnosis/error.html", {"message": message, "back_url": back_url}, status=400
    )


def _marked_scope(request: HttpRequest) -> tuple[reports.Report | None, str] | None:
    """The report a mark is posted from (``job`` or ``department``) and its page's address."""
    job_id, department_id = request.POST.get("job", ""), request.POST.get("department", "")
    if job_id.isdigit():
        job = _job(request, int(job_id))
        return jobs.job_report(job), job.get_absolute_url()
    if department_id.isdigit():
        department = _department(request, int(department_id))
        report, _job_row, _count = _report_of(department)
        return report, reverse("diagnosis:report", args=[department.pk])
    return None


def _marked_finding(request: HttpRequest, form) -> tuple[object, str] | HttpResponse:
    if not permissions.may_mark_findings(request.user):
        raise PermissionDenied("只有 HR 编辑可以处理诊断项。")
    scope = _marked_scope(request)
    if scope is None:
        return _bad_mark(
            request, reverse("diagnosis:index"), "没有指明诊断范围，请从诊断报告页面操作。"
        )
    report, back_url = scope
    if not form.is_valid():
        return _bad_mark(request, back_url, next(iter(form.errors.values()))[0])
    finding = report.finding(form.cleaned_data["key"]) if report is not None else None
    if finding is None:
        return _bad_mark(request, back_url, "该诊断项已不存在（可能已经修正），请刷新页面。")
    if not permissions.can_mark_findings(request.user, finding.department_id):
        raise PermissionDenied("只有负责所涉职位的 HR 编辑可以处理诊断项。")
    return finding, back_url


@require_POST
def diagnosis_mark(request: HttpRequest) -> HttpResponse:
    """Mark one finding 「已知悉/不适用」 with a reason (posted from a report or a job page)."""
    form = MarkForm(request.POST)
    found = _marked_finding(request, form)
    if isinstance(found, HttpResponse):
        return found
    finding, back_url = found
    try:
        note = reports.mark_finding(
            user=request.user,
            finding=finding,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _bad_mark(request, back_url, error.messages[0])
    messages.success(request, f"已标记为“{note.get_status_display()}”：{finding.message}")
    return redirect(f"{back_url}#{finding.key}")


@require_POST
def diagnosis_unmark(request: HttpRequest) -> HttpResponse:
    """Take a mark back: the finding is open again."""
    found = _marked_finding(request, UnmarkForm(request.POST))
    if isinstance(found, HttpResponse):
        return found
    finding, back_url = found
    reports.unmark_finding(key=finding.key)
    messages.success(request, f"已撤销标记：{finding.message}")
    return redirect(f"{back_url}#{finding.key}")


# --- jobs -------------------------------------------------------------------------------------


@require_POST
def diagnosis_job_create(request: HttpRequest) -> HttpResponse:
    """Start a job for a department (``department`` posted) or the whole organisation
    (``department`` empty)."""
    raw = request.POST.get("department", "").strip()
    department = None
    if raw:
        if not raw.isdigit():
            return render(
                request, "diagnosis/error.html", {"message": "请选择要诊断的部门。"}, status=400
            )
        department = Department.objects.filter(pk=int(raw)).first()
        if department is None:
            return render(
                request,
                "diagnosis/error.html",
                {"message": "所选部门不存在，请刷新页面后重试。"},
                status=400,
            )
    if not permissions.can_run_diagnosis_job(request.user, department):
        raise PermissionDenied("只有负责该范围的 HR 编辑可以生成组织诊断。")
    job = jobs.request_job(department=department, user=request.user)
    return redirect(job)


def _job(request: HttpRequest, pk: int) -> DiagnosisJob:
    job = get_object_or_404(DiagnosisJob.objects.select_related("department"), pk=pk)
    if not permissions.can_view_diagnosis(request.user, job.department):
        raise PermissionDenied("您无权查看该组织诊断。")
    return job


def _status(job: DiagnosisJob) -> dict:
    if job.status == DiagnosisJob.Status.QUEUED:
        stage = "排队中，等待后台任务开始处理…"
    elif job.status == DiagnosisJob.Status.RUNNING:
        stage = f"{job.stage}（{job.done} / {job.total}）"
    elif job.status == DiagnosisJob.Status.DONE:
        stage = "已完成"
    else:
        stage = "诊断失败，原因见下方。"
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "step": job.percent - job.percent % 5,
        "stage": stage,
        "finished": job.is_finished,
        "error": job.error,
    }


@require_GET
def diagnosis_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {"job": job, "scope_job": job, "state": _status(job)}
    report = jobs.job_report(job)
    if report is not None:
        context |= _report_context(request, report)
    return render(request, "diagnosis/job.html", context)


@require_GET
def diagnosis_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_status(_job(request, pk)), json_dumps_params={"ensure_ascii": False})


@require_GET
def diagnosis_job_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, jobs.job_report(_job(request, pk)), "pdf")


@require_GET
def diagnosis_job_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, jobs.job_report(_job(request, pk)), "xlsx")
