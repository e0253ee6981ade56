"""The 权责手册 as an A3 PDF: a published version (stored once per layout fingerprint) and the
working copy (草稿 watermark, rendered on every request, for those who read the manual's drafts).
Who may read which is asked of ``positions.permissions``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import services as audit
from positions import permissions
from positions.ids import parse_id
from positions.models import Department, ManualVersion
from positions.services import manual
from positions.views.common import attachment
from printing.services import manual_pdf


def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, manual_pdf.CJKFontMissing):
        message = f"服务器缺少中文字体（{exc.family}），暂时无法生成 PDF。"
        return render(request, "rights/manual_pdf_failed.html", {"message": message}, status=503)
    if isinstance(exc, manual_pdf.PdfTooLarge):
        return render(request, "rights/manual_pdf_failed.html", {"message": str(exc)}, status=422)
    timed_out = isinstance(exc, manual_pdf.PdfRenderTimeout)
    limit = settings.PDF_RENDER_TIMEOUT_SECONDS
    message = (
        f"权责手册的 PDF 在 {limit} 秒内未能生成，本次生成已中止。"
        if timed_out
        else "权责手册的 PDF 生成时出错，本次未生成文件。"
    )
    context = {"message": message, "timed_out": timed_out}
    return render(request, "rights/manual_pdf_failed.html", context, status=503)


RENDER_ERRORS = (
    manual_pdf.CJKFontMissing,
    manual_pdf.PdfTooLarge,
    manual_pdf.PdfRenderTimeout,
    manual_pdf.PdfRenderFailed,
)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(data, content_type="application/pdf"), filename)


@require_GET
def manual_version_pdf(request: HttpRequest, number: int) -> HttpResponse:
    if not permissions.can_view_manual(request.user):
        raise PermissionDenied("您无权查看权责手册。")
    version = ManualVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404("权责手册没有这个版本。")
    try:
        data, _ = manual_pdf.manual_version_pdf(version)
    except RENDER_ERRORS as exc:
        return _failed(request, exc)
    title = version.document.get("title") or "权责手册"
    return _pdf(data, f"{title}-{version.label}.pdf")


@require_GET
def manual_draft_pdf(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.reads_manual_working_copy(user):
        raise PermissionDenied("只有 HR 编辑和权责手册的审核、审批人可以打印工作稿。")
    scope = None
    raw = request.GET.get("department", "").strip()
    if raw:
        pk = parse_id(raw)
        scope = Department.objects.filter(pk=pk).first() if pk is not None else None
        if scope is None:
            raise Http404("部门不存在。")
    document = manual.manual_document(scope=scope)
    edition = manual_pdf.Edition(
        version_label="",
        effective_date=None,
        status_label=document.get("status_label") or "草稿",
        draft=True,
    )
    try:
        data = manual_pdf.render_manual(document, edition)
    except RENDER_ERRORS as exc:
        return _failed(request, exc)
    audit.record(
        audit.Action.EXPORT_DRAFT_PDF,
        request=request,
        object_type="权责手册",
        object_label=f"{document.get('title') or '权责手册'} 工作稿",
        details={"scope": scope.name if scope else "全部"},
    )
    return _pdf(data, f"{document.get('title') or '权责手册'}-工作稿.pdf")
