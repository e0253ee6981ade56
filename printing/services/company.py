"""公司信息: the company identity printed in the sheet header, in PDFs and on book covers.

``company_profile()`` is what every printing surface calls. It reads the one ``CompanyProfile``
row and keeps it in the process for ``CACHE_SECONDS`` (the sheet header shows it on every
page, and it must not cost a query each time); saving through ``save_company_profile`` clears
this process's copy at once, other processes pick the change up within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from positions.models import CompanyProfile, Department

CACHE_SECONDS = 30.0
DEFAULT_COMPANY_NAME = "本公司"
LOGO_MAX_BYTES = 512 * 1024

_LOGO_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
}


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
) -> CompanyProfile:
    """Create or update the one 公司信息 row; a new logo replaces (and deletes) the old file."""
    with transaction.atomic():
        profile, _ = CompanyProfile.objects.select_for_update().get_or_create(
            pk=CompanyProfile.SINGLETON_PK, defaults={"name": name}
        )
        old_logo = profile.logo.name if profile.logo else ""
        profile.name = name.strip()
        profile.document_prefix = document_prefix.strip()
        if logo is not None:
            profile.logo.save(logo.name, logo, save=False)
        elif clear_logo:
            profile.logo = ""
        profile.full_clean()
        profile.save()
    if old_logo and old_logo != (profile.logo.name or ""):
        profile.logo.storage.delete(old_logo)
    forget_company_profile()
    return profile


def logo_data_url(profile: CompanyProfile) -> str:
    """The logo as a ``data:`` URL ("" without one).

    The PDF renderer may load nothing but static files and ``data:`` URLs, and an SVG inside
    ``<img>`` cannot run scripts, so page and PDF both embed the logo this way.
    """
    if not profile.logo:
        return ""
    key = (profile.logo.name, profile.updated_at.isoformat() if profile.updated_at else "")
    cached = _logo_cache.get(key)
    if cached is not None:
        return cached
    extension = profile.logo.name.rsplit(".", 1)[-1].lower()
    try:
        with profile.logo.storage.open(profile.logo.name, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    url = f"data:{_LOGO_TYPES.get(extension, 'application/octet-stream')};base64,"
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


def svg_has_text(data: bytes) -> bool:
    """Whether an SVG draws text: a PDF would then embed a second font for the logo."""
    return re.search(rb"<(?:[\w-]+:)?(?:text|tspan|textPath)[\s>/]", data) is not None
