"""Department books (职位说明书汇编): choose, follow the job, download the PDF."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from positions import permissions
from positions.ids import parse_id
from positions.models import BookJob
from positions.views.common import attachment
from printing.forms.books import BookRequestForm
from printing.services import books

# How long a job may wait in the queue before the page says the worker may not be running.
QUEUE_PATIENCE = datetime.timedelta(seconds=60)


def _selection_groups(checked: set[int]) -> list[dict]:
    """Versions in force grouped by department, in tree order, for the checkbox page."""
    groups: list[dict] = []
    for version in books.printable_versions():
        if not groups or groups[-1]["department"].pk != version.department_id:
            groups.append({"department": version.department, "items": []})
        groups[-1]["items"].append({"version": version, "checked": version.position_id in checked})
    for group in groups:
        group["all_checked"] = all(item["checked"] for item in group["items"])
    return groups


def _with_whole_departments(data: QueryDict) -> QueryDict:
    """The posted selection with every position of each ticked 全选本部门 added.

    The department checkbox is what the page submits without JavaScript; with it, the script
    keeps the department's position checkboxes in step, so both say the same.
    """
    wholes = {pk for raw in data.getlist("whole_department") if (pk := parse_id(raw)) is not None}
    if not wholes:
        return data
    chosen = data.getlist("positions")
    extra = [
        str(version.position_id)
        for version in books.printable_versions()
        if version.department_id in wholes and str(version.position_id) not in chosen
    ]
    data = data.copy()
    data.setlist("positions", [*chosen, *extra])
    return data


def _render_choose(
    request: HttpRequest, form: BookRequestForm, checked: set[int], status: int = 200
) -> HttpResponse:
    groups = _selection_groups(checked)
    return render(
        request,
        "positions/book_choose.html",
        {
            "form": form,
            "groups": groups,
            "version_count": sum(len(g["items"]) for g in groups),
            "recent": BookJob.objects.filter(requested_by=request.user)[:5]
            if request.user.is_authenticated
            else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def book_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_request_books(request.user):
        raise PermissionDenied
    if request.method == "GET":
        checked: set[int] = set()
        department = parse_id(request.GET.get("department", ""))  # anything else: none ticked
        if department is not None:
            versions = books.printable_versions(department_id=department)
            checked = {version.position_id for version in versions}
        return _render_choose(request, BookRequestForm(), checked)

    data = _with_whole_departments(request.POST)
    form = BookRequestForm(data)
    posted = {pk for raw in data.getlist("positions") if (pk := parse_id(raw)) is not None}
    if not form.is_valid():
        return _render_choose(request, form, posted, status=400)
    try:
        if form.cleaned_data["positions"]:
            selection = books.positions_selection(form.cleaned_data["positions"])
        else:
            selection = books.department_selection(
                form.cleaned_data["department"],
                include_subdepartments=form.cleaned_data["include_subdepartments"],
            )
    except books.BookError as exc:
        form.add_error(None, str(exc))
        return _render_choose(request, form, posted, status=400)
    job = books.request_book(selection, request.user)
    return redirect(job)


def _job(request: HttpRequest, pk: int) -> BookJob:
    job = get_object_or_404(BookJob, pk=pk)
    if not permissions.can_view_book(request.user, job):
        raise PermissionDenied
    return job


def _status(job: BookJob) -> dict:
    if job.status == BookJob.Status.QUEUED:
        stage = "排队中，等待后台任务开始处理…"
        if timezone.now() - job.created_at > QUEUE_PATIENCE:
            stage += "若长时间没有进展，请联系管理员确认后台任务进程（make worker）正在运行。"
    elif job.status == BookJob.Status.RUNNING and job.done < job.total:
        stage = f"正在准备职位说明书：{job.done} / {job.total}"
    elif job.status == BookJob.Status.RUNNING:
        stage = f"正在排版整本汇编（共 {job.total} 份），请稍候…"
    elif job.status == BookJob.Status.DONE:
        stage = f"已完成：共 {job.total} 份、{job.page_count} 页"
    else:
        stage = "生成失败，原因见下方。"
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
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "positions/book_detail.html",
        {"job": job, "state": _status(job), "versions": books.book_versions(job)},
    )


@require_GET
def book_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(_status(job), json_dumps_params={"ensure_ascii": False})


@require_GET
def book_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != BookJob.Status.DONE or not job.file:
        raise Http404("汇编尚未生成完成。")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("汇编文件已不存在，请重新生成。") from None
    response = FileResponse(handle, content_type="application/pdf")
    audit.record(
        audit.Action.EXPORT_BOOK,
        request=request,
        obj=job,
        details={"count": len(job.version_ids)},
    )
    return attachment(response, books.book_filename(job))
