"""The audit trail as an xlsx workbook (审计日志导出).

Apart from ``audit.services`` so that starting Django (the audit app's ``ready``) does not load
openpyxl: it loads when a workbook is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audit.models import AuditEvent
from audit.services import details_text

XLSX_HEADERS = (
    "时间",
    "用户名",
    "用户 ID",
    "IP 地址",
    "操作",
    "对象类型",
    "对象 ID",
    "对象",
    "详情",
)
XLSX_WIDTHS = (20, 16, 9, 16, 14, 22, 10, 32, 60)


def events_xlsx(found: Iterable[AuditEvent]) -> bytes:
    """The events as a workbook, one row each. Every text is written as text: a value that
    looks like a formula (``=HYPERLINK(…)`` typed as a username) stays a string."""
    book = Workbook()
    sheet = book.active
    sheet.title = "审计日志"
    sheet.append(XLSX_HEADERS)
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row, event in enumerate(found, start=2):
        values = (
            timezone.localtime(event.created_at).replace(tzinfo=None),
            event.username,
            event.user_id,
            event.ip_address or "",
            event.get_action_display(),
            event.object_type,
            event.object_id,
            event.object_label,
            details_text(event),
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(vertical="top", wrap_text=column == len(values))
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    output = BytesIO()
    book.save(output)
    return output.getvalue()
