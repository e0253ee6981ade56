"""Word: a sheet as .docx, and importing existing 职位说明书 .docx files as drafts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from positions import permissions
from positions.ids import parse_id
from positions.models import Department, ImportJob, Position
from positions.org import department_index
from positions.services import versions
from positions.views.common import attachment, visible_position
from printing.services import layouts
from transfer.forms.word import SYNC_MAX_FILES, WordUploadForm
from transfer.services import staging
from transfer.services.legacy import libreoffice_binary
from transfer.services.preview_diff import word_diffs
from transfer.services.uploads import UploadError
from transfer.services.word import DOCX_CONTENT_TYPE, docx_filename, render_docx
from transfer.services.word_import.parser import parse_docx
from transfer.services.word_import.reader import WordImportError
from transfer.services.word_import.resolve import resolve_import
from transfer.services.word_import.upload import read_upload
from transfer.services.word_import.write import import_sheets, preview_changes
from transfer.views.jobs import start_from_uploads


def _version_number(request: HttpRequest, number: int | None) -> int | None:
    if number is not None:
        return number
    raw = request.GET.get("version", "").strip().lstrip("Vv")
    if not raw:
        return None
    parsed = parse_id(raw)
    if parsed is None:
        raise Http404("没有这个版本。")
    return parsed


@require_GET
def position_docx(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """The sheet the user reads (working copy, version in force, or ``?version=n``) as .docx."""
    position = visible_position(request, pk, Position.objects.with_sheet())
    read = versions.read_sheet(request.user, position, number=_version_number(request, number))
    try:
        one_off = layouts.one_off(request.GET.get("layout"))
    except layouts.UnknownLayout as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    layout = layouts.layout_for_sheet(read.sheet, one_off_key=one_off)
    filename, _ascii = docx_filename(read.sheet)
    response = HttpResponse(render_docx(read.sheet, layout=layout), content_type=DOCX_CONTENT_TYPE)
    version = read.version.label if read.version is not None else "工作稿"
    audit.record(
        audit.Action.EXPORT_WORD, request=request, obj=position, details={"version": version}
    )
    return attachment(response, filename)


# --- import ------------------------------------------------------------------------------------

IMPORT_TEMPLATE = "positions/word_import.html"
PREVIEW_TEMPLATE = "positions/word_import_preview.html"
STAGED_KIND = "word"


def _require_importer(request: HttpRequest) -> None:
    if not permissions.can_import_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以导入职位说明书。")


@require_http_methods(["GET", "POST"])
def word_import(request: HttpRequest) -> HttpResponse:
    """Upload one or more 职位说明书 .docx files; each is checked and parsed before the preview."""
    _require_importer(request)
    if request.method == "POST":
        form = WordUploadForm(request.POST, request.FILES)
    else:
        form = WordUploadForm()
    file_errors: list[tuple[str, str]] = []
    unavailable = False
    if request.method == "POST" and form.is_valid() and _is_batch(form.cleaned_data["files"]):
        try:
            job = start_from_uploads(request, ImportJob.Kind.WORD, form.cleaned_data["files"])
        except UploadError as error:
            form.add_error("files", error.message)
        except StorageUnavailable:
            form.add_error("files", STORAGE_UNAVAILABLE_MESSAGE)
            unavailable = True
        else:
            return redirect(job.get_absolute_url())
    elif request.method == "POST" and form.is_valid():
        staged = []
        for upload in form.cleaned_data["files"]:
            try:
                name, data, _ = read_upload(upload)
            except WordImportError as error:
                file_errors.append((upload.name, str(error)))
            else:
                staged.append((name, data))
        if not file_errors:
            try:
                token = staging.stage(request.user, staged, kind=STAGED_KIND)
            except StorageUnavailable:
                form.add_error("files", STORAGE_UNAVAILABLE_MESSAGE)
                unavailable = True
            else:
                return redirect("positions:word-import-preview", token=token)
    context = {
        "form": form,
        "file_errors": file_errors,
        "converts_legacy": libreoffice_binary() is not None,
    }
    status = 400 if request.method == "POST" else 200
    if unavailable:
        status = 503
    return render(request, IMPORT_TEMPLATE, context, status=status)


def _is_batch(uploads) -> bool:
    """Many files, or an archive: the import job parses them in the worker."""
    return len(uploads) > SYNC_MAX_FILES or any(
        (upload.name or "").lower().endswith(".zip") for upload in uploads
    )


def _chosen_department(request: HttpRequest, index: int, allowed) -> Department | None:
    raw = request.POST.get(f"department-{index}", "") if request.method == "POST" else ""
    return allowed.get(parse_id(raw))


@require_http_methods(["GET", "POST"])
def word_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the uploaded files would create; confirming writes them all as drafts, or nothing."""
    _require_importer(request)
    files = staging.staged(request.user, token, kind=STAGED_KIND)
    if not files:
        raise Http404("导入已完成、已取消或已过期，请重新上传文件。")
    if request.method == "POST" and request.POST.get("action") == "cancel":
        staging.discard(request.user, token)
        messages.info(request, "已取消导入，未写入任何数据。")
        return redirect("positions:word-import")
    departments = department_index().in_tree_order(
        Department.objects.filter(permissions.editable_departments_q(request.user)).select_related(
            "parent__parent"
        )
    )
    allowed = {department.pk: department for department in departments}
    taken: set[str] = set()
    taken_titles: set[tuple[int, str]] = set()
    plans = []
    for index, (name, data) in enumerate(files):
        parsed = parse_docx(data, name)
        chosen = _chosen_department(request, index, allowed)
        create_new = request.POST.get(f"mode-{index}") == "create"
        plans.append(
            resolve_import(
                request.user,
                parsed,
                department=chosen,
                taken_codes=taken,
                taken_titles=taken_titles,
                create_new=create_new,
            )
        )
    if request.method != "POST" or request.POST.get("action") != "confirm":
        preview_changes(request.user, plans)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        # 作为已生效版本导入 (go-live, positions.services.golive): historical V1s, not drafts.
        in_force = request.POST.get("action") == "confirm-in-force"
        try:
            written = import_sheets(request.user, plans, in_force=in_force)
        except PermissionDenied as error:
            errors, status = [str(error)], 403
        except ValidationError as error:
            errors, status = error.messages, 400
        else:
            staging.discard(request.user, token)
            return _imported(request, written, plans, in_force=in_force)
    diffs = word_diffs(plans)  # the ordered diff (as 版本比较) of each file updating a position
    context = {
        "token": token,
        "plans": plans,
        "files": [(plan, diffs.get(plan.existing.pk) if plan.existing else None) for plan in plans],
        "departments": departments,
        "errors": errors,
        "ready": all(plan.ok for plan in plans),
        "may_import_in_force": permissions.may_import_as_in_force(request.user),
    }
    return render(request, PREVIEW_TEMPLATE, context, status=status)


def _imported(
    request: HttpRequest, written: list[Position], plans: list, *, in_force: bool
) -> HttpResponse:
    def named(positions: list[Position]) -> str:
        titles = "、".join(position.title for position in positions[:10])
        return titles + (" 等" if len(positions) > 10 else "")

    if in_force:
        messages.success(
            request,
            f"已将 {len(written)} 份职位说明书作为已生效版本导入（{named(written)}），"
            "均为历史文件 V1，按原文件签核。",
        )
        status = Position.Status.PUBLISHED
    else:
        pairs = list(zip(written, plans, strict=True))
        changed = [position for position, plan in pairs if not plan.unchanged]
        same = [position for position, plan in pairs if plan.unchanged]
        if not changed:
            text = "文件与系统中的职位说明书相同，未作任何改动。"
        else:
            text = (
                f"已从 Word 导入 {len(changed)} 份职位说明书（{named(changed)}），"
                "均为草稿，需提交审核。"
            )
            if same:
                text += f"与系统中相同、未改动：{named(same)}。"
        messages.success(request, text)
        status = Position.Status.DRAFT
    if len(written) == 1:
        return redirect(written[0].get_absolute_url())
    return redirect(f"{reverse('positions:position-list')}?status={status}")
