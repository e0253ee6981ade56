"""The audit pages' filter (user, action, date range, object)."""

from __future__ import annotations

from django import forms

from audit.models import AuditAction
from audit.services import EventFilter


class EventFilterForm(forms.Form):
    user = forms.CharField(label="用户", required=False, max_length=150)
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部操作"), *AuditAction.choices]
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    obj = forms.CharField(label="对象", required=False, max_length=100)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return cleaned

    def chosen(self) -> EventFilter:
        """The filter asked for; nothing filtered when the form is not valid."""
        if not self.is_valid():
            return EventFilter()
        data = self.cleaned_data
        return EventFilter(
            user=data["user"].strip(),
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            obj=data["obj"].strip(),
        )
