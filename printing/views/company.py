"""公司信息: the company identity HR edits (name, logo, 文件编号 prefix)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable
from positions import permissions
from positions.models import CompanyProfile
from printing.forms.company import CompanyProfileForm
from printing.services import company


def company_settings(request: HttpRequest) -> HttpResponse:
    if not permissions.is_company_wide_editor(request.user):
        raise PermissionDenied("只有不限范围的 HR 编辑或系统管理员可以修改公司信息。")
    saved = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).first()
    status = 200
    if request.method == "POST":
        form = CompanyProfileForm(request.POST, request.FILES, profile=saved)
        if form.is_valid():
            try:
                company.save_company_profile(
                    name=form.cleaned_data["name"],
                    document_prefix=form.cleaned_data["document_prefix"],
                    sheet_layout=form.cleaned_data["sheet_layout"] or None,
                    logo=form.cleaned_data["logo"],
                    clear_logo=form.cleaned_data.get("clear_logo", False),
                )
            except StorageUnavailable:
                form.add_error("logo", STORAGE_UNAVAILABLE_MESSAGE)
                status = 503
            else:
                messages.success(request, "公司信息已保存，新打印的职位说明书将使用新的公司信息。")
                return redirect("positions:company-settings")
    else:
        initial = (
            {
                "name": saved.name,
                "document_prefix": saved.document_prefix,
                "sheet_layout": saved.sheet_layout,
            }
            if saved
            else {}
        )
        form = CompanyProfileForm(initial=initial, profile=saved)
    shown = saved if saved is not None else company.company_profile()
    context = {
        "form": form,
        "saved": saved,
        "shown": shown,
        "logo": company.logo_data_url(shown),
        "svg_logo_notice": company.SVG_LOGO_REMOVED_NOTICE
        if company.svg_logo_removed(shown)
        else "",
        "example_number": shown.document_number("FZ-XS-001", 1),
    }
    return render(request, "positions/company_settings.html", context, status=status)
