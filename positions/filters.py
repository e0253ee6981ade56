"""Filters for the position list: free text, department subtree, status, grade and sort."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When

from positions.models import Position
from positions.services import DepartmentIndex, department_index, grade_overlap_q

ALL_STATUSES = "all"

SORT_CHOICES = [
    ("department", "部门顺序"),
    ("-department", "部门顺序（倒序）"),
    ("code", "职位编号"),
    ("-code", "职位编号（倒序）"),
    ("title", "职位名称"),
    ("-title", "职位名称（倒序）"),
]
DEFAULT_SORT = "department"


class GradeFilter(django_filters.Filter):
    """A single grade; matches positions whose grade range contains it."""

    field_class = forms.IntegerField


class PositionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="关键词",
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": "职位名称、编号或部门", "type": "search"}),
    )
    department = django_filters.ChoiceFilter(
        label="所在部门",
        method="filter_department",
        empty_label="全部部门",
        help_text="包含其下级部门。",
        error_messages={"invalid_choice": "所选部门不存在，请从列表中重新选择。"},
    )
    status = django_filters.ChoiceFilter(
        label="状态",
        method="filter_status",
        choices=[*Position.Status.choices, (ALL_STATUSES, "全部（含已归档）")],
        empty_label="未归档",
        error_messages={"invalid_choice": "状态“%(value)s”无效，请从列表中选择。"},
    )
    grade = GradeFilter(
        label="职位等级",
        method="filter_grade",
        min_value=0,
        max_value=99,
        widget=forms.TextInput(attrs={"placeholder": "如 5", "inputmode": "numeric"}),
        error_messages={
            "invalid": "职位等级须为整数，如 5。",
            "min_value": "职位等级不能小于 %(limit_value)s。",
            "max_value": "职位等级不能大于 %(limit_value)s。",
        },
    )
    sort = django_filters.ChoiceFilter(
        label="排序",
        method="filter_sort",
        choices=SORT_CHOICES,
        empty_label=None,
        error_messages={"invalid_choice": "排序方式“%(value)s”无效，已按部门排序。"},
    )

    class Meta:
        model = Position
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Always bound, so the defaults (hide archived, sort by department) apply to a bare URL.
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.index: DepartmentIndex = department_index()
        self.filters["department"].extra["choices"] = self.index.options()

    # -- filter methods (only called with a non-empty, valid value) --------------------------

    def filter_q(self, queryset: QuerySet[Position], name: str, value: str) -> QuerySet[Position]:
        return queryset.search(value)

    def filter_department(
        self, queryset: QuerySet[Position], name: str, value: str
    ) -> QuerySet[Position]:
        return queryset.filter(department_id__in=self.index.subtree_ids(int(value)))

    def filter_status(
        self, queryset: QuerySet[Position], name: str, value: str
    ) -> QuerySet[Position]:
        if value == ALL_STATUSES:
            return queryset
        return queryset.filter(status=value)

    def filter_grade(
        self, queryset: QuerySet[Position], name: str, value: int
    ) -> QuerySet[Position]:
        return queryset.filter(grade_overlap_q(value))

    def filter_sort(
        self, queryset: QuerySet[Position], name: str, value: str
    ) -> QuerySet[Position]:
        return self.sorted(queryset, value)

    # -- defaults for empty or invalid values ------------------------------------------------

    def filter_queryset(self, queryset: QuerySet[Position]) -> QuerySet[Position]:
        queryset = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        if not cleaned.get("status"):
            queryset = queryset.active()
        if not cleaned.get("sort"):
            queryset = self.sorted(queryset, DEFAULT_SORT)
        return queryset

    @property
    def current_sort(self) -> str:
        """The sort in effect, for the column headers."""
        self.is_valid()
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def sorted(self, queryset: QuerySet[Position], sort: str) -> QuerySet[Position]:
        descending = sort.startswith("-")
        key = sort.removeprefix("-")
        if key == "code":
            fields: list[Any] = ["code", "title", "pk"]
        elif key == "title":
            fields = ["title", "code", "pk"]
        else:
            tree_order = Case(
                *[
                    When(department_id=dept.pk, then=Value(i))
                    for i, (dept, _depth) in enumerate(self.index.preorder())
                ],
                default=Value(len(self.index.by_id)),
                output_field=IntegerField(),
            )
            fields = [tree_order, "code", "title", "pk"]
        if descending:
            fields = [f"-{f}" if isinstance(f, str) else f.desc() for f in fields[:1]] + fields[1:]
        return queryset.order_by(*fields)
