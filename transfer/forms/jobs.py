"""The upload form of an import job: many files or a .zip at once. Thin: the files are
checked by ``services.archive`` and the job's worker."""

from __future__ import annotations

from django import forms
from django.conf import settings

from positions.models import ImportJob
from transfer.forms.word import MultipleFileField, MultipleFileInput
from transfer.services.archive import max_total_bytes
from transfer.services.uploads import format_mb


class ImportJobForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入内容",
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.WORD,
        error_messages={"required": "请选择导入内容。", "invalid_choice": "请选择导入内容。"},
    )
    files = MultipleFileField(
        label="文件（可多选，也可上传 .zip 压缩包）",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "文件是空的（0 字节），请选择要导入的文件。",
            "invalid": "没有收到文件，请重新选择。",
        },
        widget=MultipleFileInput(attrs={"accept": ".docx,.doc,.xlsx,.xls,.zip"}),
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [
                (value, label) for value, label in ImportJob.Kind.choices if value in kinds
            ]
        self.fields["files"].help_text = (
            f"Word 职位说明书（.docx / .doc）可一次选择多个或打包为 .zip；Excel 职位工作簿和花名册"
            f"（.xlsx / .xls）每次一个。一次最多 {settings.IMPORT_MAX_FILES} 个文件，"
            f"解压后合计不超过 {format_mb(max_total_bytes())} MB。"
        )
