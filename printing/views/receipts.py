"""签收单 PDFs: a holder's own (from 我的职位), and a version's all (from 员工确认)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from audit import services as audit
from positions import permissions
from positions.models import Acknowledgement
from positions.services import acknowledgements
from positions.sheet import sheet_filename
from positions.views.common import attachment, visible_position
from printing.pdf import CJKFontMissing, PdfRenderFailed, PdfRenderTimeout, PdfTooLarge
from printing.services import receipts


def _pdf(request: HttpRequest, render_pdf, filename: str) -> HttpResponse:
    try:
        pdf = render_pdf()
    except CJKFontMissing as exc:
        context = {"family": exc.family}
        return render(request, "positions/receipt_failed.html", context, status=503)
    except PdfTooLarge as exc:
        return render(request, "positions/receipt_failed.html", {"message": str(exc)}, status=422)
    except (PdfRenderTimeout, PdfRenderFailed) as exc:
        context = {
            "timed_out": isinstance(exc, PdfRenderTimeout),
            "limit": settings.PDF_RENDER_TIMEOUT_SECONDS,
        }
        return render(request, "positions/receipt_failed.html", context, status=503)
    return attachment(HttpResponse(pdf, content_type="application/pdf"), filename)


def acknowledgement_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """One confirmation's 签收单: its holder, and whoever sees the version's 员工确认. Anyone
    else gets 404, so another person's confirmation is not revealed."""
    ack = get_object_or_404(
        Acknowledgement.objects.select_related("employee", "version__position").defer(
            "version__sheet"
        ),
        pk=pk,
    )
    if not permissions.can_view_receipt(request.user, ack):
        raise Http404("没有这份签收单。")
    receipt = acknowledgements.receipt(ack)
    stem = sheet_filename(receipt.position_title, receipt.position_code).removesuffix(".pdf")
    filename = f"{stem}-{receipt.version_label}-签收单-{receipt.employee_no}.pdf"
    response = _pdf(request, lambda: receipts.receipt_pdf(receipt), filename)
    if response.status_code == 200:
        audit.record(
            audit.Action.EXPORT_RECEIPT,
            request=request,
            obj=ack.version.position,
            details={"version": receipt.version_label, "employee_no": receipt.employee_no},
        )
    return response


def version_receipts(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Every 签收单 of a version, one a page, and who has not confirmed: for those who see
    its 员工确认 (HR in scope, the department's managers)."""
    position = visible_position(request, pk)
    if not permissions.can_view_acknowledgements(request.user, position):
        raise PermissionDenied("只有 HR 和本部门经理可以打印签收单。")
    version = get_object_or_404(position.versions.defer("sheet"), number=number)
    whole = acknowledgements.version_receipts(version)
    stem = sheet_filename(version.title, version.code).removesuffix(".pdf")
    response = _pdf(
        request, lambda: receipts.version_receipts_pdf(whole), f"{stem}-{version.label}-签收单.pdf"
    )
    if response.status_code == 200:
        audit.record(
            audit.Action.EXPORT_RECEIPT,
            request=request,
            obj=position,
            details={"version": version.label, "count": len(whole.receipts)},
        )
    return response
