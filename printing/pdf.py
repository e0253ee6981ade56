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

Every PDF goes through ``render_html`` (the one render entry): HTML over ``PDF_MAX_HTML_MB`` is
refused before layout, and the layout runs in the warm render worker (``render_pool``) with a
time limit (``PDF_RENDER_TIMEOUT_SECONDS``; books pass their job's remaining time).

A refusal raises ``FetchRefused``, a ``weasyprint.urls.URLFetchingError``: WeasyPrint logs it as a
failed fetch and renders without that resource; the PDF is still produced.
"""

from __future__ import annotations

import contextvars
import functools
import mimetypes
import threading
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.pdf.fonts import Font
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from positions.layouts import LAYOUTS, STANDARD, Layout, printed_sheet
from positions.models import CompanyProfile
from positions.sheet import Sheet
from printing import render_pool
from printing.checks import cjk_font_installed
from printing.services.company import company_profile, logo_data_url

# Relative URLs in the PDF template (``{% static %}`` gives ``/static/…``) resolve against this.
BASE_URL = "file:///"

PDF_TEMPLATE = "positions/sheet_pdf.html"
# The stylesheets applied to PDF_TEMPLATE (static names; parsed once, not linked from the
# template); stored PDFs are keyed by their content.
PDF_STYLESHEETS = ("css/sheet.css",)


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
        if not found and settings.STATIC_ROOT:
            # A hashed name of `collectstatic`'s manifest (production links css/book.3f2a….css):
            # it exists only in STATIC_ROOT, where the collected copies are.
            collected = Path(settings.STATIC_ROOT) / name
            found = str(collected) if collected.is_file() else None
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


# --- compact CJK font subsets -----------------------------------------------------------------
#
# WeasyPrint subsets every font with "retain GIDs": the content streams keep the font's glyph
# ids, so the subset still has as many glyph slots as the original font. For Noto Sans CJK
# (63,000 glyphs, the ideographs at the top) that is ~170 KB of empty CFF slots per face even
# for a one-page sheet, and ~0.1 s of subsetting and compressing per render.
#
# Noto Sans CJK is a CID-keyed CFF font, and in PDF a CID-keyed CFF (FontFile3 /CIDFontType0C)
# selects glyphs by CID through the font's own charset, not by glyph position. HarfBuzz keeps
# the original CIDs in the charset when it renumbers glyphs, and for this font CID = original
# glyph id, i.e. exactly what WeasyPrint wrote into the content streams (Identity-H). So for
# CID-keyed CFF faces we subset WITHOUT retaining glyph ids and embed the bare CFF table as
# /CIDFontType0C (the form Acrobat itself uses for CJK fonts); text, widths (/W) and ToUnicode
# stay as WeasyPrint wrote them. Any other font takes WeasyPrint's own path unchanged.
#
# This hooks one private WeasyPrint method (``Font._harfbuzz_subset``), only while our own
# ``html_to_pdf`` runs, and only for the pinned WeasyPrint major version; tests read the fonts
# back (one family, subset, embedded) and the text (ToUnicode) to catch a silent change.

_COMPACT_FONTS: contextvars.ContextVar[bool] = contextvars.ContextVar("compact", default=False)
_CFF_TAG = b"CFF "
_DROPPED_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
    b"SVG ", b"VORG", b"vhea", b"vmtx",
)  # fmt: skip


def _cff_operand_length(data: bytes, pos: int) -> int:
    b0 = data[pos]
    if b0 == 28:
        return 3
    if b0 == 29:
        return 5
    if b0 == 30:  # real number: nibbles up to the end nibble 0xf
        end = pos + 1
        while end < len(data) and 0xF not in (data[end] >> 4, data[end] & 0xF):
            end += 1
        return end - pos + 1
    if 32 <= b0 <= 246:
        return 1
    return 2  # 247..254


def cff_is_cid_keyed(cff: bytes) -> bool:
    """Whether a CFF table is CID-keyed: its Top DICT starts with the ROS operator (12 30)."""
    try:
        pos = cff[2]  # header size
        # Name INDEX, then the Top DICT INDEX: read its first entry.
        for index_number in range(2):
            count = int.from_bytes(cff[pos : pos + 2], "big")
            if count == 0:
                return False
            off_size = cff[pos + 2]
            offsets = pos + 3
            data_start = offsets + (count + 1) * off_size - 1

            def offset(i: int, offsets: int = offsets, off_size: int = off_size) -> int:
                return int.from_bytes(cff[offsets + i * off_size : offsets + (i + 1) * off_size])

            if index_number == 1:
                top = cff[data_start + offset(0) : data_start + offset(1)]
                break
            pos = data_start + offset(count)
        at = 0
        while at < len(top):
            if top[at] <= 21:
                return top[at] == 12 and at + 1 < len(top) and top[at + 1] == 30
            at += _cff_operand_length(top, at)
    except IndexError:
        return False
    return False


def _face_table(face: object, tag: bytes) -> bytes:
    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(tag, -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _compact_subset(font: object, to_unicode: dict, hinting: bool) -> bool:
    """Subset a CID-keyed CFF face without retaining glyph ids; False to leave it to WeasyPrint."""

    if not harfbuzz_subset or font.missing or _CFF_TAG.decode() not in font.tables:
        return False
    if not cff_is_cid_keyed(_face_table(font.hb_face, _CFF_TAG)):
        return False
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = sorted({0, *to_unicode})
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(
        glyph_set, ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs)
    )
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop = harfbuzz_subset.hb_subset_input_set(
        subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
    )
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face == ffi.NULL:
        return False
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    content = get_hb_object_data(face)
    if not content or not cff_is_cid_keyed(_face_table(face, _CFF_TAG)):
        return False
    font.file_content = content
    return True


def _install_compact_subset() -> None:
    original = Font._harfbuzz_subset
    if getattr(original, "jobdesc_compact", False):
        return

    def _harfbuzz_subset(self: Font, to_unicode: dict, hinting: bool) -> None:
        if not (_COMPACT_FONTS.get() and _compact_subset(self, to_unicode, hinting)):
            original(self, to_unicode, hinting)

    _harfbuzz_subset.jobdesc_compact = True
    Font._harfbuzz_subset = _harfbuzz_subset


def _bare_cff_fonts(document: object, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: embed CID-keyed OpenType/CFF fonts as bare /CIDFontType0C."""
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or obj.extra.get("Subtype") != "/OpenType":
            continue
        if len(obj.stream) != 1 or not isinstance(obj.stream[0], bytes):
            continue
        cff = _sfnt_table(obj.stream[0], _CFF_TAG)
        if cff and cff_is_cid_keyed(cff):
            obj.stream = [cff]
            obj.extra["Subtype"] = "/CIDFontType0C"


def _sfnt_table(font: bytes, tag: bytes) -> bytes:
    """One table of an OpenType font file (b"" when it has none)."""
    if font[:4] != b"OTTO":
        return b""
    count = int.from_bytes(font[4:6], "big")
    for record in range(12, 12 + 16 * count, 16):
        if font[record : record + 4] == tag:
            offset = int.from_bytes(font[record + 8 : record + 12], "big")
            length = int.from_bytes(font[record + 12 : record + 16], "big")
            return font[offset : offset + length]
    return b""


if weasyprint.__version__.split(".")[0] == "70":
    _install_compact_subset()


# --- rendering ---------------------------------------------------------------------------------


_thread_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One WeasyPrint font configuration per thread, reused by every render.

    WeasyPrint makes a new one (fontconfig + Pango font map) for each document unless given
    one; those are never fully freed — ~0.3 MB per render, measured — and the fonts are loaded
    again each time. Pango font maps are not thread-safe, hence one per thread. We use no
    ``@font-face`` rules, so nothing document-specific is kept in it.
    """
    config = getattr(_thread_fonts, "config", None)
    if config is None:
        config = _thread_fonts.config = FontConfiguration()
    return config


@functools.lru_cache(maxsize=16)
def _parsed_stylesheet(path: str, mtime_ns: int, size: int) -> weasyprint.CSS:
    """A stylesheet parsed once per content version (parsing sheet.css costs ~30 ms a render)."""
    return weasyprint.CSS(filename=path, url_fetcher=StaticFileFetcher())


def stylesheet(name: str) -> weasyprint.CSS:
    """The parsed static stylesheet ``name`` (e.g. "css/sheet.css"), re-read when it changes."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"static stylesheet {name!r} not found")
    stat = Path(found).stat()
    return _parsed_stylesheet(str(Path(found).resolve()), stat.st_mtime_ns, stat.st_size)


def html_to_pdf(
    html: str, *, compact_fonts: bool = True, stylesheets: tuple[str, ...] = ()
) -> bytes:
    """Render an HTML string to PDF bytes, loading resources only through StaticFileFetcher.

    ``stylesheets`` are static names applied besides what the HTML links, parsed once and
    reused while the file is unchanged. ``compact_fonts`` embeds CID-keyed CJK fonts as small
    renumbered CFF subsets (see above). PDF metadata comes from the HTML head: ``<title>``
    (Title), ``<meta name="author">``, ``description`` (Subject), ``keywords``, ``generator``
    (Creator), ``dcterms.created``.
    """
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFileFetcher())
    token = _COMPACT_FONTS.set(compact_fonts)
    try:
        return document.write_pdf(
            stylesheets=[stylesheet(name) for name in stylesheets],
            finisher=_bare_cff_fonts if compact_fonts else None,
            font_config=_font_config(),
        )
    finally:
        _COMPACT_FONTS.reset(token)


# --- the one render entry, with its limits -----------------------------------------------------


class PdfTooLarge(Exception):
    """The HTML is larger than ``PDF_MAX_HTML_MB``: refused before layout (Chinese message)."""

    def __init__(self, size: int, limit_mb: int) -> None:
        self.size_mb = f"{size / (1024 * 1024):.1f}"
        self.limit_mb = limit_mb
        super().__init__(
            f"打印内容过大（{self.size_mb} MB，上限 {limit_mb} MB），未生成 PDF。"
            "请精简内容或分开打印。"
        )


class PdfRenderTimeout(Exception):
    """The render took longer than its time limit and was aborted."""


class PdfRenderFailed(Exception):
    """The render worker failed (the message says why)."""


_renders = 0


def render_count() -> int:
    """How many documents this process sent to layout through ``render_html`` (any kind)."""
    return _renders


def refuse_oversized(html: str) -> None:
    """Raise ``PdfTooLarge`` when ``html`` is over ``PDF_MAX_HTML_MB`` (UTF-8 bytes)."""
    limit_mb = settings.PDF_MAX_HTML_MB
    size = len(html.encode("utf-8"))
    if size > limit_mb * 1024 * 1024:
        raise PdfTooLarge(size, limit_mb)


def render_html(
    html: str, *, stylesheets: tuple[str, ...] = (), timeout: float | None = None
) -> bytes:
    """THE way sheets, versions, books and org charts become PDF bytes, with the limits.

    HTML over ``PDF_MAX_HTML_MB`` is refused before any layout (``PdfTooLarge``). The render
    runs in this process's warm render worker (``render_pool``) and is aborted after
    ``timeout`` seconds (``PdfRenderTimeout``; default ``PDF_RENDER_TIMEOUT_SECONDS``); a
    timeout of 0 renders right here without a limit. ``PdfRenderFailed`` when the worker fails.
    """
    global _renders
    refuse_oversized(html)
    limit = settings.PDF_RENDER_TIMEOUT_SECONDS if timeout is None else timeout
    _renders += 1
    if not limit:
        return html_to_pdf(html, stylesheets=stylesheets)
    try:
        worker = render_pool.worker(settings.PDF_RENDER_MAX_RENDERS)
        return worker.render(html, limit, stylesheets=stylesheets)
    except render_pool.RenderTimeout as exc:
        raise PdfRenderTimeout(str(exc)) from exc
    except render_pool.RenderFailed as exc:
        raise PdfRenderFailed(str(exc)) from exc


def check_cjk_font() -> None:
    """Raise CJKFontMissing rather than render Chinese text in a font without its glyphs."""
    if not _font_installed(settings.CJK_FONT_FAMILY):
        raise CJKFontMissing(settings.CJK_FONT_FAMILY)


def sheet_context(
    sheet: Sheet, company: CompanyProfile | None = None, layout: Layout | None = None
) -> dict[str, object]:
    """What ``sheet_pdf.html`` and the sheet partials print besides the sheet itself;
    ``printed`` is the sheet as its print layout shows it (standard when none is given)."""

    company = company if company is not None else company_profile()
    layout = layout if layout is not None else LAYOUTS[STANDARD]
    return {
        "sheet": sheet,
        "printed": printed_sheet(sheet, layout),
        "company": company,
        "company_profile": company,
        "company_logo": logo_data_url(company),
        "document_number": company.document_number(sheet.code, sheet.position_id),
        "created": timezone.now().isoformat(timespec="seconds"),
    }


def sheet_html(
    sheet: Sheet, company: CompanyProfile | None = None, layout: Layout | None = None
) -> str:
    """The PDF's HTML for one sheet (company identity in header, footer and metadata)."""
    return render_to_string(PDF_TEMPLATE, sheet_context(sheet, company, layout))


def render_pdf(
    sheet: Sheet, *, company: CompanyProfile | None = None, layout: Layout | None = None
) -> bytes:
    """The sheet as PDF bytes (A4, one CJK font family embedded), rendered in this process.

    Raises CJKFontMissing rather than render Chinese text in a font that has no glyphs for it.
    """
    check_cjk_font()
    return render_html(sheet_html(sheet, company, layout), stylesheets=PDF_STYLESHEETS, timeout=0)
