"""Ids (and page or version numbers) read from a query string, a form or an uploaded file; and
the one number people read for a position without a 职位编号 (``position_number``).

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


def position_number(code: str, position_id: int) -> str:
    """What people read as a position's number: its 职位编号, or ``P`` and the id in four digits
    (``P0002``) when it has none — on the sheet, in 文件编号, on 签收单 and in exports shown to
    people. (The Excel workbook keeps ``#2`` as its *import key* for such a position: a key that
    can never collide with a real 职位编号; its help names the printed form.)"""
    return code.strip() or f"P{position_id:04d}"
