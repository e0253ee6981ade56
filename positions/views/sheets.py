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
    # The working copy's sections are loaded by read_sheet only for people who read it.
    position = visible_position(request, pk, Position.objects.with_sheet_joins().with_staffing())
    read = versions.read_sheet(request.user, position, number=number)
    try:
        layout = layouts.layout_for_sheet(
            read.sheet, one_off_key=layouts.one_off(request.GET.get("layout"))
        )
    except layouts.UnknownLayout as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    context = {
        "sheet": read.sheet,
        "printed": (printed := printed_sheet(read.sheet, layout)),
        "layout_choices": LAYOUT_CHOICES,
        "sheet_html": reading.sheet_html(
            read.sheet,
            read.version,
            current_version_id=position.current_version_id,
            printed=printed,
        ),
        "read": read,
        "current_version": position.current_version,
        "holders": reading.holders_by_position([position.pk])[position.pk],
        "staffing": position.staffing,
        "can_edit": permissions.can_edit_position(request.user, position),
        "can_view_history": permissions.can_view_history(request.user, position),
        "can_view_workflow": permissions.can_view_workflow(request.user, position),
        "can_view_acknowledgements": permissions.can_view_acknowledgements(request.user, position),
        "reads_working_copy": permissions.reads_working_copy(request.user, position),
        # 打印草稿 beside the version in force's PDF, while a draft is pending (the position's
        # PDF then prints the working copy; with no draft pending it prints the version).
        "prints_draft": read.version is None
        and not read.sheet.is_archived
        and permissions.prints_working_copy(request.user, position),
    }
    return render(request, "positions/sheet.html", context)


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _sheet_page(request, pk, None)


def version_sheet(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _sheet_page(request, pk, number)
