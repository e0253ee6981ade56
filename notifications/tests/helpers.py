"""Run the real task worker (django-tasks-db's ``db_worker``) on our queues in the test process."""

from __future__ import annotations

import signal
from unittest import mock

from django.core.management import call_command


def run_worker(queues: str = "notifications,webhooks") -> None:
    """Every task of ``queues`` that is due, until none is (``--batch``), as the worker beside
    the web server runs them (see printing/tests/book_helpers.py for why the connection is
    left alone)."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    quiet = mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    try:
        with quiet:
            call_command(
                "db_worker",
                queue_name=queues,
                batch=True,
                reload=False,
                startup_delay=False,
                interval=0,
                verbosity=0,
            )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
