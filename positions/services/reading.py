"""What a reader is shown of each position in lists: the working copy or the version in force,
and how many hold it. Query annotations shared by the list, the search and the org chart. And
the sheet's HTML as its page shows it, a published version's rendered once and kept in Django's
cache (``sheet_html``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
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


def with_shown_labels(queryset: QuerySet[Position], user: User | AnonymousUser) -> QuerySet:
    """Annotate what ``user`` is shown of each position: its working copy or its version.

    ``reads_working`` (bool), ``shown_title``, ``shown_code``, ``shown_department_id`` and
    ``shown_superior_title`` / ``shown_superior_id``: people without draft rights see the
    version in force.
    """
    rule = permissions.working_copy_q(user)
    if not rule or rule == Q(pk__in=[]):
        # Everyone's working copy (unscoped HR) or no one's: plain columns, no CASE per row.
        working = not rule
        prefix = "" if working else "current_version__"
        superior = (
            "reports_to__title"
            if working
            else "current_version__reports_to__current_version__title"
        )
        return queryset.annotate(
            reads_working=Value(working, output_field=BooleanField()),
            shown_title=F(f"{prefix}title"),
            shown_code=F(f"{prefix}code"),
            shown_department_id=F(f"{prefix}department_id"),
            shown_superior_title=F(superior),
            shown_superior_id=F("reports_to_id" if working else "current_version__reports_to_id"),
        )
    working = working_q(user)
    superior_working = Position.objects.filter(working).values("pk")

    def shown(working_value, version_value) -> Case:
        return Case(When(working, then=working_value), default=version_value)

    return queryset.annotate(
        reads_working=reads_working_case(user),
        shown_title=shown(F("title"), F("current_version__title")),
        shown_code=shown(F("code"), F("current_version__code")),
        shown_department_id=shown(F("department_id"), F("current_version__department_id")),
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
    setting on its own)."""
    if department_id is None:
        return None
    company = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK)
    root = Department.objects.filter(parent__isnull=True).order_by("order", "pk")
    manual = Manual.objects.filter(pk=Manual.SINGLETON_PK, current_version__isnull=False)
    row = (
        Department.objects.filter(pk=department_id)
        .annotate(
            company_pk=Subquery(company.values("pk")[:1]),
            company_layout=Subquery(company.values("sheet_layout")[:1]),
            company_updated=Subquery(company.values("updated_at")[:1]),
            company_name=Subquery(company.values("name")[:1]),
            company_logo=Subquery(company.values("logo")[:1]),
            root_name=Subquery(root.values("name")[:1]),
            manual_number=Subquery(manual.values("current_version__number")[:1]),
        )
        .values(
            "sheet_layout",
            "company_pk",
            "company_layout",
            "company_updated",
            "company_name",
            "company_logo",
            "root_name",
            "manual_number",
        )
        .first()
    )
    if row is None:
        return None
    if row["company_pk"] is not None:
        company_key = _company_key(
            row["company_updated"], row["company_name"], row["company_logo"] or ""
        )
    else:
        company_key = f"default|{row['root_name'] or ''}"
    number = row["manual_number"]
    return PaperState(
        department_layout=row["sheet_layout"] or "",
        company_layout=row["company_layout"] or "",
        company_key=company_key,
        manual_source=f"依据权责手册 V{number}" if number else "",
    )


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


def _digest(text: str) -> str:
    """A short ASCII stand-in for ``text`` in cache keys (memcached refuses other characters)."""
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else ""
