"""The sheet as a PDF, rendered by WeasyPrint from ``positions/sheet_pdf.html``.

What WeasyPrint may load — the rule ``StaticFileFetcher`` enforces
--------------------------------------------------------------------
A sheet's text comes from users, and WeasyPrint follows every URL it meets (stylesheets,
images, ``<link>``, ``url()`` in CSS). Left to its default fetcher it would read any local
file (``file:///etc/passwd``) or make requests from the server (SSRF). So the PDF is rendered
with ``StaticFileFetcher``, which never touches the network and only reads our static files:

* **allowed** — a URL whose path lies under ``settings.STATIC_URL``: ``/static/css/sheet.css``
  (resolved against ``BASE_URL``, i.e. ``file:///static/css/sheet.css``), or the full
  ``STATIC_URL`` when that is an absolute URL. The rest of the path is looked up with
  ``django.contrib.staticfiles.finders.find`` exactly as ``runserver`` would.
* **allowed** — a ``file://`` URL that points straight into a static folder (a
  ``STATICFILES_DIRS`` entry, an app's ``static/`` folder or ``STATIC_ROOT``).
* **allowed** — ``data:`` URLs: they carry their content inline and read nothing.
* **refused** — everything else: ``http``, ``https``, ``ftp`` and any other scheme; ``file://``
  outside the static folders or on another host; paths with ``..``/``.`` segments, also when
  percent-encoded (``%2e%2e``), backslashes or NUL bytes; and files whose real path (after
  following symlinks) leaves the static folders.

A refusal raises ``FetchRefused``, a ``weasyprint.urls.URLFetchingError``: WeasyPrint logs it as a
failed fetch and renders without that resource; the PDF is still produced.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from positions.checks import cjk_font_installed
from positions.sheet import Sheet

# Relative URLs in the PDF template (``{% static %}`` gives ``/static/…``) resolve against this.
BASE_URL = "file:///"

PDF_TEMPLATE = "positions/sheet_pdf.html"


class FetchRefused(URLFetchingError):
    """A URL the PDF renderer may not load; WeasyPrint treats it as a failed fetch."""


class CJKFontMissing(RuntimeError):
    """The sheet's CJK font is not installed: a PDF would show empty boxes, so none is made."""

    def __init__(self, family: str) -> None:
        super().__init__(f"CJK font family {family!r} is not installed")
        self.family = family


@functools.cache
def _font_installed(family: str) -> bool:
    # Asked once per process and family: fonts are installed with the system, not at run time.
    return cjk_font_installed(family)


def _static_roots() -> list[Path]:
    """Real paths of every folder static files are served from."""
    roots: list[Path] = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    real = []
    for root in roots:
        try:
            real.append(root.resolve(strict=True))
        except OSError:
            continue
    return real


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _decoded_path(path: str, url: str) -> str:
    """The percent-decoded path; refuse dot segments, backslashes and NUL bytes."""
    decoded = unquote(path)
    if "\\" in decoded or "\x00" in decoded:
        raise FetchRefused(f"Refused (unsafe characters in path): {url}")
    if any(segment in {".", ".."} for segment in decoded.split("/")):
        raise FetchRefused(f"Refused (dot segments in path): {url}")
    return decoded


class StaticFileFetcher(URLFetcher):
    """Serves our static files from disk and refuses every other URL (see module docstring)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("fail_on_errors", False)
        super().__init__(**kwargs)
        static_url = settings.STATIC_URL or "/static/"
        parts = urlsplit(static_url)
        # The absolute STATIC_URL, if any, and the path form matched against file:// URLs.
        self._static_absolute = static_url if parts.scheme and parts.netloc else ""
        path = parts.path if parts.scheme else static_url
        self._static_path = "/" + path.strip("/") + "/"

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise FetchRefused(f"Refused (malformed URL): {url}") from exc
        scheme = parts.scheme.lower()
        if scheme == "data":
            response = request.DataHandler().data_open(request.Request(url))
            return URLFetcherResponse(url, response.read(), dict(response.headers))
        if self._static_absolute and url.startswith(self._static_absolute):
            relative = urlsplit(url[len(self._static_absolute) :]).path
            return self._serve_static(_decoded_path(relative, url), url)
        if scheme != "file":
            raise FetchRefused(f"Refused (only static files may be loaded): {url}")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"Refused (file URL on another host): {url}")
        path = _decoded_path(parts.path, url)
        if path.startswith(self._static_path):
            return self._serve_static(path[len(self._static_path) :], url)
        return self._serve_file(Path(path), url)

    def _serve_static(self, name: str, url: str) -> URLFetcherResponse:
        """Look a decoded, dot-free static name up through the staticfiles finders."""
        name = "/".join(segment for segment in name.split("/") if segment)
        if not name:
            raise FetchRefused(f"Refused (no static file named): {url}")
        try:
            found = finders.find(name)
        except Exception as exc:  # SuspiciousFileOperation and friends
            raise FetchRefused(f"Refused (not a static file): {url}") from exc
        if not found:
            raise FetchRefused(f"Refused (static file not found): {url}")
        return self._serve_file(Path(found), url)

    def _serve_file(self, path: Path, url: str) -> URLFetcherResponse:
        try:
            real = path.resolve(strict=True)
        except OSError as exc:
            raise FetchRefused(f"Refused (file not found): {url}") from exc
        if not _inside(real, _static_roots()) or not real.is_file():
            raise FetchRefused(f"Refused (outside the static folders): {url}")
        content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(
            real.as_uri(), real.read_bytes(), {"Content-Type": content_type}, 200
        )


def html_to_pdf(html: str) -> bytes:
    """Render an HTML string to PDF bytes, loading resources only through StaticFileFetcher."""
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFileFetcher())
    return document.write_pdf()


def render_pdf(sheet: Sheet) -> bytes:
    """The sheet as PDF bytes (A4, one CJK font family embedded).

    Raises CJKFontMissing rather than render Chinese text in a font that has no glyphs for it.
    """
    if not _font_installed(settings.CJK_FONT_FAMILY):
        raise CJKFontMissing(settings.CJK_FONT_FAMILY)
    return html_to_pdf(render_to_string(PDF_TEMPLATE, {"sheet": sheet}))
