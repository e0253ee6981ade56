"""The 公司信息 form: company name, 文件编号 prefix and logo, with Chinese errors."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from positions.models import CompanyProfile
from printing.services.company import LOGO_MAX_BYTES, sniff_logo_type, svg_has_text

_EXTENSION_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "svg": "svg"}


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
    logo = forms.FileField(
        label="公司标志",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}),
        help_text="PNG、JPEG 或 SVG 图片，不超过 512 KB；建议使用横版、透明背景的标志。",
    )
    clear_logo = forms.BooleanField(label="删除现有标志", required=False)

    def __init__(self, *args, profile: CompanyProfile | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if profile is None or not profile.logo:
            del self.fields["clear_logo"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("请填写公司名称。")
        return name

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        extension = logo.name.rsplit(".", 1)[-1].lower() if "." in logo.name else ""
        if extension not in _EXTENSION_TYPES:
            raise forms.ValidationError(
                "公司标志只能是 PNG、JPEG 或 SVG 图片（.png、.jpg、.svg）。"
            )
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"公司标志不能超过 {LOGO_MAX_BYTES // 1024} KB（当前 {logo.size // 1024} KB）。"
            )
        head = logo.read()
        logo.seek(0)
        if sniff_logo_type(head) != _EXTENSION_TYPES[extension]:
            raise forms.ValidationError(
                "文件内容不是有效的 PNG、JPEG 或 SVG 图片，或与扩展名不符；SVG 不能包含 DOCTYPE。"
            )
        if _EXTENSION_TYPES[extension] == "svg" and svg_has_text(head):
            raise forms.ValidationError(
                "SVG 标志中含有文字，打印时会带入其他字体；请先在设计软件中将文字转为轮廓（路径），"
                "或改用 PNG 图片。"
            )
        return logo
