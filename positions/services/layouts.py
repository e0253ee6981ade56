"""Which print layout (``positions.layouts``) a sheet prints in.

A one-off choice when printing (``?layout=a``) wins; else the sheet's department's own setting
(``Department.sheet_layout``, the department the sheet itself names — a stored version's
department as published); else 公司信息 (``CompanyProfile.sheet_layout``); else the standard
layout. Printing passes 公司信息's setting from its cached ``company_profile`` (so resolving
costs at most one light query: the department's one column, none for a one-off key); without it
the company's column is read in the same query.
"""

from __future__ import annotations

from django.db.models import Subquery

from positions.layouts import Layout, UnknownLayout, get_layout, resolve_layout
from positions.models import CompanyProfile, Department
from positions.sheet import Sheet

__all__ = ["UnknownLayout", "department_layout", "layout_for_sheet", "one_off"]


def one_off(key: str | None) -> str:
    """A one-off layout key from a request (``?layout=``): "" when none; ``UnknownLayout``
    (Chinese message) for a key that is not a layout."""
    key = (key or "").strip()
    if key:
        get_layout(key)
    return key


def _company_layout() -> str:
    return (
        CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK)
        .values_list("sheet_layout", flat=True)
        .first()
    ) or ""


def department_layout(
    department_id: int | None, *, one_off_key: str = "", company_layout: str | None = None
) -> Layout:
    """The layout of a department's sheets: one query for the department's setting (none when
    a one-off key decides)."""
    if one_off_key:
        return get_layout(one_off_key)
    if department_id is None:
        return resolve_layout(
            company=_company_layout() if company_layout is None else company_layout
        )
    departments = Department.objects.filter(pk=department_id)
    if company_layout is not None:
        own = departments.values_list("sheet_layout", flat=True).first() or ""
        return resolve_layout(department=own, company=company_layout)
    # Both settings in one query: the department's column and 公司信息's beside it.
    company = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).values("sheet_layout")
    row = (
        departments.annotate(company_layout=Subquery(company[:1]))
        .values_list("sheet_layout", "company_layout")
        .first()
    )
    own, company_layout = row if row is not None else ("", _company_layout())
    return resolve_layout(department=own or "", company=company_layout or "")


def layout_for_sheet(
    sheet: Sheet,
    *,
    one_off_key: str = "",
    departments: dict[int, str] | None = None,
    company_layout: str | None = None,
) -> Layout:
    """The layout ``sheet`` prints in; ``departments`` (pk → setting) saves the query when
    many sheets are printed together (books)."""
    department_id = sheet.department_path[-1].pk if sheet.department_path else None
    if departments is not None and not one_off_key:
        if company_layout is None:
            company_layout = _company_layout()
        own = departments.get(department_id, "") if department_id is not None else ""
        return resolve_layout(department=own, company=company_layout)
    return department_layout(department_id, one_off_key=one_off_key, company_layout=company_layout)
