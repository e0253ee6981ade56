"""The 部门架构 list beside the org chart, written in Python: one link per department (hundreds
at scale), where the template loop cost a tenth of a millisecond per department."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from orgchart.services import DepartmentCount, OrgChart

register = template.Library()


@register.simple_tag
def department_links(departments: Sequence[DepartmentCount], chart: OrgChart) -> SafeString:
    """The departments' links, the chart's own department marked as the current page."""
    current = chart.department.pk if chart.department is not None else None
    parts = []
    for entry in departments:
        department = entry.department
        name = escape(department.name)
        here = department.pk == current
        current_page = ' aria-current="page"' if here else ""
        depth = "n" if entry.depth > 4 else str(entry.depth)
        parts.append(
            '<a class="list-group-item list-group-item-action d-flex align-items-center gap-2'
            f' oc-dept-depth-{depth}{" active" if here else ""}"\n'
            f'       href="{escape(entry.url)}"{current_page}\n'
            f'       title="{name}：本部门 {entry.own} 个职位，含下级部门共 {entry.total} 个">\n'
            f'      <span class="oc-dept-icon tree-kind-{escape(department.kind)}">'
            f'<i class="bi {entry.icon}" aria-hidden="true"></i></span>\n'
            f'      <span class="text-truncate min-w-0">{name}</span>\n'
            f'      <span class="badge rounded-pill ms-auto oc-dept-count">{entry.total}</span>\n'
            "    </a>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped
