"""Printing one sheet: stored PDFs of published versions, fresh renders of working copies.

A published version never changes, so its PDF is rendered once and kept in Django's storage
(``default_storage``: MEDIA_ROOT by default, an object store shared by several app servers
later). The stored name carries everything the PDF depends on besides the version itself:

    pdfs/sheets/<position pk>/v<number>-<fingerprint>.pdf

where the fingerprint hashes the PDF template and every template it includes, the PDF
stylesheets, the company identity (name, 文件编号 prefix, logo), the WeasyPrint version and
``RENDER_REVISION``. Editing ``sheet.css``, a ``_sheet*.html`` partial or 公司信息 therefore
changes the name, and the next download renders (and stores) again; older files of the same
version are removed then. Working copies (drafts) are rendered on every request and never
stored. ``warm_pdfs`` (management command) renders every version in force ahead of time.

When the storage cannot be reached (an object store down: ``StorageUnavailable``), a version's
PDF is rendered and served without being stored; the next download after the store is back
stores it.

Renders go through ``pdf.render_html`` (the one render entry: size limit, then the warm worker
process with a time limit unless ``PDF_RENDER_TIMEOUT_SECONDS`` is 0).
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jobdesc.storage import StorageUnavailable
from positions.models import CompanyProfile, Version
from positions.services.layout import templates_fingerprint
from positions.services.versions import ReadSheet
from positions.sheet import Sheet, build_sheet
from printing import pdf
from printing.services.company import company_fingerprint, company_profile

# Bump when a code change (not a template or stylesheet) changes what a stored PDF looks like.
RENDER_REVISION = "2"
STORAGE_PREFIX = "pdfs/sheets"

_renders = 0


def render_count() -> int:
    """How many sheet PDFs this process has rendered (stored copies served do not count)."""
    return _renders


# The render entry's errors, under the names the sheet views have always used.
PdfRenderTimeout = pdf.PdfRenderTimeout
PdfRenderFailed = pdf.PdfRenderFailed
PdfTooLarge = pdf.PdfTooLarge


def layout_fingerprint(company: CompanyProfile | None = None) -> str:
    """A short hash of everything besides the sheet that a printed sheet depends on."""
    digest = hashlib.sha256()
    digest.update(f"{RENDER_REVISION}\x00{weasyprint.__version__}\x00".encode())
    digest.update(templates_fingerprint(pdf.PDF_TEMPLATE, pdf.PDF_STYLESHEETS).encode())
    company = company if company is not None else company_profile()
    digest.update(company_fingerprint(company).encode())
    return digest.hexdigest()[:20]


def stored_name(version: Version, fingerprint: str) -> str:
    """Where the version's PDF is kept. A superseded version prints 已被 Vn 取代, so the name
    also says which version is in force (``-s3``) when it is not this one."""
    current = version.position.current_version_id
    state = ""
    if current is not None and current != version.pk:
        state = f"-s{version.position.current_version.number}"
    return f"{STORAGE_PREFIX}/{version.position_id}/v{version.number}{state}-{fingerprint}.pdf"


def render_sheet_pdf(
    sheet: Sheet, company: CompanyProfile | None = None, *, in_process: bool = False
) -> bytes:
    """Render one sheet now (counted), in the warm worker with the time limit when set.

    ``in_process`` renders right here without a limit (commands and task workers, which are
    warm processes of their own).

    Raises ``pdf.CJKFontMissing``, ``PdfTooLarge`` (before counting or rendering),
    ``PdfRenderTimeout`` or ``PdfRenderFailed``.
    """
    global _renders
    pdf.check_cjk_font()
    html = pdf.sheet_html(sheet, company)
    pdf.refuse_oversized(html)
    _renders += 1
    return pdf.render_html(html, stylesheets=pdf.PDF_STYLESHEETS, timeout=0 if in_process else None)


def _forget_older(version: Version, keep: str) -> None:
    """Delete the version's PDFs stored under an older fingerprint."""
    folder = f"{STORAGE_PREFIX}/{version.position_id}"
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    prefix = f"v{version.number}-"
    for filename in files:
        path = f"{folder}/{filename}"
        if filename.startswith(prefix) and path != keep:
            default_storage.delete(path)


@dataclass(frozen=True)
class StoredPdf:
    name: str  # storage name
    rendered: bool  # rendered by this call (False: served from storage)


def _keep(version: Version, name: str, data: bytes) -> None:
    """Store a rendered PDF under ``name`` and drop the version's older ones."""
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another request stored it meanwhile: keep theirs
        default_storage.delete(saved)
    _forget_older(version, name)


def store_version_pdf(
    version: Version, sheet: Sheet | None = None, *, in_process: bool = False
) -> StoredPdf:
    """Make sure the version's PDF is in storage (rendering it if needed); no bytes read.

    Raises ``StorageUnavailable`` when the storage cannot be reached.
    """
    company = company_profile()
    name = stored_name(version, layout_fingerprint(company))
    if default_storage.exists(name):
        return StoredPdf(name, rendered=False)
    sheet = sheet if sheet is not None else build_sheet(version)
    _keep(version, name, render_sheet_pdf(sheet, company, in_process=in_process))
    return StoredPdf(name, rendered=True)


def stored_copy(version: Version) -> bytes | None:
    """The version's stored PDF when it is up to date, else None (never renders; also None
    when the storage cannot be reached).

    The PDF view's fast path: no sheet needs to be built to serve a stored copy.
    """
    name = stored_name(version, layout_fingerprint())
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, StorageUnavailable):
        return None


def stored_pdf(version: Version, sheet: Sheet | None = None) -> bytes:
    """The version's PDF: from storage, else rendered once and stored — or, when the storage
    cannot be reached, rendered and returned without being stored."""
    company = company_profile()
    name = stored_name(version, layout_fingerprint(company))
    reachable = True
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    except StorageUnavailable:
        reachable = False
    sheet = sheet if sheet is not None else build_sheet(version)
    data = render_sheet_pdf(sheet, company)
    if reachable:
        with contextlib.suppress(StorageUnavailable):  # served all the same, stored next time
            _keep(version, name, data)
    return data


def sheet_pdf(read: ReadSheet) -> bytes:
    """The PDF of what a reader reads: a stored published version, or a fresh working copy."""
    if read.version is not None:
        return stored_pdf(read.version, read.sheet)
    return render_sheet_pdf(read.sheet)


def warm_pdfs(*, in_process: bool = True) -> tuple[int, int]:
    """Store the PDF of every version in force; returns (rendered, already stored)."""
    rendered = already = 0
    versions = Version.objects.current().select_related("position").order_by("position_id")
    for version in versions:
        if store_version_pdf(version, in_process=in_process).rendered:
            rendered += 1
        else:
            already += 1
    return rendered, already
