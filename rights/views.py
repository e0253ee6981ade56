"""The 权责手册 pages: the matrix in force, the working copy with its checks, the workflow
(提交审核 / 审核 / 审批 / 退回, as the sheets') and the versions. Who may see and do what is
asked of ``positions.permissions``; reads and steps are ``positions.services.manual``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from positions import permissions
from positions.models import Department, Manual
from positions.services import manual as manual_service

STEPS = {
    "submit": (manual_service.submit, "权责手册已提交审核。"),
    "review": (manual_service.review, "权责手册已审核通过，等待审批。"),
    "approve": (manual_service.approve, "权责手册已审批通过，新版本已生效。"),
    "reject": (manual_service.reject, "权责手册已退回编制人修改。"),
}
MAX_COMMENT = 500


def _require_view(request: HttpRequest) -> None:
    if not permissions.can_view_manual(request.user):
        raise PermissionDenied("请先登录。")


def _abilities(request: HttpRequest, manual: Manual) -> dict:
    user = request.user
    return {
        "can_submit": permissions.can_submit_manual(user, manual),
        "can_review": permissions.can_review_manual(user, manual),
        "can_approve": permissions.can_approve_manual(user, manual),
        "can_reject": permissions.can_reject_manual(user, manual),
        "reads_working": permissions.reads_manual_working_copy(user),
        "can_edit": permissions.can_edit_manual_somewhere(user),
    }


def _matrix(document: dict, issues=()) -> dict:
    return {
        "document": document,
        "columns": document["columns"],
        "rows": manual_service.matrix_rows(document, issues),
        "levels": manual_service.LEVEL_LABELS.values(),
    }


@require_GET
def manual(request: HttpRequest) -> HttpResponse:
    """The version in force (read-only), for everyone signed in."""
    _require_view(request)
    current = manual_service.get_manual()
    version = (
        manual_service.version_by_number(current.current_version.number)
        if current.current_version_id
        else None
    )
    context = {"manual": current, "version": version, **_abilities(request, current)}
    if version is not None:
        context |= _matrix(manual_service.manual_document(version=version))
    return render(request, "rights/manual.html", context)


def _scope(request: HttpRequest) -> Department | None:
    raw = request.GET.get("department", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("部门编号无效。")
    department = Department.objects.filter(pk=int(raw)).first()
    if department is None:
        raise Http404("该部门不存在。")
    return department


@require_GET
def working_copy(request: HttpRequest) -> HttpResponse:
    """The working copy (drafts) with the checks beside it: HR editors, reviewers, approvers."""
    if not permissions.reads_manual_working_copy(request.user):
        raise PermissionDenied("只有 HR 编辑和权责手册的审核、审批人可以查看权责手册的工作稿。")
    scope = _scope(request)
    current = manual_service.get_manual()
    document = manual_service.manual_document(scope=scope)
    issues = manual_service.check_manual(document)
    context = {
        "manual": current,
        "scope": scope,
        "issues": issues,
        **_abilities(request, current),
        **_matrix(document, issues),
    }
    return render(request, "rights/working_copy.html", context)


@require_POST
def workflow(request: HttpRequest) -> HttpResponse:
    """One workflow step (action = submit / review / approve / reject, optional comment)."""
    _require_view(request)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    current = manual_service.get_manual()
    if action not in STEPS:
        return _refused(request, current, "未知的操作，请重新选择。", 400)
    if len(comment) > MAX_COMMENT:
        return _refused(request, current, f"意见不能超过 {MAX_COMMENT} 个字。", 400)
    if (
        action == "approve"
        and not request.POST.get("confirmed")
        and permissions.can_approve_manual(request.user, current)
    ):
        number = (current.current_version.number if current.current_version_id else 0) + 1
        context = {"manual": current, "comment": comment, "number": number}
        return render(request, "rights/approve_confirm.html", context)
    step, success = STEPS[action]
    kwargs = {"comment": comment} if action != "submit" else {}
    try:
        step(user=request.user, **kwargs)
    except PermissionDenied as exc:
        return _refused(request, current, str(exc) or "您无权执行此操作。", 403)
    except ValidationError as exc:
        status = 409 if getattr(exc, "code", None) == "state" else 400
        return _refused(request, current, " ".join(exc.messages), status)
    messages.success(request, success)
    if permissions.reads_manual_working_copy(request.user):
        return redirect("rights:working-copy")
    return redirect("rights:manual")


def _refused(request: HttpRequest, current: Manual, error: str, status: int) -> HttpResponse:
    context = {"manual": current, "error": error, **_abilities(request, current)}
    return render(request, "rights/refused.html", context, status=status)


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    current = manual_service.get_manual()
    context = {
        "manual": current,
        "versions": manual_service.versions(),
        "reads_working": permissions.reads_manual_working_copy(request.user),
    }
    return render(request, "rights/version_list.html", context)


@require_GET
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    _require_view(request)
    version = manual_service.version_by_number(number)
    if version is None:
        raise Http404("该版本不存在。")
    current = manual_service.get_manual()
    context = {
        "manual": current,
        "version": version,
        "superseded": current.current_version_id != version.pk,
        "reads_working": permissions.reads_manual_working_copy(request.user),
        "can_edit": permissions.can_edit_manual_somewhere(request.user),
        **_matrix(manual_service.manual_document(version=version)),
    }
    return render(request, "rights/version_detail.html", context)
