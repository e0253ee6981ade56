"""What lays a sheet out, as a hash: a template, every template it includes, its stylesheets.

Used as part of the keys of things rendered once and kept (stored PDFs, cached sheet HTML):
editing a template or stylesheet changes the hash, so nothing made with the old layout is served
again — invalidation by construction.

With ``DEBUG`` off a process keeps each hash while its template engine is the same (its cached
template loader never reads a template again) and its stylesheets keep their size and
modification time (a stat each, no read). With ``DEBUG`` on every call reads the files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import engines
from django.template.loader import get_template

_INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
# (template, stylesheets) → (the template engine, the stylesheets' (path, size, mtime), hash)
_fingerprints: dict[tuple[str, tuple[str, ...]], tuple[object, list, str]] = {}


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
    key = (template, tuple(stylesheets))
    if settings.DEBUG:
        return _compute_fingerprint(*key)
    engine = engines["django"]
    files = []
    for name in key[1]:
        found = finders.find(name)
        if found:
            stat = Path(found).stat()
            files.append((found, stat.st_size, stat.st_mtime_ns))
    kept = _fingerprints.get(key)
    if kept is not None and kept[0] is engine and kept[1] == files:
        return kept[2]
    digest = _compute_fingerprint(*key)
    _fingerprints[key] = (engine, files, digest)
    return digest


def _compute_fingerprint(template: str, stylesheets: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name, source in sorted(_template_sources(template, set())):
        digest.update(f"{name}\x00{source}\x00".encode())
    for name in stylesheets:
        found = finders.find(name)
        if found:
            path = Path(found)
            digest.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return digest.hexdigest()
