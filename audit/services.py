"""Recording and reading the audit trail.

``record(...)`` is the one way an event is written: views and management commands of the
outer apps call it; the core tells this app what happened through ``positions.hooks`` and the
handlers below record it; Django's and django-axes' authentication signals reach receivers that
do nothing but record (``register_handlers``, called from ``AuditConfig.ready``).
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from positions import hooks
from positions.models import BookJob, EditorScope, Position, Role
from positions.net import client_ip

Action = AuditAction
MINIMUM_RETENTION_DAYS = 180

# The request being served (audit.middleware): the IP address of events recorded where no
# request is passed (the workflow service, reached through a hook).
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


# --- recording ------------------------------------------------------------------------------------


def position_label(position: Position) -> str:
    return f"{position.title}（{position.code}）" if position.code else position.title


def describe(obj: models.Model) -> tuple[str, str, str]:
    """``(type, id, label)``: ``("positions.position", "12", "售楼员（FZ-XS-101）")``."""
    if isinstance(obj, Position):
        label = position_label(obj)
    elif isinstance(obj, AbstractBaseUser):
        full_name = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
        label = f"{obj.get_username()}（{full_name}）" if full_name else obj.get_username()
    elif isinstance(obj, BookJob):
        label = obj.title
    elif isinstance(obj, EditorScope):
        label = f"{obj.user.get_username()} → {obj.department.name}"
    else:
        label = str(obj)
    return obj._meta.label_lower, str(obj.pk), label[:255]


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: AbstractBaseUser | None = None,
    username: str | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``user`` defaults to the request's signed-in user, ``username`` to
    the user's; ``obj`` fills the object's type, id and label."""
    if request is None:
        request = current_request.get()
    if user is None and request is not None:
        signed_in = getattr(request, "user", None)
        if signed_in is not None and signed_in.is_authenticated:
            user = signed_in
    if username is None:
        username = user.get_username() if user is not None else ""
    if obj is not None:
        object_type, object_id, object_label = describe(obj)
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_label=object_label[:255],
        details=details or {},
    )


def _account(username: str) -> AbstractBaseUser | None:
    """The account a username typed at the login page names, if any."""
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


# --- what the authentication signals, the core's hooks and the admin tell us ----------------------


def _logged_in(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    record(Action.LOGIN, request=request, user=user)


def _login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    record(Action.LOGIN_FAILED, request=request, user=_account(username), username=username)


def _locked_out(sender, request: HttpRequest | None = None, username=None, **kwargs) -> None:
    username = str(username or "")
    record(
        Action.LOCKOUT,
        request=request,
        user=_account(username),
        username=username,
        details={"failures": getattr(request, "axes_failures_since_start", None)},
    )


def _workflow_decided(decision: hooks.WorkflowDecision) -> None:
    details = {"from_status": decision.from_status, "to_status": decision.to_status}
    if decision.comment:
        details["comment"] = decision.comment
    record(decision.action, user=decision.user, obj=decision.position, details=details)


ADMIN_ACTIONS = {
    ADDITION: Action.ADMIN_ADD,
    CHANGE: Action.ADMIN_CHANGE,
    DELETION: Action.ADMIN_DELETE,
}


def _admin_logged(request: HttpRequest, entries: list[LogEntry]) -> None:
    for entry in entries:
        content_type = ContentType.objects.get_for_id(entry.content_type_id)
        details = {"message": entry.get_change_message()} if entry.change_message else {}
        record(
            ADMIN_ACTIONS[entry.action_flag],
            request=request,
            object_type=f"{content_type.app_label}.{content_type.model}",
            object_id=entry.object_id or "",
            object_label=entry.object_repr,
            details=details,
        )


FILE_EXPORTS = {"acknowledgements_xlsx": Action.EXPORT_ACKNOWLEDGEMENTS}


def _file_exported(export: hooks.FileExport) -> None:
    record(
        FILE_EXPORTS[export.kind], request=export.request, obj=export.obj, details=export.details
    )


def register_handlers() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit.locked_out")
    hooks.on_workflow_decided(_workflow_decided)
    hooks.on_admin_logged(_admin_logged)
    hooks.on_file_exported(_file_exported)


# --- roles and editor scopes, changed in the admin ------------------------------------------------


def role_codes(account: AbstractBaseUser) -> set[str]:
    """The role codes the account holds now (its groups with a ``Role``)."""
    if account.pk is None:
        return set()
    return set(account.groups.filter(role__isnull=False).values_list("role__code", flat=True))


def record_role_change(request: HttpRequest, account: AbstractBaseUser, before: set[str]) -> None:
    """One ``role_change`` event when the account's roles differ from ``before``."""
    after = role_codes(account)
    if after != before:
        record(
            Action.ROLE_CHANGE,
            request=request,
            obj=account,
            details={"added": sorted(after - before), "removed": sorted(before - after)},
        )


def stored_scope_department(scope: EditorScope) -> str:
    """The department a stored scope names now (before a change is saved)."""
    stored = EditorScope.objects.filter(pk=scope.pk).select_related("department").first()
    return stored.department.name if stored is not None else ""


def record_scope(
    request: HttpRequest, action: str, scope: EditorScope, previous_department: str = ""
) -> None:
    details = {"account": scope.user.get_username(), "department": scope.department.name}
    if previous_department and previous_department != scope.department.name:
        details["previous_department"] = previous_department
    record(action, request=request, obj=scope, details=details)


# --- reading --------------------------------------------------------------------------------------

ROLE_LABELS = dict(Role.Code.choices)
DETAIL_LABELS = {
    "added": "授予角色",
    "removed": "撤销角色",
    "account": "账号",
    "department": "部门",
    "previous_department": "原部门",
    "from_status": "原状态",
    "to_status": "新状态",
    "comment": "意见",
    "message": "变更内容",
    "failures": "连续失败次数",
    "version": "版本",
    "filters": "筛选条件",
    "rows": "行数",
    "archive": "文件",
    "command": "命令",
    "count": "条数",
    "before": "清理早于",
    "retention_days": "保留天数",
}
STATUS_LABELS = dict(Position.Status.choices)


def _detail_value(key: str, value: Any) -> str:
    if key in ("added", "removed"):
        return "、".join(ROLE_LABELS.get(code, code) for code in value) or "—"
    if key in ("from_status", "to_status"):
        return STATUS_LABELS.get(value, value)
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value) or "—"
    return "—" if value is None else str(value)


def details_text(event: AuditEvent) -> str:
    """The event's details in words: ``授予角色：HR 编辑；撤销角色：—``."""
    return "；".join(
        f"{DETAIL_LABELS.get(key, key)}：{_detail_value(key, value)}"
        for key, value in (event.details or {}).items()
    )


@dataclass(frozen=True)
class EventFilter:
    user: str = ""  # username (contains) or the account's id
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    obj: str = ""  # the object's label (contains) or id


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events(chosen: EventFilter = EventFilter()) -> QuerySet[AuditEvent]:
    """The events matching the filter, newest first (dates are Asia/Shanghai days)."""
    found = AuditEvent.objects.select_related("user").order_by("-created_at", "-pk")
    if chosen.user:
        match = Q(username__icontains=chosen.user)
        if chosen.user.isdigit():
            match |= Q(user_id=int(chosen.user))
        found = found.filter(match)
    if chosen.action:
        found = found.filter(action=chosen.action)
    if chosen.date_from:
        found = found.filter(created_at__gte=_day_start(chosen.date_from))
    if chosen.date_to:
        found = found.filter(created_at__lt=_day_start(chosen.date_to + datetime.timedelta(1)))
    if chosen.obj:
        found = found.filter(Q(object_label__icontains=chosen.obj) | Q(object_id=chosen.obj))
    return found


def events_of_user(user_id: int) -> QuerySet[AuditEvent]:
    """What the account did, and what was done to it (roles granted, changes in the admin)."""
    account = Q(object_type="auth.user", object_id=str(user_id))
    return events().filter(Q(user_id=user_id) | account)


def events_of_position(position_id: int) -> QuerySet[AuditEvent]:
    return events().filter(object_type="positions.position", object_id=str(position_id))


# --- retention ------------------------------------------------------------------------------------


def retention_days(requested: int | None = None) -> int:
    """Days events are kept: ``requested`` or ``AUDIT_RETENTION_DAYS``, never fewer than the
    setting nor than 180 (等保 2.0 asks for six months of logs)."""
    configured = settings.AUDIT_RETENTION_DAYS
    if configured < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS={configured} 少于 {MINIMUM_RETENTION_DAYS} 天，"
            "拒绝清理审计记录。"
        )
    days = configured if requested is None else requested
    if days < configured:
        raise ValueError(
            f"审计记录至少保留 {configured} 天（AUDIT_RETENTION_DAYS），不能只保留 {days} 天。"
        )
    return days


def prune(days: int | None = None) -> tuple[int, datetime.datetime]:
    """Delete the events older than the retention period; the pruning itself is recorded."""
    days = retention_days(days)
    before = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        count = AuditEvent.objects.filter(created_at__lt=before).prune()
        record(
            Action.PRUNE,
            details={
                "count": count,
                "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
                "retention_days": days,
            },
        )
    return count, before
