"""A warm PDF render worker with a time limit, owned by the web process.

Why a separate process: a render cannot be interrupted inside the web process (WeasyPrint is
pure Python plus C libraries; a thread cannot be killed and SIGALRM only works in the main
thread), and a long-lived WeasyPrint process slowly accumulates memory. So each web process
keeps ONE render worker, started on first use with the ``spawn`` method (no inherited locks or
half-initialised fontconfig state from a threaded parent):

* the worker loads Django and renders a tiny Chinese document once, so fonts (~0.75 s) are
  loaded before the first real request, and stays warm across requests;
* each job is an HTML string in, PDF bytes out, over a pipe; the parent waits at most
  ``PDF_RENDER_TIMEOUT_SECONDS``. A render that takes longer is aborted: the worker is killed
  and a fresh one started in the background, and the caller gets ``RenderTimeout``;
* after ``PDF_RENDER_MAX_RENDERS`` jobs the worker is retired and replaced (memory cap);
* jobs from concurrent requests of the same web process queue on a lock (waiting counts
  against the same time limit).

The parent does everything else (database, template, fingerprint, storage): the worker needs
neither the database nor the request.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import threading
import time
from multiprocessing.connection import Connection

STARTUP_TIMEOUT_SECONDS = 60.0
WARM_UP_HTML = "<p style=\"font-family: 'Noto Sans CJK SC'\">职位说明书 <b>预热</b> 0123456789</p>"


class RenderTimeout(Exception):
    """The render took longer than the time limit and was aborted."""


class RenderFailed(Exception):
    """The worker could not render the document (its error message is the argument)."""


def _serve(connection: Connection) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: warm up, then render one HTML string after the other."""
    import ctypes  # noqa: PLC0415 — in the child process
    import ctypes.util  # noqa: PLC0415 — in the child process

    import django  # noqa: PLC0415 — in the child process

    # glibc grows the heap instead of mapping the ~20 MB font-file copies WeasyPrint makes per
    # render once its dynamic threshold has risen; a fixed threshold hands them back at once,
    # so the worker's RSS reflects what it really holds.
    with contextlib.suppress(OSError, AttributeError):  # not glibc: leave the allocator be
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-3, 1 << 20)
    django.setup()
    from printing.pdf import html_to_pdf  # noqa: PLC0415 — in the child process

    html_to_pdf(WARM_UP_HTML, stylesheets=("css/sheet.css",))
    connection.send(("ready", b""))
    while True:
        try:
            html, stylesheets = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send(("ok", html_to_pdf(html, stylesheets=stylesheets)))
        except Exception as exc:
            connection.send(("error", f"{type(exc).__name__}: {exc}"))


class RenderWorker:
    """One warm render process; ``render(html, timeout)`` is safe to call from any thread."""

    def __init__(self, max_renders: int) -> None:
        self.max_renders = max_renders
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False
        self._renders = 0
        self.started = 0  # how many worker processes this object has started (recycling)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start a worker now (it warms up in the background) unless one is running."""
        with self._lock:
            self._ensure_process()

    def _ensure_process(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self._discard()
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child,), name="jobdesc-pdf-render", daemon=True
        )
        process.start()
        child.close()
        self._process, self._connection = process, parent
        self._ready = False
        self._renders = 0
        self.started += 1

    def _discard(self, *, kill: bool = False) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self._ready = False
        if connection is not None:
            connection.close()  # the worker sees EOF and leaves its loop
        if process is not None:
            if kill:
                process.kill()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def _wait_ready(self, deadline: float) -> None:
        assert self._connection is not None
        if self._ready:
            return
        if not self._connection.poll(max(0.0, deadline - time.monotonic())):
            self._discard(kill=True)
            raise RenderTimeout("the PDF render worker did not start in time")
        try:
            status, _ = self._connection.recv()
        except (EOFError, OSError) as exc:  # it died while starting (see its stderr)
            self._discard(kill=True)
            raise RenderFailed("the PDF render worker exited while starting") from exc
        if status != "ready":  # pragma: no cover - defensive
            self._discard(kill=True)
            raise RenderFailed(f"unexpected worker start-up message {status!r}")
        self._ready = True

    def render(self, html: str, timeout: float, *, stylesheets: tuple[str, ...] = ()) -> bytes:
        """PDF bytes for ``html`` (and static ``stylesheets``); RenderTimeout after ``timeout``
        seconds of rendering."""
        started = time.monotonic()
        if not self._lock.acquire(timeout=timeout):
            raise RenderTimeout("another PDF render is still running")
        try:
            self._ensure_process()
            # Starting (and warming) a worker is not the render: it has its own limit.
            self._wait_ready(time.monotonic() + STARTUP_TIMEOUT_SECONDS)
            assert self._connection is not None
            try:
                self._connection.send((html, stylesheets))
                remaining = max(0.0, timeout - (time.monotonic() - started))
                answered = self._connection.poll(remaining)
                status, payload = self._connection.recv() if answered else ("timeout", b"")
            except (EOFError, OSError) as exc:
                self._discard(kill=True)
                self._ensure_process()
                raise RenderFailed(f"the PDF render worker died: {exc}") from exc
            if status == "timeout":
                self._discard(kill=True)
                self._ensure_process()  # warm again for the next request
                raise RenderTimeout(f"rendering took longer than {timeout:g} s")
            self._renders += 1
            if self._renders >= self.max_renders:
                self._discard()
                self._ensure_process()
            if status != "ok":
                raise RenderFailed(payload)
            return payload
        finally:
            self._lock.release()

    def stop(self) -> None:
        with self._lock:
            self._discard()


_worker: RenderWorker | None = None
_worker_guard = threading.Lock()


def worker(max_renders: int) -> RenderWorker:
    """This process's render worker (created on first use)."""
    global _worker
    with _worker_guard:
        if _worker is None:
            _worker = RenderWorker(max_renders)
            atexit.register(_worker.stop)
        _worker.max_renders = max_renders
        return _worker
