"""导入/导出: Excel export of positions, Excel import of positions and of the 花名册.

An import is two steps. The upload is checked (``uploads``) and staged (``staging``: the
user's own, for a day at most) under a token in the URL, and the preview lists what confirming
would do and every problem. Confirming re-reads the staged file, re-plans (the database may have
changed meanwhile: a different plan is shown again instead of written) and writes everything in
one transaction. Nothing is written before that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from people.services import roster
from positions import permissions
from positions.filters import PositionFilter
from positions.ids import parse_id
from positions.models import Position
from positions.services.reading import with_shown_labels
from positions.views.common import attachment
from transfer.forms.excel import ExcelUploadForm
from transfer.services import excel, import_jobs, importing, staging
from transfer.services.legacy import convert_legacy
from transfer.services.uploads import (
    FileKind,
    UploadError,
    check_bytes,
    format_mb,
    max_upload_bytes,
)
from transfer.services.uploads import validate_upload as check_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POSITIONS = "positions"
ROSTER = "roster"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(data, content_type=XLSX), filename)


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


# --- the page ---------------------------------------------------------------------------------


def _page(request: HttpRequest, status: int = 200, **forms: ExcelUploadForm) -> HttpResponse:
    user = request.user
    return render(
        request,
        "positions/import_export.html",
        {
            "position_form": forms.get("position_form") or ExcelUploadForm(prefix="positions"),
            "roster_form": forms.get("roster_form") or ExcelUploadForm(prefix="roster"),
            "can_export": permissions.can_export_positions(user),
            "can_import": permissions.can_import_positions(user),
            "can_import_roster": permissions.can_import_roster(user),
            "can_import_manual": permissions.can_edit_manual_somewhere(user),
            "limit_mb": format_mb(max_upload_bytes()),
            "visible_count": Position.objects.filter(permissions.visible_positions_q(user))
            .active()
            .count(),
        },
        status=status,
    )


@require_GET
def import_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_transfer_page(request.user):
        raise PermissionDenied("只有 HR 编辑和部门经理可以使用导入/导出。")
    return _page(request)


# --- export -----------------------------------------------------------------------------------


@require_GET
def position_export(request: HttpRequest) -> HttpResponse:
    """The positions the user sees (the position list's filter applies), as the workbook."""
    if not permissions.can_export_positions(request.user):
        raise PermissionDenied("只有 HR 编辑和部门经理可以导出职位。")
    # Filtered on what the user reads of each position, as the list is (readers: the versions).
    visible = with_shown_labels(
        Position.objects.filter(permissions.visible_positions_q(request.user)), request.user
    )
    filterset = PositionFilter(request.GET, queryset=visible, request=request)
    contents = excel.contents_for(request.user, filterset.qs)
    audit.record(
        audit.Action.EXPORT_EXCEL,
        request=request,
        details={"count": len(contents), "filters": {k: v for k, v in request.GET.items() if v}},
    )
    return _xlsx(excel.position_workbook(contents), f"职位说明书导出-{_stamp()}.xlsx")


@require_GET
def position_import_template(request: HttpRequest) -> HttpResponse:
    if not permissions.can_import_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入职位。")
    return _xlsx(excel.template_workbook(), "职位说明书导入模板.xlsx")


@require_GET
def roster_import_template(request: HttpRequest) -> HttpResponse:
    if not permissions.can_import_roster(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入花名册。")
    return _xlsx(excel.roster_workbook(), "花名册导入模板.xlsx")


# --- upload, preview, confirm -----------------------------------------------------------------


def _failed(
    request: HttpRequest,
    template: str,
    plan: Any,
    entry: staging.StagedFile,
    token: str,
    error: Exception,
) -> HttpResponse:
    """The database refused a write (a rare race after the check): nothing was written."""
    detail = "；".join(error.messages) if isinstance(error, ValidationError) else "数据冲突"
    messages.error(request, f"导入失败，未写入任何数据：{detail}。请重新核对后再确认。")
    context = {"plan": plan, "entry": entry, "token": token, "stale": False}
    return render(request, template, context, status=409)


def _staged(request: HttpRequest, kind: str, token: str) -> staging.StagedFile:
    files = staging.staged(request.user, token, kind=kind)
    if not files:
        raise Http404("导入已完成、已取消或已过期，请重新上传文件。")
    return files[0]


def _upload(request: HttpRequest, kind: str, allowed: Callable[[Any], bool]) -> HttpResponse:
    if not allowed(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入。")
    form_name = "position_form" if kind == POSITIONS else "roster_form"
    form = ExcelUploadForm(request.POST, request.FILES, prefix=kind)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = check_upload(upload, accept={FileKind.XLSX, FileKind.XLS})
            if checked.kind is FileKind.XLS:  # Excel 97–2003: LibreOffice converts it if installed
                converted = convert_legacy(checked.data, "xlsx")
                checked = check_bytes(upload.name, converted, {FileKind.XLSX})
        except UploadError as error:
            form.add_error("file", error.message)
        else:
            threshold = settings.IMPORT_JOB_MIN_ROWS
            try:
                if importing.data_row_count(checked.data, threshold) >= threshold:
                    # A big workbook: parsed and confirmed by the worker, with a progress bar.
                    job = import_jobs.start(request.user, kind, [(upload.name, checked.data)])
                    return redirect(job.get_absolute_url())
                token = staging.stage(request.user, [(upload.name, checked.data)], kind=kind)
            except StorageUnavailable:
                form.add_error("file", STORAGE_UNAVAILABLE_MESSAGE)
                return _page(request, status=503, **{form_name: form})
            preview = "position" if kind == POSITIONS else "roster"
            return redirect(f"positions:{preview}-import-preview", token=token)
    return _page(request, status=400, **{form_name: form})


@require_POST
def position_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, POSITIONS, permissions.can_import_positions)


@require_POST
def roster_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, ROSTER, permissions.can_import_roster)


def _changed_only(request: HttpRequest, items: list[Any], unchanged: str) -> dict[str, Any]:
    """The preview's rows, without the 无变化 ones when the page asks ``?changed=1``."""
    changed_only = request.GET.get("changed") == "1"
    shown = [item for item in items if item.action != unchanged] if changed_only else list(items)
    return {
        "rows": shown,
        "changed_only": changed_only,
        "row_count": len(items),
        "changed_count": sum(1 for item in items if item.action != unchanged),
    }


@require_http_methods(["GET", "POST"])
def position_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    if not permissions.can_import_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入职位。")
    entry = _staged(request, POSITIONS, token)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        staging.discard(request.user, token)
        messages.info(request, f"已取消导入“{entry.name}”，未写入任何数据。")
        return redirect("positions:import-export")
    plan = importing.plan_position_import(entry.data, request.user)
    stale = False
    if request.method == "POST":
        stale = request.POST.get("fingerprint") != plan.fingerprint()
        if plan.ok and plan.has_changes and not stale:
            try:
                importing.apply_plan(plan, request.user)
            except (ValidationError, IntegrityError) as error:
                return _failed(request, "positions/import_preview.html", plan, entry, token, error)
            staging.discard(request.user, token)
            messages.success(
                request,
                f"已导入“{entry.name}”：新建 {plan.created} 个职位，更新 {plan.updated} 个，"
                f"{plan.unchanged} 个无变化。新建和更新的职位均为草稿，需提交审核。",
            )
            return redirect(f"{reverse('positions:position-list')}?status={Position.Status.DRAFT}")
    context = {"plan": plan, "entry": entry, "token": token, "stale": stale}
    context |= _changed_only(request, plan.positions, importing.Action.UNCHANGED)
    # The ordered diff (as 版本比较) of each update shown, by 职位编号.
    diffs = importing.preview_diffs(plan, limit=import_jobs.PREVIEW_DIFF_LIMIT)
    context["diffs"] = [(item, diffs.get(item.key)) for item in context["rows"]]
    return render(
        request,
        "positions/import_preview.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _roster_choices(data) -> dict[str, int]:
    """{row number: position id} from ``position-<row>`` parameters (the plan checks each id
    against the row's candidates)."""
    chosen = {}
    for name, value in data.items():
        row = name.removeprefix("position-")
        pk = parse_id(value)
        if name.startswith("position-") and row.isdigit() and pk is not None:
            chosen[row] = pk
    return chosen


@require_http_methods(["GET", "POST"])
def roster_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    if not permissions.can_import_roster(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入花名册。")
    entry = _staged(request, ROSTER, token)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        staging.discard(request.user, token)
        messages.info(request, f"已取消导入“{entry.name}”，未写入任何数据。")
        return redirect("positions:import-export")
    # The positions chosen in the preview for rows matching several (or none): ?position-<row>=id
    choices = _roster_choices(request.POST if request.method == "POST" else request.GET)
    plan = roster.plan_roster_import(entry.data, request.user, choices=choices)
    stale = False
    if request.method == "POST":
        stale = request.POST.get("fingerprint") != plan.fingerprint()
        if plan.ok and plan.has_changes and not stale:
            try:
                roster.apply_roster_plan(plan, request.user)
            except (ValidationError, IntegrityError) as error:
                template = "positions/import_roster_preview.html"
                return _failed(request, template, plan, entry, token, error)
            staging.discard(request.user, token)
            hired = plan.count(roster.RosterAction.HIRE)
            moved = plan.count(roster.RosterAction.TRANSFER)
            messages.success(
                request,
                f"已导入花名册“{entry.name}”：新入职 {hired} 人，调岗 {moved} 人。"
                "新员工的登录账号尚无密码，请在后台为其设置密码。",
            )
            return redirect("positions:employee-list")
    context = {"plan": plan, "entry": entry, "token": token, "stale": stale}
    context |= _changed_only(request, plan.rows, roster.RosterAction.UNCHANGED)
    context["hidden_choices"] = [(f"position-{row}", pk) for row, pk in choices.items()]
    context["choosing"] = [row for row in plan.rows if row.candidates]
    return render(
        request,
        "positions/import_roster_preview.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
