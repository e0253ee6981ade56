"""Background tasks (django-tasks). The worker is ``manage.py db_worker`` (``make worker``)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def build_book(job_id: int) -> None:
    """Build, render and store a department book (职位说明书汇编)."""
    from printing.services.books import run_book_job  # noqa: PLC0415 — books imports tasks

    run_book_job(job_id)


@task()
def store_version_pdfs(version_ids: list[int]) -> int:
    """Render on publish: store the PDFs of newly published versions; returns how many."""
    from printing.services.stored import store_published  # noqa: PLC0415 — stored imports tasks

    return store_published(version_ids)


def queue_render(version_ids: list[int]) -> None:
    """``positions.hooks.versions_published``: queue the render once the publication commits
    (registered in ``PrintingConfig.ready``; importing the renderer waits for the task)."""
    ids = list(version_ids)
    transaction.on_commit(lambda: store_version_pdfs.enqueue(ids))
