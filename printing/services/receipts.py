"""签收单 as PDF: one page per confirmation of a version (员工确认), laid out for printing.

A holder downloads their own; HR prints a version's all at once — one 签收单 a page, then a
last page with the holders who have not confirmed yet. Rendered through ``render_html`` (the
one render entry, with its limits), in the same embedded CJK font as the sheets.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from positions.services.acknowledgements import Receipt, VersionReceipts
from printing.pdf import check_cjk_font, render_html
from printing.services.company import company_profile, logo_data_url

TEMPLATE = "positions/receipt_pdf.html"
STYLESHEETS = ("css/receipt.css",)


def receipts_html(receipts: tuple[Receipt, ...], *, whole: VersionReceipts | None = None) -> str:
    """The HTML of ``receipts`` (one a page); with ``whole``, the version's pending list last."""
    company = company_profile()
    context = {
        "receipts": receipts,
        "whole": whole,
        "company": company,
        "company_logo": logo_data_url(company),
        "printed_at": timezone.localtime(),
        "time_zone": "北京时间",
    }
    return render_to_string(TEMPLATE, context)


def receipt_pdf(receipt: Receipt) -> bytes:
    """One holder's 签收单 as PDF bytes (raises ``CJKFontMissing`` and the render errors)."""
    check_cjk_font()
    return render_html(receipts_html((receipt,)), stylesheets=STYLESHEETS)


def version_receipts_pdf(whole: VersionReceipts) -> bytes:
    """Every 签收单 of a version, one a page, and a last page listing who has not confirmed."""
    check_cjk_font()
    return render_html(receipts_html(whole.receipts, whole=whole), stylesheets=STYLESHEETS)
