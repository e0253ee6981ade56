"""Printing one sheet: stored PDFs of published versions, fresh renders of working copies.

A published version never changes, so its PDF is rendered once and kept in Django's storage
(``default_storage``: MEDIA_ROOT by default, an object store shared by several app servers
later). The stored name carries everything the PDF depends on besides the version itself:

    pdfs/sheets/<position pk>/v<number>-<layout key>-<fingerprint>.pdf

where the fingerprint hashes the PDF template and every template it includes, the PDF
stylesheets, the company identity (name, 文件编号 prefix, logo), the WeasyPrint version and
``RENDER_REVISION``, and the print layout (``positions.layouts``: its key in the name, its
labels, order and partials in the fingerprint). Every layout of a version is kept side by
side; storing one removes only older copies of the same layout. Editing ``sheet.css``, a
``_sheet*.html`` partial or 公司信息 therefore changes the name, and the next download renders
(and stores) again; older files of the same version and layout are removed then. Working
copies (drafts) are rendered on every request and never stored. ``warm_pdfs`` (management
command) renders every version in force, in its department's layout, ahead of time.

When the storage cannot be reached (an object store down: ``StorageUnavailable``), a version's
PDF is rendered and served without being stored; the next download after the store is back
stores it.

Renders go through ``pdf.render_html`` (the one render entry: size limit, then the warm worker
process with a time limit unless ``PDF_RENDER_TIMEOUT_SECONDS`` is 0).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F

from jobdesc.prepared import PreparedQuery
from jobdesc.storage import StorageUnavailable
from positions.layouts import LAYOUTS, STANDARD, Layout
from positions.models import CompanyProfile, Position, Version
from positions.services.layout import templates_fingerprint
from positions.services.versions import ReadSheet
from positions.sheet import Sheet, build_sheet
from printing import pdf
from printing.services.company import company_fingerprint, company_profile
from printing.services.layouts import department_layout, layout_for_sheet

logger = logging.getLogger(__name__)

# Bump when a code change (not a template or stylesheet) changes what a stored PDF looks like.
RENDER_REVISION = "2"
STORAGE_PREFIX = "pdfs/sheets"

# v<number>[-s<in force>][-<layout>]-<fingerprint>.pdf (no layout: named before layouts).
_STORED_FILE = re.compile(r"^v(?P<number>\d+)(?:-s\d+)?(?:-(?P<layout>[a-z]+))?-[0-9a-f]+\.pdf$")

_renders = 0


def render_count() -> int:
    """How many sheet PDFs this process has rendered (stored copies served do not count)."""
    return _renders


# The render entry's errors, under the names the sheet views have always used.
PdfRenderTimeout = pdf.PdfRenderTimeout
PdfRenderFailed = pdf.PdfRenderFailed
PdfTooLarge = pdf.PdfTooLarge


def layout_fingerprint(company: CompanyProfile | None = None, layout: Layout | None = None) -> str:
    """A short hash of everything besides the sheet that a printed sheet depends on."""
    layout = layout if layout is not None else LAYOUTS[STANDARD]
    digest = hashlib.sha256()
    digest.update(f"{RENDER_REVISION}\x00{weasyprint.__version__}\x00".encode())
    digest.update(templates_fingerprint(pdf.PDF_TEMPLATE, pdf.PDF_STYLESHEETS).encode())
    # The layout's data and its section partials (included by name from data, so the
    # template scan above does not see them).
    digest.update(layout.fingerprint().encode())
    for template in layout.templates:
        digest.update(templates_fingerprint(template, ()).encode())
    company = company if company is not None else company_profile()
    digest.update(company_fingerprint(company).encode())
    return digest.hexdigest()[:20]


def stored_name(version: Version, fingerprint: str, layout_key: str = STANDARD) -> str:
    """Where the version's PDF in a layout is kept. A superseded version prints 已被 Vn 取代,
    so the name also says which version is in force (``-s3``) when it is not this one."""
    current = version.position.current_version_id
    state = ""
    if current is not None and current != version.pk:
        state = f"-s{version.position.current_version.number}"
    return (
        f"{STORAGE_PREFIX}/{version.position_id}/"
        f"v{version.number}{state}-{layout_key}-{fingerprint}.pdf"
    )


def render_sheet_pdf(
    sheet: Sheet,
    company: CompanyProfile | None = None,
    *,
    in_process: bool = False,
    layout: Layout | None = None,
) -> bytes:
    """Render one sheet now (counted), in the warm worker with the time limit when set.

    ``layout``: the print layout; None resolves the sheet's own (its department's, else the
    company's). ``in_process`` renders right here without a limit (commands and task workers,
    which are warm processes of their own).

    Raises ``pdf.CJKFontMissing``, ``PdfTooLarge`` (before counting or rendering),
    ``PdfRenderTimeout`` or ``PdfRenderFailed``.
    """
    global _renders
    pdf.check_cjk_font()
    company = company if company is not None else company_profile()
    layout = layout if layout is not None else layout_for_sheet(sheet, company=company)
    html = pdf.sheet_html(sheet, company, layout)
    pdf.refuse_oversized(html)
    _renders += 1
    return pdf.render_html(html, stylesheets=pdf.PDF_STYLESHEETS, timeout=0 if in_process else None)


def _stored_layout(filename: str, number: int) -> str | None:
    """The layout key of a stored file of version ``number`` ("" for files named before
    layouts existed), None when the file belongs to another version."""
    match = _STORED_FILE.match(filename)
    if match is None or int(match["number"]) != number:
        return None
    return match["layout"] or ""


def _forget_older(version: Version, keep: str, layout_key: str = STANDARD) -> None:
    """Delete the version's PDFs of the same layout stored under an older fingerprint (and
    those named before layouts existed); other layouts' copies stay."""
    folder = f"{STORAGE_PREFIX}/{version.position_id}"
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for filename in files:
        path = f"{folder}/{filename}"
        if _stored_layout(filename, version.number) in {layout_key, ""} and path != keep:
            default_storage.delete(path)


@dataclass(frozen=True)
class StoredPdf:
    name: str  # storage name
    rendered: bool  # rendered by this call (False: served from storage)


def _keep(version: Version, name: str, data: bytes, layout_key: str = STANDARD) -> None:
    """Store a rendered PDF under ``name`` and drop the version's older ones."""
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # another request stored it meanwhile: keep theirs
        default_storage.delete(saved)
    _forget_older(version, name, layout_key)


def store_version_pdf(
    version: Version,
    sheet: Sheet | None = None,
    *,
    in_process: bool = False,
    layout: Layout | None = None,
) -> StoredPdf:
    """Make sure the version's PDF (in ``layout``, else its department's) is in storage
    (rendering it if needed); no bytes read.

    Raises ``StorageUnavailable`` when the storage cannot be reached.
    """
    company = company_profile()
    if layout is None:
        layout = department_layout(version.department_id, company=company)
    name = stored_name(version, layout_fingerprint(company, layout), layout.key)
    if default_storage.exists(name):
        return StoredPdf(name, rendered=False)
    sheet = sheet if sheet is not None else build_sheet(version)
    data = render_sheet_pdf(sheet, company, in_process=in_process, layout=layout)
    _keep(version, name, data, layout.key)
    return StoredPdf(name, rendered=True)


# The version in force of a position, with what serving its stored PDF needs besides: its
# position's state (who may read it: ``permissions.can_view_position``) and its department's
# layout setting. Read on most PDF downloads, so compiled once per process.
_VERSION_IN_FORCE = PreparedQuery(
    lambda pk: (
        Version.objects.filter(position_id=pk, position__current_version_id=F("pk"))
        .defer("sheet")  # a stored copy is served without its sheet
        .annotate(
            position_status=F("position__status"),
            position_department_id=F("position__department_id"),
            layout_setting=F("department__sheet_layout"),
        )
    ),
    [int],
)


def version_in_force(position_pk: int) -> Version | None:
    """The version in force of position ``position_pk`` (None: nothing published yet, or no
    such position), in one query. ``version.position`` is the position as far as deciding who
    may read it needs (pk, status, department, version in force) — not for saving;
    ``version.layout_setting``: its department's ``sheet_layout``."""
    found = _VERSION_IN_FORCE.objects(position_pk)
    if not found:
        return None
    version = found[0]
    version.position = Position(
        pk=version.position_id,
        status=version.position_status,
        department_id=version.position_department_id,
        current_version=version,
    )
    return version


def _copy_name(version: Version, one_off_key: str, department_setting: str | None) -> str:
    company = company_profile()
    layout = department_layout(
        version.department_id,
        one_off_key=one_off_key,
        company=company,
        department_setting=department_setting,
    )
    return stored_name(version, layout_fingerprint(company, layout), layout.key)


def stored_copy(
    version: Version, one_off_key: str = "", *, department_setting: str | None = None
) -> bytes | None:
    """The version's stored PDF (in the one-off layout, else its department's) when it is up
    to date, else None (never renders; also None when the storage cannot be reached).

    The PDF view's fast path: no sheet needs to be built to serve a stored copy; the layout
    costs at most one light query (the department's setting), none when the caller passes
    ``department_setting`` (the department's ``sheet_layout``, read with the version) or a
    one-off layout.
    """
    name = _copy_name(version, one_off_key, department_setting)
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, StorageUnavailable):
        return None


def stored_copy_name(
    version: Version, one_off_key: str = "", *, department_setting: str | None = None
) -> str | None:
    """The storage name of the version's up-to-date stored PDF (as ``stored_copy`` finds it),
    else None — for a web server to send the file itself (``PDF_X_ACCEL_PREFIX``)."""
    name = _copy_name(version, one_off_key, department_setting)
    try:
        return name if default_storage.exists(name) else None
    except StorageUnavailable:
        return None


def stored_pdf(
    version: Version, sheet: Sheet | None = None, *, layout: Layout | None = None
) -> bytes:
    """The version's PDF (in ``layout``, else its department's): from storage, else rendered
    once and stored — or, when the storage cannot be reached, rendered and returned without
    being stored."""
    company = company_profile()
    if layout is None:
        layout = department_layout(version.department_id, company=company)
    name = stored_name(version, layout_fingerprint(company, layout), layout.key)
    reachable = True
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    except StorageUnavailable:
        reachable = False
    sheet = sheet if sheet is not None else build_sheet(version)
    data = render_sheet_pdf(sheet, company, layout=layout)
    if reachable:
        with contextlib.suppress(StorageUnavailable):  # served all the same, stored next time
            _keep(version, name, data, layout.key)
    return data


def sheet_pdf(read: ReadSheet, one_off_key: str = "") -> bytes:
    """The PDF of what a reader reads: a stored published version, or a fresh working copy;
    in the one-off layout when given, else the sheet's department's."""
    layout = layout_for_sheet(read.sheet, one_off_key=one_off_key)
    if read.version is not None:
        return stored_pdf(read.version, read.sheet, layout=layout)
    return render_sheet_pdf(read.sheet, layout=layout)


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


def store_published(version_ids: list[int]) -> int:
    """The task of render on publish: each version still in force gets its PDF stored (a
    version replaced meanwhile is skipped); the number rendered. The storage out of reach: the
    PDF view renders on demand as before, so nothing is lost."""
    rendered = 0
    versions = Version.objects.filter(pk__in=version_ids, position__current_version=F("pk"))
    for version in versions.select_related("position"):
        try:
            rendered += store_version_pdf(version).rendered
        except StorageUnavailable:
            logger.warning("Storage unreachable: version %s's PDF not stored", version.pk)
            break
    return rendered
