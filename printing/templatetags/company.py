"""``{% sheet_identity sheet as identity %}``: the company identity printed on a sheet."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from positions.models import CompanyProfile
from positions.sheet import Sheet
from printing.services.company import company_profile, logo_data_url

register = template.Library()


@dataclass(frozen=True)
class SheetIdentity:
    company: str  # 公司名称
    logo: str  # data: URL or ""
    document_number: str  # 文件编号


@register.simple_tag(takes_context=True)
def sheet_identity(context: template.Context, sheet: Sheet) -> SheetIdentity:
    """The company (``company_profile`` in the context, else the saved one) for this sheet."""
    company = context.get("company_profile")
    if not isinstance(company, CompanyProfile):
        company = company_profile()
    return SheetIdentity(
        company=company.name,
        logo=logo_data_url(company),
        document_number=company.document_number(sheet.code, sheet.position_id),
    )
