"""System checks (registered in PositionsConfig.ready).

``positions.W001`` — the CJK font family the sheet stylesheet names first
(``settings.CJK_FONT_FAMILY``) must be installed, or WeasyPrint silently falls back to another
font (or to empty boxes) and the PDFs look wrong. Installed families are read from fontconfig
(``fc-list``, which WeasyPrint itself uses through Pango). When ``fc-list`` is missing, the
usual font folders are scanned with fontTools instead, so the check never crashes.

It is a Warning, not an Error: without the font every page still works and only the PDF
typography suffers, so it should not stop ``migrate`` or ``runserver``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.checks import Tags, register

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local" / "share" / "fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
)
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}

HINT = (
    "安装中文字体：apt-get install fonts-noto-cjk，或将 CJK_FONT_FAMILY 设为已安装的中文字体。"
    " Install a CJK font: apt-get install fonts-noto-cjk, or set CJK_FONT_FAMILY to an installed "
    "CJK family (see `fc-list :lang=zh family`)."
)


def _normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def _fc_escape(value: str) -> str:
    """Escape the characters fontconfig's pattern syntax gives a meaning to."""
    for char in "\\-:,=":
        value = value.replace(char, "\\" + char)
    return value


def _families_from_fc_list(family: str) -> set[str] | None:
    """Families by that name that cover Simplified Chinese; None when fc-list is unavailable."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        result = subprocess.run(
            [fc_list, f":family={_fc_escape(family)}:lang=zh-cn", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    names: set[str] = set()
    for line in result.stdout.splitlines():
        # fc-list escapes "-", ":" … with a backslash and separates names with unescaped ",".
        parts = re.split(r"(?<!\\),", line)
        names.update(re.sub(r"\\(.)", r"\1", part).strip() for part in parts if part.strip())
    return names


def _font_files(dirs: Iterable[Path]) -> Iterable[Path]:
    for directory in dirs:
        if not directory.is_dir():
            continue
        for root, _dirs, files in os.walk(directory):
            for name in files:
                if Path(name).suffix.lower() in FONT_SUFFIXES:
                    yield Path(root) / name


def _families_from_files(family: str, dirs: Iterable[Path] = FONT_DIRS) -> set[str]:
    """Fonts in the usual folders named ``family`` (name ID 1 or 16) that have the glyph 中."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError  # noqa: PLC0415 — fallback only

    wanted = _normalise(family)
    names: set[str] = set()
    for path in _font_files(dirs):
        try:
            if path.suffix.lower() in {".ttc", ".otc"}:
                fonts = TTCollection(str(path), lazy=True).fonts
            else:
                fonts = [TTFont(str(path), lazy=True)]
            for font in fonts:
                families = set()
                for record in font["name"].names:
                    if record.nameID in (1, 16):
                        try:
                            families.add(record.toUnicode())
                        except UnicodeDecodeError:
                            continue
                matching = {name for name in families if _normalise(name) == wanted}
                if matching and ord("中") in (font.getBestCmap() or {}):
                    names |= matching
        except (OSError, TTLibError, KeyError, AssertionError, ValueError):
            continue
    return names


def installed_font_families(family: str) -> set[str]:
    """Installed families matching ``family`` (fontconfig, else a scan of the font folders)."""
    names = _families_from_fc_list(family)
    if names is None:
        names = _families_from_files(family)
    return names


def cjk_font_installed(family: str) -> bool:
    wanted = _normalise(family)
    return any(_normalise(name) == wanted for name in installed_font_families(family))


@register(Tags.compatibility)
def check_cjk_font(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    family = settings.CJK_FONT_FAMILY
    if cjk_font_installed(family):
        return []
    return [
        checks.Warning(
            f"未安装中文字体“{family}”（或该字体不含中文字形），"
            "职位说明书 PDF 中的中文将无法正确显示。 "
            f"The CJK font family {family!r} (settings.CJK_FONT_FAMILY) is not installed or has "
            "no Chinese glyphs; "
            "Chinese text in sheet PDFs will render with a wrong font or as empty boxes.",
            hint=HINT,
            id="positions.W001",
        )
    ]
