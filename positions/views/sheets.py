"""The sheet of one position — its working copy or a published version — as page and PDF.

Which sheet a person reads is decided by ``versions.read_sheet``: people with draft rights see
the working copy, everyone else the version in force; any published version can be asked for
by number. Page and PDF are both built from that one sheet.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from positions import permissions
from positions.models import Position
from positions.pdf import CJKFontMissing
from positions.services import people, printing, versions
from positions.services.versions import ReadSheet
from positions.sheet import sheet_ascii_filename, sheet_filename


def _visible_position(request: HttpRequest, pk: int) -> Position:
    """A position the user may read, with its sheet loaded; 404 otherwise (drafts stay hidden)."""
    visible = Position.objects.visible_to(request.user).with_sheet().with_staffing()
    return get_object_or_404(visible, pk=pk)


def attachment_disposition(filename: str, ascii_fallback: str) -> str:
    """RFC 6266 ``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*``."""
    fallback = ascii_fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _sheet_page(request: HttpRequest, pk: int, number: int | None) -> HttpResponse:
    position = _visible_position(request, pk)
    read = versions.read_sheet(request.user, position, number=number)
    context = {
        "sheet": read.sheet,
        "read": read,
        "current_version": position.current_version,
        "holders": people.holders_by_position([position.pk])[position.pk],
        "staffing": position.staffing,
        "can_edit": permissions.can_edit_position(request.user, position),
        "can_view_history": permissions.can_view_history(request.user, position),
        "can_view_workflow": permissions.can_view_workflow(request.user, position),
        "can_view_acknowledgements": permissions.can_view_acknowledgements(request.user, position),
        "reads_working_copy": permissions.reads_working_copy(request.user, position),
    }
    return render(request, "positions/sheet.html", context)


def position_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _sheet_page(request, pk, None)


def version_sheet(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _sheet_page(request, pk, number)


def _pdf_response(request: HttpRequest, read: ReadSheet) -> HttpResponse:
    sheet = read.sheet
    try:
        pdf = printing.sheet_pdf(read)  # a published version is stored once, drafts render
    except CJKFontMissing as exc:
        context = {"sheet": sheet, "family": exc.family}
        return render(request, "positions/pdf_unavailable.html", context, status=503)
    except (printing.PdfRenderTimeout, printing.PdfRenderFailed) as exc:
        context = {
            "sheet": sheet,
            "timed_out": isinstance(exc, printing.PdfRenderTimeout),
            "limit": settings.PDF_RENDER_TIMEOUT_SECONDS,
        }
        return render(request, "positions/pdf_failed.html", context, status=503)
    filename, fallback = sheet.filename, sheet.ascii_filename
    if read.version is not None:  # a published version is named by its number: …-V2.pdf
        suffix = f"-{read.version.label}.pdf"
        filename = filename.removesuffix(".pdf") + suffix
        fallback = fallback.removesuffix(".pdf") + suffix
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    return response


def _stored_version_pdf(request: HttpRequest, pk: int, number: int | None) -> HttpResponse | None:
    """Fast path: the published version this reader gets is already stored — serve it without
    loading or building the sheet. None: take the normal path (which also answers 404)."""
    position = (
        Position.objects.visible_to(request.user)
        .select_related("current_version")
        .filter(pk=pk)
        .first()
    )
    if position is None:
        return None
    if number is None:
        if permissions.reads_working_copy(request.user, position):
            return None
        version = position.current_version
        if version is not None:
            version.position = position  # known already: no query to name its stored file
    else:
        version = position.versions.filter(number=number).first()
    pdf = printing.stored_copy(version) if version is not None else None
    if pdf is None:
        return None
    suffix = f"-{version.label}.pdf"
    filename = sheet_filename(version.title, version.code).removesuffix(".pdf") + suffix
    fallback = sheet_ascii_filename(version.code, pk).removesuffix(".pdf") + suffix
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    return response


def position_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    if stored := _stored_version_pdf(request, pk, None):
        return stored
    position = _visible_position(request, pk)
    return _pdf_response(request, versions.read_sheet(request.user, position))


def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    if stored := _stored_version_pdf(request, pk, number):
        return stored
    position = _visible_position(request, pk)
    return _pdf_response(request, versions.read_sheet(request.user, position, number=number))
