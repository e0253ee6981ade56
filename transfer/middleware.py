"""While an import confirmation writes (SQLite), other writes get a clear 503, never a 500.

SQLite has one write lock for the whole database. A big import's confirmation holds it for its
whole transaction in the task worker (all or nothing); an editor saving meanwhile would wait
``SQLITE_TIMEOUT`` seconds and then fail with "database is locked" (a 500). Instead, every
request that may write (any method but GET, HEAD, OPTIONS, TRACE) is answered at once with the
503 page 「正在导入，请稍后再保存」 while ``import_lock.confirm_running()`` says a confirmation
runs; the same page answers a write that still met the lock. PostgreSQL needs none of this
(``confirm_running`` is always False there).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from transfer.services import import_lock

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def busy_response(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the navigation reads tables the import is writing.
    body = render_to_string("transfer/import_busy.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class ImportConfirmLockMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS and import_lock.confirm_running():
            return busy_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if (
            isinstance(exception, OperationalError)
            and "locked" in str(exception)
            and import_lock.confirm_running()
        ):
            return busy_response(request)
        return None
