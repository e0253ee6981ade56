"""URL patterns of printing: Sheet and version PDFs, books and 公司信息.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from printing.views import books, company, manual, receipts, sheets

urlpatterns = [
    path("positions/<int:pk>/pdf/", sheets.position_pdf, name="position-pdf"),
    path("positions/<int:pk>/versions/<int:number>/pdf/", sheets.version_pdf, name="version-pdf"),
    path(
        "positions/<int:pk>/versions/<int:number>/receipts.pdf",
        receipts.version_receipts,
        name="version-receipts",
    ),
    path(
        "acknowledgements/<int:pk>/receipt.pdf",
        receipts.acknowledgement_receipt,
        name="acknowledgement-receipt",
    ),
    path("books/new/", books.book_create, name="book-create"),
    path("books/<int:pk>/", books.book_detail, name="book-detail"),
    path("books/<int:pk>/status/", books.book_status, name="book-status"),
    path("books/<int:pk>/download/", books.book_download, name="book-download"),
    path("rights/versions/<int:number>/pdf/", manual.manual_version_pdf, name="manual-version-pdf"),
    path("rights/draft.pdf", manual.manual_draft_pdf, name="manual-draft-pdf"),
    path("settings/company/", company.company_settings, name="company-settings"),
]
