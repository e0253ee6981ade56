"""Forms of the HR editor: the position, its section formsets, the copy form.

The model's ``clean()`` carries the rules (duplicate code, grade range, reporting cycle); these
forms add labels, widgets, Chinese messages and the pickers.

**Pickers** (所在部门, 直接上级, 相关职位). A list of thousands of positions must stay usable,
so a picker's ``<select>`` holds only its current value(s), never every position. Beside it is
a text field ``<name>_q``. With JavaScript (static/js/editor.js) that text field searches as
you type (``positions:position-picker`` / ``department-picker``) and a choice goes into the
select. Without JavaScript the text is resolved when the form is submitted: one match is taken;
several put the first 20 into the select and ask the user to choose one and save again.
"""

from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.http import QueryDict

from positions import permissions
from positions.forms.fields import IdsChoiceField
from positions.ids import parse_id
from positions.models import (
    Department,
    Duty,
    Indicator,
    Position,
    Qualification,
    Relationship,
)
from positions.org import department_index
from positions.permissions import editable_departments_q
from positions.services.editing import kept_forms
from positions.services.pickers import (
    PICKER_LIMIT,
    department_label,
    position_label,
    search_departments,
    search_positions,
)
from positions.services.sheets import SECTIONS as WRITER_SECTIONS
from positions.services.sheets import SheetContent

SECTIONS = ("duties", "qualification", "relationships", "indicators")
SECTION_LABELS = {
    "duties": "工作职责",
    "qualification": "任职资格",
    "relationships": "工作关系",
    "indicators": "关键指标",
}
SECTION_ANCHORS = {name: f"editor-{name}" for name in SECTIONS}


class PickerSelect(forms.Select):
    """A select holding only the options the form put into ``choices`` (see the module)."""


class PickerSelectMultiple(forms.SelectMultiple):
    """The multiple-choice ``PickerSelect``."""


def _textarea(rows: int, placeholder: str = "") -> forms.Textarea:
    attrs: dict[str, Any] = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


def _search_input(placeholder: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}
    )


def _unix_newlines(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Browsers send textareas with CRLF; store LF, so histories show no phantom changes."""
    for name, value in cleaned.items():
        if isinstance(value, str) and "\r" in value:
            cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
    return cleaned


# --- the position ---------------------------------------------------------------------------


class PositionForm(forms.ModelForm):
    """The header block and the free-text parts of the sheet, in the sheet's order."""

    # (field, queryset kind, label of what is searched)
    PICKERS = (
        ("department", "department", "部门"),
        ("reports_to", "position", "职位"),
        ("related_positions", "position", "职位"),
    )

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    department_q = forms.CharField(
        label="查找部门",
        required=False,
        max_length=50,
        widget=_search_input("输入部门名称或编号搜索…"),
    )
    reports_to_q = forms.CharField(
        label="查找直接上级",
        required=False,
        max_length=50,
        widget=_search_input("输入职位名称、编号或部门搜索…"),
    )
    related_positions_q = forms.CharField(
        label="添加相关职位",
        required=False,
        max_length=50,
        widget=_search_input("输入职位名称、编号或部门，添加工作联系紧密的职位…"),
    )

    class Meta:
        model = Position
        fields = [
            "title",
            "code",
            "department",
            "reports_to",
            "grade_min",
            "grade_max",
            "headcount",
            "sort_order",
            "location",
            "related_positions",
            "summary",
            "purpose",
            "commitments",
            "work_environment",
            "other_requirements",
        ]
        field_classes = {"related_positions": IdsChoiceField}
        widgets = {
            "department": PickerSelect,
            "reports_to": PickerSelect,
            "related_positions": PickerSelectMultiple,
            "grade_min": forms.NumberInput(attrs={"min": 0, "placeholder": "低"}),
            "grade_max": forms.NumberInput(attrs={"min": 0, "placeholder": "高"}),
            "headcount": forms.NumberInput(attrs={"min": 0}),
            "sort_order": forms.NumberInput(attrs={"min": -32768, "max": 32767}),
            "summary": _textarea(3, "概括本职位做什么、对谁负责。"),
            "purpose": _textarea(2, "本职位存在的目的。"),
            "commitments": forms.Textarea(
                attrs={
                    "rows": 4,
                    "class": "form-control",
                    "placeholder": "每行一条，如“保证销售计划按时完成；”",
                    "aria-label": "主要责任",
                }
            ),
            "work_environment": _textarea(2),
            "other_requirements": _textarea(2),
        }
        labels = {"grade_min": "职位等级（最低）", "grade_max": "职位等级（最高）"}
        help_texts = {
            "code": "如 FZ-XS-001；填写时必须唯一。",
            "sort_order": "同一部门内数字小的排在前面。",
        }
        error_messages = {
            "title": {"required": "请填写职位名称。"},
            "grade_min": {"invalid": "请填写整数等级。"},
            "grade_max": {"invalid": "请填写整数等级。"},
            "headcount": {"invalid": "请填写整数人数。"},
            "sort_order": {"invalid": "请填写整数排序。"},
        }

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()  # resolved picker text is written back (see clean)
        self.fields["lock_version"].initial = self.instance.lock_version
        self.querysets: dict[str, QuerySet] = {
            "department": Department.objects.filter(editable_departments_q(user)).select_related(
                "parent"
            ),
            "position": Position.objects.filter(
                permissions.visible_positions_q(user)
            ).select_related("department"),
        }
        department = self.fields["department"]
        department.queryset = self.querysets["department"]
        department.required = False  # checked in clean(), after the picker text is resolved
        department.error_messages["invalid_choice"] = "只能选择您负责范围内的部门。"
        for name in ("reports_to", "related_positions"):
            field = self.fields[name]
            field.queryset = self.querysets["position"]
            field.error_messages["invalid_choice"] = "所选职位不存在或您无权查看，请重新选择。"
            field.error_messages["invalid_pk_value"] = "所选职位不存在，请重新选择。"
        for name, _kind, _noun in self.PICKERS:
            self._show_options(name, [])

    # The pickers' options: the current value(s) and, after an ambiguous search, the matches.
    def _current_pks(self, name: str) -> list[str]:
        value = self[name].value()
        if value in (None, ""):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values if parse_id(str(v)) is not None]

    def _show_options(self, name: str, extra: list[Any]) -> None:
        field = self.fields[name]
        label = department_label if name == "department" else position_label
        chosen = list(field.queryset.filter(pk__in=self._current_pks(name)))
        options = [(obj.pk, label(obj)) for obj in chosen]
        options += [(obj.pk, label(obj)) for obj in extra if obj not in chosen]
        if name != "related_positions":
            options.insert(0, ("", "— 未选择 —"))
        field.widget.choices = options

    def _resolve_picker(self, name: str, kind: str, noun: str) -> None:
        query = (self.cleaned_data.get(f"{name}_q") or "").strip()
        if not query or name in self._errors:
            return
        queryset = self.querysets[kind]
        search = search_departments if kind == "department" else search_positions
        matches = list(search(queryset, query)[: PICKER_LIMIT + 1])
        if len(matches) == 1:
            match = matches[0]
            if name == "related_positions":
                current = list(self.cleaned_data.get(name) or [])
                if match not in current:
                    current.append(match)
                self.cleaned_data[name] = current
                self.data.setlist(self.add_prefix(name), [str(obj.pk) for obj in current])
            else:
                self.cleaned_data[name] = match
                self.data[self.add_prefix(name)] = str(match.pk)
            self.data[self.add_prefix(f"{name}_q")] = ""
            self._show_options(name, [])
            return
        if not matches:
            self.add_error(f"{name}_q", f"没有找到与“{query}”匹配的{noun}。")
            return
        self._show_options(name, matches[:PICKER_LIMIT])
        self.data[self.add_prefix(f"{name}_q")] = ""  # choose in the select, then save again
        many = "超过 20" if len(matches) > PICKER_LIMIT else str(len(matches))
        self.add_error(
            f"{name}_q",
            f"找到{many}个与“{query}”匹配的{noun}，请在上方列表中选择一个后再保存。",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = _unix_newlines(super().clean())
        for name, kind, noun in self.PICKERS:
            self._resolve_picker(name, kind, noun)
        unresolved = {"department", "department_q"} & set(self._errors)
        if cleaned.get("department") is None and not unresolved:
            self.add_error("department", "请选择所在部门。")
        return cleaned


# --- the sections ---------------------------------------------------------------------------


class SectionForm(forms.ModelForm):
    """A row of a section: blank extra rows are ignored, whatever their ordering number."""

    IGNORED_FOR_CHANGES: tuple[str, ...] = ()
    KEEP_HELP_TEXTS = False  # repeated rows: the placeholders say it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.KEEP_HELP_TEXTS:
            for field in self.fields.values():
                field.help_text = ""

    def clean(self) -> dict[str, Any]:
        return _unix_newlines(super().clean())

    def has_changed(self) -> bool:
        return any(name not in self.IGNORED_FOR_CHANGES for name in self.changed_data)


class DutyForm(SectionForm):
    # Not the model field: the ranks are renumbered 1..n on save, so duplicates and gaps
    # typed here are fine (the order they give is what counts).
    rank = forms.IntegerField(
        label="重要性",
        required=False,
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "duty-rank-input", "min": 1}),
        error_messages={"invalid": "请填写数字。", "min_value": "重要性从 1 开始。"},
    )
    IGNORED_FOR_CHANGES = ("rank",)

    class Meta:
        model = Duty
        fields = ["group", "kind", "title", "tasks", "responsibility", "assessment"]
        widgets = {
            "group": forms.TextInput(
                attrs={"list": "duty-groups", "placeholder": "如 销售业务管理"}
            ),
            "title": forms.TextInput(attrs={"placeholder": "如 销售计划管理"}),
            "tasks": _textarea(4, "每行一项工作任务"),
            "assessment": _textarea(2, "如 计划完成率"),
        }
        error_messages = {"tasks": {"required": "请填写工作内容（每行一项工作任务）。"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("rank", self.instance.rank)
        self.fields["kind"].choices = [("", "请选择"), *Duty.Kind.choices]
        self.fields["responsibility"].choices = [("", "请选择"), *Duty.Responsibility.choices]
        lines = len((self.instance.tasks or "").splitlines())
        self.fields["tasks"].widget.attrs["rows"] = min(max(3, lines + 1), 12)


class RelationshipForm(SectionForm):
    class Meta:
        model = Relationship
        fields = ["kind", "party", "purpose"]
        widgets = {
            "party": forms.TextInput(attrs={"placeholder": "部门、职位或外部单位，如 客户"}),
            "purpose": _textarea(1, "如 售前、售后服务"),
        }
        error_messages = {
            "kind": {"required": "请选择关系类型。"},
            "party": {"required": "请填写联系对象。"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择"), *Relationship.Kind.choices]


class IndicatorForm(SectionForm):
    class Meta:
        model = Indicator
        fields = ["name", "description"]
        widgets = {"description": _textarea(1, "如 客户投诉 24 小时内响应")}
        error_messages = {"name": {"required": "请填写指标名称。"}}


class QualificationForm(SectionForm):
    KEEP_HELP_TEXTS = True  # one form, not repeated

    class Meta:
        model = Qualification
        fields = list(Qualification.SHEET_FIELDS)
        widgets = {
            name: _textarea(2)
            for name in (
                "major",
                "experience",
                "background",
                "knowledge",
                "skills",
                "competencies",
                "qualities",
                "certificates",
            )
        } | {"experience_years": forms.NumberInput(attrs={"min": 0})}
        error_messages = {"experience_years": {"invalid": "请填写整数年数。"}}


class SectionFormSet(BaseInlineFormSet):
    """An inline formset whose rows render in their 重要性 order (duties) or page order."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        if "rank" in form.fields and form.instance.pk is None:
            form.initial.setdefault("rank", i + 1)  # a new row goes last unless moved
        return form

    def rows(self) -> list[forms.Form]:
        forms_ = list(self.forms)
        if "rank" not in self.form.base_fields:
            return forms_

        def rank(item: tuple[int, forms.Form]) -> tuple[float, int]:
            value = item[1]["rank"].value()
            try:
                return (int(value), item[0])
            except (TypeError, ValueError):
                return (float("inf"), item[0])

        return [form for _index, form in sorted(enumerate(forms_), key=rank)]


def _formset(model, form, **kwargs):
    return inlineformset_factory(
        Position, model, form=form, formset=SectionFormSet, extra=0, can_delete=True, **kwargs
    )


FORMSETS: dict[str, type[SectionFormSet]] = {
    "duties": _formset(Duty, DutyForm),
    "relationships": _formset(Relationship, RelationshipForm),
    "indicators": _formset(Indicator, IndicatorForm),
    "qualification": inlineformset_factory(
        Position,
        Qualification,
        form=QualificationForm,
        formset=SectionFormSet,
        extra=1,
        max_num=1,
        can_delete=False,
    ),
}
_ORDER_BY = {
    "duties": ("rank",),
    "relationships": ("order", "pk"),
    "indicators": ("order", "pk"),
    "qualification": ("pk",),
}


@dataclass
class EditorForms:
    """Everything the editor page submits: the position form and one formset per section."""

    form: PositionForm
    formsets: dict[str, SectionFormSet]

    @classmethod
    def build(
        cls,
        *,
        user: AbstractBaseUser,
        position: Position | None = None,
        data: QueryDict | None = None,
    ) -> EditorForms:
        # A copy: the forms write what was typed into their instance, and the page's header
        # keeps showing the stored position.
        position = copy.copy(position) if position is not None else Position()
        form = PositionForm(data, instance=position, user=user)
        formsets = {}
        for name, formset_class in FORMSETS.items():
            queryset = formset_class.model.objects.order_by(*_ORDER_BY[name])
            formset = formset_class(data, instance=position, prefix=name, queryset=queryset)
            if data is None and name != "qualification" and not formset.get_queryset():
                formset.extra = 1  # an empty row to fill in (more with 添加一行)
            formsets[name] = formset
        return cls(form=form, formsets=formsets)

    def content(self) -> SheetContent:
        """What the validated page says, as the writer's plain data (``services.sheets``)."""
        cleaned = self.form.cleaned_data
        fields = {name: cleaned.get(name) for name in _PLAIN_FIELDS}
        fields["department_id"] = cleaned["department"].pk
        superior = cleaned.get("reports_to")
        fields["reports_to_id"] = superior.pk if superior is not None else None
        related = [position.pk for position in cleaned.get("related_positions") or []]
        sections = {}
        for name, formset in self.formsets.items():
            kept = kept_forms(formset)
            if name == "duties":  # by 重要性 as typed, then row order
                kept.sort(key=lambda item: (item[1].cleaned_data.get("rank") or math.inf, item[0]))
            names = WRITER_SECTIONS[name].fields
            sections[name] = [
                {"id": row.instance.pk}
                | {key: row.cleaned_data[key] for key in names if key in row.cleaned_data}
                for _index, row in kept
            ]
        return SheetContent(fields=fields, related_positions=related, sections=sections)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([fs.is_valid() for fs in self.formsets.values()]) and valid

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            fs.total_error_count() for fs in self.formsets.values()
        )

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, text) of every error, in page order, for the summary above the form."""
        found: list[tuple[str, str]] = []
        pickers = {name for name, _kind, _noun in PositionForm.PICKERS}
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            anchor = f"id_{name}_q" if name in pickers else f"id_{name}"  # the visible input
            for error in errors:
                found.append((anchor if label else "editor-header", _join(label, error)))
        for section in SECTIONS:
            formset = self.formsets[section]
            for error in formset.non_form_errors():
                found.append((SECTION_ANCHORS[section], _join(SECTION_LABELS[section], error)))
            rows = formset.rows() if section == "duties" else formset.forms
            for number, row in enumerate(rows, start=1):
                for name, errors in row.errors.items():
                    field = row.fields.get(name)
                    where = SECTION_LABELS[section]
                    if section != "qualification":
                        where += f"第 {number} 行"
                    for error in errors:
                        anchor = row[name].auto_id if field else SECTION_ANCHORS[section]
                        found.append(
                            (anchor, _join(f"{where} · {field.label}" if field else where, error))
                        )
        return found

    def __getitem__(self, name: str) -> SectionFormSet:
        return self.formsets[name]

    @property
    def duty_groups(self) -> list[str]:
        """Group names already used on the page, for the 职责分组 suggestions."""
        groups: list[str] = []
        for form in self.formsets["duties"].forms:
            value = (form["group"].value() or "").strip()
            if value and value not in groups:
                groups.append(value)
        return groups


# PositionForm fields passed to the writer as they are (the pickers are resolved to ids).
_PLAIN_FIELDS = (
    "title",
    "code",
    "grade_min",
    "grade_max",
    "headcount",
    "sort_order",
    "location",
    "summary",
    "purpose",
    "commitments",
    "work_environment",
    "other_requirements",
)


def _join(label: str, error: str) -> str:
    return f"{label}：{error}" if label else error


def with_extra_row(data: QueryDict, section: str) -> QueryDict:
    """The submitted data with one more (blank) row in ``section`` (添加一行 without JS)."""
    data = data.copy()
    if section in FORMSETS and section != "qualification":
        key = f"{section}-TOTAL_FORMS"
        with contextlib.suppress(ValueError):
            data[key] = str(int(data.get(key, "0")) + 1)
    return data


def row_counts_match(data: QueryDict) -> bool:
    """Whether every section's TOTAL_FORMS is a number no larger than the rows submitted.

    A browser always sends as many rows as it counts; a larger (or unreadable) count is a forged
    or broken submission, refused before any form is built (10^18 claimed rows must cost
    nothing).
    """
    for name in FORMSETS:
        claimed = data.get(f"{name}-TOTAL_FORMS")
        if claimed is None:
            continue
        total = parse_id(claimed)
        rows = {
            key[len(name) + 1 :].partition("-")[0]
            for key in data
            if key.startswith(f"{name}-") and key[len(name) + 1 :].partition("-")[1]
        }
        if total is None or total > len(rows):
            return False
    return True


def rebase(data: QueryDict, position: Position, *, lock_version: int | None = None) -> QueryDict:
    """The user's submitted data fitted to the rows stored now for ``position``.

    Rows someone else deleted meanwhile become new rows (the user's text stays, nothing fails
    as an unknown row); rows the user never saw stay stored as they are. With
    ``lock_version`` (after an edit conflict) that version goes in, so the next save passes.
    """
    data = data.copy()
    if lock_version is not None:
        data["lock_version"] = str(lock_version)
    for name, formset_class in FORMSETS.items():
        model = formset_class.model
        stored = {
            str(pk) for pk in model.objects.filter(position=position).values_list("pk", flat=True)
        }
        total = parse_id(data.get(f"{name}-TOTAL_FORMS", "0"))
        if total is None:
            continue
        # The submitted rows, read in one pass over the fields (never one pass per claimed row:
        # a forged TOTAL_FORMS of 10^18 must cost nothing).
        submitted: dict[int, dict[str, list[str]]] = {}
        for key in [k for k in data if k.startswith(f"{name}-")]:
            index, dash, field = key[len(name) + 1 :].partition("-")
            number = parse_id(index)
            if dash and number is not None:
                if number < total:
                    submitted.setdefault(number, {})[field] = data.getlist(key)
                del data[key]
        rows = [submitted[number] for number in sorted(submitted)]
        if name == "qualification" and rows and not rows[0].get("id", [""])[0] and stored:
            rows[0]["id"] = [next(iter(stored))]
        known = [row for row in rows if row.get("id", [""])[0] in stored]
        new = [row | {"id": [""]} for row in rows if row.get("id", [""])[0] not in stored]
        for i, row in enumerate(known + new):
            for field, values in row.items():
                data.setlist(f"{name}-{i}-{field}", values)
        data[f"{name}-TOTAL_FORMS"] = str(len(known + new))
        data[f"{name}-INITIAL_FORMS"] = str(len(known))
    return data


# --- copy -----------------------------------------------------------------------------------


class CopyPositionForm(forms.Form):
    title = forms.CharField(
        label="新职位名称",
        max_length=100,
        required=False,
        help_text="留空则为「原名称（副本）」。",
    )
    code = forms.CharField(
        label="新职位编号",
        max_length=30,
        help_text="必填，且不能与已有职位重复。",
        error_messages={"required": "请填写新职位的职位编号。"},
    )
    department = forms.ModelChoiceField(
        label="所在部门",
        queryset=Department.objects.none(),
        empty_label="请选择部门",
        error_messages={
            "required": "请选择所在部门。",
            "invalid_choice": "只能选择您负责范围内的部门。",
        },
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, source: Position, **kwargs: Any):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(editable_departments_q(user)).select_related(
            "parent"
        )
        field = self.fields["department"]
        field.queryset = departments
        field.label_from_instance = department_label
        field.choices = [  # in the tree's order, as every department drop-down
            ("", field.empty_label),
            *(
                (dept.pk, department_label(dept))
                for dept in department_index().in_tree_order(departments)
            ),
        ]
        self.fields["title"].widget.attrs["placeholder"] = f"{source.title}（副本）"
        if departments.filter(pk=source.department_id).exists():
            field.initial = source.department_id
