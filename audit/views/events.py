"""The audit trail's pages (审计日志): every event with filters, one account's, one position's,
and the xlsx of the filtered list. 审计员 and superusers only (``can_view_audit``); the pages
only read: nothing here changes or deletes an event."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import services, workbook
from audit.forms import EventFilterForm
from audit.models import AuditAction, AuditEvent
from positions import permissions
from positions.models import Position
from positions.views.common import attachment

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_auditor(request: HttpRequest) -> None:
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied("只有审计员可以查看审计日志。")


def _render(request: HttpRequest, found: QuerySet[AuditEvent], **context: object) -> HttpResponse:
    paginator = Paginator(found, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [(event, services.details_text(event)) for event in page_obj.object_list]
    return render(
        request,
        "audit/event_list.html",
        {
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number),
            "rows": rows,
            **context,
        },
    )


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = EventFilterForm(request.GET or None)
    return _render(
        request,
        services.events(form.chosen()),
        form=form,
        heading="审计日志",
        is_filtered=form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
    )


@require_GET
def user_events(request: HttpRequest, pk: int) -> HttpResponse:
    """What one account did, and what was done to it (its events outlive the account)."""
    _require_auditor(request)
    found = services.events_of_user(pk)
    account = get_user_model()._default_manager.filter(pk=pk).first()
    if account is None:
        last = found.exclude(username="").first()
        if last is None:
            raise Http404("没有这个用户的审计记录。")
        label = f"{last.username}（账号已删除）"
    else:
        label = services.describe(account)[2]
    return _render(request, found, heading=f"审计日志：用户 {label}")


@require_GET
def position_events(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything recorded about one position (its events outlive the position)."""
    _require_auditor(request)
    found = services.events_of_position(pk)
    position = Position.objects.filter(pk=pk).first()
    if position is None:
        last = found.first()
        if last is None:
            raise Http404("没有这个职位的审计记录。")
        label = f"{last.object_label}（职位已删除）"
    else:
        label = services.position_label(position)
    return _render(request, found, heading=f"审计日志：职位 {label}")


@require_GET
def event_export(request: HttpRequest) -> HttpResponse:
    """The list's events (its filters apply) as xlsx; the export itself is recorded."""
    _require_auditor(request)
    form = EventFilterForm(request.GET or None)
    found = list(services.events(form.chosen()))
    data = workbook.events_xlsx(found)
    filters = {key: value for key, value in request.GET.items() if value}
    services.record(
        AuditAction.EXPORT_AUDIT, request=request, details={"count": len(found), "filters": filters}
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return attachment(HttpResponse(data, content_type=XLSX), f"审计日志-{stamp}.xlsx")
