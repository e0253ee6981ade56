"""The import job's pages: upload many files or a .zip, progress, preview, confirmation.

Thin: ``services.archive`` unpacks and checks the batch, ``services.import_jobs`` stages it and
queues the worker; the job page polls ``import-job-status`` (static/js/import_job.js) until the
preview (or the result) is there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from positions import permissions
from positions.ids import parse_id
from positions.models import ImportJob
from transfer.forms.jobs import ImportJobForm
from transfer.services import archive, import_jobs
from transfer.services.uploads import UploadError

CREATE_TEMPLATE = "positions/import_job_create.html"
DETAIL_TEMPLATE = "positions/import_job.html"
SINGLE_FILE_KINDS = {ImportJob.Kind.POSITIONS, ImportJob.Kind.ROSTER}


def _kinds(user) -> list[str]:
    return [kind for kind in ImportJob.Kind.values if permissions.can_start_import_job(user, kind)]


def start_from_uploads(request: HttpRequest, kind: str, uploads: list[Any]) -> ImportJob:
    """Unpack and check a batch (``UploadError`` naming the limit), then start its job."""
    limit = archive.max_total_bytes()
    files = []
    for upload in uploads:
        if getattr(upload, "size", 0) > limit:
            raise UploadError(archive.too_big(upload.size).message)
        files.append((upload.name, upload.read(limit + 1)))
    expanded = archive.expand(files)
    if kind in SINGLE_FILE_KINDS and len(expanded.files) != 1:
        label = ImportJob.Kind(kind).label
        raise UploadError(f"{label}每次导入一个工作簿，本次有 {len(expanded.files)} 个文件。")
    return import_jobs.start(request.user, kind, expanded.files, expanded.skipped)


@require_http_methods(["GET", "POST"])
def import_job_create(request: HttpRequest) -> HttpResponse:
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied("只有 HR 编辑可以导入。")
    form = ImportJobForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            job = start_from_uploads(request, form.cleaned_data["kind"], form.cleaned_data["files"])
        except UploadError as error:
            form.add_error("files", error.message)
        else:
            return redirect(job.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, CREATE_TEMPLATE, {"form": form}, status=status)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("requested_by"), pk=pk)
    if not permissions.can_use_import_job(request.user, job):
        raise Http404("导入任务不存在。")
    return job


def _choices(request: HttpRequest, job: ImportJob) -> dict[str, dict[str, int]]:
    """The importer's picks in the preview: a department per Word file, a position per
    roster row (only among the options the preview offered)."""
    picked: dict[str, dict[str, int]] = {"departments": {}, "positions": {}}
    for item in job.preview.get("items", []):
        choice = item.get("choice")
        if not choice:
            continue
        value = parse_id(request.POST.get(choice["name"], ""))
        if value is None or value not in {option[0] for option in choice["options"]}:
            continue
        prefix, _dash, index = choice["name"].partition("-")
        target = "departments" if prefix == "department" else "positions"
        picked[target][index] = value
    return picked


def _rows(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    items = job.preview.get("items", [])
    changed_only = request.GET.get("changed") == "1"
    return {
        "rows": [item for item in items if item["changed"]] if changed_only else items,
        "changed_only": changed_only,
        "row_count": len(items),
        "changed_count": sum(1 for item in items if item["changed"]),
    }


@require_http_methods(["GET", "POST"])
def import_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                import_jobs.cancel(job, request.user)
                messages.info(request, "已取消导入，未写入任何数据。")
                return redirect("positions:import-job-create")
            if action in ("confirm", "confirm-in-force"):
                choices = _choices(request, job) | {"in_force": action == "confirm-in-force"}
                import_jobs.request_confirm(
                    job, request.user, request.POST.get("fingerprint", ""), choices
                )
                return redirect(job.get_absolute_url())
            messages.error(request, "未知的操作。")
        except import_jobs.ImportJobError as error:
            messages.error(request, str(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
            status = 403
        status = 400 if status == 200 else status
        job.refresh_from_db()
    context = {
        "job": job,
        "state": import_jobs.state(job),
        "preview": job.preview,
        "may_import_in_force": job.kind == ImportJob.Kind.WORD
        and permissions.may_import_as_in_force(request.user),
    }
    context |= _rows(request, job)
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_GET
def import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(import_jobs.state(job), json_dumps_params={"ensure_ascii": False})


__all__ = ["import_job_create", "import_job_detail", "import_job_status", "start_from_uploads"]
