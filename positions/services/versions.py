"""Published versions (V1, V2 …): freezing a sheet, reading the one in force, comparing two.

Publishing freezes ``build_sheet(position)`` — every section, the superior's and direct
reports' titles as they stood, the sign-off — into an immutable ``Version``. People without
draft rights (``permissions.reads_working_copy``) read only versions; HR goes on editing the
working copy towards the next version while the current one stays in force.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from positions import hooks, permissions
from positions.models import Position, Version, sheet_prefetches
from positions.services.sheet_diff import SheetChanges, diff_sheets
from positions.sheet import Sheet, build_sheet


def next_version_number(position: Position) -> int:
    """The number the position's next published version takes (V1 for the first)."""
    return (position.versions.aggregate(last=Max("number"))["last"] or 0) + 1


def publish_version(position: Position, *, historical: bool = False) -> Version:
    """Freeze the position's working copy (status 已生效, sign-off filled) as its next version.

    ``historical`` marks a sheet that was approved on paper (the seed's 2006 sheets).
    """
    version = publish_versions([position], historical=historical)[0]
    position.current_version = version
    return version


def _frozen(position: Position, number: int, *, historical: bool) -> Version:
    effective = position.approved_at
    if effective is None:
        # A paper sheet carries only its 填写日期; a system approval always has a date.
        effective = position.prepared_at if historical else timezone.localdate()
    sheet = dataclasses.replace(
        build_sheet(position),
        version=number,
        is_published=True,
        effective_date=effective.isoformat() if effective else "",
    )
    return Version(
        position=position,
        number=number,
        title=position.title,
        code=position.code,
        department=position.department,
        reports_to_id=position.reports_to_id,
        grade_min=position.grade_min,
        grade_max=position.grade_max,
        headcount=position.headcount,
        sheet=sheet.as_dict(),
        effective_date=effective,
        prepared_by_name=position.prepared_by_name,
        prepared_at=position.prepared_at,
        reviewed_by_name=position.reviewed_by_name,
        reviewed_at=position.reviewed_at,
        approved_by_name=position.approved_by_name,
        approved_at=position.approved_at,
        prepared_by_id=position.prepared_by_id,
        reviewed_by_id=position.reviewed_by_id,
        approved_by_id=position.approved_by_id,
        is_historical=historical,
    )


def publish_versions(positions: Sequence[Position], *, historical: bool = False) -> list[Version]:
    """``publish_version`` for many positions at once, in a fixed number of queries (a
    historical import of hundreds of sheets): the versions in the order of ``positions``."""
    pks = [position.pk for position in positions]
    if not pks:
        return []
    with transaction.atomic():
        # Lock the rows so two approvals cannot both become V(n+1).
        list(Position.objects.select_for_update().filter(pk__in=pks).values_list("pk"))
        fresh = Position.objects.with_sheet().in_bulk(pks)
        last = dict(
            Version.objects.filter(position_id__in=pks)
            .values("position_id")
            .annotate(last=Max("number"))
            .values_list("position_id", "last")
        )
        versions = Version.objects.bulk_create(
            [_frozen(fresh[pk], last.get(pk, 0) + 1, historical=historical) for pk in pks],
            batch_size=200,
        )
        for version in versions:
            version.position.current_version = version
        Position.objects.bulk_update(
            [version.position for version in versions], ["current_version"], batch_size=500
        )
        hooks.sheets_written(pks)
        if not historical:
            hooks.versions_published([version.pk for version in versions])
        hooks.occurred(
            hooks.Occurrence(
                hooks.VERSION_PUBLISHED, version, version.position, historical=historical
            )
            for version in versions
        )
    return versions


def ensure_versions() -> int:
    """Give every 已生效 position without a version its historical V1; returns how many.

    For data that predates versions (the seed, older databases): their sign-off was done on
    paper, so the version is marked historical.
    """
    missing = Position.objects.filter(
        status=Position.Status.PUBLISHED, current_version__isnull=True
    ).order_by("pk")
    return len(publish_versions(list(missing), historical=True))  # in one go, as an import does


@dataclass(frozen=True)
class ReadSheet:
    """What one reader sees of a position: the sheet, and which version it is (if any)."""

    sheet: Sheet
    version: Version | None  # None: the working copy
    versions: tuple[Version, ...]  # every published version, newest first (no sheet JSON)

    @property
    def is_working_copy(self) -> bool:
        return self.version is None


def read_sheet(
    user: User | AnonymousUser, position: Position, *, number: int | None = None
) -> ReadSheet:
    """The sheet the user reads: a given version, the working copy, or the version in force.

    ``position`` comes from ``Position.objects.with_sheet()``, or ``with_sheet_joins()``: the
    working copy's sections are then loaded only for people who read it, so a reader of a
    version never pays for them. People with draft rights read the working copy unless they
    ask for a version; everyone else reads the version in force. Raises ``Http404`` for a
    version number that does not exist.
    """
    versions = tuple(
        position.versions.defer("sheet").order_by("-number") if position.current_version_id else ()
    )
    if number is None and permissions.reads_working_copy(user, position):
        return ReadSheet(sheet=build_sheet(_with_sheet(position)), version=None, versions=versions)
    current = position.current_version
    wanted = number if number is not None else current.number
    if current is not None and current.number == wanted and not current.get_deferred_fields():
        version = current  # loaded whole with the position (a reader's page): no query
        version.position = position
    else:
        version = position.versions.filter(number=wanted).first()  # version.position is known
    if version is None:
        raise Http404("没有这个版本。")
    sheet = build_sheet(version)
    if version.pk != position.current_version_id and position.current_version_id:
        # Printed as it was, but never mistaken for the text in force.
        sheet = dataclasses.replace(
            sheet,
            status="superseded",
            status_label=f"已被 {position.current_version.label} 取代",
        )
    return ReadSheet(sheet=sheet, version=version, versions=versions)


# --- comparing two versions -------------------------------------------------------------------


def _with_sheet(position: Position) -> Position:
    """The position with every section its sheet shows: prefetched now unless it came with
    them (``with_sheet``)."""
    if "duties" not in getattr(position, "_prefetched_objects_cache", {}):
        prefetch_related_objects([position], *sheet_prefetches())
    return position


def compare_sheets(left: Sheet, right: Sheet) -> SheetChanges:
    """The ordered diff of two sheets, older first (``sheet_diff.diff_sheets``)."""
    return diff_sheets(left, right)


def compare_versions(position: Position, left: int, right: int) -> SheetChanges:
    """Compare two published versions of a position by number; ``Http404`` if one is missing."""
    found = {v.number: v for v in position.versions.filter(number__in=(left, right))}
    if left not in found or right not in found:
        raise Http404("没有这个版本。")
    return compare_sheets(build_sheet(found[left]), build_sheet(found[right]))
