"""Where a request came from: one rule for the audit trail and the 员工确认 record."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``AUDIT_TRUSTED_PROXY_COUNT`` reverse
    proxies the address the outermost of them saw (that many entries from the right of
    ``X-Forwarded-For``). None when unknown or malformed."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.AUDIT_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
