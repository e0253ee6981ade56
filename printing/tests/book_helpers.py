"""Shared by the department-book tests: run the real task worker in the test process."""

from __future__ import annotations

import signal
from unittest import mock

from django.core.management import call_command


def run_worker() -> None:
    """Run django-tasks-db's ``db_worker`` command until the queue is empty (``--batch``).

    The real command on the test database: it claims each queued task, runs it and records
    the result, exactly as the worker beside the web server does.
    """
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # In the test process the worker shares the test's connection, inside the test's
    # transaction. The worker's ``close_old_connections`` would drop that connection (its
    # autocommit differs from the settings'), which PostgreSQL reports as "connection already
    # closed"; a real worker has its own connection, so between tasks it is left alone here.
    quiet = mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    try:
        with quiet:
            call_command(
                "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
            )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
