"""The sheet of one position — its working copy or a published version — as a page.

Which sheet a person reads is decided by ``versions.read_sheet``: people with draft rights see
the working copy, everyone else the version in force; any published version can be asked for
by number. The PDF of the same sheet is printing's (``printing.views.sheets``).
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from positions import permissions
from positions.layouts import LAYOUT_CHOICES, printed_sheet
from positions.models import Position
from positions.services import layouts, reading, versions
from positions.views.common import visible_position


def _sheet_page(request: HttpRequest, pk: int, number: int | None) -> HttpResponse:
    # The working copy's joins are made only for people who may read a working copy, and its
    # sections loaded by read_sheet only for those who do; a reader of versions gets the
    # position with its version in force (whose sheet read_sheet then uses: no query). 在岗 is
    # counted from the holders the page lists anyway (no GROUP BY over the sheet's joins).
    if permissions.can_see_drafts(request.user):
        queryset = Position.objects.with_sheet_joins()
    else:
        queryset = Position.objects.select_related("current_version")
    position = visible_position(request, pk, queryset)
    read = versions.read_sheet(request.user, position, number=number)
    department_id = read.sheet.department_path[-1].pk if read.sheet.department_path else None
    # The layout settings, the company identity and the 手册 version in force: one query.
    state = reading.paper_state(department_id)
    try:
        one_off_key = layouts.one_off(request.GET.get("layout"))
        if state is None:
            layout = layouts.layout_for_sheet(read.sheet, one_off_key=one_off_key)
        else:
            layout = layouts.layout_for_sheet(
                read.sheet,
                one_off_key=one_off_key,
                departments={department_id: state.department_layout},
                company_layout=state.company_layout,
            )
    except layouts.UnknownLayout as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    body = {
        "sheet": read.sheet,
        "printed": (printed := printed_sheet(read.sheet, layout)),
        "layout_choices": LAYOUT_CHOICES,
        "one_off_layout": bool(request.GET.get("layout")),
        "sheet_html": reading.sheet_html(
            read.sheet,
            read.version,
            current_version_id=position.current_version_id,
            printed=printed,
            state=state,
        ),
        "read": read,
        "current_version": position.current_version,
        "holders": (holders := reading.holders_by_position([position.pk])[position.pk]),
        "staffing": position.staffing_label(len({holder.pk for holder in holders})),
        "can_edit": permissions.can_edit_position(request.user, position),
        "can_view_history": permissions.can_view_history(request.user, position),
        "can_view_workflow": permissions.can_view_workflow(request.user, position),
        "can_create_positions": permissions.can_create_positions(request.user),
        "reads_working_copy": permissions.reads_working_copy(request.user, position),
        # 打印草稿 beside the version in force's PDF, while a draft is pending (the position's
        # PDF then prints the working copy; with no draft pending it prints the version).
        "prints_draft": read.version is None
        and not read.sheet.is_archived
        and permissions.prints_working_copy(request.user, position),
    }
    # The body holds nothing of the request: a published version's is served from the cache
    # to every reader shown the same things (reading.sheet_page_body).
    context = {
        "sheet": read.sheet,
        "page_body": reading.sheet_page_body(body, cacheable=read.version is not None),
    }
    return render(request, "positions/sheet.html", context)


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _sheet_page(request, pk, None)


def version_sheet(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _sheet_page(request, pk, number)
