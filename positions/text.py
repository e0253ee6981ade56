"""Text as the pickers, the list filter and the search compare it: normalised, and spelt as
pinyin initials (xsjl → 销售经理). Pure functions, no database.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

MAX_INITIAL_VARIANTS = 8
READINGS_PER_CHARACTER = 2
PINYIN_QUERY = re.compile(r"^[a-z]{2,}$")


def _fold(char: str) -> str:
    """One character, lower-cased and full-width ASCII folded — always one character out."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        char = chr(code - 0xFEE0)
    elif code == 0x3000:
        char = " "
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


# Full-width ASCII and the ideographic space folded to ASCII (``_fold``'s first step).
_FULL_WIDTH = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def normalise(text: str) -> str:
    """Lower case, full-width letters and digits folded; same length as ``text``."""
    folded = text.translate(_FULL_WIDTH)
    lowered = folded.lower()
    # ``str.lower`` of a whole string equals ``_fold`` character by character unless a
    # character lowers to several (İ) or by context (a final Σ): then one by one.
    if len(lowered) == len(folded) and "Σ" not in folded:
        return lowered
    return "".join(_fold(char) for char in text)


def bigrams(normalised: str) -> set[str]:
    """Distinct two-character substrings without whitespace."""
    # ``str.split()`` splits at exactly the characters ``str.isspace`` knows.
    return {word[i : i + 2] for word in normalised.split() for i in range(len(word) - 1)}


def _is_han(char: str) -> bool:
    return "CJK" in unicodedata.name(char, "")


def initials(text: str) -> tuple[list[str], list[int]]:
    """Pinyin-initial spellings of ``text`` and, per letter, the index of its character.

    Letters and digits keep themselves; punctuation and spaces are dropped. Characters with
    several common readings give several spellings (at most ``MAX_INITIAL_VARIANTS``), the
    usual reading (pypinyin's, which knows phrases: 银行 → yh) first. Every spelling has one
    letter per kept character, so one offset list serves them all.
    """
    # pypinyin loads its dictionaries on import (~0.5 s): only when initials are spelt.
    from pypinyin import Style, pinyin  # noqa: PLC0415 — keeps every process's start-up light

    options: list[list[str]] = []
    offsets: list[int] = []
    usual = pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    # pypinyin returns one item per Han character and per other character (errors=list).
    if len(usual) != len(text):
        return [], []
    for index, (char, first) in enumerate(zip(text, usual, strict=True)):
        if _is_han(char):
            # The phrase-aware reading first, then the character's own readings.
            (letters,) = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)
            choices = [first[0].lower()] + [x.lower() for x in letters]
            distinct = list(dict.fromkeys(c for c in choices if c and c.isascii()))
            if not distinct:
                continue
            options.append(distinct[:READINGS_PER_CHARACTER])
            offsets.append(index)
        elif char.isascii() and char.isalnum():
            options.append([char.lower()])
            offsets.append(index)
    spellings = [
        "".join(combo)
        for combo in itertools.islice(itertools.product(*options), MAX_INITIAL_VARIANTS)
    ]
    return spellings, offsets


def is_pinyin_query(query: str) -> bool:
    """Whether a query may be pinyin initials (two or more letters a–z, any case)."""
    return bool(PINYIN_QUERY.match(normalise(query.strip())))


@lru_cache(maxsize=4096)
def cached_initials(text: str) -> tuple[str, ...]:
    return tuple(initials(text)[0])


def initials_match(text: str, query: str) -> bool:
    """Whether ``query`` (pinyin initials) occurs in one of the spellings of ``text``."""
    wanted = normalise(query.strip())
    return bool(wanted) and any(wanted in spelling for spelling in cached_initials(text))
