"""Change history of a position: the list, a diff between two states, restore.

Who may see the history and who may restore are asked of ``positions.permissions``; the states,
diffs and the restore itself are ``positions.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from positions import permissions
from positions.models import Position
from positions.services import history, sheets
from positions.views.common import visible_position


def _position(request: HttpRequest, pk: int) -> Position:
    """A position whose history the user may see: 404 when invisible, 403 when not allowed."""
    related = Position.objects.select_related("department__parent__parent")
    position = visible_position(request, pk, related)
    if not permissions.can_view_history(request.user, position):
        raise PermissionDenied("只有负责此职位的 HR 编辑和本部门的部门经理可以查看历史记录。")
    return position


def _base_context(request: HttpRequest, position: Position) -> dict:
    return {
        "position": position,
        "department_path": [*position.department.ancestors(), position.department],
        "can_restore": permissions.can_edit_position(request.user, position),
    }


def position_history(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position(request, pk)
    entries = history.position_history(position)
    context = _base_context(request, position) | {
        "entries": entries,
        "default_from": entries[1].version_id if len(entries) > 1 else None,
        "default_to": entries[0].version_id if entries else None,
    }
    return render(request, "positions/history.html", context)


def position_history_compare(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position(request, pk)
    context = _base_context(request, position)
    entries = {entry.version_id: entry for entry in history.position_history(position)}
    raw_from, raw_to = request.GET.get("from"), request.GET.get("to")
    if not raw_from and not raw_to:
        # Nothing chosen: the latest change, against the version before it.
        newest = next(iter(entries.values()), None)
        if newest is None or newest.previous_version_id is None:
            context["notice"] = "此职位的修改记录少于两条，暂无可比较的内容。"
            return render(request, "positions/history_compare.html", context)
        raw_from, raw_to = str(newest.previous_version_id), str(newest.version_id)
    try:
        versions = [history.get_position_version(position, raw) for raw in (raw_from, raw_to)]
    except ValidationError as exc:
        status = 404 if exc.code == "not_found" else 400
        context["error"] = f"无法比较：{exc.messages[0]}请在历史记录中重新选择两条修改记录。"
        return render(request, "positions/history_compare.html", context, status=status)
    old, new = sorted(versions, key=lambda version: version.revision_id)
    context |= {
        "old": entries[old.pk],
        "new": entries[new.pk],
        "diff": history.diff_states(history.position_state(old), history.position_state(new)),
    }
    return render(request, "positions/history_compare.html", context)


def position_restore(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    position = _position(request, pk)
    if not permissions.can_edit_position(request.user, position):
        raise PermissionDenied("只有负责此职位的 HR 编辑可以恢复修改记录。")
    context = _base_context(request, position)
    try:
        version = history.get_position_version(position, version_id)
    except ValidationError as exc:
        context["error"] = exc.messages[0]
        return render(request, "positions/history_restore_confirm.html", context, status=404)
    entry = next(e for e in history.position_history(position) if e.version_id == version.pk)
    if request.method == "POST":
        try:
            history.restore_version(user=request.user, position=position, version_id=version.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as refusal:  # e.g. the version lies outside the editor's scope
            messages.error(request, f"无法恢复：{refusal}")
        except sheets.EditConflict as conflict:
            messages.error(request, f"无法恢复：{conflict}请查看最新内容后重试。")
        else:
            messages.success(
                request,
                f"已将“{position.title}”恢复到{entry.label}"
                f"（{entry.created_at:%Y-%m-%d %H:%M}）的内容，此次恢复已记入历史记录。",
            )
        return redirect(reverse("positions:position-history", kwargs={"pk": position.pk}))
    context |= {"entry": entry, "diff": history.restore_preview(position, version)}
    return render(request, "positions/history_restore_confirm.html", context)
