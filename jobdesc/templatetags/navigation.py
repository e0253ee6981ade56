"""``{% nav_url %}``: ``{% url %}`` for links without arguments, reversed once per process.

The navigation bar (templates/base.html) links about fifteen pages on every page; reversing a
URL costs some 30 µs of Python each time, the same answer every time under one script prefix
and URLconf. ``{% nav_url 'positions:position-list' %}`` (or ``… as list_url``) reverses each
name once per process and prefix and URLconf, then answers from a dict. Only for URL names
without arguments, and only for namespaces deployed once (every one of jobdesc's).
Templates ``{% load navigation %}`` (registered in jobdesc/settings.py TEMPLATES).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# (script prefix, URLconf, URL name) → path.
_reversed: dict[tuple[str, str, str], str] = {}


@register.simple_tag
def nav_url(name: str) -> str:
    """The path of the URL ``name`` (no arguments), reversed once per process."""
    key = (get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF), name)
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(name)
    return url
