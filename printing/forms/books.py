"""The request for a department book: a department (with or without its sub-departments) or
hand-picked positions. Turning it into the versions to print is ``services.books``' job."""

from __future__ import annotations

from django import forms

from positions.forms.fields import IdsChoiceField
from positions.models import Department, Position


class BookRequestForm(forms.Form):
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.all(),
        required=False,
        error_messages={"invalid_choice": "所选部门不存在。"},
    )
    include_subdepartments = forms.BooleanField(label="包含下级部门", required=False)
    positions = IdsChoiceField(
        label="职位",
        queryset=Position.objects.in_force(),
        required=False,
        error_messages={
            "invalid_choice": "所选职位不存在或尚无已生效的职位说明书。",
            "invalid_pk_value": "所选职位无效。",
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if not data.get("department") and not data.get("positions"):
            raise forms.ValidationError(
                "请选择一个部门，或至少勾选一个职位。", code="empty_selection"
            )
        return data
