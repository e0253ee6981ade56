"""Extension points: what the core tells outer areas, without importing them.

The core (``positions``) never imports an outer app. Where an outer area must follow a change
of the core, the core calls a hook here, and the outer app registers its handler in its
``AppConfig.ready`` (the search app keeps its index this way). Handlers run where the core calls
them: ``sheets_written`` inside the writer's transaction, after every row of the write, so a
refused write leaves the index untouched too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

SheetsWritten = Callable[[list[int]], None]
NameMatcher = Callable[[User | AnonymousUser, str], Q]

_sheets_written: list[SheetsWritten] = []
_name_matchers: list[NameMatcher] = []


def on_sheets_written(handler: SheetsWritten) -> SheetsWritten:
    """Register ``handler(position_ids)``, called after positions' sheets changed."""
    if handler not in _sheets_written:
        _sheets_written.append(handler)
    return handler


def sheets_written(position_ids: Iterable[int]) -> None:
    """Tell every registered handler that these positions' sheets changed."""
    ids = sorted(set(position_ids))
    if ids:
        for handler in _sheets_written:
            handler(ids)


def on_match_names(matcher: NameMatcher) -> NameMatcher:
    """Register ``matcher(user, query) -> Q`` of positions whose names match otherwise
    (the search app: pinyin initials of titles and departments)."""
    if matcher not in _name_matchers:
        _name_matchers.append(matcher)
    return matcher


def names_matching_q(user: User | AnonymousUser, query: str) -> Q:
    """Positions the registered matchers find for ``query`` (nothing when none is)."""
    found = Q(pk__in=[])
    for matcher in _name_matchers:
        found |= matcher(user, query)
    return found
