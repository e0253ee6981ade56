"""The sheet of one position: the page and its PDF, both built from ``build_sheet``."""

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from positions.models import Position
from positions.pdf import CJKFontMissing, render_pdf
from positions.sheet import Sheet, build_sheet


def _sheet_for(request: HttpRequest, pk: int) -> Sheet:
    """The sheet of a position the user may read; 404 otherwise (drafts are not revealed)."""
    visible = Position.objects.visible_to(request.user).with_sheet()
    return build_sheet(get_object_or_404(visible, pk=pk))


def attachment_disposition(filename: str, ascii_fallback: str) -> str:
    """RFC 6266 ``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*``."""
    fallback = ascii_fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "positions/sheet.html", {"sheet": _sheet_for(request, pk)})


def position_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_for(request, pk)
    try:
        pdf = render_pdf(sheet)
    except CJKFontMissing as exc:
        context = {"sheet": sheet, "family": exc.family}
        return render(request, "positions/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(sheet.filename, sheet.ascii_filename)
    return response
