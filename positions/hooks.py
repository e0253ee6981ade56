"""Extension points: what the core tells outer areas, without importing them.

The core (``positions``) never imports an outer app. Where an outer area must follow a change
of the core, the core calls a hook here, and the outer app registers its handler in its
``AppConfig.ready`` (the search app keeps its index this way). Handlers run where the core calls
them: ``sheets_written`` inside the writer's transaction, after every row of the write, so a
refused write leaves the index untouched too.

The audit trail (the audit app) hears three more: ``workflow_decided`` (the workflow service,
inside the step's transaction), ``admin_logged`` (every ModelAdmin of ours, after Django's
admin logged an addition, change or deletion) and ``file_exported`` (the core's own downloads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Model, Q
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin.models import LogEntry

SheetsWritten = Callable[[list[int]], None]
# matcher(user, query, *, field) -> Q
NameMatcher = Callable[..., Q]

_sheets_written: list[SheetsWritten] = []
_name_matchers: list[NameMatcher] = []


def on_sheets_written(handler: SheetsWritten) -> SheetsWritten:
    """Register ``handler(position_ids)``, called after positions' sheets changed."""
    if handler not in _sheets_written:
        _sheets_written.append(handler)
    return handler


def sheets_written(position_ids: Iterable[int]) -> None:
    """Tell every registered handler that these positions' sheets changed (inside
    ``sheets_written_once``: later, once for all)."""
    gathered = _gathered.get()
    if gathered is not None:
        gathered.update(position_ids)
        return
    ids = sorted(set(position_ids))
    if ids:
        for handler in _sheets_written:
            handler(ids)


# Position ids gathered by ``sheets_written_once`` (None: tell the handlers at once).
_gathered: ContextVar[set[int] | None] = ContextVar("sheets_written_gathered", default=None)


@contextmanager
def sheets_written_once() -> Iterator[None]:
    """Within the block, ``sheets_written`` only gathers ids; leaving it tells the handlers once
    about all of them — a batch of many small writes (each workflow step of a batch is its own
    transaction) reindexes the search in one go instead of once per step. The handlers rebuild
    from what is stored, so a step rolled back in between is told about harmlessly."""
    if _gathered.get() is not None:  # already gathering: the outer block tells
        yield
        return
    token = _gathered.set(set())
    try:
        yield
    finally:
        ids = _gathered.get()
        _gathered.reset(token)
        sheets_written(ids)


def on_match_names(matcher: NameMatcher) -> NameMatcher:
    """Register ``matcher(user, query, field=…) -> Q`` of positions whose names match otherwise
    (the search app: pinyin initials of titles and departments)."""
    if matcher not in _name_matchers:
        _name_matchers.append(matcher)
    return matcher


def names_matching_q(user: User | AnonymousUser, query: str, *, field: str = "pk") -> Q:
    """Positions the registered matchers find for ``query`` (nothing when none is), as a
    condition on ``field`` holding the position's id (``current_version__position_id`` keeps
    a query over the versions in force on the versions' table)."""
    found = Q(**{f"{field}__in": []})
    for matcher in _name_matchers:
        found |= matcher(user, query, field=field)
    return found


# --- what the audit trail hears ----------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowDecision:
    """One workflow step taken: submit, review, approve or reject (``WorkflowEvent.Action``)."""

    user: AbstractBaseUser
    position: Model  # the Position as written
    action: str
    from_status: str
    to_status: str
    comment: str = ""


@dataclass(frozen=True)
class FileExport:
    """A file the core handed to a user (``kind``: ``acknowledgements_xlsx``)."""

    request: HttpRequest
    kind: str
    obj: Model | None = None
    details: dict[str, Any] = field(default_factory=dict)


WorkflowDecided = Callable[[WorkflowDecision], None]
AdminLogged = Callable[[HttpRequest, "list[LogEntry]"], None]
FileExported = Callable[[FileExport], None]

_workflow_decided: list[WorkflowDecided] = []
_admin_logged: list[AdminLogged] = []
_file_exported: list[FileExported] = []


def on_workflow_decided(handler: WorkflowDecided) -> WorkflowDecided:
    """Register ``handler(decision)``, called after each workflow step, in its transaction."""
    if handler not in _workflow_decided:
        _workflow_decided.append(handler)
    return handler


def workflow_decided(decision: WorkflowDecision) -> None:
    """Tell every registered handler that a workflow step was taken."""
    for handler in _workflow_decided:
        handler(decision)


def on_admin_logged(handler: AdminLogged) -> AdminLogged:
    """Register ``handler(request, entries)``, called with the admin's new ``LogEntry`` rows."""
    if handler not in _admin_logged:
        _admin_logged.append(handler)
    return handler


def admin_logged(request: HttpRequest, entries: Iterable[LogEntry]) -> None:
    """Tell every registered handler about the admin's new log entries."""
    entries = list(entries)
    if entries:
        for handler in _admin_logged:
            handler(request, entries)


def on_file_exported(handler: FileExported) -> FileExported:
    """Register ``handler(export)``, called when a core view hands out a file."""
    if handler not in _file_exported:
        _file_exported.append(handler)
    return handler


def file_exported(export: FileExport) -> None:
    """Tell every registered handler that a file was handed out."""
    for handler in _file_exported:
        handler(export)


# --- versions published (printing: render on publish) ------------------------------------------

VersionsPublished = Callable[[list[int]], None]
_versions_published: list[VersionsPublished] = []


def on_versions_published(handler: VersionsPublished) -> VersionsPublished:
    """Register ``handler(version_ids)``, called inside the transaction that published them
    (approvals and imports of new versions; not historical sheets approved on paper)."""
    if handler not in _versions_published:
        _versions_published.append(handler)
    return handler


def versions_published(version_ids: Iterable[int]) -> None:
    ids = list(version_ids)
    if ids:
        for handler in _versions_published:
            handler(ids)


ManualPublished = Callable[[int], None]
_manual_published: list[ManualPublished] = []


def on_manual_published(handler: ManualPublished) -> ManualPublished:
    """Register ``handler(manual_version_id)``, called inside the transaction that published a
    version of the 权责手册 (``positions.services.manual.publish_manual``: approval, seed)."""
    if handler not in _manual_published:
        _manual_published.append(handler)
    return handler


def manual_published(version_id: int) -> None:
    for handler in _manual_published:
        handler(version_id)


# --- what happened to a record (notifications and webhooks hear it) ---------------------------


@dataclass(frozen=True)
class Occurrence:
    """Something other systems may want to know, told inside the transaction that did it.

    ``kind``: one of ``OCCURRENCE_KINDS``; ``subject``: the record it is about (the ``Version``,
    ``Position``, ``Assignment``, ``Employee`` or ``Acknowledgement``); ``position``: the position
    it concerns (None for an employee leaving no position); ``historical``: a version frozen from
    a paper sheet (the seed, an import of sheets in force), which nobody needs to be told to
    confirm."""

    kind: str
    subject: Model
    position: Model | None
    historical: bool = False


VERSION_PUBLISHED = "version.published"
POSITION_ARCHIVED = "position.archived"
EMPLOYEE_TRANSFERRED = "employee.transferred"
EMPLOYEE_LEFT = "employee.left"
ACKNOWLEDGEMENT_COMPLETED = "acknowledgement.completed"
OCCURRENCE_KINDS = (
    VERSION_PUBLISHED,
    POSITION_ARCHIVED,
    EMPLOYEE_TRANSFERRED,
    EMPLOYEE_LEFT,
    ACKNOWLEDGEMENT_COMPLETED,
)

Occurred = Callable[[list[Occurrence]], None]
_occurred: list[Occurred] = []


def on_occurred(handler: Occurred) -> Occurred:
    """Register ``handler(occurrences)``, called with what just happened, in its transaction."""
    if handler not in _occurred:
        _occurred.append(handler)
    return handler


def occurred(occurrences: Iterable[Occurrence]) -> None:
    """Tell every registered handler what happened (a batch: one call for many versions)."""
    occurrences = list(occurrences)
    if occurrences:
        for handler in _occurred:
            handler(occurrences)
