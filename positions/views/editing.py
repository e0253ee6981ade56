"""The HR editor: create, edit, copy and archive a position on one page; the pickers.

Who may: ``positions.permissions`` (a position the user cannot see is 404, one they see but may
not edit is 403). What happens: ``positions.services`` (save_position, copy_position,
archive_position). The forms are in ``positions.forms.editor``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from positions import permissions
from positions.forms.editor import (
    CopyPositionForm,
    EditorForms,
    rebase,
    row_counts_match,
    with_extra_row,
)
from positions.models import Position
from positions.services import editing, pickers, sheets
from positions.sheet import manual_authorities
from positions.views.common import visible_position

EDITOR_TEMPLATE = "positions/position_form.html"
FORGED_ROWS = "提交的表单不完整（行数与内容不符），未保存任何内容。请刷新页面后重新编辑。"


def _editable_position(request: HttpRequest, pk: int) -> Position:
    position = visible_position(request, pk, Position.objects.select_related("department"))
    if not permissions.can_edit_position(request.user, position):
        raise PermissionDenied("您没有编辑此职位的权限。")
    return position


def _render_editor(
    request: HttpRequest,
    editor: EditorForms,
    position: Position | None,
    *,
    status: int = 200,
    conflict: editing.ConflictReport | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "editor": editor,
        "form": editor.form,
        "position": position,
        "conflict": conflict,
        # 工作权限 are the 权责手册's: shown read-only, edited there.
        "manual_authorities": manual_authorities(position)[0] if position is not None else (),
        "show_errors": request.method == "POST" and "_add" not in request.POST,
    }
    return render(request, EDITOR_TEMPLATE, context, status=status)


def _editor_post(
    request: HttpRequest, position: Position | None
) -> tuple[EditorForms, Position | None, HttpResponse | None]:
    """Handle a submitted editor: (forms to show, saved position, response to return)."""
    if not row_counts_match(request.POST):
        raise BadRequest(
            "提交的表单不完整（行数与内容不符），未保存任何内容。请刷新页面后重新编辑。"
        )
    if section := request.POST.get("_add"):  # 添加一行 without JavaScript
        data = with_extra_row(request.POST, section)
        return EditorForms.build(user=request.user, position=position, data=data), None, None
    data = rebase(request.POST, position) if position is not None else request.POST
    editor = EditorForms.build(user=request.user, position=position, data=data)
    if not editor.is_valid():
        return editor, None, None
    expected = editor.form.cleaned_data.get("lock_version")
    try:
        saved = editing.save_position(
            user=request.user,
            position=position,
            content=editor.content(),
            expected_lock_version=expected,
        )
    except ValidationError as error:  # what only the stored data shows (the forms passed)
        editor.form.add_error(None, error)
        return editor, None, None
    except sheets.EditConflict as conflict:
        report = editing.conflict_report(
            current=conflict.current,
            expected_lock_version=expected,
            form=editor.form,
            formsets=editor.formsets,
        )
        rebased = EditorForms.build(
            user=request.user,
            position=conflict.current,
            data=rebase(request.POST, conflict.current, lock_version=conflict.current.lock_version),
        )
        return (
            rebased,
            None,
            _render_editor(request, rebased, conflict.current, status=409, conflict=report),
        )
    return editor, saved, None


@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以新建职位。")
    if request.method != "POST":
        return _render_editor(request, EditorForms.build(user=request.user), None)
    editor, saved, response = _editor_post(request, None)
    if saved is not None:
        messages.success(request, f"已新建职位“{saved.title}”（草稿）。")
        return redirect(saved)
    return response or _render_editor(request, editor, None)


@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = _editable_position(request, pk)
    if request.method != "POST":
        editor = EditorForms.build(user=request.user, position=position)
        return _render_editor(request, editor, position)
    editor, saved, response = _editor_post(request, position)
    if saved is not None:
        returned = "审核流程已中止，职位说明书退回草稿，请重新提交审核。"
        message = f"已保存职位“{saved.title}”。"
        if saved.returned_to_draft:
            message += returned
        elif saved.started_next_version:
            current = saved.current_version.label if saved.current_version_id else ""
            message += (
                f"修改已存为新版本草稿；现行版本 {current} 继续有效，"
                "提交审核并审批后新版本才会生效。"
            )
        messages.success(request, message)
        return redirect(saved)
    return response or _render_editor(request, editor, position)


@require_http_methods(["GET", "POST"])
def position_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = visible_position(request, pk, Position.objects.select_related("department"))
    if not permissions.can_create_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以以此为模板新建职位。")
    form = CopyPositionForm(request.POST or None, user=request.user, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            copy = editing.copy_position(
                user=request.user,
                source=source,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"已以“{source.title}”为模板新建“{copy.title}”（草稿），请完善后保存。"
            )
            return redirect("positions:position-edit", pk=copy.pk)
    return render(request, "positions/position_copy.html", {"form": form, "source": source})


@require_http_methods(["GET", "POST"])
def position_delete(request: HttpRequest, pk: int) -> HttpResponse:
    position = _editable_position(request, pk)
    error = ""
    if request.method == "POST":
        try:
            editing.archive_position(user=request.user, position=position)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"职位“{position.title}”已归档，可在职位列表中按状态查看。")
            return redirect(position)
    reports, holders = editing.archive_blockers(position)
    context = {"position": position, "reports": reports, "holders": holders, "error": error}
    return render(request, "positions/position_archive.html", context, status=409 if error else 200)


def _picker_response(results: list[dict[str, Any]]) -> JsonResponse:
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@require_GET
def position_picker(request: HttpRequest) -> HttpResponse:
    """Positions the user may see, matching ?q= (名称, 编号, 部门), archived ones left out."""
    if not permissions.can_create_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以使用职位选择器。")
    found = pickers.picker_positions(request.user, request.GET.get("q", ""))
    return _picker_response([{"id": p.pk, "text": pickers.position_label(p)} for p in found])


@require_GET
def department_picker(request: HttpRequest) -> HttpResponse:
    """Departments the user may edit positions in, matching ?q= (名称, 编号, 上级部门)."""
    if not permissions.can_create_positions(request.user):
        raise PermissionDenied("只有 HR 编辑可以使用部门选择器。")
    found = pickers.picker_departments(request.user, request.GET.get("q", ""))
    return _picker_response([{"id": d.pk, "text": pickers.department_label(d)} for d in found])
