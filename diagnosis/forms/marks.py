"""The 「已知悉/不适用」 form of a finding."""

from __future__ import annotations

from django import forms

from diagnosis.models import FindingNote
from diagnosis.services.report import REASON_MAX


class MarkForm(forms.Form):
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="处理结果",
        choices=FindingNote.Status.choices,
        error_messages={
            "required": "请选择“已知悉”或“不适用”。",
            "invalid_choice": "请选择“已知悉”或“不适用”。",
        },
    )
    reason = forms.CharField(
        label="说明",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "请填写说明（为什么已知悉或不适用）。",
            "max_length": f"说明最多 {REASON_MAX} 个字。",
        },
    )


class UnmarkForm(forms.Form):
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
