"""Background tasks of the 组织诊断 (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_diagnosis(job_id: int) -> None:
    """Diagnose a large scope and store the report on its job."""
    from diagnosis.services.jobs import run_job  # noqa: PLC0415 — jobs imports tasks

    run_job(job_id)
