"""Shared by the department-book tests: run the real task worker in the test process."""

from __future__ import annotations

import signal

from django.core.management import call_command


def run_worker() -> None:
    """Run django-tasks-db's ``db_worker`` command until the queue is empty (``--batch``).

    The real command on the test database: it claims each queued task, runs it and records
    the result, exactly as the worker beside the web server does.
    """
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
