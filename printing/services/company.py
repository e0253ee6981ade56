"""公司信息: the company identity printed in the sheet header, in PDFs and on book covers.

``company_profile()`` is what every printing surface calls. It reads the one ``CompanyProfile``
row and keeps it in the process for ``CACHE_SECONDS`` (the sheet header shows it on every
page, and it must not cost a query each time); saving through ``save_company_profile`` clears
this process's copy at once, other processes pick the change up within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import time
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image

from jobdesc.storage import StorageUnavailable
from positions.models import CompanyProfile, Department

logger = logging.getLogger(__name__)

CACHE_SECONDS = 30.0
DEFAULT_COMPANY_NAME = "本公司"
# Only raster logos: an SVG is a program for the renderer (nested <use> in 2 KB can keep
# WeasyPrint busy for minutes), a PNG or JPEG of bounded pixels is not.
_LOGO_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpeg"}

LOGO_NOT_RASTER = "请上传 PNG 或 JPEG 格式的标志。"
# Written by migration positions 0014 when it removed an SVG logo; a new logo removes it.
SVG_LOGO_REMOVED_MARKER = "company/svg-logo-removed.txt"
SVG_LOGO_REMOVED_NOTICE = "原标志为 SVG 格式，已停用，请上传 PNG 或 JPEG 格式的标志。"


class LogoRejected(ValueError):
    """An uploaded logo that is not accepted; the message is Chinese and shown to the user."""


@dataclass
class _Cached:
    profile: CompanyProfile
    loaded_at: float


_cache: _Cached | None = None
_logo_cache: dict[tuple[str, str], str] = {}


def _default_name() -> str:
    """Before HR fills in 公司信息: the top of the organisation tree, else 本公司."""
    root = (
        Department.objects.filter(parent__isnull=True)
        .order_by("order", "pk")
        .values_list("name", flat=True)
        .first()
    )
    return root or DEFAULT_COMPANY_NAME


def company_profile() -> CompanyProfile:
    """The company identity; an unsaved default (name from the org tree) when none is set."""
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache.loaded_at < CACHE_SECONDS:
        return _cache.profile
    profile = CompanyProfile.objects.filter(pk=CompanyProfile.SINGLETON_PK).first()
    if profile is None:
        profile = CompanyProfile(name=_default_name())
    _cache = _Cached(profile, now)
    return profile


def forget_company_profile() -> None:
    """Drop this process's copy (after a change, and between tests)."""
    global _cache
    _cache = None
    _logo_cache.clear()


def save_company_profile(
    *,
    name: str,
    document_prefix: str,
    logo: UploadedFile | None = None,
    clear_logo: bool = False,
    sheet_layout: str | None = None,
) -> CompanyProfile:
    """Create or update the one 公司信息 row; a new logo replaces (and deletes) the old file.

    Raises ``StorageUnavailable`` (nothing saved) when a new logo cannot be stored; the old
    logo's file is left behind rather than failing when the storage cannot delete it.
    """
    with transaction.atomic():
        profile, _ = CompanyProfile.objects.select_for_update().get_or_create(
            pk=CompanyProfile.SINGLETON_PK, defaults={"name": name}
        )
        old_logo = profile.logo.name if profile.logo else ""
        profile.name = name.strip()
        profile.document_prefix = document_prefix.strip()
        if sheet_layout is not None:  # None: left as it is
            profile.sheet_layout = sheet_layout
        if logo is not None:
            check_logo(logo)
            profile.logo.save(logo.name, logo, save=False)
        elif clear_logo:
            profile.logo = ""
        profile.full_clean()
        profile.save()
    try:
        if old_logo and old_logo != (profile.logo.name or ""):
            profile.logo.storage.delete(old_logo)
        if logo is not None and default_storage.exists(SVG_LOGO_REMOVED_MARKER):
            default_storage.delete(SVG_LOGO_REMOVED_MARKER)
    except StorageUnavailable:
        logger.warning("Old company logo %r left in storage (storage unavailable)", old_logo)
    forget_company_profile()
    return profile


def logo_data_url(profile: CompanyProfile) -> str:
    """The logo as a ``data:`` URL ("" without one).

    The PDF renderer may load nothing but static files and ``data:`` URLs, so page and PDF both
    embed the logo this way: its bytes are read here through the storage API (local or S3),
    never fetched by the renderer. Only a PNG or JPEG (by content) is embedded; anything else,
    or a logo the storage cannot give right now, is "" (and not remembered).
    """
    if not profile.logo:
        return ""
    key = (profile.logo.name, profile.updated_at.isoformat() if profile.updated_at else "")
    cached = _logo_cache.get(key)
    if cached is not None:
        return cached
    try:
        with profile.logo.storage.open(profile.logo.name, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    kind = sniff_logo_type(data)
    if kind not in _LOGO_TYPES:
        return ""
    url = f"data:{_LOGO_TYPES[kind]};base64,"
    url += base64.b64encode(data).decode("ascii")
    _logo_cache[key] = url
    return url


def company_fingerprint(profile: CompanyProfile) -> str:
    """What of the company identity a printed sheet shows, as a short hash (stored-PDF key)."""
    digest = hashlib.sha256()
    for part in (profile.name, profile.document_prefix, logo_data_url(profile)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def sniff_logo_type(data: bytes) -> str | None:
    """The logo type ("png", "jpeg" or "svg") from its first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (head.startswith(b"<?xml") or head.startswith(b"<svg")) and b"<svg" in head:
        # No DOCTYPE: entity declarations are how XML bombs and file reads get in.
        if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
            return None
        return "svg"
    return None


def check_logo(upload: UploadedFile) -> str:
    """The uploaded logo's type, "png" or "jpeg", judged by its content with Pillow.

    Raises ``LogoRejected`` (Chinese message) for anything else — SVG included — for a file over
    ``COMPANY_LOGO_MAX_KB``, and for an image wider or higher than ``COMPANY_LOGO_MAX_PIXELS``
    (checked from the header, before any pixel is decoded: a decompression bomb is refused
    without being unpacked).
    """
    max_kb = settings.COMPANY_LOGO_MAX_KB
    if upload.size > max_kb * 1024:
        raise LogoRejected(
            f"公司标志不能超过 {max_kb} KB（当前 {-(-upload.size // 1024)} KB），请压缩后再上传。"
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if sniff_logo_type(data) not in _LOGO_TYPES:
        raise LogoRejected(LOGO_NOT_RASTER)
    max_pixels = settings.COMPANY_LOGO_MAX_PIXELS
    too_big = f"公司标志的尺寸不能超过 {max_pixels}×{max_pixels} 像素"
    try:
        with warnings.catch_warnings():
            # Past Pillow's warning size the pixel limit below answers (with the size); past its
            # error size (2×) Image.open refuses by itself.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = _PILLOW_FORMATS.get(image.format or "")
                if kind is None:
                    raise LogoRejected(LOGO_NOT_RASTER)
                width, height = image.size
                if width > max_pixels or height > max_pixels:
                    raise LogoRejected(f"{too_big}（当前 {width}×{height} 像素），请缩小后再上传。")
                image.load()  # decode it all: a truncated or corrupt file fails here
    except LogoRejected:
        raise
    except Image.DecompressionBombError:
        raise LogoRejected(f"{too_big}，请缩小后再上传。") from None
    except (OSError, SyntaxError, ValueError):
        raise LogoRejected(
            "公司标志文件已损坏或无法读取，请重新导出为 PNG 或 JPEG 后上传。"
        ) from None
    return kind


def svg_logo_removed(profile: CompanyProfile) -> bool:
    """Whether the SVG logo was removed (migration 0014) and no new logo is there yet."""
    if profile.logo:
        return False
    try:
        return default_storage.exists(SVG_LOGO_REMOVED_MARKER)
    except StorageUnavailable:
        return False
