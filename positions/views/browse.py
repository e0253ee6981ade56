"""Browsing views: the department tree, a department, the position list.

Every signed-in user may browse (LoginRequiredMiddleware turns anonymous visitors away) and
sees the positions ``positions.permissions`` lets them read; the reads come from
``positions.services`` and ``positions.filters``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from positions import permissions
from positions.filters import PositionFilter
from positions.forms.departments import ReviewerRoleForm, SheetLayoutForm
from positions.ids import parse_id
from positions.models import Department, Position
from positions.services import organisation
from positions.services.reading import table_rows, with_filled, with_shown_labels

POSITIONS_PER_PAGE = 50
LONG_TEXTS = ("purpose", "summary", "commitments", "work_environment", "other_requirements")


def department_tree(request: HttpRequest) -> HttpResponse:
    # Readers see each position as its version in force (never a draft's title).
    visible = with_shown_labels(
        Position.objects.filter(permissions.visible_positions_q(request.user))
        .select_related("current_version")
        .defer("current_version__sheet"),
        request.user,
    )
    nodes = organisation.department_tree(positions=visible)
    return render(
        request,
        "positions/department_tree.html",
        {
            "nodes": nodes,
            "department_total": sum(1 + node.department_count for node in nodes),
            "position_total": sum(node.total_count for node in nodes),
        },
    )


def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _department_page(request, pk)


def _department_page(
    request: HttpRequest,
    pk: int,
    *,
    reviewer_form: ReviewerRoleForm | None = None,
    layout_form: SheetLayoutForm | None = None,
    status=200,
) -> HttpResponse:
    visible = with_shown_labels(
        Position.objects.filter(permissions.visible_positions_q(request.user))
        .with_staffing()
        .select_related("current_version__department__parent")
        .defer("current_version__sheet"),
        request.user,
    )
    page = organisation.department_page(pk, positions=visible)
    if page is None:
        raise Http404("部门不存在。")
    return render(
        request,
        "positions/department_detail.html",
        {
            "department": page.department,
            "ancestors": page.ancestors,
            "node": page.node,
            "rows": table_rows(page.node.positions),
            "archived_count": page.archived_count,
            "can_edit_department": permissions.can_edit_department(request.user, page.department),
            "can_set_reviewer": permissions.reviewer_setting_refusal(request.user, page.department)
            is None,
            "reviewer_form": reviewer_form
            or ReviewerRoleForm(initial={"reviewer_role": page.department.reviewer_role}),
            "can_set_layout": permissions.layout_setting_refusal(request.user, page.department)
            is None,
            "layout_form": layout_form
            or SheetLayoutForm(initial={"sheet_layout": page.department.sheet_layout}),
        },
        status=status,
    )


@require_POST
def department_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    """Set who reviews the department's sheets (HR editors in scope), from its page."""
    department = get_object_or_404(Department, pk=pk)
    refusal = permissions.reviewer_setting_refusal(request.user, department)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = ReviewerRoleForm(request.POST)
    if not form.is_valid():
        return _department_page(request, pk, reviewer_form=form, status=400)
    organisation.set_reviewer_role(
        user=request.user, department=department, reviewer_role=form.cleaned_data["reviewer_role"]
    )
    messages.success(
        request,
        f"已设置：“{department.name}”的职位说明书由{department.get_reviewer_role_display()}审核。",
    )
    return redirect(department)


@require_POST
def department_layout(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the department's print layout (HR editors in scope), from its page."""
    department = get_object_or_404(Department, pk=pk)
    refusal = permissions.layout_setting_refusal(request.user, department)
    if refusal is not None:
        raise PermissionDenied(refusal)
    form = SheetLayoutForm(request.POST)
    if not form.is_valid():
        return _department_page(request, pk, layout_form=form, status=400)
    organisation.set_sheet_layout(
        user=request.user, department=department, sheet_layout=form.cleaned_data["sheet_layout"]
    )
    shown = department.get_sheet_layout_display() if department.sheet_layout else "公司默认版式"
    messages.success(request, f"已设置：“{department.name}”的职位说明书按{shown}打印。")
    return redirect(department)


def listed_positions(request: HttpRequest, *, superior: bool = True) -> QuerySet[Position]:
    """Positions the user may see, with staffing and what the user is shown of each (the
    superior too unless ``superior`` is false: the filters, sort and counts do not need it)."""
    positions = (
        Position.objects.filter(permissions.visible_positions_q(request.user))
        .select_related("department__parent", "reports_to", "current_version__department__parent")
        # Long texts the table does not show stay in the database (narrower rows to sort).
        .defer(*LONG_TEXTS, "current_version__sheet")
    )
    return with_shown_labels(with_filled(positions), request.user, superior=superior)


def position_list(request: HttpRequest) -> HttpResponse:
    listed = listed_positions(request)
    filterset = PositionFilter(
        request.GET, queryset=listed_positions(request, superior=False), request=request
    )
    # Sort and page the ids alone (narrow rows), then load the page's 50 positions in full.
    page_obj, page_notice = paginate_ids(
        filterset.qs, filterset.ids_and_total, request.GET.get("page")
    )
    ids = list(page_obj.object_list)
    loaded = {position.pk: position for position in listed.filter(pk__in=ids)}
    page_obj.object_list = [loaded[pk] for pk in ids if pk in loaded]
    return render(
        request,
        "positions/position_list.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "rows": table_rows(page_obj.object_list),
            "page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
            "page_notice": page_notice,
            "is_filtered": any(
                request.GET.get(name)
                for name in ("q", "department", "status", "grade", "grade_to", "staffing")
            ),
        },
    )


def paginate_ids(
    queryset: QuerySet,
    ids_and_total: Callable[[int, int], tuple[list[int], int]],
    raw_number: str | None,
) -> tuple[Page, str]:
    """``paginate`` for the ids of ``queryset``'s rows: ``ids_and_total(offset, limit)`` gives
    the page's ids and the total count together; past the end, the last page."""
    number = 1 if raw_number in (None, "") else parse_id(raw_number)
    notice = ""
    if number is None or number < 1:
        number, notice = 1, f"页码“{raw_number}”无效，已显示第 1 页。"
    paginator = Paginator(queryset, POSITIONS_PER_PAGE)
    ids, total = ids_and_total((number - 1) * POSITIONS_PER_PAGE, POSITIONS_PER_PAGE)
    if not ids and number > 1:  # past the end (or an empty result): the last page
        last = max(1, -(-total // POSITIONS_PER_PAGE))
        notice = f"第 {number} 页不存在，已显示最后一页（第 {last} 页）。"
        number = last
        ids, total = (
            ids_and_total((number - 1) * POSITIONS_PER_PAGE, POSITIONS_PER_PAGE)
            if total
            else ([], 0)
        )
    paginator.count = total  # known: the paginator does not count again
    return Page(ids, number, paginator), notice


def paginate(queryset: QuerySet, raw_number: str | None) -> tuple[Page, str]:
    """The requested page, or the nearest sane one with a notice saying what happened."""
    paginator = Paginator(queryset, POSITIONS_PER_PAGE)
    if raw_number in (None, ""):
        return paginator.page(1), ""
    number = parse_id(raw_number)
    if number is None or number < 1:
        return paginator.page(1), f"页码“{raw_number}”无效，已显示第 1 页。"
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(last), f"第 {number} 页不存在，已显示最后一页（第 {last} 页）。"
    return paginator.page(number), ""
