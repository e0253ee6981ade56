"""The upload form of the Word import. Thin: files are checked by services.word_import.upload."""

from __future__ import annotations

from django import forms
from django.conf import settings

from transfer.services.uploads import format_mb, max_upload_bytes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


# More files than this (or a .zip) are parsed by the import job in the task worker.
SYNC_MAX_FILES = 10


class WordUploadForm(forms.Form):
    files = MultipleFileField(
        label="Word 文件（.docx，可多选）",
        error_messages={
            "required": "请选择要导入的 Word 文件。",
            "empty": "文件是空的（0 字节），请选择要导入的文件。",
            "invalid": "没有收到文件，请重新选择。",
        },
        widget=MultipleFileInput(
            attrs={
                "accept": ".docx,.doc,.zip,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document,application/msword,application/zip"
            }
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = (
            f"每个文件一份职位说明书；.docx 格式（旧版 .doc 视服务器是否安装 LibreOffice），"
            f"单个文件不超过 {format_mb(max_upload_bytes())} MB，一次最多 "
            f"{settings.IMPORT_MAX_FILES} 个，也可上传 .zip 压缩包；"
            f"超过 {SYNC_MAX_FILES} 个文件或压缩包在后台解析。"
        )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.IMPORT_MAX_FILES
        if len(files) > limit:
            raise forms.ValidationError(
                f"文件过多：一次最多导入 {limit} 个文件，本次有 {len(files)} 个。请分批导入。"
            )
        return files
