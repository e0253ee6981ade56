"""The 编制 → 审核 → 审批 workflow: a position's workflow page and the 待办 queue.

Who may see and act is asked of ``positions.permissions``; the steps are ``positions.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from positions import permissions
from positions.forms.workflow import BatchWorkflowForm
from positions.models import Position
from positions.services import workflow
from positions.services.versions import next_version_number
from positions.views.common import visible_position

# action → (service, success message)
ACTIONS = {
    "submit": (workflow.submit, "已提交审核。"),
    "review": (workflow.review, "已审核通过，等待审批。"),
    "approve": (workflow.approve, "已审批通过，职位说明书已生效。"),
    "reject": (workflow.reject, "已退回编制人修改。"),
}


def _position(request: HttpRequest, pk: int) -> Position:
    """A position whose workflow the user may see: 404 when invisible, 403 when not allowed."""
    related = Position.objects.select_related(
        "department__parent__parent", "prepared_by", "reviewed_by", "approved_by"
    )
    position = visible_position(request, pk, related)
    if not permissions.can_view_workflow(request.user, position):
        raise PermissionDenied("只有参与此职位审批流程的人员可以查看审批记录。")
    return position


def _render(
    request: HttpRequest,
    position: Position,
    *,
    error: str = "",
    comment: str = "",
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "next": workflow.next_actors([position]).get(position.pk),
        "failed_action": failed_action,
        "position": position,
        "department_path": [*position.department.ancestors(), position.department],
        "steps": workflow.workflow_steps(position),
        "events": workflow.workflow_events(position),
        "can_submit": permissions.can_submit(user, position),
        "can_review": permissions.can_review(user, position),
        "can_approve": permissions.can_approve(user, position),
        "can_reject": permissions.can_reject(user, position),
        "can_edit": permissions.can_edit_position(user, position),
        "error": error,
        "comment": comment,
    }
    return render(request, "positions/workflow.html", context, status=status)


@require_http_methods(["GET", "POST"])
def position_workflow(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position(request, pk)
    if request.method == "GET":
        return _render(request, position)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    if action not in ACTIONS:
        return _render(request, position, error="未知的操作，请重新选择。", status=400)
    if (
        action == "approve"
        and not request.POST.get("confirmed")
        and permissions.can_approve(request.user, position)
    ):
        # Publishing shows the new version to everyone: ask first (a page, no JavaScript).
        return render(
            request,
            "positions/workflow_approve_confirm.html",
            {
                "position": position,
                "comment": comment,
                "number": next_version_number(position),
            },
        )
    step, success = ACTIONS[action]
    kwargs = {"comment": comment} if action != "submit" else {}
    try:
        step(user=request.user, position=position, **kwargs)
    except PermissionDenied as exc:
        reason = str(exc) or "您无权执行此操作。"
        return _render(
            request, position, error=reason, comment=comment, failed_action=action, status=403
        )
    except ValidationError as exc:
        status = 409 if getattr(exc, "code", None) == "state" else 400
        return _render(
            request,
            position,
            error=" ".join(exc.messages),
            comment=comment,
            failed_action=action,
            status=status,
        )
    messages.success(request, success)
    return redirect("positions:position-workflow", pk=position.pk)


def workflow_queue(request: HttpRequest) -> HttpResponse:
    queue = workflow.workflow_queue(request.user)
    context = {
        "queue": queue,
        "takes_part": permissions.has_workflow_queue(request.user),
    }
    return render(request, "positions/workflow_queue.html", context)


# --- batch steps ---------------------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    """Where the batch form came from (待办 or the position list with its filters)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("positions:workflow-queue")


@require_POST
def workflow_batch(request: HttpRequest) -> HttpResponse:
    """One step on many sheets (ticked in 待办 or the list), one comment; a page of results."""
    refusal = permissions.batch_workflow_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = BatchWorkflowForm(request.POST)
    back = _back(request)
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
        return _batch_refused(request, error, back)
    data = form.cleaned_data
    ids, action, comment = data["positions"], data["action"], data["comment"].strip()
    refusal = workflow.batch_refusal(action, ids, comment)
    if refusal is not None:
        return _batch_refused(request, refusal, back)
    if action == "approve" and not data["confirmed"]:
        # Publishing shows new versions to everyone: ask first, as for one sheet.
        found = workflow.batch_positions(request.user, ids)
        selected = [found[pk] for pk in ids if pk in found]
        return render(
            request,
            "positions/workflow_batch_confirm.html",
            {
                "positions": [(p, (p.last_number or 0) + 1) for p in selected],
                "hidden": len(ids) - len(selected),
                "comment": comment,
                "back": back,
            },
        )
    result = workflow.batch(user=request.user, action=action, ids=ids, comment=comment)
    return render(request, "positions/workflow_batch_result.html", {"result": result, "back": back})


def _batch_refused(request: HttpRequest, error: str, back: str) -> HttpResponse:
    return render(
        request,
        "positions/workflow_batch_result.html",
        {"result": None, "error": error, "back": back},
        status=400,
    )
