"""``manage.py worker``: django-tasks-db's ``db_worker`` with a heartbeat and a reaper.

Same options as ``db_worker``. Beside the loop that claims and runs tasks, a thread beats this
worker's heartbeat and re-queues (once) or fails the tasks of workers that stopped beating
(``positions/services/task_leases.py``), every ``TASK_LEASE_SECONDS / 4``. A database outage
only delays the next beat: the thread logs and tries again.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from positions.services import task_leases

logger = logging.getLogger(__name__)


class LeasedWorker(db_worker.Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._stop = threading.Event()
        self._current: str | None = None  # the task being run

    def run_task(self, db_task_result) -> None:
        self._current = str(db_task_result.id)
        super().run_task(db_task_result)
        self._current = None  # not reached when recording the result failed (database gone)

    def _heartbeat(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                task_leases.beat(self.worker_id)
                task_leases.reap()
            except Exception:  # the database restarting, a lock: try again at the next beat
                logger.warning("Task worker heartbeat failed; retrying", exc_info=True)
                connection.close()
            self._stop.wait(task_leases.beat_interval())
        connection.close()

    def _release_current(self) -> None:
        """Queue the task cut short by the outage again, once the database is back."""
        while self._current is not None and self.running:
            try:
                task_leases.release(self._current)
                self._current = None
            except (OperationalError, InterfaceError):
                connection.close()  # still away
                time.sleep(1.0)

    def run(self) -> None:
        thread = threading.Thread(target=self._heartbeat, name="task-heartbeat", daemon=True)
        thread.start()
        try:
            while True:
                try:
                    super().run()
                    break
                except (OperationalError, InterfaceError):
                    # The database went away (restart, failover): wait for it instead of
                    # exiting, as the web servers do; a task cut short is reaped as lost.
                    if not self.running:
                        break
                    logger.warning("Database unreachable; the task worker retries", exc_info=True)
                    connection.close()
                    time.sleep(max(self.interval, 1.0))
                    self._release_current()
        finally:
            self._stop.set()
            thread.join(timeout=5)
            try:
                task_leases.forget(self.worker_id)
            except Exception:
                logger.warning("Could not remove worker %s's heartbeat", self.worker_id)


class Command(db_worker.Command):
    help = "Run the task worker (db_worker with a heartbeat and a reaper of lost tasks)"

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # db_worker's own handle without its autoreloader (a worker is restarted, not reloaded).
        self.configure_logging(verbosity)
        excluded = exclude_queues.split(",") if exclude_queues else []
        queues = queue_name.split(",")
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
