"""Posting to other systems: only http(s), only to WEBHOOK_ALLOWED_HOSTS, bounded in time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

CONNECT_TIMEOUT = 5
MAX_ANSWER_BYTES = 64 * 1024


def url_refusal(url: str) -> str | None:
    """Why nothing may be posted to ``url`` (a Chinese sentence), or None when it may."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "地址格式不正确。"
    if parts.scheme not in ("http", "https"):
        return "只能发送到 http 或 https 地址。"
    if not host:
        return "地址缺少主机名。"
    if host not in settings.WEBHOOK_ALLOWED_HOSTS:
        return f"主机“{host}”不在允许列表（WEBHOOK_ALLOWED_HOSTS）中。"
    return None


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer at all (refused, timed out)
    text: str
    elapsed_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and not self.error


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body``; redirects are not followed (a 3xx is a failure), 5 s to connect,
    WEBHOOK_READ_TIMEOUT_SECONDS (10) to read, at most 64 KiB of the answer read."""
    refusal = url_refusal(url)
    if refusal is not None:
        return Answer(None, "", 0, refusal)
    started = time.monotonic()
    try:
        with requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8", **headers},
            timeout=(CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(MAX_ANSWER_BYTES, decode_content=True) or b""
            elapsed = int((time.monotonic() - started) * 1000)
            text = raw.decode(response.encoding or "utf-8", errors="replace")
            error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
            return Answer(response.status_code, text, elapsed, error)
    except requests.RequestException as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(None, "", elapsed, f"{type(exc).__name__}: {exc}"[:500])
