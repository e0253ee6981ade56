"""The batch 提交/审核/审批 form of 待办 and the position list. Thin: the service decides."""

from __future__ import annotations

from django import forms

from positions.ids import parse_id

MAX_COMMENT = 2000


class IdListField(forms.Field):
    """The ticked checkboxes: a list of position ids (none ticked: an empty list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = [parse_id(raw) for raw in values]
        if any(pk is None for pk in ids):
            raise forms.ValidationError("所选职位无效，请刷新页面后重新选择。", code="invalid")
        return ids


class BatchWorkflowForm(forms.Form):
    positions = IdListField(required=False)
    action = forms.CharField(required=False)
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        error_messages={"max_length": f"意见最多 {MAX_COMMENT} 字。"},
    )
    confirmed = forms.BooleanField(required=False)
