"""Department books (职位说明书汇编): many sheets printed as ONE PDF by the task worker.

A book is a list of published versions — the versions in force, which every reader may read —
so the same book serves everyone who asks for it. ``request_book`` finds or creates the
``BookJob`` for a selection (two requests for the same versions share one job) and enqueues
``printing.tasks.build_book`` on django-tasks; the worker (``manage.py db_worker``) calls
``run_book_job``, which builds each sheet's HTML (progress n / total), lays the whole book out
as one WeasyPrint document (one font subset; the contents' page numbers come from the layout
through ``target-counter()``; one bookmark per position) and stores the PDF through Django's
storage API. A finished book is served from storage without rendering again.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import weasyprint
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from positions.layouts import Layout, printed_sheet, resolve_layout
from positions.models import BookJob, CompanyProfile, Department, Position, Version
from positions.org import department_index
from positions.sheet import Sheet, build_sheet
from printing import pdf as printing_pdf
from printing.pdf import check_cjk_font
from printing.services import stored
from printing.services.company import company_fingerprint, company_profile, logo_data_url
from printing.tasks import build_book

logger = logging.getLogger(__name__)

BOOK_TEMPLATE = "positions/book_pdf.html"
BOOK_SHEET_TEMPLATE = "positions/_book_sheet.html"
# Everything that shapes the printed book: a change to any of these makes a new book.
BOOK_STYLESHEETS = ("css/sheet.css", "css/book.css")

Progress = Callable[[int, int], None]


class BookError(Exception):
    """A book that cannot be made; the message is Chinese and shown to the user."""


def _over_time_limit(limit: float) -> BookError:
    return BookError(
        f"汇编生成超过时间限制（{limit:g} 秒），已中止。"
        "请按部门分开打印或减少所选职位后重试；如仍超时，请联系系统管理员。"
    )


@dataclass(frozen=True)
class BookSelection:
    """What one book prints: the versions in force, in print order, and its cover title."""

    kind: str  # BookJob.Kind
    title: str  # the cover's department line: "销售部", "福州项目公司（含下级部门）", "自选职位"
    versions: tuple[Version, ...]
    department: Department | None = None
    include_subdepartments: bool = False

    @property
    def version_ids(self) -> list[int]:
        return [version.pk for version in self.versions]


@dataclass(frozen=True)
class BookEntry:
    """One sheet of the book, as the contents and the body show it."""

    number: int  # 1, 2, 3 … in print order; the anchor is #book-sheet-<number>
    title: str
    code: str
    department: str
    version_label: str
    html: str = field(repr=False, default="")

    @property
    def anchor(self) -> str:
        return f"book-sheet-{self.number}"


@dataclass(frozen=True)
class BookPdf:
    content: bytes
    page_count: int


# --- the company on the cover -----------------------------------------------------------------


def book_company() -> CompanyProfile:
    """The company identity (公司信息) for the cover, the sheet headers and the footers."""

    return company_profile()


# --- choosing what a book prints --------------------------------------------------------------


def _tree_order() -> dict[int, int]:
    return {dept.pk: n for n, (dept, _depth) in enumerate(department_index().preorder())}


def _in_print_order(versions: Iterable[Version]) -> tuple[Version, ...]:
    """Departments in tree order, then each department's sheets by 排序, code and title."""
    order = _tree_order()
    return tuple(
        sorted(
            versions,
            key=lambda v: (
                order.get(v.department_id, len(order)),
                v.position_sort_order,
                v.code or "\uffff",
                v.title,
            ),
        )
    )


def _current_versions():
    # 排序 is the position's (an ordering kept outside the sheet, so never versioned).
    return (
        Version.objects.current()
        .defer("sheet")
        .select_related("department")
        .annotate(position_sort_order=F("position__sort_order"))
    )


def printable_versions(*, department_id: int | None = None) -> tuple[Version, ...]:
    """The versions in force (optionally of one department), in print order, without JSON."""
    versions = _current_versions()
    if department_id is not None:
        versions = versions.filter(department_id=department_id)
    return _in_print_order(versions)


def department_selection(department: Department, *, include_subdepartments: bool) -> BookSelection:
    """The versions in force of a department's positions (and its sub-departments')."""

    if include_subdepartments:
        ids = department_index().subtree_ids(department.pk)
    else:
        ids = {department.pk}
    versions = _in_print_order(_current_versions().filter(department_id__in=ids))
    if not versions:
        scope = "及其下级部门" if include_subdepartments else ""
        raise BookError(f"“{department.name}”{scope}没有已生效的职位说明书，无法打印汇编。")
    title = department.name + ("（含下级部门）" if include_subdepartments else "")
    return BookSelection(
        kind=BookJob.Kind.DEPARTMENT,
        title=title,
        versions=versions,
        department=department,
        include_subdepartments=include_subdepartments,
    )


def positions_selection(positions: Iterable[Position]) -> BookSelection:
    """The versions in force of hand-picked positions (those without one are refused)."""
    positions = list(positions)
    if not positions:
        raise BookError("请至少选择一个职位。")
    versions = list(_current_versions().filter(position__in=positions))
    missing = {p.pk for p in positions} - {v.position_id for v in versions}
    if missing:
        raise BookError("所选职位中有尚未生效的职位说明书，不能打印。")
    return BookSelection(
        kind=BookJob.Kind.SELECTION, title="自选职位", versions=_in_print_order(versions)
    )


# --- the identity of a book -------------------------------------------------------------------


def sheet_layouts(versions: Iterable[Version], company: CompanyProfile) -> list[Layout]:
    """Each version's print layout (its department's, else the company's), in order: one
    query for all their departments' settings."""
    versions = list(versions)
    departments = dict(
        Department.objects.filter(pk__in={v.department_id for v in versions}).values_list(
            "pk", "sheet_layout"
        )
    )
    return [
        resolve_layout(
            department=departments.get(v.department_id, ""), company=company.sheet_layout
        )
        for v in versions
    ]


def book_key(selection: BookSelection, company: CompanyProfile | None = None) -> str:
    """Same versions, same cover, same company identity, same layout (of the book and of each
    sheet) → same key (and PDF)."""

    company = company if company is not None else book_company()
    layouts = sheet_layouts(selection.versions, company)
    payload = {
        "versions": selection.version_ids,
        "sheet_layouts": [f"{layout.key}-{layout.fingerprint()}" for layout in layouts],
        "sheet_layout_templates": [
            stored.templates_fingerprint(template, ())
            for template in sorted({t for layout in layouts for t in layout.templates})
        ],
        "title": selection.title,
        "company": company_fingerprint(company),
        "layout": stored.templates_fingerprint(BOOK_TEMPLATE, BOOK_STYLESHEETS),
        "weasyprint": weasyprint.__version__,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


# --- requesting a book ------------------------------------------------------------------------


def _stored(job: BookJob, *, when_unreachable: bool) -> bool:
    """Whether the job's file is in storage; ``when_unreachable`` when the storage cannot say."""
    if not job.file:
        return False
    try:
        return job.file.storage.exists(job.file.name)
    except StorageUnavailable:
        return when_unreachable


def request_book(selection: BookSelection, user: User | AnonymousUser | None = None) -> BookJob:
    """The job for this book: an existing one (queued, running or stored), or a new one.

    A new job (or a failed one, or one whose file went missing from storage) is queued for the
    worker. Runs in a transaction: the job row and the task row commit together, and the unique
    key makes concurrent requests for the same book share one job.
    """
    if not selection.versions:
        raise BookError("请选择一个部门，或至少选择一个职位。")
    requester = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        job, created = BookJob.objects.get_or_create(
            key=book_key(selection),
            defaults={
                "kind": selection.kind,
                "title": selection.title,
                "department": selection.department,
                "include_subdepartments": selection.include_subdepartments,
                "version_ids": selection.version_ids,
                "total": len(selection.versions),
                "requested_by": requester,
            },
        )
        if not created:
            job = BookJob.objects.select_for_update().get(pk=job.pk)
            needs_render = (
                job.status == BookJob.Status.FAILED
                # A store that cannot be reached is no reason to render the book again.
                or (job.status == BookJob.Status.DONE and not _stored(job, when_unreachable=True))
            )
            # A job 生成中 whose worker died is the reaper's (positions.services.task_leases):
            # queued again once, then failed — and a failed job is queued afresh here.
            if not needs_render:
                return job
            job.status = BookJob.Status.QUEUED
            job.done = 0
            job.error = ""
            job.file = ""
            job.file_size = 0
            job.page_count = 0
            job.started_at = job.finished_at = None
            job.requested_by = requester or job.requested_by

        job.task_id = str(build_book.enqueue(job.pk).id)
        job.save()
    return job


# --- building a book --------------------------------------------------------------------------


def _sheet_of(version: Version) -> Sheet:
    return build_sheet(version)


def book_entries(
    versions: Iterable[Version], *, company: CompanyProfile, progress: Progress | None = None
) -> list[BookEntry]:
    """Each version's sheet as HTML, in order; ``progress(done, total)`` after each one.

    A sheet that cannot be built or rendered raises ``BookError`` naming its position.
    """
    versions = list(versions)
    total = len(versions)
    layouts = sheet_layouts(versions, company)
    entries = []
    for number, (version, layout) in enumerate(zip(versions, layouts, strict=True), start=1):
        name = f"“{version.title}”" + (f"（{version.code}）" if version.code else "")
        try:
            sheet = _sheet_of(version)
            html = render_to_string(
                BOOK_SHEET_TEMPLATE,
                {
                    "sheet": sheet,
                    "printed": printed_sheet(sheet, layout),
                    "anchor": f"book-sheet-{number}",
                    "company_profile": company,
                    "document_number": company.document_number(sheet.code, sheet.position_id),
                },
            )
        except Exception as exc:
            logger.exception("Book sheet failed for version %s", version.pk)
            raise BookError(
                f"职位{name}的职位说明书无法生成（{type(exc).__name__}），汇编已中止。"
                "请检查该职位的已生效版本后重试。"
            ) from exc
        entries.append(
            BookEntry(
                number=number,
                title=sheet.title,
                code=sheet.code,
                department=sheet.department,
                version_label=sheet.version_label,
                html=html,
            )
        )
        if progress is not None:
            progress(number, total)
    return entries


def render_book(
    versions: Iterable[Version],
    *,
    title: str,
    department_code: str = "",
    company: CompanyProfile | None = None,
    printed_on: datetime.date | None = None,
    progress: Progress | None = None,
    time_limit: float = 0,
) -> BookPdf:
    """The whole book — cover, contents, every sheet — laid out as one document.

    The cover's 文件编号 is ``<prefix>-<department code>-HB`` (HB: 汇编), ``<prefix>-HB`` for
    hand-picked positions.

    ``time_limit`` (seconds; 0: none, rendered in this process) bounds building and laying out
    the whole book: the layout runs in the warm render worker with the time that is left and
    is aborted when it runs out. Over the limit, or HTML over ``PDF_MAX_HTML_MB``: BookError.
    """

    started = time.monotonic()

    def check_time() -> float:
        """The seconds left (0: no limit); BookError once they have run out."""
        if not time_limit:
            return 0
        left = time_limit - (time.monotonic() - started)
        if left <= 0:
            raise _over_time_limit(time_limit)
        return left

    def timed_progress(done: int, total: int) -> None:
        check_time()
        if progress is not None:
            progress(done, total)

    check_cjk_font()
    company = company if company is not None else book_company()
    entries = book_entries(versions, company=company, progress=timed_progress)
    groups: list[tuple[str, list[BookEntry]]] = []
    for entry in entries:
        if not groups or groups[-1][0] != entry.department:
            groups.append((entry.department, []))
        groups[-1][1].append(entry)
    html = render_to_string(
        BOOK_TEMPLATE,
        {
            "title": title,
            "company": company.name,
            "company_logo": logo_data_url(company),
            "document_number": company.document_number(
                f"{department_code}-HB" if department_code else "HB", 0
            ),
            "printed_on": printed_on or timezone.localdate(),
            "entries": entries,
            "groups": groups,
            "show_groups": len(groups) > 1,
            # Each entry's HTML comes from our own template, autoescaped.
            "sheets": mark_safe("".join(entry.html for entry in entries)),
        },
    )
    try:
        content = printing_pdf.render_html(html, timeout=check_time())
    except printing_pdf.PdfRenderTimeout as exc:
        raise _over_time_limit(time_limit) from exc
    except printing_pdf.PdfTooLarge as exc:
        raise BookError(
            f"汇编内容过大（{exc.size_mb} MB，上限 {exc.limit_mb} MB），未生成 PDF。"
            "请按部门分开打印或减少所选职位后重试。"
        ) from exc
    return BookPdf(content=content, page_count=len(PdfReader(io.BytesIO(content)).pages))


def _fail(job_id: int, message: str) -> None:
    BookJob.objects.filter(pk=job_id).update(
        status=BookJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def run_book_job(job_id: int) -> BookJob:
    """Build, render and store one book (called by the worker through the task)."""
    job = BookJob.objects.get(pk=job_id)
    if job.status == BookJob.Status.DONE and _stored(job, when_unreachable=False):
        return job
    by_id = Version.objects.select_related("department").in_bulk(job.version_ids)
    versions = [by_id[pk] for pk in job.version_ids if pk in by_id]
    BookJob.objects.filter(pk=job_id).update(
        status=BookJob.Status.RUNNING,
        done=0,
        total=len(versions),
        error="",
        started_at=timezone.now(),
    )
    if len(versions) != len(job.version_ids):
        _fail(job_id, "汇编中的部分版本已被删除，请重新选择职位后再打印。")
        return BookJob.objects.get(pk=job_id)

    last_write = 0.0

    def progress(done: int, total: int) -> None:
        # One short write per sheet at most every 0.2 s, and always the last one.
        nonlocal last_write
        now = time.monotonic()
        if done == total or now - last_write >= 0.2:
            BookJob.objects.filter(pk=job_id).update(done=done)
            last_write = now

    try:
        pdf = render_book(
            versions,
            title=job.title,
            department_code=job.department.code if job.department else "",
            progress=progress,
            time_limit=settings.BOOK_JOB_TIMEOUT_SECONDS,
        )
    except BookError as exc:
        _fail(job_id, str(exc))
        return BookJob.objects.get(pk=job_id)
    except Exception as exc:
        logger.exception("Book %s failed", job_id)
        _fail(job_id, f"汇编排版失败（{type(exc).__name__}），请稍后重试或联系管理员。")
        raise
    job = BookJob.objects.get(pk=job_id)
    try:
        job.file.save(f"{job.key}.pdf", ContentFile(pdf.content), save=False)
    except StorageUnavailable:
        _fail(job_id, f"{STORAGE_UNAVAILABLE_MESSAGE}（汇编已排版，但未能保存）。")
        return BookJob.objects.get(pk=job_id)
    job.file_size = len(pdf.content)
    job.page_count = pdf.page_count
    job.status = BookJob.Status.DONE
    job.done = job.total
    job.finished_at = timezone.now()
    job.save()
    return job


def book_versions(job: BookJob) -> list[Version]:
    """The versions the book prints, in print order (without their sheet JSON)."""
    by_id = Version.objects.defer("sheet").select_related("department").in_bulk(job.version_ids)
    return [by_id[pk] for pk in job.version_ids if pk in by_id]


def book_filename(job: BookJob) -> str:
    date = (job.finished_at or job.created_at or timezone.now()).astimezone()
    return f"{job.title}-职位说明书汇编-{date:%Y%m%d}.pdf".replace("/", "_")
