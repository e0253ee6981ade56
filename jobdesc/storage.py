"""Shared object storage: the error an unreachable store raises, and the 503 page it gets.

``settings.STORAGES["default"]`` is Django's ``FileSystemStorage`` (``MEDIA_ROOT``) unless
``S3_BUCKET`` / ``STORAGE_BACKEND=s3`` choose ``jobdesc.s3.S3Storage`` (see the settings
docstring; that module alone loads boto3).
Everything the site keeps — stored PDFs, department books, the company logo, staged uploads —
goes through ``default_storage``, so the code is the same on either.

When the object store cannot be reached (refused, timed out, credentials or bucket wrong) every
storage call raises ``StorageUnavailable`` — an ``OSError``, so code that already treats a
missing or unreadable file gracefully keeps doing so — instead of botocore's exceptions, and
the callers decide: a PDF is rendered without being stored, an upload is refused with
``STORAGE_UNAVAILABLE_MESSAGE``; anything else that meets it gets the 503 page of
``StorageUnavailableMiddleware``, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

STORAGE_UNAVAILABLE_MESSAGE = "文件存储暂时不可用，请稍后再试"

logger = logging.getLogger(__name__)


class StorageUnavailable(OSError):
    """The object store cannot be reached or refused the request (not: the file is missing)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(STORAGE_UNAVAILABLE_MESSAGE)
        self.detail = detail


class StorageUnavailableMiddleware:
    """The last resort: a view that meets ``StorageUnavailable`` answers a Chinese 503 page
    (the reason, a way back) instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.warning("%s %s: %s", request.method, request.path, exception.detail)
        context = {"reason": STORAGE_UNAVAILABLE_MESSAGE, "hr_contact": settings.HR_CONTACT}
        body = render_to_string("503.html", context, request)
        return HttpResponse(body, status=503)
