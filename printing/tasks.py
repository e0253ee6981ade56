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


@task()
def store_manual_pdf(version_id: int) -> bool:
    """Render on approval: store the A3 PDF of a newly published 权责手册 version (no time
    limit: the worker); whether it was rendered."""
    from printing.services.manual_pdf import store_published_manual  # noqa: PLC0415

    return store_published_manual(version_id)


def queue_manual_render(version_id: int) -> None:
    """``positions.hooks.manual_published``: queue the manual's PDF once the publication
    commits (registered in ``PrintingConfig.ready``)."""
    transaction.on_commit(lambda: store_manual_pdf.enqueue(version_id))
