"""The PDF of a sheet — its working copy or a published version — as the reader reads it.

Which sheet is printed is decided by ``versions.read_sheet`` (the page's own rule); a published
version's PDF is stored once and served from storage.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import services as audit
from positions import permissions
from positions.models import Position
from positions.services import versions
from positions.services.versions import ReadSheet
from positions.sheet import sheet_filename
from positions.views.common import attachment, visible_position
from printing.pdf import CJKFontMissing
from printing.services import layouts
from printing.services import stored as printing


def _pdf_response(request: HttpRequest, read: ReadSheet) -> HttpResponse:
    sheet = read.sheet
    try:
        one_off = layouts.one_off(request.GET.get("layout"))
    except layouts.UnknownLayout as exc:
        return render(
            request, "positions/pdf_failed.html", {"sheet": sheet, "message": str(exc)}, status=400
        )
    try:
        pdf = printing.sheet_pdf(read, one_off)  # a published version is stored once
    except CJKFontMissing as exc:
        context = {"sheet": sheet, "family": exc.family}
        return render(request, "positions/pdf_unavailable.html", context, status=503)
    except printing.PdfTooLarge as exc:
        context = {"sheet": sheet, "message": str(exc)}
        return render(request, "positions/pdf_failed.html", context, status=422)
    except (printing.PdfRenderTimeout, printing.PdfRenderFailed) as exc:
        context = {
            "sheet": sheet,
            "timed_out": isinstance(exc, printing.PdfRenderTimeout),
            "limit": settings.PDF_RENDER_TIMEOUT_SECONDS,
        }
        return render(request, "positions/pdf_failed.html", context, status=503)
    filename = sheet.filename
    if read.version is not None:  # a published version is named by its number: …-V2.pdf
        filename = filename.removesuffix(".pdf") + f"-{read.version.label}.pdf"
    return attachment(HttpResponse(pdf, content_type="application/pdf"), filename)


def _stored_version_pdf(request: HttpRequest, pk: int, number: int | None) -> HttpResponse | None:
    """Fast path: the published version this reader gets is already stored — serve it without
    loading or building the sheet. None: take the normal path (which also answers 404).

    The version in force (most downloads) costs one query, its SQL compiled once per process
    (``printing.version_in_force``: the version, its position's state and its department's
    layout); an older version two."""
    version = printing.version_in_force(pk)
    setting: str | None = None
    if version is not None and number in (None, version.number):
        position = version.position
        if not permissions.can_view_position(request.user, position):
            return None
        if number is None and permissions.prints_working_copy(request.user, position):
            return None
        setting = version.layout_setting
    elif number is None:
        return None  # nothing in force: only a working copy to print
    else:
        position = (
            Position.objects.filter(permissions.visible_positions_q(request.user))
            .select_related("current_version")
            .defer("current_version__sheet")  # a stored copy is served without its sheet
            .filter(pk=pk)
            .first()
        )
        if position is None:
            return None
        version = position.versions.filter(number=number).first()
        if version is None:
            return None
        version.position = position  # known already: no query to name its stored file
    try:
        one_off = layouts.one_off(request.GET.get("layout"))
    except layouts.UnknownLayout:
        return None  # the normal path answers with the error
    suffix = f"-{version.label}.pdf"
    filename = sheet_filename(version.title, version.code).removesuffix(".pdf") + suffix
    if settings.PDF_X_ACCEL_PREFIX:  # nginx sends the file from its internal location
        name = printing.stored_copy_name(version, one_off, department_setting=setting)
        if name is None:
            return None
        response = HttpResponse(content_type="application/pdf")
        response["X-Accel-Redirect"] = settings.PDF_X_ACCEL_PREFIX + quote(name)
        return attachment(response, filename)
    pdf = printing.stored_copy(version, one_off, department_setting=setting)
    if pdf is None:
        return None
    return attachment(HttpResponse(pdf, content_type="application/pdf"), filename)


def position_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    if stored := _stored_version_pdf(request, pk, None):
        return stored
    position = visible_position(request, pk, Position.objects.with_sheet().with_staffing())
    number = None
    if not permissions.prints_working_copy(request.user, position) and position.current_version:
        number = position.current_version.number  # no draft pending: the version in force
    read = versions.read_sheet(request.user, position, number=number)
    response = _pdf_response(request, read)
    if read.is_working_copy and response.status_code == 200:  # stored versions: not recorded
        audit.record(audit.Action.EXPORT_DRAFT_PDF, request=request, obj=position)
    return response


def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    if stored := _stored_version_pdf(request, pk, number):
        return stored
    position = visible_position(request, pk, Position.objects.with_sheet().with_staffing())
    return _pdf_response(request, versions.read_sheet(request.user, position, number=number))
