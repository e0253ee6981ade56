"""The upload form of the Excel imports. Thin: the file is checked by services.uploads."""

from __future__ import annotations

from django import forms

from transfer.services.uploads import format_mb, max_upload_bytes


class ExcelUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        error_messages={
            "required": "请选择要导入的 Excel 文件。",
            "empty": "文件是空的（0 字节），请选择要导入的文件。",
            "invalid": "没有收到文件，请重新选择。",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f".xlsx 格式，不超过 {format_mb(max_upload_bytes())} MB"
            "（旧版 .xls 在服务器装有 LibreOffice 时自动转换）。"
        )
