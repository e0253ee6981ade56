"""Forms of the department page: who reviews the department's sheets."""

from __future__ import annotations

from django import forms

from positions.models import Department


class ReviewerRoleForm(forms.Form):
    reviewer_role = forms.ChoiceField(
        label="职位说明书审核人",
        choices=Department.ReviewerRole.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={
            "required": "请选择审核人。",
            "invalid_choice": "请选择有效的审核人（HR 编辑或本部门的部门经理）。",
        },
    )


class SheetLayoutForm(forms.Form):
    sheet_layout = forms.ChoiceField(
        label="打印版式",
        choices=Department._meta.get_field("sheet_layout").choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": "请选择有效的打印版式。"},
    )
