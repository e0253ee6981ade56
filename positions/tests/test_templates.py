"""The templates themselves: what Django would print that nobody meant to show."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def multiline_comments(text: str) -> list[int]:
    """Line numbers of ``{#`` comments not closed on their own line: Django's short comment
    is single-line only and prints a multi-line one as text (in every page, PDF and book)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"\{#", line):
            if "#}" not in line[match.end() :]:
                found.append(number)
    return found


def test_multiline_comments_detects_an_open_comment():
    assert multiline_comments("{# one line #}\n<p>{# two\n lines #}</p>") == [2]


def test_templates_hold_no_multiline_short_comment():
    offenders = {
        str(path.relative_to(TEMPLATES)): lines
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (lines := multiline_comments(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "use {% comment %} … {% endcomment %} for multi-line comments"
