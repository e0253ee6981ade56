"""Real receivers the tests start on free ports: an SMTP server (aiosmtpd) and an HTTP server
that checks each robot's message format and the webhook signature, answering as the real
services do (企业微信/钉钉 ``errcode``, 飞书 ``code``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Mail:
    to: list
    subject: str  # decoded, folding undone
    text: str


class _Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            Mail(envelope.rcpt_tos, " ".join(str(mail["Subject"]).split()), mail.get_content())
        )
        return "250 OK"


class SmtpReceiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self):
        return self.inbox.messages


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes
    verdict: str  # "ok" or why the receiver refused it

    @property
    def json(self):
        return json.loads(self.body)


def _robot_verdict(kind: str, query: dict, payload: dict, secret: str) -> str:
    if kind == "wecom":
        ok = payload.get("msgtype") == "markdown" and isinstance(
            payload.get("markdown", {}).get("content"), str
        )
        return "ok" if ok else "bad wecom format"
    if kind == "dingtalk":
        markdown = payload.get("markdown", {})
        if (
            payload.get("msgtype") != "markdown"
            or not markdown.get("title")
            or not markdown.get("text")
        ):
            return "bad dingtalk format"
        if secret:
            timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
            if sign != base64.b64encode(mac.digest()).decode():
                return "bad dingtalk sign"
            if abs(int(timestamp) / 1000 - time.time()) > 3600:
                return "dingtalk timestamp too old"
        return "ok"
    if kind == "feishu":
        if payload.get("msg_type") != "text" or not payload.get("content", {}).get("text"):
            return "bad feishu format"
        if secret:
            timestamp = payload.get("timestamp", "")
            mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
            if payload.get("sign") != base64.b64encode(mac.digest()).decode():
                return "bad feishu sign"
        return "ok"
    return "unknown robot"


def webhook_verdict(headers: dict, body: bytes, secret: str) -> str:
    """What a subscriber does: recompute the signature over ``<t>.<body>`` and compare."""
    header = headers.get("X-Jobdesc-Signature", "")
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    expected = hmac.new(
        secret.encode(), f"{parts.get('t', '')}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        return "bad signature"
    if abs(int(parts["t"]) - time.time()) > 300:
        return "signature too old"
    return "ok"


@dataclass
class HttpReceiver:
    """Paths: /wecom, /dingtalk, /feishu (robots), /hook (webhooks). ``statuses``: the HTTP
    statuses to answer in turn (then 200); ``delay``: seconds to wait before answering."""

    secrets: dict = field(default_factory=dict)  # path kind → secret
    statuses: list = field(default_factory=list)
    delay: float = 0.0
    received: list = field(default_factory=list)

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                kind = parts.path.strip("/")
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = parse_qs(parts.query)
                headers = dict(self.headers.items())
                secret = receiver.secrets.get(kind, "")
                if kind == "hook":
                    verdict = webhook_verdict(headers, body, secret)
                else:
                    verdict = _robot_verdict(kind, query, json.loads(body), secret)
                receiver.received.append(Received(parts.path, query, headers, body, verdict))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if verdict != "ok":
                    status, reply = (
                        (401, {"error": verdict})
                        if kind == "hook"
                        else (
                            200,
                            {"errcode": 310000, "code": 19021, "errmsg": verdict},
                        )
                    )
                else:
                    reply = {"errcode": 0, "code": 0, "errmsg": "ok"}
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender stopped waiting (its read timeout): nobody to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
