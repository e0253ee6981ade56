"""Formula injection: text the site writes into xlsx stays text (``positions.spreadsheet``)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from positions.models import Position
from positions.services import acknowledgements
from positions.tests.factories import EmployeeFactory, PositionFactory

pytestmark = pytest.mark.django_db

# One per character a spreadsheet may start a formula with (OWASP: = + - @ tab CR).
PAYLOADS = [
    '=HYPERLINK("http://evil.example/","点我领奖")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_acknowledgement_xlsx_writes_formula_like_names_as_text(payload):
    position = PositionFactory(title="销售经理", code="XS-1", status=Position.Status.PUBLISHED)
    EmployeeFactory(name=payload, employee_no=f"{payload[:1]}E1", position=position)
    report = acknowledgements.acknowledgement_report(position.current_version)

    data = acknowledgements.acknowledgement_xlsx(report)

    sheet = load_workbook(io.BytesIO(data)).active
    number, name = sheet["A4"], sheet["B4"]
    assert (name.value, name.data_type, name.quotePrefix) == (payload, "s", True)
    assert (number.value, number.data_type) == (f"{payload[:1]}E1", "s")
    assert "<f>" not in _sheet_xml(data)


def test_acknowledgement_xlsx_title_from_a_formula_like_position_title_is_text():
    position = PositionFactory(title="=1+1", code="", status=Position.Status.PUBLISHED)
    report = acknowledgements.acknowledgement_report(position.current_version)

    sheet = load_workbook(io.BytesIO(acknowledgements.acknowledgement_xlsx(report))).active

    title = f"=1+1（P{position.pk:04d}） V1 员工确认情况"  # no 职位编号: the printed number
    assert (sheet["A1"].value, sheet["A1"].data_type) == (title, "s")


def _sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
