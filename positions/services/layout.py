"""What lays a sheet out, as a hash: a template, every template it includes, its stylesheets.

Used as part of the keys of things rendered once and kept (stored PDFs, cached sheet HTML):
editing a template or stylesheet changes the hash, so nothing made with the old layout is served
again — invalidation by construction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import get_template

_INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


def _template_sources(name: str, seen: set[str]) -> list[tuple[str, str]]:
    """The template and, recursively, every template it includes: (name, source) pairs."""
    if name in seen:
        return []
    seen.add(name)
    source = get_template(name).template.source
    found = [(name, source)]
    for included in _INCLUDE.findall(source):
        found += _template_sources(included, seen)
    return found


def templates_fingerprint(template: str, stylesheets: Iterable[str] = ()) -> str:
    """A hash of a template, every template it includes (recursively) and its stylesheets:
    what lays a sheet or a book out. Editing any of them changes it."""
    digest = hashlib.sha256()
    for name, source in sorted(_template_sources(template, set())):
        digest.update(f"{name}\x00{source}\x00".encode())
    for name in stylesheets:
        found = finders.find(name)
        if found:
            path = Path(found)
            digest.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return digest.hexdigest()
