"""Build the data the editor page submits, as a browser would, for service and view tests."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from positions.forms.editor import EditorForms
from positions.models import Position

Data = dict[str, Any]


def editor_data(user, position: Position | None = None) -> Data:
    """The editor's fields with the values the page shows (what an unchanged save submits)."""
    editor = EditorForms.build(user=user, position=position)
    data: Data = {}

    def put(bound_field) -> None:
        value = bound_field.value()
        if isinstance(value, bool):
            if value:
                data[bound_field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound_field.html_name] = [str(v) for v in value]
        else:
            data[bound_field.html_name] = "" if value is None else str(value)

    for bound_field in editor.form:
        put(bound_field)
    for formset in editor.formsets.values():
        for bound_field in formset.management_form:
            put(bound_field)
        for form in formset.forms:
            for bound_field in form:
                put(bound_field)
    return data


def duty_count(data: Data) -> int:
    return int(data["duties-TOTAL_FORMS"])


def duty_index(data: Data, title: str) -> int:
    """The row index of the duty titled ``title`` in the submitted data."""
    for i in range(duty_count(data)):
        if data.get(f"duties-{i}-title") == title:
            return i
    raise KeyError(title)


def add_duty(data: Data, **fields: str) -> int:
    i = duty_count(data)
    data["duties-TOTAL_FORMS"] = str(i + 1)
    row = {"rank": str(i + 1), "group": "", "kind": "", "title": "", "tasks": ""}
    row |= {"responsibility": "", "assessment": "", "id": "", "position": ""}
    for name, value in (row | fields).items():
        data[f"duties-{i}-{name}"] = value
    return i


def as_querydict(data: Data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def build(user, position: Position | None, data: Data | QueryDict) -> EditorForms:
    query = data if isinstance(data, QueryDict) else as_querydict(data)
    return EditorForms.build(user=user, position=position, data=query)
