"""Background tasks of imports (django-tasks); the worker is ``manage.py db_worker``."""

from __future__ import annotations

from django_tasks import task


@task()
def parse_import(job_id: int) -> None:
    """Read the staged files of an import job and store its preview."""
    # import_jobs imports this module to enqueue; importing it at the top would be a cycle.
    from transfer.services.import_jobs import run_parse  # noqa: PLC0415 — import cycle

    run_parse(job_id)


@task()
def confirm_import(job_id: int) -> None:
    """Write a confirmed import job, all or nothing."""
    from transfer.services.import_jobs import run_confirm  # noqa: PLC0415 — import cycle

    run_confirm(job_id)
