"""通知设置 (everyone's own) and 通知记录 (the message log, for HR)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from notifications.forms import PreferenceForm
from notifications.models import Message
from notifications.services import settings as notification_settings
from positions import permissions


def preferences(request: HttpRequest) -> HttpResponse:
    if not permissions.can_set_notification_preferences(request.user):
        raise PermissionDenied("请先登录。")
    preference = notification_settings.preference_of(request.user)
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,  # all boxes off: an empty POST
        instance=preference,
        robot_kinds=notification_settings.robot_kinds(),
        has_email=bool(request.user.email),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "通知设置已保存。")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def message_log(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_notification_log(request.user):
        raise PermissionDenied("只有 HR 编辑可以查看通知记录。")
    status = request.GET.get("status", "")
    if status and status not in Message.Status.values:
        return render(
            request,
            "notifications/message_log.html",
            {
                "error": f"没有“{status[:20]}”这种状态，请从列表中选择。",
                "statuses": Message.Status.choices,
            },
            status=400,
        )
    page = Paginator(notification_settings.message_log(status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/message_log.html",
        {"page": page, "status": status, "statuses": Message.Status.choices},
    )
