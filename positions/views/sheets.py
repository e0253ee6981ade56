"""The sheet of one position: the page and its PDF, both built from ``build_sheet``."""

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from positions import permissions, services
from positions.models import Position
from positions.pdf import CJKFontMissing, render_pdf
from positions.sheet import build_sheet


def _visible_position(request: HttpRequest, pk: int) -> Position:
    """A position the user may read, with its sheet loaded; 404 otherwise (drafts stay hidden)."""
    visible = Position.objects.visible_to(request.user).with_sheet().with_staffing()
    return get_object_or_404(visible, pk=pk)


def attachment_disposition(filename: str, ascii_fallback: str) -> str:
    """RFC 6266 ``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*``."""
    fallback = ascii_fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    position = _visible_position(request, pk)
    context = {
        "sheet": build_sheet(position),
        "holders": services.holders_by_position([position.pk])[position.pk],
        "staffing": position.staffing,
        "can_edit": permissions.can_edit_position(request.user, position),
        "can_view_history": permissions.can_view_history(request.user, position),
        "can_view_workflow": permissions.can_view_workflow(request.user, position),
    }
    return render(request, "positions/sheet.html", context)


def position_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = build_sheet(_visible_position(request, pk))
    try:
        pdf = render_pdf(sheet)
    except CJKFontMissing as exc:
        context = {"sheet": sheet, "family": exc.family}
        return render(request, "positions/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(sheet.filename, sheet.ascii_filename)
    return response
