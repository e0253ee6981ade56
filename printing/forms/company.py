"""The 公司信息 form: company name, 文件编号 prefix and logo, with Chinese errors."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator

from positions.layouts import LAYOUT_CHOICES, STANDARD
from positions.models import CompanyProfile
from printing.services.company import LogoRejected, check_logo

_EXTENSIONS = {"png": "png", "jpeg": "jpg"}


class CompanyProfileForm(forms.Form):
    name = forms.CharField(
        label="公司名称",
        max_length=100,
        error_messages={"required": "请填写公司名称。", "max_length": "公司名称最多 100 个字。"},
        help_text="打印在职位说明书页眉、PDF 作者信息和汇编封面上。",
    )
    document_prefix = forms.CharField(
        label="文件编号前缀",
        max_length=30,
        required=False,
        validators=[
            RegexValidator(r"^\S*$", "文件编号前缀不能包含空格。"),
        ],
        error_messages={"max_length": "文件编号前缀最多 30 个字符。"},
        help_text=(
            "如 HXJT-HR。文件编号为“前缀-职位编号”，印在页眉和 PDF 页脚；留空则只用职位编号。"
        ),
    )
    sheet_layout = forms.ChoiceField(
        label="打印版式",
        choices=LAYOUT_CHOICES,
        initial=STANDARD,
        required=False,  # left out: the saved layout stays
        error_messages={"invalid_choice": "请选择有效的打印版式。"},
        help_text=(
            "职位说明书页面、PDF、Word 和汇编默认使用的版式；部门可另行设置，打印时也可临时选择。"
        ),
    )
    logo = forms.FileField(
        label="公司标志",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}),
    )
    clear_logo = forms.BooleanField(label="删除现有标志", required=False)

    def __init__(self, *args, profile: CompanyProfile | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if profile is None or not profile.logo:
            del self.fields["clear_logo"]
        pixels = settings.COMPANY_LOGO_MAX_PIXELS
        self.fields["logo"].help_text = (
            f"PNG 或 JPEG 图片，不超过 {settings.COMPANY_LOGO_MAX_KB} KB、"
            f"{pixels}×{pixels} 像素；建议使用横版、透明背景的 PNG 标志。"
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("请填写公司名称。")
        return name

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        try:
            kind = check_logo(logo)  # by content: PNG or JPEG, size and pixels limited
        except LogoRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        # Stored under the extension of what it is, whatever it was called.
        stem = logo.name.rsplit(".", 1)[0] if "." in logo.name else logo.name
        logo.name = f"{stem or 'logo'}.{_EXTENSIONS[kind]}"
        return logo
