"""Which print layout a sheet prints in (``positions.services.layouts``), with 公司信息's
setting taken from the cached ``company_profile`` so resolving costs at most one light query."""

from __future__ import annotations

from positions.layouts import Layout, UnknownLayout, resolve_layout
from positions.models import CompanyProfile
from positions.services import layouts as resolving
from positions.sheet import Sheet
from printing.services.company import company_profile

__all__ = ["UnknownLayout", "department_layout", "layout_for_sheet", "one_off"]

one_off = resolving.one_off


def department_layout(
    department_id: int | None,
    *,
    one_off_key: str = "",
    company: CompanyProfile | None = None,
    department_setting: str | None = None,
) -> Layout:
    """``department_setting``: the department's ``sheet_layout`` when the caller read it
    already (with the version, ``Version.objects.with_layout_setting``): no query at all."""
    company = company if company is not None else company_profile()
    if department_setting is not None:
        return resolve_layout(
            one_off=one_off_key, department=department_setting, company=company.sheet_layout
        )
    return resolving.department_layout(
        department_id, one_off_key=one_off_key, company_layout=company.sheet_layout
    )


def layout_for_sheet(
    sheet: Sheet,
    *,
    one_off_key: str = "",
    departments: dict[int, str] | None = None,
    company: CompanyProfile | None = None,
) -> Layout:
    company = company if company is not None else company_profile()
    return resolving.layout_for_sheet(
        sheet, one_off_key=one_off_key, departments=departments, company_layout=company.sheet_layout
    )
