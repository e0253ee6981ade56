"""Accounts: the 我的职位 page of the signed-in person, the login lockout message, roles held."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db.models import Q, prefetch_related_objects

from positions import permissions
from positions.models import (
    Acknowledgement,
    Assignment,
    Employee,
    Position,
    Role,
    Version,
    sheet_prefetches,
)
from positions.services.reading import holders_by_position
from positions.services.sheet_diff import SheetChanges, diff_sheets
from positions.sheet import Sheet, build_sheet


def lockout_message(*, failure_limit: int, cool_off: datetime.timedelta | None) -> str:
    """What a locked-out person reads on the login page (django-axes lockout)."""
    contact = settings.HR_CONTACT
    if cool_off is None:
        return f"该账号因连续 {failure_limit} 次登录失败已被锁定，请联系{contact}解锁。"
    return (
        f"该账号因连续 {failure_limit} 次登录失败已被锁定，请 {_duration(cool_off)}后再试，"
        f"或联系{contact}解锁。"
    )


def _duration(delta: datetime.timedelta) -> str:
    """15 分钟, 1 小时, 1 小时 30 分钟 — whole minutes, at least one."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} 小时 {minutes} 分钟"
    if hours:
        return f"{hours} 小时"
    return f"{minutes} 分钟"


# --- 我的职位 ----------------------------------------------------------------------------------


class MyPositionState(enum.StrEnum):
    SHEET = "sheet"  # the position's sheet is shown
    HIDDEN = "hidden"  # the person holds a position whose sheet they may not read yet
    NONE = "none"  # no employee record, or no current position


@dataclass(frozen=True)
class Holder:
    name: str


@dataclass(frozen=True)
class RelatedPosition:
    """A position next to the person's own (superior or direct report) and who holds it."""

    pk: int
    title: str
    code: str
    department: str
    linked: bool  # the user may open its sheet
    holders: tuple[Holder, ...]  # () = 空缺


@dataclass(frozen=True)
class MyPosition:
    state: MyPositionState
    hr_contact: str
    employee_name: str = ""
    employee_no: str = ""
    hired_on: datetime.date | None = None
    since: datetime.date | None = None  # start of the current assignment
    position_title: str = ""
    position_status_label: str = ""
    sheet: Sheet | None = None
    superior: RelatedPosition | None = None
    reports: tuple[RelatedPosition, ...] = ()
    can_print: bool = False
    version: Version | None = None  # the version shown (None: a never-published working copy)
    needs_acknowledgement: bool = False  # 我已阅读并确认 not yet clicked for this version
    acknowledged_at: datetime.datetime | None = None
    acknowledgement_id: int | None = None  # the holder's 签收单 of the version shown
    # 本次变更: while confirmation is pending, what changed since the version the holder last
    # confirmed (or the previous version when none); None for a first version.
    changes: SheetChanges | None = None
    changes_since: str = ""  # that version's label, e.g. V1


def _changes_since_confirmed(
    version: Version, sheet: Sheet, confirmed: int | None
) -> tuple[SheetChanges | None, str]:
    """The ordered diff from the version the employee last confirmed (``confirmed``, its
    number) or else the one before."""
    base = (
        Version.objects.filter(
            position_id=version.position_id, number=confirmed or version.number - 1
        ).first()
        if confirmed or version.number > 1
        else None
    )
    if base is None:
        return None, ""
    return diff_sheets(build_sheet(base), sheet), base.label


def _related(
    user: AbstractBaseUser | AnonymousUser,
    position: Position,
    holders: dict[int, list[Employee]],
) -> RelatedPosition:
    # Someone who reads only versions sees the titles in force, never a draft's renaming.
    shown = position
    if position.current_version_id and not permissions.reads_working_copy(user, position):
        shown = position.current_version
    return RelatedPosition(
        pk=position.pk,
        title=shown.title,
        code=shown.code,
        department=shown.department.name,
        linked=permissions.can_view_position(user, position),
        holders=tuple(Holder(name=e.name) for e in holders.get(position.pk, [])),
    )


def my_position(user: AbstractBaseUser | AnonymousUser) -> MyPosition:
    """The signed-in person's position: sheet, superior, direct reports and their holders.

    A person with no employee record, who has left, or who holds no position now gets
    ``MyPositionState.NONE``; one whose position they may not read (a draft, say) gets
    ``HIDDEN`` with the surrounding positions but no sheet. Holders of the superior and of
    every direct report are read in one query.
    """
    contact = settings.HR_CONTACT
    if not user.is_authenticated:
        return MyPosition(state=MyPositionState.NONE, hr_contact=contact)
    # The current assignment, the person and the position (with ``with_sheet_joins``' joins
    # and the version in force whole, its sheet too): one query.
    assignment = (
        Assignment.objects.current()
        .filter(employee__user=user, employee__left_on__isnull=True)
        .select_related(
            "employee",
            "position__department__parent__parent",
            "position__reports_to",
            "position__qualification",
            "position__current_version",
        )
        .first()
    )
    if assignment is None:
        employee = Employee.objects.filter(user=user).first()
        return MyPosition(
            state=MyPositionState.NONE,
            hr_contact=contact,
            employee_name=employee.name if employee else "",
        )
    employee = assignment.employee
    # The working copy's sections are loaded below only when it is what is shown.
    position = assignment.position
    # 我的职位 is the role in force: the published version, whoever looks. Only a position
    # never published shows its working copy, and only to people with draft rights.
    version = position.current_version if position.status != Position.Status.ARCHIVED else None
    # The superior and the (not archived) direct reports, with their departments: one query.
    # With a version in force, the reporting lines are the ones published, not a draft's.
    if version is not None:
        superior_id = version.reports_to_id
        reports_q = Q(current_version__reports_to=position) & permissions.in_force_q()
    else:
        superior_id = position.reports_to_id
        reports_q = Q(reports_to=position) & ~Q(status=Position.Status.ARCHIVED)
    around = list(
        Position.objects.filter(Q(pk=superior_id) | reports_q)
        .select_related("department", "current_version__department")
        .defer("current_version__sheet")
        .order_by("code", "title", "pk")
    )
    superior = next((p for p in around if p.pk == superior_id), None)
    reports = [p for p in around if p.pk != superior_id]
    holders = holders_by_position(p.pk for p in around)
    if version is not None:
        version.position = position
        sheet: Sheet | None = build_sheet(version)
    elif permissions.reads_working_copy(user, position):
        prefetch_related_objects([position], *sheet_prefetches())
        sheet = build_sheet(position)
    else:
        sheet = None
    # The holder's latest 签收单 of this position up to the version shown, in one query: of
    # the version shown (acknowledged), or of the version they last confirmed before it.
    latest = (
        Acknowledgement.objects.filter(
            employee=employee,
            version__position_id=version.position_id,
            version__number__lte=version.number,
        )
        .select_related("version")
        .defer("version__sheet")
        .order_by("-version__number")
        .first()
        if version is not None
        else None
    )
    acknowledged = latest if latest is not None and latest.version_id == version.pk else None
    needs_acknowledgement = version is not None and acknowledged is None
    changes, changes_since = None, ""
    if needs_acknowledgement and sheet is not None:
        confirmed = latest.version.number if latest is not None else None
        changes, changes_since = _changes_since_confirmed(version, sheet, confirmed)
    return MyPosition(
        state=MyPositionState.SHEET if sheet is not None else MyPositionState.HIDDEN,
        hr_contact=contact,
        employee_name=employee.name,
        employee_no=employee.employee_no,
        hired_on=employee.hired_on,
        since=assignment.start_date,
        position_title=sheet.title if sheet is not None else position.title,
        position_status_label=(
            sheet.status_label if sheet is not None else position.get_status_display()
        ),
        sheet=sheet,
        version=version,
        needs_acknowledgement=needs_acknowledgement,
        changes=changes,
        changes_since=changes_since,
        acknowledged_at=acknowledged.acknowledged_at if acknowledged else None,
        acknowledgement_id=acknowledged.pk if acknowledged else None,
        superior=_related(user, superior, holders) if superior is not None else None,
        reports=tuple(_related(user, p, holders) for p in reports),
        can_print=sheet is not None and permissions.can_print_position(user, position),
    )


# --- roles -------------------------------------------------------------------------------------


def set_roles(
    user: AbstractBaseUser, *, held: set[str], among: set[str]
) -> tuple[set[str], set[str]]:
    """Make ``user`` hold exactly the roles ``held`` of the role codes ``among``.

    Roles outside ``among`` are left as they are. Returns (added, removed) role codes.
    """
    current = set(
        Role.objects.filter(group__user=user, code__in=among).values_list("code", flat=True)
    )
    added, removed = (held & among) - current, current - held
    if added:
        user.groups.add(*Group.objects.filter(role__code__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(role__code__in=removed))
    return added, removed
