"""The 权责手册 grid editor for HR: the page, and the JSON endpoint it loads and saves through.

GET of the endpoint answers the working document of the chosen department subtree (its
positions' columns and every body; ``?department=<id>``, none = the whole manual) with the
checks beside it; PUT (or POST) takes the edited document with the ``lock_version`` it was read
at and writes it through the manual's one writer (``positions.services.manual.write_manual``):
a stale lock_version answers 409, a refused document 400 with the Chinese reasons, both with
nothing written. Who may edit which columns is asked of ``positions.permissions``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from positions import permissions
from positions.ids import parse_id
from positions.models import Department
from positions.org import department_index
from positions.services import manual

SOURCE = "表格编辑"


class BadScope(Exception):
    pass


def chosen_scope(request: HttpRequest) -> Department | None:
    """The department subtree of ``?department=<id>`` (None: the whole manual)."""
    raw = request.GET.get("department", "").strip()
    if not raw:
        return None
    pk = parse_id(raw)
    if pk is None:
        raise BadScope(f"部门编号“{raw[:20]}”无效。")
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise Http404("部门不存在。")
    return department


def checks_json(document: dict) -> list[dict[str, str]]:
    return [
        {
            "category": issue.category,
            "matter": issue.matter,
            "condition": issue.condition,
            "column": issue.column,
            "message": issue.message,
        }
        for issue in manual.check_manual(document)
    ]


def grid_payload(scope: Department | None) -> dict[str, Any]:
    document = manual.manual_document(scope=scope)
    return {
        "document": document,
        "checks": checks_json(document),
        "scope": scope.pk if scope is not None else None,
    }


def _editable_departments(user) -> list[tuple[Department, int]]:
    return [
        (department, depth)
        for department, depth in department_index().preorder()
        if permissions.can_edit_manual(user, scope=department)
    ]


@require_GET
def manual_grid(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_edit_manual_somewhere(user):
        raise PermissionDenied("只有 HR 编辑可以编辑权责手册。")
    try:
        scope = chosen_scope(request)
    except BadScope as exc:
        raise PermissionDenied(str(exc)) from exc
    editable = _editable_departments(user)
    whole_allowed = permissions.can_edit_manual(user, scope=None)
    if scope is None and not whole_allowed and editable:
        scope = editable[0][0]  # a scoped editor starts at the first department of their scope
    if (reason := permissions.manual_edit_refusal(user, scope=scope)) is not None:
        raise PermissionDenied(reason)
    departments = []
    for department, depth in editable:
        department.indent = "\u3000" * depth
        departments.append(department)
    data_url = reverse("rights:grid-data")
    if scope is not None:
        data_url += f"?department={scope.pk}"
    return render(
        request,
        "rights/grid.html",
        {
            "scope": scope,
            "departments": departments,
            "whole_allowed": whole_allowed,
            "data_url": data_url,
        },
    )


def _json_error(message: str, status: int, errors: list[str] | None = None) -> JsonResponse:
    payload: dict[str, Any] = {"detail": message}
    if errors:
        payload["errors"] = errors
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "PUT", "POST"])
def manual_grid_data(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        scope = chosen_scope(request)
    except BadScope as exc:
        return _json_error(str(exc), 400)
    if (reason := permissions.manual_edit_refusal(user, scope=scope)) is not None:
        return _json_error(reason, 403)
    if request.method == "GET":
        return JsonResponse(grid_payload(scope), json_dumps_params={"ensure_ascii": False})
    try:
        raw = request.body
    except RequestDataTooBig:
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return _json_error(
            f"提交的内容超过 {limit_mb:.1f} MB，未保存。请选择部门范围，分部门编辑。", 400
        )
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _json_error("提交的内容不是有效的 JSON，未保存。", 400)
    if not isinstance(body, dict) or not isinstance(body.get("document"), dict):
        return _json_error("提交的内容缺少权责手册（document），未保存。", 400)
    lock_version = body.get("lock_version")
    if isinstance(lock_version, bool) or not isinstance(lock_version, int):
        return _json_error("缺少编辑版本号（lock_version），未保存。请刷新页面后重新编辑。", 400)
    try:
        manual.write_manual(
            user=user,
            document=body["document"],
            lock_version=lock_version,
            scope=scope,
            source=SOURCE,
        )
    except manual.ManualEditConflict as exc:
        return _json_error(str(exc), 409)
    except ValidationError as exc:
        return _json_error("权责手册有错误，未保存：", 400, exc.messages)
    except PermissionDenied as exc:
        return _json_error(str(exc) or "您无权编辑权责手册。", 403)
    return JsonResponse(grid_payload(scope), json_dumps_params={"ensure_ascii": False})
