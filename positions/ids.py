"""Ids (and page or version numbers) read from a query string, a form or an uploaded file.

``str.isdigit`` accepts "²" and "٣" (``int`` then fails, or reads an Arabic-Indic digit), and a
40-digit number overflows the database's integer: both ended as server errors. ``parse_id`` is
the one rule: ASCII digits only, at most 18 of them (any such number fits a 64-bit integer).
"""

from __future__ import annotations

import re

MAX_ID_DIGITS = 18
_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")


def parse_id(raw: object) -> int | None:
    """The number ``raw`` spells (surrounding spaces ignored), or None for anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    return int(text) if _ID.fullmatch(text) else None
