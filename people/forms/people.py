"""Forms of our own pages (the admin builds its own). Thin: fields, labels and messages only;
the rules live in positions.services and positions.permissions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from positions.models import Position
from positions.org import DepartmentIndex

DATE_ERRORS = {
    "required": "请填写日期。",
    "invalid": "请输入有效的日期，格式如 2025-03-01。",
}


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EmployeeFilterForm(forms.Form):
    """The employee list's filters; invalid values are ignored by the view."""

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名或工号", "type": "search"}),
    )
    department = forms.TypedChoiceField(
        label="所在部门",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="包含其下级部门。",
        error_messages={"invalid_choice": "所选部门不存在，请从列表中重新选择。"},
    )
    left = forms.BooleanField(label="包含已离职员工", required=False)

    def __init__(self, *args: Any, index: DepartmentIndex, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "全部部门"), *index.options()]


class PositionChoiceField(forms.ModelChoiceField):
    """Positions labelled 部门 · 职位（编号） with the filled headcount, e.g. 在岗 2/3."""

    def __init__(self, *args: Any, filled: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filled = filled or {}

    def label_from_instance(self, obj: Position) -> str:
        label = f"{obj.department.name} · {obj}"
        if obj.pk in self.filled:
            label += f" — 在岗 {self.filled[obj.pk]}"
        return label


class TransferForm(forms.Form):
    position = PositionChoiceField(
        label="调入职位",
        queryset=Position.objects.none(),
        empty_label="请选择职位",
        help_text="仅列出您有权编辑的未归档职位。",
        error_messages={
            "required": "请选择调入职位。",
            "invalid_choice": "所选职位不存在、已归档或不在您的编辑范围内，请重新选择。",
        },
    )
    effective_date = forms.DateField(
        label="生效日期",
        widget=DateInput(),
        help_text="自该日起任新职位，原职位任职至前一日。",
        error_messages=DATE_ERRORS,
    )

    def __init__(
        self, *args: Any, positions: QuerySet[Position], filled: dict[int, str], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        field.queryset = positions
        field.filled = filled


class LeaveForm(forms.Form):
    left_on = forms.DateField(
        label="离职日期",
        widget=DateInput(),
        help_text="最后工作日。办理后登录账号立即停用，任职记录保留。",
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"left_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
