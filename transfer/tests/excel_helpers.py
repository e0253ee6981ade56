"""Building Excel workbooks in tests (with openpyxl, as a user filling the template would)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from reversion.models import Revision as RevisionSet

from positions.models import (
    Assignment,
    Duty,
    Employee,
    Grant,
    Indicator,
    Position,
    Qualification,
    Relationship,
    Version,
)
from transfer.services import excel

COUNTED = (
    Position,
    Duty,
    Grant,
    Qualification,
    Relationship,
    Indicator,
    Employee,
    Assignment,
    Version,
    RevisionSet,
)


def row_counts() -> dict[str, int]:
    """How many rows each table the imports touch holds (to prove nothing was written)."""
    return {model.__name__: model.objects.count() for model in COUNTED}


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def open_bytes(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def clear_data_rows(workbook: Workbook, names: Iterable[str]) -> None:
    for name in names:
        sheet = workbook[name]
        if sheet.max_row > 1:
            sheet.delete_rows(2, sheet.max_row - 1)


def filled_template(rows: dict[str, Sequence[Sequence[Any]]]) -> Workbook:
    """The downloaded template with its example rows removed and ``rows`` (sheet → rows in
    the template's column order) appended."""
    workbook = open_bytes(excel.template_workbook())
    clear_data_rows(workbook, [spec.name for spec in excel.WORKBOOK])
    for name, lines in rows.items():
        for line in lines:
            workbook[name].append(list(line))
    return workbook


def position_row(code: str, title: str, department: str, superior: str = "", **extra) -> list:
    """A row of the 职位 sheet in column order; ``extra`` by field name (grade_min=3 …)."""
    values = {"code": code, "title": title, "department": department, "reports_to": superior}
    values.update(extra)
    return [values.get(column.field) for column in excel.POSITIONS.columns]


def duty_row(code: str, rank: int, tasks: str, **extra) -> list:
    values = {"position": code, "rank": rank, "tasks": tasks}
    values.update(extra)
    return [values.get(column.field) for column in excel.DUTIES.columns]


def three_positions(department: str = "FZ-XS") -> Workbook:
    """The template filled with three positions (a manager and two reports) and their duties."""
    return filled_template(
        {
            "职位": [
                position_row("XS-100", "销售总监", department, grade_min=8, grade_max=10),
                position_row("XS-110", "渠道经理", department, "XS-100", summary="管理渠道。"),
                position_row("XS-120", "客服专员", department, "XS-100", headcount=3),
            ],
            "工作职责": [
                duty_row("XS-100", 1, "制定年度销售策略", title="销售策略", kind="重点工作"),
                duty_row("XS-100", 2, "审核月度销售计划", responsibility="全责"),
                duty_row("XS-110", 1, "开发分销渠道\n维护渠道关系", group="渠道管理"),
                duty_row("XS-120", 1, "受理客户投诉", assessment="投诉处理及时率"),
            ],
            "关键指标": [["XS-100", "销售额", "按年度考核"]],
        }
    )


# --- the file's XML, as Excel, WPS or another generator would write it ---------------------------


def rewrite_sheet_xml(data: bytes, name: str, change: Callable[[str], str]) -> bytes:
    """The workbook (saved by openpyxl: sheet n is ``xl/worksheets/sheet<n>.xml``) with the
    XML of worksheet ``name`` passed through ``change``; every other part copied as it is."""
    names = load_workbook(io.BytesIO(data), read_only=True).sheetnames  # cheap on huge files
    part = f"xl/worksheets/sheet{names.index(name) + 1}.xml"
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return buffer.getvalue()


def with_cached_result(data: bytes, name: str, coordinate: str, result: str | int) -> bytes:
    """A formula cell (saved by openpyxl without a result) given the result Excel caches:
    ``<c><f>…</f><v>result</v></c>`` (typed ``str`` for text)."""
    kind = ' t="str"' if isinstance(result, str) else ""

    def change(xml: str) -> str:
        cell = re.compile(rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>')
        assert cell.search(xml), f"no formula cell {coordinate}"
        return cell.sub(
            lambda m: f'<c r="{coordinate}"{m[1]}{kind}><f>{m[2]}</f><v>{result}</v></c>', xml
        )

    return rewrite_sheet_xml(data, name, change)


def with_dimension(data: bytes, name: str, ref: str) -> bytes:
    """The workbook with worksheet ``name`` claiming ``<dimension ref="…">`` (true or not)."""
    return rewrite_sheet_xml(
        data,
        name,
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml),
    )


def with_rows(data: bytes, name: str, count: int, value: str) -> bytes:
    """Worksheet ``name`` with ``count`` more rows (``value`` in column A), appended to its XML
    directly — a million rows in a second, where openpyxl would take minutes."""

    def change(xml: str) -> str:
        last = max((int(r) for r in re.findall(r'<row r="(\d+)"', xml)), default=0)
        rows = "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{value}</t></is></c></row>'
            for n in range(last + 1, last + count + 1)
        )
        return xml.replace("</sheetData>", rows + "</sheetData>")

    return rewrite_sheet_xml(data, name, change)


def roster_book(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = open_bytes(excel.roster_workbook())
    clear_data_rows(workbook, [excel.ROSTER.name])
    for line in rows:
        workbook[excel.ROSTER.name].append(list(line))
    return save(workbook)


# --- an encrypted (password-protected) Office file ---------------------------------------------

FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _dir_entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", FREE, right, child)
        + b"\0" * 16
        + struct.pack("<I", 0)
        + b"\0" * 16
        + struct.pack("<IQ", start, size)
    )


def encrypted_office_file() -> bytes:
    """A compound file (OLE/CFB, version 3) laid out as Office writes a password-protected
    xlsx: streams ``EncryptionInfo`` and ``EncryptedPackage`` (content random-looking bytes)."""
    stream_size = 4096  # at the mini-stream cutoff: stored in regular sectors
    per_stream = stream_size // 512
    info_start, package_start = 2, 2 + per_stream
    fat = [FAT_SECTOR, END]
    for start in (info_start, package_start):
        fat += [start + i + 1 for i in range(per_stream - 1)] + [END]
    fat += [FREE] * (128 - len(fat))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREE) * 108
    )
    directory = (
        _dir_entry("Root Entry", 5, 1, FREE, END, 0)
        + _dir_entry("EncryptionInfo", 2, FREE, 2, info_start, stream_size)
        + _dir_entry("EncryptedPackage", 2, FREE, FREE, package_start, stream_size)
        + _dir_entry("", 0, FREE, FREE, FREE, 0)
    )
    info = (struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>").ljust(stream_size, b"\0")
    package = bytes((i * 37 + 11) % 256 for i in range(stream_size))
    return header + struct.pack("<128I", *fat) + directory + info + package
