"""Is an import confirmation writing right now? (SQLite only; light enough for middleware.)

The job row in 导入中 (``ImportJob.Status.CONFIRMING``, committed before the confirmation's
transaction opens) is the lock. A row older than ``IMPORT_JOB_TIMEOUT_SECONDS`` belongs to a
worker that died mid-way and blocks nobody.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from positions.models import ImportJob


def confirm_running() -> bool:
    """A confirmation holds (or is about to hold) SQLite's one write lock."""
    if connection.vendor != "sqlite":
        return False  # PostgreSQL: row locks; other writers go on beside the import
    since = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_JOB_TIMEOUT_SECONDS)
    return ImportJob.objects.filter(
        status=ImportJob.Status.CONFIRMING, started_at__gte=since
    ).exists()
