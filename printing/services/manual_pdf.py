"""The 权责手册 as an A3 landscape PDF: a published version (stored once) or the working copy.

The printed matrix is the manual's document (``positions.services.manual.manual_document``: the
one exchange format). Columns are printed in groups that fit the width of an A3 page, each group
a table whose first columns (类别 / 事项 / 档位) and header row repeat: the header row on every
page the table runs over (``thead`` = ``table-header-group``), the first columns in every group.

A version's PDF is kept through Django's storage as ``pdfs/manual/v<number>-<fingerprint>.pdf``;
the fingerprint hashes the template and everything it includes, the stylesheet, 公司信息, the
WeasyPrint version and ``RENDER_REVISION`` — editing any of them gives a new name, so the next
download renders again (older copies of that version are removed). The working copy is rendered
on every request with a 草稿 watermark and never stored. Renders go through ``pdf.render_html``
(the one entry: the size limit, then the warm worker with its time limit).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from dataclasses import dataclass

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from jobdesc.storage import StorageUnavailable
from positions.models import CompanyProfile, ManualLevel, ManualVersion
from positions.services import manual
from positions.services.layout import templates_fingerprint
from printing import pdf
from printing.services.company import company_fingerprint, company_profile, logo_data_url

TEMPLATE = "rights/manual_pdf.html"
STYLESHEETS = ("css/manual-pdf.css",)
STORAGE_PREFIX = "pdfs/manual"
# Bump when a code change (not the template or stylesheet) changes what a stored PDF looks like.
RENDER_REVISION = "1"
# Level columns per printed group: 84 mm of first columns + 28 × 11 mm fill an A3 landscape page.
COLUMNS_PER_GROUP = 28

PdfTooLarge = pdf.PdfTooLarge
PdfRenderTimeout = pdf.PdfRenderTimeout
PdfRenderFailed = pdf.PdfRenderFailed
CJKFontMissing = pdf.CJKFontMissing

LEVEL_LABELS = dict(ManualLevel.choices)


@dataclass(frozen=True)
class PrintedRow:
    category: str  # shown on a matter's first band only
    matter: str  # shown on a matter's first band only
    note: str
    condition: str
    cells: list[str]  # the Chinese words, one per column of the group
    first_of_category: bool


@dataclass(frozen=True)
class PrintedGroup:
    columns: list[dict]
    rows: list[PrintedRow]
    number: int  # 1-based
    first_column: int  # 1-based index of the group's first level column
    last_column: int


@dataclass(frozen=True)
class Edition:
    """What the masthead prints: which manual, which version, in force since when."""

    version_label: str  # "V2", or "" for the working copy
    effective_date: datetime.date | None
    status_label: str  # 已生效 / 草稿 / 待审核 …
    draft: bool  # 草稿 watermark on every page


def _groups(document: dict, per_group: int = COLUMNS_PER_GROUP) -> list[PrintedGroup]:
    columns = document.get("columns", [])
    bands = [
        (category, matter, band, m_index == 0 and b_index == 0, b_index == 0)
        for category in document.get("categories", [])
        for m_index, matter in enumerate(category.get("matters", []))
        for b_index, band in enumerate(matter.get("bands", []))
    ]
    slices = [columns[i : i + per_group] for i in range(0, len(columns), per_group)] or [[]]
    groups = []
    for number, group_columns in enumerate(slices, start=1):
        rows = [
            PrintedRow(
                category=category["name"] if first_of_category else "",
                matter=matter["name"] if first_of_matter else "",
                note=matter.get("note", "") if first_of_matter else "",
                condition=band.get("condition", ""),
                cells=[
                    LEVEL_LABELS.get(band["cells"].get(column["key"], ""), "")
                    for column in group_columns
                ],
                first_of_category=first_of_category,
            )
            for category, matter, band, first_of_category, first_of_matter in bands
        ]
        groups.append(
            PrintedGroup(
                columns=group_columns,
                rows=rows,
                number=number,
                first_column=(number - 1) * per_group + 1,
                last_column=(number - 1) * per_group + len(group_columns),
            )
        )
    return groups


def manual_html(document: dict, edition: Edition, *, company: CompanyProfile | None = None) -> str:
    """The PDF's HTML of a manual document."""
    company = company if company is not None else company_profile()
    groups = _groups(document)
    context = {
        "document": document,
        "edition": edition,
        "groups": groups,
        "group_count": len(groups),
        "legend": ManualLevel.choices,
        "company": company,
        "company_logo": logo_data_url(company),
        "created": timezone.now().isoformat(timespec="seconds"),
    }
    return render_to_string(TEMPLATE, context)


def fingerprint(company: CompanyProfile | None = None) -> str:
    """A short hash of everything besides the document that the printed manual depends on."""
    company = company if company is not None else company_profile()
    digest = hashlib.sha256()
    digest.update(f"{RENDER_REVISION}\x00{weasyprint.__version__}\x00".encode())
    digest.update(templates_fingerprint(TEMPLATE, STYLESHEETS).encode())
    digest.update(company_fingerprint(company).encode())
    return digest.hexdigest()[:20]


def stored_name(number: int, print_fingerprint: str, *, in_force: bool = True) -> str:
    """Where version ``number``'s PDF is kept; a superseded version prints 已失效, so its
    name says so (``-old``)."""
    state = "" if in_force else "-old"
    return f"{STORAGE_PREFIX}/v{number}{state}-{print_fingerprint}.pdf"


def render_manual(
    document: dict,
    edition: Edition,
    *,
    company: CompanyProfile | None = None,
    in_process: bool = False,
) -> bytes:
    """Render now: the size limit, then the warm worker with its time limit (``in_process``:
    here, without a limit — commands, task workers and benchmarks)."""
    pdf.check_cjk_font()
    html = manual_html(document, edition, company=company)
    return pdf.render_html(html, stylesheets=STYLESHEETS, timeout=0 if in_process else None)


def _forget_older(number: int, keep: str) -> None:
    try:
        _, files = default_storage.listdir(STORAGE_PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return
    for filename in files:
        path = f"{STORAGE_PREFIX}/{filename}"
        if filename.startswith(f"v{number}-") and path != keep:
            default_storage.delete(path)


def version_pdf(
    *,
    number: int,
    document: dict,
    edition: Edition,
    in_force: bool = True,
    in_process: bool = False,
) -> tuple[bytes, bool]:
    """A published version's PDF and whether this call rendered it: from storage when stored
    under the current fingerprint, else rendered and stored (or, when the storage cannot be
    reached, rendered and returned without being stored)."""
    company = company_profile()
    name = stored_name(number, fingerprint(company), in_force=in_force)
    reachable = True
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read(), False
    except FileNotFoundError:
        pass
    except StorageUnavailable:
        reachable = False
    data = render_manual(document, edition, company=company, in_process=in_process)
    if reachable:
        with contextlib.suppress(StorageUnavailable):  # served all the same, stored next time
            saved = default_storage.save(name, ContentFile(data))
            if saved != name:  # another request stored it meanwhile: keep theirs
                default_storage.delete(saved)
            _forget_older(number, name)
    return data, True


def manual_version_pdf(version: ManualVersion, *, in_process: bool = False) -> tuple[bytes, bool]:
    """The PDF of a published version of the manual (已生效 when in force, else 已失效) and
    whether this call rendered it; stored once per fingerprint (``version_pdf``)."""
    in_force = version.pk == manual.get_manual().current_version_id
    edition = Edition(
        version_label=version.label,
        effective_date=version.effective_date,
        status_label="已生效" if in_force else "已失效",
        draft=False,
    )
    return version_pdf(
        number=version.number,
        document=manual.manual_document(version=version),
        edition=edition,
        in_force=in_force,
        in_process=in_process,
    )


def store_published_manual(version_id: int) -> bool:
    """The task of render on approval: the version's PDF rendered (in this process, no time
    limit) and stored, unless replaced as the version in force before the task ran or already
    stored; whether it was rendered (the storage out of reach: rendered, not stored, and the PDF
    view renders on demand as before)."""
    version = ManualVersion.objects.filter(pk=version_id).first()
    if version is None or version.pk != manual.get_manual().current_version_id:
        return False
    return manual_version_pdf(version, in_process=True)[1]


def warm_manual_pdf() -> tuple[str, bool] | None:
    """Store the PDF of the version in force ahead of time, rendered in this process without
    the web's time limit (a large manual can take longer than ``PDF_RENDER_TIMEOUT_SECONDS``);
    (its label, whether it was rendered now), or None when no version is in force."""
    version = manual.get_manual().current_version
    if version is None:
        return None
    _, rendered = manual_version_pdf(version, in_process=True)
    return version.label, rendered
