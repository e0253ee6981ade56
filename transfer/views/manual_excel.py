"""The 权责手册 matrix in Excel: export (one sheet), and the two-step import.

Export: the working copy of a department subtree (``?department=<id>``; none = the whole
manual) for those who read drafts of the manual, else the version in force; ``?version=<n>``
exports a published version. Import (HR editors, for the columns they may edit): the upload is
checked and staged as the other imports' (``uploads``, ``staging``: the size limit, a day at
most), the preview shows what would change against the working copy, the checks' findings of
the result and every error with its cell; 确认导入 writes it through the manual's one writer, all
or nothing, at the ``lock_version`` the preview was made from (someone saved meanwhile: the
preview is shown again, nothing written).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from positions import permissions
from positions.ids import parse_id
from positions.models import Department, ManualVersion
from positions.services import manual
from positions.views.common import attachment
from transfer.forms.excel import ExcelUploadForm
from transfer.services import manual_excel, staging
from transfer.services.uploads import FileKind, UploadError, format_mb, max_upload_bytes
from transfer.services.uploads import validate_upload as check_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND = "manual"
SOURCE = "Excel 导入"


def _scope(request: HttpRequest) -> Department | None:
    raw = request.GET.get("department", "").strip()
    if not raw:
        return None
    pk = parse_id(raw)
    department = Department.objects.filter(pk=pk).first() if pk is not None else None
    if department is None:
        raise Http404("部门不存在。")
    return department


@require_GET
def manual_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_view_manual(user):
        raise PermissionDenied("您无权查看权责手册。")
    scope = _scope(request)
    raw_version = request.GET.get("version", "").strip()
    version = None
    if raw_version:
        number = parse_id(raw_version)
        version = ManualVersion.objects.filter(number=number).first() if number else None
        if version is None:
            raise Http404("权责手册没有这个版本。")
    elif not permissions.reads_manual_working_copy(user):
        version = manual.get_manual().current_version
        if version is None:
            raise Http404("权责手册尚无生效版本。")
    document = manual.manual_document(scope=scope, version=version)
    label = version.label if version is not None else "工作稿"
    audit.record(
        audit.Action.EXPORT_EXCEL,
        request=request,
        object_type="权责手册",
        object_label=f"{document.get('title') or '权责手册'} {label}",
        details={"scope": scope.name if scope else "全部", "version": label},
    )
    data = manual_excel.manual_workbook(document, scope_id=scope.pk if scope else None)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{document.get('title') or '权责手册'}-{label}"
    if scope is not None:
        name += f"-{scope.name}"
    return attachment(HttpResponse(data, content_type=XLSX), f"{name}-{stamp}.xlsx")


def _upload_page(request: HttpRequest, form: ExcelUploadForm, status: int = 200) -> HttpResponse:
    scope = None
    try:
        scope = _scope(request)
    except Http404:
        scope = None
    return render(
        request,
        "rights/manual_import.html",
        {"form": form, "limit_mb": format_mb(max_upload_bytes()), "scope": scope},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def manual_import(request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_manual_somewhere(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入权责手册。")
    if request.method == "GET":
        return _upload_page(request, ExcelUploadForm(prefix=KIND))
    form = ExcelUploadForm(request.POST, request.FILES, prefix=KIND)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        checked = check_upload(upload, accept={FileKind.XLSX})
    except UploadError as error:
        form.add_error("file", error.message)
        return _upload_page(request, form, status=400)
    try:
        token = staging.stage(request.user, [(upload.name, checked.data)], kind=KIND)
    except StorageUnavailable:
        form.add_error("file", STORAGE_UNAVAILABLE_MESSAGE)
        return _upload_page(request, form, status=503)
    return redirect("positions:manual-import-preview", token=token)


def _merged(imported: dict, whole: dict) -> dict:
    """The whole manual as it would read after the import: the file's rows, its columns' cells
    from the file, every other column's cells as they are (for the checks)."""
    file_keys = {column["key"] for column in imported["columns"]}
    old = {
        (category["name"], matter["name"], band.get("condition", "")): band["cells"]
        for category in whole.get("categories", [])
        for matter in category.get("matters", [])
        for band in matter.get("bands", [])
    }
    categories = []
    for category in imported["categories"]:
        matters = []
        for matter in category["matters"]:
            bands = []
            for band in matter["bands"]:
                kept = old.get((category["name"], matter["name"], band["condition"]), {})
                cells = {k: v for k, v in kept.items() if k not in file_keys} | band["cells"]
                bands.append({"condition": band["condition"], "cells": cells})
            matters.append({**matter, "bands": bands})
        categories.append({**category, "matters": matters})
    return {**whole, "categories": categories}


@require_http_methods(["GET", "POST"])
def manual_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    user = request.user
    if not permissions.can_edit_manual_somewhere(user):
        raise PermissionDenied("只有 HR 编辑可以导入权责手册。")
    files = staging.staged(user, token, kind=KIND)
    if not files:
        raise Http404("导入已完成、已取消或已过期，请重新上传文件。")
    entry = files[0]
    if request.method == "POST" and request.POST.get("action") == "cancel":
        staging.discard(user, token)
        messages.info(request, f"已取消导入“{entry.name}”，未写入任何数据。")
        return redirect("positions:manual-import")

    whole = manual.manual_document()
    read = manual_excel.read_manual_workbook(entry.data, base=whole)
    scope = None
    errors = list(read.errors)
    if read.scope_id is not None:
        scope = Department.objects.filter(pk=read.scope_id).first()
        if scope is None:
            errors.insert(0, "导出该文件时所选的部门已不存在，请重新导出后再导入。")
    if not errors and (reason := permissions.manual_edit_refusal(user, scope=scope)):
        errors.insert(0, reason)
    current = manual.manual_document(scope=scope) if scope is not None else whole
    diff = manual_excel.diff_documents(current, read.document)
    checks = manual.check_manual(_merged(read.document, whole)) if not errors else []
    status = 200
    stale = False
    if request.method == "POST" and not errors:
        posted = parse_id(request.POST.get("lock_version", ""))
        stale = posted != whole["lock_version"]
        if not stale and diff.has_changes:
            try:
                manual.write_manual(
                    user=user,
                    document=read.document,
                    lock_version=posted,
                    scope=scope,
                    source=SOURCE,
                )
            except manual.ManualEditConflict:
                stale = True
            except ValidationError as exc:
                errors.extend(exc.messages)
            except PermissionDenied as exc:
                errors.append(str(exc))
            else:
                staging.discard(user, token)
                messages.success(
                    request,
                    f"已导入“{entry.name}”：{len(diff.cells)} 个单元格变化，"
                    f"新增 {len(diff.added_bands)} 个档位，删除 {len(diff.removed_bands)} 个。"
                    "权责手册为草稿，需提交审核。",
                )
                url = reverse("rights:grid")
                return redirect(f"{url}?department={scope.pk}" if scope else url)
        status = 409 if stale else 400
    elif request.method == "POST":
        status = 400
    context = {
        "entry": entry,
        "token": token,
        "scope": scope,
        "errors": errors,
        "diff": diff,
        "checks": checks,
        "stale": stale,
        "lock_version": whole["lock_version"],
        "columns": read.document["columns"],
    }
    return render(request, "rights/manual_import_preview.html", context, status=status)
