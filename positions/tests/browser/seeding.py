"""The seeded organisation for browser tests, loaded once per process and copied back.

Browser tests are transactional (the live server's thread sees only committed rows), so each
test starts from an emptied database and loads the seed (about a second with the demo accounts
and first revisions). On the in-memory SQLite test database the first load of each kind is
copied aside with SQLite's backup API and later tests copy it back: the same rows, the same
ids, in milliseconds. On any other database the loader simply runs every time.
"""

import sqlite3
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import connections

from people.services import demo
from positions.services import history, seed
from positions.tests.factories import create_role_groups

_SNAPSHOTS: dict[str, sqlite3.Connection] = {}


def load_once(key: str, loader: Callable[[], None]) -> None:
    """Leave the database as ``loader`` leaves an empty one (``key`` names the loader)."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        loader()
        return
    connection.ensure_connection()
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        loader()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _SNAPSHOTS[key] = snapshot
    else:
        snapshot.backup(connection.connection)
        ContentType.objects.clear_cache()  # ids as the copied rows have them


def seed_demo() -> None:
    """The seed organisation and the demo accounts (the role groups first: each transactional
    test's flush wipes what their data migration made)."""
    create_role_groups()
    seed.load_seed()
    demo.ensure_demo_accounts()


def seed_demo_with_revisions() -> None:
    """As ``seed_demo``, and each position's first revision, as ``setup_demo`` makes them."""
    seed_demo()
    history.ensure_initial_revisions()
