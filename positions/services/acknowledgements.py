"""员工确认: holders confirm they have read the version of their position in force.

A holder sees a banner on 我的职位 until they acknowledge the version in force; HR sees per
version who has acknowledged and who has not, and exports that list as xlsx. Each
confirmation is also a 签收单 (``receipt``): who, which version (with the fingerprint of its
stored sheet), when and from which address — the printing app lays it out as a PDF.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from positions import hooks
from positions.ids import position_number
from positions.models import Acknowledgement, Assignment, Employee, Position, Version
from positions.spreadsheet import xlsx_bytes


def acknowledge(
    *, user: AbstractBaseUser, version: Version, ip_address: str | None = None
) -> Acknowledgement:
    """Record that the user (an employee holding the version's position now) has read it,
    and from which address (``positions.net.client_ip``; printed on the 签收单).

    Idempotent: a second click returns the first record (its time and address). Refused
    (``ValidationError``) when the user does not hold the position, or the version is no
    longer the one in force.
    """
    employee = Employee.objects.filter(user=user, left_on__isnull=True).first()
    holds = (
        employee is not None
        and Assignment.objects.current()
        .filter(employee=employee, position_id=version.position_id)
        .exists()
    )
    if not holds:
        raise ValidationError("只有该职位的现任员工可以确认本职位说明书。", code="not-holder")
    if version.position.current_version_id != version.pk:
        raise ValidationError(
            f"{version.label} 已不是现行版本，请刷新页面后确认最新版本。", code="superseded"
        )
    existing = Acknowledgement.objects.filter(version=version, employee=employee).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            created = Acknowledgement.objects.create(
                version=version, employee=employee, ip_address=ip_address
            )
            hooks.occurred(
                [hooks.Occurrence(hooks.ACKNOWLEDGEMENT_COMPLETED, created, version.position)]
            )
            return created
    except IntegrityError:  # a double click raced us: the first one counts
        return Acknowledgement.objects.get(version=version, employee=employee)


@dataclass(frozen=True)
class AcknowledgementRow:
    employee: Employee
    holds_now: bool  # holds the position today (else: acknowledged, then moved or left)
    acknowledged_at: datetime.datetime | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True)
class AcknowledgementReport:
    version: Version
    rows: tuple[AcknowledgementRow, ...]

    @property
    def acknowledged_count(self) -> int:
        return sum(1 for row in self.rows if row.acknowledged)

    @property
    def pending_count(self) -> int:
        return sum(1 for row in self.rows if not row.acknowledged and row.holds_now)


def acknowledgement_report(version: Version) -> AcknowledgementReport:
    """Current holders of the position (acknowledged or not), then anyone else who acknowledged
    this version; pending first, each group by 工号. Two queries."""
    records = {
        ack.employee_id: ack
        for ack in Acknowledgement.objects.filter(version=version).select_related("employee")
    }
    holders = {
        a.employee_id: a.employee
        for a in Assignment.objects.current()
        .filter(position_id=version.position_id, employee__left_on__isnull=True)
        .select_related("employee")
    }
    rows = [
        AcknowledgementRow(
            employee=employee,
            holds_now=True,
            acknowledged_at=records[pk].acknowledged_at if pk in records else None,
        )
        for pk, employee in holders.items()
    ]
    rows += [
        AcknowledgementRow(
            employee=ack.employee, holds_now=False, acknowledged_at=ack.acknowledged_at
        )
        for pk, ack in records.items()
        if pk not in holders
    ]
    rows.sort(key=lambda r: (r.acknowledged, not r.holds_now, r.employee.employee_no))
    return AcknowledgementReport(version=version, rows=tuple(rows))


def acknowledgement_counts(position: Position) -> dict[int, tuple[int, int]]:
    """Per version pk of the position: (acknowledged, holders now not acknowledged). Two queries."""
    holders = set(
        Assignment.objects.current()
        .filter(position=position, employee__left_on__isnull=True)
        .values_list("employee_id", flat=True)
    )
    acknowledged: dict[int, set[int]] = {}
    for version_id, employee_id in Acknowledgement.objects.filter(
        version__position=position
    ).values_list("version_id", "employee_id"):
        acknowledged.setdefault(version_id, set()).add(employee_id)
    return {
        version_id: (len(people), len(holders - people))
        for version_id, people in acknowledged.items()
    } | {
        version_id: (0, len(holders))
        for version_id in position.versions.values_list("pk", flat=True)
        if version_id not in acknowledged
    }


# --- 签收单 -------------------------------------------------------------------------------------

FINGERPRINT_LENGTH = 12


def version_fingerprint(version: Version) -> str:
    """The first 12 hex digits of the SHA-256 of the version's stored sheet JSON (keys sorted,
    compact): what the holder confirmed, checkable against the stored version at any time."""
    text = json.dumps(version.sheet, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Receipt:
    """One 签收单: a holder's confirmation of one version, as printed."""

    name: str
    employee_no: str
    position_title: str
    position_code: str
    department: str
    version_label: str
    effective_date: datetime.date | None
    fingerprint: str
    acknowledged_at: datetime.datetime  # in the site's time zone (Asia/Shanghai)
    ip_address: str  # "" when unknown (confirmations recorded before addresses were kept)


def _receipt(ack: Acknowledgement, version: Version, fingerprint: str) -> Receipt:
    return Receipt(
        name=ack.employee.name,
        employee_no=ack.employee.employee_no,
        position_title=version.title,
        position_code=position_number(version.code, version.position_id),
        department=version.department.name,
        version_label=version.label,
        effective_date=version.effective_date,
        fingerprint=fingerprint,
        acknowledged_at=timezone.localtime(ack.acknowledged_at),
        ip_address=ack.ip_address or "",
    )


def receipt(acknowledgement: Acknowledgement) -> Receipt:
    """The 签收单 of one confirmation."""
    version = Version.objects.select_related("department").get(pk=acknowledgement.version_id)
    return _receipt(acknowledgement, version, version_fingerprint(version))


@dataclass(frozen=True)
class VersionReceipts:
    """Every 签收单 of a version (by confirmation time), and the holders who have not confirmed."""

    version: Version
    number: str  # the position's number as people read it (``ids.position_number``)
    fingerprint: str
    receipts: tuple[Receipt, ...]
    pending: tuple[Employee, ...]


def version_receipts(version: Version) -> VersionReceipts:
    """The 签收单 of everyone who confirmed ``version`` and who holds it and has not yet."""
    version = Version.objects.select_related("department").get(pk=version.pk)
    fingerprint = version_fingerprint(version)
    acks = Acknowledgement.objects.filter(version=version).select_related("employee")
    report = acknowledgement_report(version)
    return VersionReceipts(
        version=version,
        number=position_number(version.code, version.position_id),
        fingerprint=fingerprint,
        receipts=tuple(
            _receipt(ack, version, fingerprint)
            for ack in acks.order_by("acknowledged_at", "employee__employee_no")
        ),
        pending=tuple(
            row.employee for row in report.rows if row.holds_now and not row.acknowledged
        ),
    )


_HEADERS = ("工号", "姓名", "是否现任", "确认状态", "确认时间")


def acknowledgement_xlsx(report: AcknowledgementReport) -> bytes:
    """The report as an xlsx workbook: a title row, then one row per person."""
    version = report.version
    book = Workbook()
    sheet = book.active
    sheet.title = "员工确认"
    number = position_number(version.code, version.position_id)
    sheet.append([f"{version.title}（{number}） {version.label} 员工确认情况"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"生效日期：{version.effective_date.isoformat() if version.effective_date else '—'}",
            None,
            f"已确认 {report.acknowledged_count} 人",
            f"未确认 {report.pending_count} 人",
        ]
    )
    sheet.append(list(_HEADERS))
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for row in report.rows:
        when = row.acknowledged_at
        sheet.append(
            [
                row.employee.employee_no,
                row.employee.name,
                "是" if row.holds_now else "否（已调离或离职）",
                "已确认" if row.acknowledged else "未确认",
                # Naive local time: Excel has no time zones.
                timezone.localtime(when).replace(tzinfo=None) if when else None,
            ]
        )
        if when:
            sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd hh:mm"
    for index, width in enumerate((14, 12, 18, 10, 18), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    return xlsx_bytes(book)  # an employee named "=HYPERLINK(…)" stays text
