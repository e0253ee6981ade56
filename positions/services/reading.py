"""What a reader is shown of each position in lists: the working copy or the version in force,
and how many hold it. Query annotations shared by the list, the search and the org chart. And
the sheet's HTML as its page shows it, a published version's rendered once and kept in Django's
cache (``sheet_html``).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe

from positions import permissions
from positions.layouts import PrintedSheet
from positions.models import (
    Assignment,
    CompanyProfile,
    Department,
    Employee,
    Manual,
    Position,
    Version,
    staffing_label,
)
from positions.services.layout import templates_fingerprint
from positions.sheet import Sheet

# The paper of the sheet page: the sheet and its footer line. It depends on the sheet and the
# company identity only — no user, no request, no CSRF token — so one rendering serves everyone.
SHEET_PAPER_TEMPLATE = "positions/_sheet_paper.html"
SHEET_CACHE_SECONDS = 7 * 24 * 3600


def working_q(user: User | AnonymousUser) -> Q:
    """``permissions.working_copy_q``, usable as a When() condition even when it is Q()."""
    working = permissions.working_copy_q(user)
    return working if working else Q(pk__isnull=False)


def reads_working_case(user: User | AnonymousUser) -> Case:
    return Case(
        When(working_q(user), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def with_filled(queryset: QuerySet[Position]) -> QuerySet[Position]:
    """``with_staffing()``'s ``filled`` as a correlated subquery instead of a grouped join.

    Lists sort and page thousands of positions: without GROUP BY the database sorts the rows
    and evaluates the count only for the page shown.
    """
    holders = (
        Assignment.objects.filter(
            position=OuterRef("pk"), end_date__isnull=True, employee__left_on__isnull=True
        )
        .order_by()
        .values("position")
        .annotate(n=Count("employee", distinct=True))
        .values("n")
    )
    return queryset.annotate(filled=Coalesce(Subquery(holders), 0))


def with_shown_labels(
    queryset: QuerySet[Position], user: User | AnonymousUser, *, superior: bool = True
) -> QuerySet:
    """Annotate what ``user`` is shown of each position: its working copy or its version.

    ``reads_working`` (bool), ``shown_title``, ``shown_code``, ``shown_department_id`` and
    (unless ``superior`` is false) ``shown_superior_title`` / ``shown_superior_id``: people
    without draft rights see the version in force. The superior's title joins the superior's
    row even where a query does not select it, and that join alone keeps PostgreSQL from
    answering a count from an index: queries that filter, sort and count leave it out.
    """
    rule = permissions.working_copy_q(user)
    if not rule or rule == Q(pk__in=[]):
        # Everyone's working copy (unscoped HR) or no one's: plain columns, no CASE per row.
        working = not rule
        prefix = "" if working else "current_version__"
        superior_title = (
            "reports_to__title"
            if working
            else "current_version__reports_to__current_version__title"
        )
        queryset = queryset.annotate(
            reads_working=Value(working, output_field=BooleanField()),
            shown_title=F(f"{prefix}title"),
            shown_code=F(f"{prefix}code"),
            shown_department_id=F(f"{prefix}department_id"),
        )
        if not superior:
            return queryset
        return queryset.annotate(
            shown_superior_title=F(superior_title),
            shown_superior_id=F("reports_to_id" if working else "current_version__reports_to_id"),
        )
    working = working_q(user)
    superior_working = Position.objects.filter(working).values("pk")

    def shown(working_value, version_value) -> Case:
        return Case(When(working, then=working_value), default=version_value)

    queryset = queryset.annotate(
        reads_working=reads_working_case(user),
        shown_title=shown(F("title"), F("current_version__title")),
        shown_code=shown(F("code"), F("current_version__code")),
        shown_department_id=shown(F("department_id"), F("current_version__department_id")),
    )
    if not superior:
        return queryset
    return queryset.annotate(
        # The superior as the reader knows it: the working copy's link or the version's, named
        # by the superior's working copy or its version in force, by the same rule.
        shown_superior_title=Case(
            When(working & Q(reports_to__in=superior_working), then=F("reports_to__title")),
            When(working, then=F("reports_to__current_version__title")),
            When(
                current_version__reports_to__in=superior_working,
                then=F("current_version__reports_to__title"),
            ),
            default=F("current_version__reports_to__current_version__title"),
        ),
        shown_superior_id=shown(F("reports_to_id"), F("current_version__reports_to_id")),
    )


@dataclass(frozen=True)
class Badge:
    """A status badge: its Bootstrap colour class, its icon and its text."""

    css: str
    icon: str
    text: str


@dataclass(frozen=True)
class TableRow:
    """One position as ``positions/_position_table.html`` shows it to one reader: its working
    copy (HR, drafts' authors) or its version in force (everyone else)."""

    pk: int
    working_title: str  # the batch checkbox's label (only working-copy rows have one)
    reads_working: bool
    title: str
    code: str
    url: str
    department_name: str
    department_url: str
    parent_name: str | None
    superior_title: str | None  # None: no superior link, a dash
    superior_url: str
    grade: str
    staffing: str
    badge: Badge


def _url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, kwargs={"pk": pk})`` for many pks, reversing once (tables reverse two
    URLs per row)."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"pk": marker}).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


_PUBLISHED = Position.Status.PUBLISHED
_ARCHIVED = Position.Status.ARCHIVED


def _status_badge(position: Position) -> Badge:
    """``positions/_status_badge.html`` with the version in force beside 已生效."""
    if position.status == _PUBLISHED:
        version = position.current_version
        text = position.get_status_display() + (f" {version.label}" if version else "")
        return Badge("text-bg-success", "bi-check-circle", text)
    if position.status == _ARCHIVED:
        return Badge("text-bg-dark", "bi-archive", position.get_status_display())
    return Badge("text-bg-secondary", "bi-pencil", position.get_status_display())


def table_rows(positions: Iterable[Position]) -> list[TableRow]:
    """The rows of a positions table, each as its reader is shown it.

    ``positions`` are annotated by ``with_shown_labels`` and carry ``filled`` (``with_filled``
    or ``with_staffing``); a position whose ``reads_working`` is False shows its version in
    force (title, code, department, superior, grade, 职位编制, 已生效 Vn).
    """
    sheet_url, department_url = (
        _url_maker("positions:position-sheet"),
        _url_maker("positions:department-detail"),
    )
    rows = []
    for position in positions:
        reads_working = getattr(position, "reads_working", None)
        if reads_working is False:
            shown = position.current_version
            department = shown.department
            superior_title = position.shown_superior_title or None
            superior_url = sheet_url(position.shown_superior_id) if superior_title else ""
            staffing = staffing_label(position.filled, shown.headcount)
            badge = Badge("text-bg-success", "bi-check-circle", f"已生效 {shown.label}")
        else:
            shown = position
            department = position.department
            superior = position.reports_to
            if superior is None:
                superior_title, superior_url = None, ""
            else:
                superior_title = (
                    (position.shown_superior_title or "—")
                    if reads_working is True
                    else superior.title
                )
                superior_url = sheet_url(superior.pk)
            staffing = position.staffing
            badge = _status_badge(position)
        parent = department.parent
        rows.append(
            TableRow(
                pk=position.pk,
                working_title=position.title,
                reads_working=reads_working is not False,
                title=shown.title,
                code=shown.code,
                url=sheet_url(position.pk),
                department_name=department.name,
                department_url=department_url(department.pk),
                parent_name=parent.name if parent is not None else None,
                superior_title=superior_title,
                superior_url=superior_url,
                grade=shown.grade_display,
                staffing=staffing,
                badge=badge,
            )
        )
    return rows


def holders_by_position(position_ids: Iterable[int]) -> dict[int, list[Employee]]:
    """Current holders (not left) of each position, by position id, in one query.

    Every requested id is a key; positions nobody holds map to an empty list. Holders are
    ordered by 工号.
    """
    ids = list(dict.fromkeys(position_ids))
    holders: dict[int, list[Employee]] = {pk: [] for pk in ids}
    if not ids:
        return holders
    assignments = (
        Assignment.objects.current()
        .filter(position_id__in=ids, employee__left_on__isnull=True)
        .select_related("employee")
        .order_by("employee__employee_no", "employee__pk")
    )
    for assignment in assignments:
        holders[assignment.position_id].append(assignment.employee)
    return holders


def _company_key(updated_at, name: str, logo: str) -> str:
    return f"{updated_at.isoformat()}|{name}|{logo}"


def _company() -> tuple[CompanyProfile | None, str]:
    """The company identity the sheet header prints, and what of it the cache key holds.

    Read here rather than through printing's per-process copy (kept 30 s), so the key and the
    rendering always agree: the rendering is given this very profile.
    """
    profile = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).first()
    if profile is not None:
        return profile, _company_key(profile.updated_at, profile.name, profile.logo.name)
    # No 公司信息 yet: the header shows the top of the organisation tree (printing's default).
    root = (
        Department.objects.filter(parent__isnull=True)
        .order_by("order", "pk")
        .values_list("name", flat=True)
        .first()
    )
    return (CompanyProfile(name=root) if root else None), f"default|{root or ''}"


def _manual_source() -> str:
    """「依据权责手册 Vn」 of the 权责手册 version in force ("" before V1): a published sheet
    whose 工作权限 was frozen from another version says so, and its cached HTML is keyed by it."""
    number = (
        Manual.objects.filter(pk=Manual.SINGLETON_PK, current_version__isnull=False)
        .values_list("current_version__number", flat=True)
        .first()
    )
    return f"依据权责手册 V{number}" if number else ""


@dataclass(frozen=True)
class PaperState:
    """What a sheet's page depends on beyond the sheet itself, read in one query
    (``paper_state``): the print layout settings (the department's, 公司信息's), the company
    identity as ``sheet_html``'s cache key holds it, and the 权责手册 version in force."""

    department_layout: str
    company_layout: str
    company_key: str
    manual_source: str


def paper_state(department_id: int | None) -> PaperState | None:
    """``PaperState`` for a sheet of ``department_id``, in one query (scalar subqueries beside
    the department's row); None when there is no such department (callers then read each
    setting on its own).

    Written as SQL: the ORM spent more CPU compiling the seven subqueries than the three
    queries it replaces cost (every sheet page and 我的职位 asks).
    """
    if department_id is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _paper_state_sql(),
            [*[CompanyProfile.SINGLETON_PK] * 5, Manual.SINGLETON_PK, department_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    own, company_pk, company_layout, updated, name, logo, root_name, number = row
    if company_pk is not None:
        company_key = _company_key(_aware(updated), name, logo or "")
    else:
        company_key = f"default|{root_name or ''}"
    return PaperState(
        department_layout=own or "",
        company_layout=company_layout or "",
        company_key=company_key,
        manual_source=f"依据权责手册 V{number}" if number else "",
    )


@functools.cache
def _paper_state_sql() -> str:
    q = connection.ops.quote_name
    department, company = q(Department._meta.db_table), q(CompanyProfile._meta.db_table)
    manual = q(Manual._meta.db_table)
    manual_version = q(Manual._meta.get_field("current_version").related_model._meta.db_table)

    def company_column(field: str) -> str:
        column = q(CompanyProfile._meta.get_field(field).column)
        return f"(SELECT c.{column} FROM {company} c WHERE c.{q('id')} = %s)"

    order = q(Department._meta.get_field("order").column)
    return (
        f"SELECT d.{q('sheet_layout')}, "
        + ", ".join(company_column(f) for f in ("id", "sheet_layout", "updated_at", "name", "logo"))
        + f", (SELECT r.{q('name')} FROM {department} r WHERE r.{q('parent_id')} IS NULL"
        f" ORDER BY r.{order}, r.{q('id')} LIMIT 1)"
        f", (SELECT v.{q('number')} FROM {manual} m INNER JOIN {manual_version} v"
        f" ON v.{q('id')} = m.{q('current_version_id')} WHERE m.{q('id')} = %s)"
        f" FROM {department} d WHERE d.{q('id')} = %s"
    )


def _aware(value: datetime | str) -> datetime:
    """A datetime column as the ORM reads it (SQLite hands back text; naive means UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def sheet_html(
    sheet: Sheet,
    version: Version | None,
    *,
    current_version_id: int | None,
    printed: PrintedSheet | None = None,
    state: PaperState | None = None,
) -> SafeString:
    """The paper of a sheet page (``SHEET_PAPER_TEMPLATE``): ``sheet`` is what the reader
    reads, ``version`` the published version it is (None: a working copy), ``printed`` the
    sheet in a company form layout (``positions.layouts``; None: the standard one).

    A published version never changes, so its HTML is rendered once and kept in Django's cache
    under its id, the version in force (a superseded one says 已被 Vn 取代), the 权责手册 version
    in force (a sheet frozen with another says so beside its 工作权限), the layout (its data
    and the templates it is made of) and the company identity: any change makes a new key,
    nothing is ever invalidated. Who may read it is decided before (the views'
    ``visible_position`` and ``versions.read_sheet``, 我的职位's own rules). Working copies are
    rendered every time. ``state`` (``paper_state``) saves reading the company identity and the
    手册 version here; the full company profile is then read only to render.
    """
    if version is None:
        return render_to_string(SHEET_PAPER_TEMPLATE, {"sheet": sheet, "printed": printed})
    if state is None:
        company, company_key = _company()
        manual_source = _manual_source()
    else:
        company, company_key, manual_source = None, state.company_key, state.manual_source
    layout_key = "standard"
    if printed is not None:
        layout = printed.layout
        templates = "|".join(templates_fingerprint(name) for name in layout.templates)
        layout_key = f"{layout.key}:{layout.fingerprint()}:{templates}"
    digest = hashlib.sha256(
        f"{templates_fingerprint(SHEET_PAPER_TEMPLATE)}|{company_key}|{layout_key}".encode()
    ).hexdigest()[:20]
    key = f"sheet-html:{version.pk}:{current_version_id}:{_digest(manual_source)}:{digest}"
    html = cache.get(key)
    if html is None:
        store = True
        if state is not None:
            company, rendered_key = _company()
            # Changed since the state was read: shown now, kept under no key (they disagree).
            store = rendered_key == company_key
        context = {
            "sheet": sheet,
            "company_profile": company,
            "printed": printed,
            "manual_source": manual_source,
        }
        html = str(render_to_string(SHEET_PAPER_TEMPLATE, context))
        if store:
            cache.set(key, html, SHEET_CACHE_SECONDS)
    return mark_safe(html)


SHEET_PAGE_BODY_TEMPLATE = "positions/_sheet_page_body.html"


def sheet_page_body(context: dict[str, Any], *, cacheable: bool) -> SafeString:
    """The sheet page's body (``SHEET_PAGE_BODY_TEMPLATE``: breadcrumb, toolbar, notes and the
    paper ``sheet_html``) for ``context``, which holds everything it shows and nothing of the
    request.

    A published version's body (``cacheable``) is the same for every reader who is shown the
    same things, so it is kept in Django's cache under a digest of all of them: the template
    (and its includes), the sheet's header fields, the versions, the holders and 编制, the
    reader's flags (编辑, 历史, 流程, 打印草稿, 新建, working copy), the layout and the paper's own
    HTML. A reader with other rights, a new version, another holder or an edited template
    makes another key; nothing is ever invalidated. Working copies are rendered every time.
    """
    if not cacheable:
        return render_to_string(SHEET_PAGE_BODY_TEMPLATE, context)
    sheet: Sheet = context["sheet"]
    read = context["read"]
    current = context["current_version"]
    shown = (
        templates_fingerprint(SHEET_PAGE_BODY_TEMPLATE),
        sheet.position_id,
        sheet.title,
        sheet.code,
        sheet.status,
        sheet.status_label,
        sheet.version_label,
        sheet.is_archived,
        sheet.is_published,
        tuple((department.pk, department.name) for department in sheet.department_path),
        read.version.pk if read.version is not None else None,
        tuple(version.pk for version in read.versions),
        (current.pk, current.number, current.label) if current is not None else None,
        context["staffing"],
        tuple((holder.pk, holder.name) for holder in context["holders"]),
        *(
            bool(context[flag])
            for flag in (
                "can_edit",
                "can_view_history",
                "can_view_workflow",
                "reads_working_copy",
                "prints_draft",
                "can_create_positions",
                "one_off_layout",
            )
        ),
        context["printed"].layout.key if context["printed"] is not None else None,
        tuple(context["layout_choices"]),
        hashlib.sha256(str(context["sheet_html"]).encode()).hexdigest(),
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    key = f"sheet-page:{sheet.position_id}:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(render_to_string(SHEET_PAGE_BODY_TEMPLATE, context))
        cache.set(key, html, SHEET_CACHE_SECONDS)
    return mark_safe(html)


def _digest(text: str) -> str:
    """A short ASCII stand-in for ``text`` in cache keys (memcached refuses other characters)."""
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else ""
