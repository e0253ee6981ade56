"""The report as a PDF (WeasyPrint through ``printing.pdf.render_html``) and as an xlsx."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from diagnosis.services.report import Report
from positions.spreadsheet import xlsx_bytes
from printing.pdf import check_cjk_font, render_html
from printing.services.company import company_profile

XLSX_HEADERS = (
    "类别",
    "诊断类型",
    "诊断项",
    "所涉职位",
    "所在部门",
    "相似度",
    "处理结果",
    "说明",
    "处理人",
    "标识",
)
XLSX_WIDTHS = (8, 24, 70, 36, 20, 8, 10, 40, 12, 36)


def filename(report: Report, extension: str) -> str:
    scope = report.scope.split(" / ")[-1]
    return f"{scope}-组织诊断-{timezone.localdate():%Y%m%d}.{extension}".replace("/", "_")


def report_xlsx(report: Report) -> bytes:
    """Every finding (open and marked), one a row, with what HR decided."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "组织诊断"
    sheet.append([f"{report.scope} 组织诊断（{report.positions} 个职位，{report.made_at_label}）"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(XLSX_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for section in report.sections:
        for entry in section.entries:
            finding, note = entry.finding, entry.note
            texts = "\n".join("".join(s.text for s in text) for text in finding.texts)
            sheet.append(
                [
                    section.group,
                    section.label,
                    finding.message + (f"\n{texts}" if texts else ""),
                    "、".join(p.label for p in finding.positions),
                    "、".join(dict.fromkeys(p.department for p in finding.positions)),
                    f"{finding.similarity}%" if finding.similarity is not None else "",
                    note.status_label if note else "待处理",
                    note.reason if note else "",
                    note.marked_by if note else "",
                    finding.key,
                ]
            )
    for n, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    return xlsx_bytes(workbook)


def report_pdf(report: Report, *, printed_by: str) -> bytes:
    """The report as the page shows it (open findings first, marked ones after), A4.

    Raises ``printing.pdf``'s ``CJKFontMissing``, ``PdfTooLarge``, ``PdfRenderTimeout`` or
    ``PdfRenderFailed``."""
    check_cjk_font()
    html = render_to_string(
        "diagnosis/report_pdf.html",
        {
            "report": report,
            "company": company_profile().name,
            "printed_at": timezone.localtime(),
            "printed_by": printed_by,
        },
    )
    return render_html(html, stylesheets=("css/diagnosis_pdf.css",))
